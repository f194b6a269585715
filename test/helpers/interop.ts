// Interop tools (kcat, the Debian Python clients) run when installed. Locally a missing tool skips its tests
// with a printed reason; in CI (EVT_REQUIRE_INTEROP=1, set by .ci/run, which installs them) it is a failure.

import { spawn, spawnSync } from 'node:child_process';

export const PYTHON = '/usr/bin/python3';

export function toolAvailable(
  name: string,
  probe: string[],
  packages = 'kcat python3-kafka python3-confluent-kafka',
): boolean {
  const r = spawnSync(probe[0], probe.slice(1), { stdio: 'ignore' });
  const ok = r.status === 0;
  if (!ok) {
    const msg = `${name} is not installed: its interop tests are skipped (apt-get install ${packages})`;
    if (process.env.EVT_REQUIRE_INTEROP === '1') throw new Error(`${msg}, but EVT_REQUIRE_INTEROP=1 requires it`);
    console.warn(`SKIPPED: ${msg}`);
  }
  return ok;
}

export const hasKcat = () => toolAvailable('kcat', ['kcat', '-V']);
/** protoc, which compiles a test's .proto files as Python's and Java's toolchains do */
export const hasProtoc = () => toolAvailable('protoc', ['protoc', '--version'], 'protobuf-compiler');
export const hasKafkaPython = () => toolAvailable('kafka-python', [PYTHON, '-c', 'import kafka']);
export const hasConfluentKafka = () =>
  toolAvailable('confluent-kafka-python', [PYTHON, '-c', 'import confluent_kafka']);
/** Go and kafka-go 0.2.1 from Debian (GOPATH mode under /usr/share/gocode: no module download) */
export const hasKafkaGo = () =>
  toolAvailable(
    'kafka-go (Go)',
    ['sh', '-c', 'command -v go && test -d /usr/share/gocode/src/github.com/segmentio/kafka-go'],
    'golang-go golang-github-segmentio-kafka-go-dev',
  );
/** Burrow 1.2.1 and the zookeeper it keeps its state in (run on Debian's Java) */
export const hasBurrow = () =>
  toolAvailable(
    'Burrow (with zookeeper)',
    ['sh', '-c', 'command -v Burrow && command -v java && test -f /usr/share/java/zookeeper.jar'],
    'burrow zookeeper',
  );

/**
 * Runs a program to completion without blocking the event loop: the in-process broker under test lives on
 * this same loop, so spawnSync would stall it and the client would time out.
 */
export function run(
  cmd: string,
  args: string[],
  { input, timeoutMs = 60_000, env }: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('error', reject);
    p.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
    p.stdin.end(input ?? '');
  });
}
