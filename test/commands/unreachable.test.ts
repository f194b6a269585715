// An unreachable cluster fails within --timeout with one clear line and exit code 3, never endless retries or
// a stack trace.

import net from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { closedPort, evt, sandbox } from '../helpers/admin.js';

let silent: net.Server;
let silentPort: number;
const sockets = new Set<net.Socket>();
beforeAll(async () => {
  // accepts connections and never answers: only a time limit ends a client's wait
  silent = net.createServer((s) => {
    sockets.add(s);
    s.on('data', () => {});
    s.on('error', () => {});
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  silentPort = (silent.address() as net.AddressInfo).port;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((resolve) => silent.close(resolve));
});

it('a closed port: exit 3 and one line naming the brokers, their source, the timeout and the reason', async () => {
  const sb = sandbox();
  const port = await closedPort();
  const r = await evt(['--brokers', `127.0.0.1:${port}`, '--timeout', '2s', 'topics', 'list'], { sb });
  expect(r.code).toBe(3);
  expect(r.stdout).toBe('');
  expect(r.stderr).toBe(
    `evt: cannot reach the cluster at 127.0.0.1:${port} (from --brokers) within 2s: connection refused\n`,
  );
});

it('brokers from EVT_BROKERS are named as such, for every admin command', async () => {
  const sb = sandbox();
  const port = await closedPort();
  for (const args of [['status'], ['groups', 'list'], ['topics', 'describe', 'x'], ['groups', 'describe', 'g']]) {
    const r = await evt(['--timeout', '1s', ...args], { sb, env: { EVT_BROKERS: `127.0.0.1:${port}` } });
    expect(r.code, args.join(' ')).toBe(3);
    expect(r.stderr).toBe(
      `evt: cannot reach the cluster at 127.0.0.1:${port} (from EVT_BROKERS) within 1s: connection refused\n`,
    );
  }
});

it('a listener that never answers: exit 3 once the timeout has passed, and the command returns', async () => {
  const sb = sandbox();
  const r = await evt(['--brokers', `127.0.0.1:${silentPort}`, '--timeout', '2s', 'status'], { sb, timeoutMs: 20_000 });
  expect(r.code).toBe(3);
  expect(r.stderr).toBe(
    `evt: cannot reach the cluster at 127.0.0.1:${silentPort} (from --brokers) within 2s: no answer to ApiVersions (is it a Kafka broker? TLS mismatch?)\n`,
  );
});

it('an unknown host: exit 3, host not found', async () => {
  const sb = sandbox();
  const r = await evt(['--brokers', 'no-such-host.invalid:9092', '--timeout', '2s', 'status'], { sb });
  expect(r.code).toBe(3);
  expect(r.stderr).toMatch(
    /^evt: cannot reach the cluster at no-such-host\.invalid:9092 \(from --brokers\) within 2s: (host not found|connection timed out)\n$/,
  );
});

it('--verbose adds what each attempt saw on stderr and still ends with the one line', async () => {
  const sb = sandbox();
  const port = await closedPort();
  const r = await evt(['--brokers', `127.0.0.1:${port}`, '--timeout', '1s', '--verbose', 'status'], { sb });
  expect(r.code).toBe(3);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trim().split('\n');
  expect(lines).toContain(`evt: cannot connect to 127.0.0.1:${port}: connection refused`);
  expect(lines.filter((l) => l.startsWith('evt: cannot reach'))).toHaveLength(1);
});
