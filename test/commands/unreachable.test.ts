// An unreachable cluster fails with one clear line and exit code 3, never endless retries or a stack trace:
// at once (after a short retry) when every address refuses, within --timeout when nothing answers.
import net from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { evt, sandbox } from '../helpers/admin.js';
import { unusedPort, unusedPorts } from '../helpers/ports.js';

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

it('a closed port: exit 3 after the refusal window, not the timeout, naming the brokers, their source and the reason', async () => {
  const sb = sandbox();
  const port = await unusedPort();
  // a minute of --timeout: the command returns well before the test's limit only if it gave up early
  const r = await evt(['--brokers', `127.0.0.1:${port}`, '--timeout', '60s', 'topics', 'list'], { sb });
  expect(r.code).toBe(3);
  expect(r.stdout).toBe('');
  expect(r.stderr).toBe(
    `evt: cannot connect to 127.0.0.1:${port} (from --brokers): connection refused (tried for 2s)\n`,
  );
});

it('every address refusing is named with its reason, once', async () => {
  const sb = sandbox();
  const [a, b] = await unusedPorts(2);
  const r = await evt(['--brokers', `127.0.0.1:${a},127.0.0.1:${b}`, '--timeout', '60s', 'tail', 't', '-n', '1'], {
    sb,
  });
  expect(r.code).toBe(3);
  expect(r.stderr).toBe(
    `evt: cannot connect to 127.0.0.1:${a},127.0.0.1:${b} (from --brokers): connection refused (tried for 2s)\n`,
  );
});

it('brokers from EVT_BROKERS are named as such, for every admin command', async () => {
  const sb = sandbox();
  const port = await unusedPort();
  for (const args of [['status'], ['groups', 'list'], ['topics', 'describe', 'x'], ['groups', 'describe', 'g']]) {
    // a --timeout shorter than the refusal window bounds it
    const r = await evt(['--timeout', '1s', ...args], { sb, env: { EVT_BROKERS: `127.0.0.1:${port}` } });
    expect(r.code, args.join(' ')).toBe(3);
    expect(r.stderr).toBe(
      `evt: cannot connect to 127.0.0.1:${port} (from EVT_BROKERS): connection refused (tried for 1s)\n`,
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
  // at once when the resolver answers that there is no such name; within the timeout when it does not answer
  expect(r.stderr).toMatch(
    /^evt: (cannot connect to no-such-host\.invalid:9092 \(from --brokers\): host not found \(tried for 2s\)|cannot reach the cluster at no-such-host\.invalid:9092 \(from --brokers\) within 2s: (host not found|connection timed out))\n$/,
  );
});

it('--verbose adds what each attempt saw on stderr and still ends with the one line', async () => {
  const sb = sandbox();
  const port = await unusedPort();
  const r = await evt(['--brokers', `127.0.0.1:${port}`, '--timeout', '1s', '--verbose', 'status'], { sb });
  expect(r.code).toBe(3);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trim().split('\n');
  expect(lines).toContain(`evt: cannot connect to 127.0.0.1:${port}: connection refused`);
  expect(lines.filter((l) => l.startsWith('evt: ') && l.endsWith('(tried for 1s)'))).toHaveLength(1);
});
