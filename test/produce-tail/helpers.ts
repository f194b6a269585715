// Running the CLI with stdin, and reading topics back, for the produce/tail end-to-end tests.

import { spawn, type ChildProcess } from 'node:child_process';
import type { RunningBroker } from '../../src/broker/broker.js';
import type { ConsumedRecord } from '../../src/client/records.js';
import { Cluster } from '../../src/client/wire/cluster.js';
import { PartitionReader } from '../../src/client/wire/reader.js';
import { EVT_BIN } from '../helpers/spawn.js';

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface Started {
  proc: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  done: Promise<Run>;
}

/** Starts `evt ...args` (stdin from `input` when given, else closed). */
export function start(args: string[], opts: { input?: string | Buffer; env?: NodeJS.ProcessEnv; keepStdin?: boolean } = {}): Started {
  const began = Date.now();
  const proc = spawn(process.execPath, [EVT_BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', ...opts.env } });
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (d) => (stdout += d));
  proc.stderr!.on('data', (d) => (stderr += d));
  proc.stdin!.on('error', () => {});
  if (opts.input !== undefined) proc.stdin!.end(opts.input);
  else if (!opts.keepStdin) proc.stdin!.end();
  const done = new Promise<Run>((resolve) => proc.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, ms: Date.now() - began })));
  return { proc, stdout: () => stdout, stderr: () => stderr, done };
}

/** Runs `evt ...args` to completion (killed after timeoutMs). */
export async function evt(args: string[], opts: { input?: string | Buffer; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<Run> {
  const s = start(args, opts);
  const timer = setTimeout(() => s.proc.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
  const r = await s.done;
  clearTimeout(timer);
  return r;
}

/** Every record of a topic (read directly, no group), per partition in offset order. */
export async function readTopic(broker: RunningBroker, topic: string): Promise<ConsumedRecord[]> {
  const cluster = await Cluster.connect({ brokers: [broker.bootstrap], clientId: 'test', timeoutMs: 5000, source: 'test' });
  try {
    const meta = await cluster.topic(topic);
    const ends = await cluster.listOffsets(meta.partitions.map((p) => ({ topic, partition: p.partition, timestamp: -1 })));
    const reader = new PartitionReader(cluster, ends.map((e) => ({ topic, partition: e.partition, from: 0, until: e.offset })));
    const out: ConsumedRecord[] = [];
    for await (const chunk of reader) out.push(...chunk.records.map((r) => ({ ...r, key: r.key && Buffer.from(r.key), value: r.value && Buffer.from(r.value) })));
    return out.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
  } finally {
    cluster.close();
  }
}

export function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.length > 0);
}

export function json<T = Record<string, unknown>>(text: string): T[] {
  return lines(text).map((l) => JSON.parse(l) as T);
}
