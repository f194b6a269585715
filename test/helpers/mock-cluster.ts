// librdkafka's mock cluster (mock-cluster.py, run by the Debian python3-confluent-kafka): several brokers in
// one Python process, speaking Kafka as librdkafka's own test suite expects it, odd answers included
// (UNSUPPORTED_VERSION to ApiVersions v3 in a layout of its own, no CreateTopics, no ListGroups). The process
// lives until its stdin closes.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PYTHON, hasConfluentKafka } from './interop.js';

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'mock-cluster.py');

export interface MockCluster {
  /** host:port of every broker, comma-separated */
  bootstrap: string;
  close(): Promise<void>;
}

/** Whether the mock cluster can run here (prints why not, or throws under EVT_REQUIRE_INTEROP=1). */
export const hasMockCluster = hasConfluentKafka;

/** Starts a mock cluster of `brokers` brokers with `topics` created (4 partitions each, leaders spread). */
export function startMockCluster({ brokers = 3, topics = [] as string[] } = {}): Promise<MockCluster> {
  const child: ChildProcessWithoutNullStreams = spawn(PYTHON, [SCRIPT, String(brokers), ...topics]);
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const close = async () => {
    child.stdin.end();
    // the script ends when its stdin closes; a stuck one is killed rather than left behind
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      child.stdout.off('data', onData);
      resolve({ bootstrap: out.slice(0, nl).trim(), close });
    };
    child.stdout.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`mock-cluster.py exited with ${code} before starting: ${stderr}`)));
  });
}
