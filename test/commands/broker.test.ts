// `evt broker` as a user runs it: the spawned CLI, its output, its errors and its exit codes.

import { afterEach, expect, it } from 'vitest';
import { kafkaFor, tempDir } from '../helpers/broker.js';
import { runEvt, spawnBroker, type SpawnedBroker } from '../helpers/spawn.js';

const procs: SpawnedBroker[] = [];
afterEach(() => {
  for (const p of procs.splice(0)) p.proc.kill('SIGKILL');
});

it('--port 0 --json prints the bootstrap address, serves clients, and exits 0 on SIGTERM', async () => {
  const dataDir = tempDir();
  const b = await spawnBroker(['--data-dir', dataDir]);
  procs.push(b);
  expect(b.bootstrap).toMatch(/^127\.0\.0\.1:\d+$/);
  expect(b.port).toBeGreaterThan(0);
  const admin = kafkaFor(b).admin();
  await admin.connect();
  const cluster = await admin.describeCluster();
  await admin.disconnect();
  expect(cluster.brokers).toEqual([{ nodeId: 1, host: '127.0.0.1', port: b.port }]);
  b.proc.kill('SIGTERM');
  expect(await b.exited).toBe(0);
});

it('prints one human line with the address when not in --json mode', async () => {
  const { spawn } = await import('node:child_process');
  const { EVT_BIN } = await import('../helpers/spawn.js');
  const proc = spawn(process.execPath, [EVT_BIN, 'broker', '--port', '0', '--in-memory'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const line = await new Promise<string>((resolve) => proc.stdout.once('data', (d) => resolve(String(d))));
  proc.kill('SIGINT');
  const code = await new Promise((r) => proc.on('exit', (c) => r(c)));
  expect(line).toMatch(/^evt broker listening on 127\.0\.0\.1:\d+ \(in memory, fsync never\)\n$/);
  expect(code).toBe(0);
});

it('refuses a data dir that another broker holds, with one clear line and exit code 1', async () => {
  const dataDir = tempDir();
  const first = await spawnBroker(['--data-dir', dataDir]);
  procs.push(first);
  const second = await runEvt(['broker', '--port', '0', '--data-dir', dataDir]);
  expect(second.code).toBe(1);
  expect(second.stdout).toBe('');
  expect(second.stderr).toMatch(/^evt: .*in use.*\(pid \d+\).*\n$/);
  expect(second.stderr.trim().split('\n')).toHaveLength(1);
});

it('refuses a port in use with a hint, exit code 1', async () => {
  const first = await spawnBroker(['--in-memory']);
  procs.push(first);
  const second = await runEvt(['broker', '--port', String(first.port), '--in-memory']);
  expect(second.code).toBe(1);
  expect(second.stderr).toBe(
    `evt: port ${first.port} on 127.0.0.1 is already in use: choose another with --port (0 picks a free one)\n`,
  );
});

it('rejects bad option values with exit code 2', async () => {
  const r = await runEvt(['broker', '--port', 'abc']);
  expect(r.code).toBe(2);
  expect(r.stderr).toBe('evt: --port: "abc" is not a whole number from 0 to 65535\n');
  const f = await runEvt(['broker', '--fsync', 'sometimes']);
  expect(f.code).toBe(2);
  expect(f.stderr).toMatch(/--fsync.*sometimes.*never, interval, always/s);
  const u = await runEvt(['broker', '--no-such-flag']);
  expect(u.code).toBe(2);
  expect(u.stderr).toMatch(/unknown option '--no-such-flag'/);
});

it('has --help with examples, and --version', async () => {
  const h = await runEvt(['broker', '--help']);
  expect(h.code).toBe(0);
  expect(h.stdout).toMatch(/Usage: evt broker \[options\]/);
  expect(h.stdout).toMatch(/Examples:\n\s+\$ evt broker/);
  const top = await runEvt(['--help']);
  expect(top.stdout).toMatch(/broker \[options\]\s+run an embedded/);
  expect(top.stdout).toMatch(/Exit codes:/);
  const v = await runEvt(['--version']);
  expect(v.code).toBe(0);
  expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
});
