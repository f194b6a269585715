// The CLI as users run it: bin/evt.js loads the esbuild bundle (dist/bundle/), which the in-process command
// tests never load (they run the sources). One pass over the everyday commands through the built binary
// catches what only the bundle can break: a chunk missing, a built-in imported the wrong way (`evt trace`
// once failed with "existsSync is not a function" in the bundle alone).

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker/broker.js';
import { startTestBroker, tempDir } from '../helpers/broker.js';
import { runEvt } from '../helpers/spawn.js';

let broker: RunningBroker;
const dir = tempDir('evt-bundle-');
const evt = (...args: string[]) => runEvt(['--brokers', broker.bootstrap, ...args], { timeoutMs: 30_000 });

describe('the built binary', () => {
  beforeAll(async () => {
    broker = await startTestBroker();
  });
  afterAll(async () => {
    await broker?.close();
  });

  it('produces, tails, traces, lists, replays and queries', async () => {
    const lines = Array.from({ length: 20 }, (_, i) => `k${i % 4}:{"orderId":"o-${i}","n":${i}}`).join('\n');
    const produced = await runEvt(['--brokers', broker.bootstrap, 'produce', 'bundled', '-K', ':'], {
      input: lines + '\n',
    });
    expect(produced.code, produced.stderr).toBe(0);

    const tail = await evt('--json', 'tail', 'bundled', '-n', '20');
    expect(tail.code, tail.stderr).toBe(0);
    expect(tail.stdout.trim().split('\n')).toHaveLength(20);

    const trace = await evt('--json', 'trace', 'o-7');
    expect(trace.code, trace.stderr).toBe(0);
    expect((JSON.parse(trace.stdout) as { events: unknown[] }).events).toHaveLength(1);

    const topics = await evt('--json', 'topics', 'list');
    expect(topics.code, topics.stderr).toBe(0);
    expect(topics.stdout).toContain('"bundled"');

    const groups = await evt('groups', 'list');
    expect(groups.code, groups.stderr).toBe(0);

    const db = path.join(dir, 'views.db');
    const replay = await evt('replay', 'latest', 'bundled', '--db', db);
    expect(replay.code, replay.stderr).toBe(0);
    const row = await evt('view', 'get', 'latest-bundled', 'k3', '--db', db);
    expect(row.code, row.stderr).toBe(0);
    // the last record with key k3 is record 19
    expect(row.stdout).toContain('o-19');
  }, 120_000);

  it('keeps compiled code in a per-user cache, and runs the same with a damaged one', async () => {
    const cacheHome = path.join(dir, 'cache-home');
    const env = { XDG_CACHE_HOME: cacheHome };
    const listTopics = () => runEvt(['--brokers', broker.bootstrap, 'topics', 'list'], { env });
    const first = await listTopics();
    expect(first.code, first.stderr).toBe(0);
    const cacheDir = path.join(cacheHome, 'evt');
    const files = fs.readdirSync(cacheDir);
    expect(files).toHaveLength(1);
    // named by the build and the Node that compiled it; readable by its user alone
    expect(files[0]).toMatch(new RegExp(`^[0-9a-f]{16}-${process.version}-${process.arch}\\.v8cache$`));
    const cacheFile = path.join(cacheDir, files[0]);
    expect(fs.statSync(cacheFile).mode & 0o077).toBe(0);
    expect(fs.statSync(cacheFile).size).toBeGreaterThan(10_000);

    // a cache V8 accepts is used as it is, not written again
    const written = fs.statSync(cacheFile).mtimeMs;
    const second = await listTopics();
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    expect(fs.statSync(cacheFile).mtimeMs).toBe(written);

    // one V8 rejects (same length, other bytes) costs a compile, not the run, and is replaced
    const size = fs.statSync(cacheFile).size;
    fs.writeFileSync(cacheFile, Buffer.alloc(size, 7));
    const damaged = await listTopics();
    expect(damaged.code, damaged.stderr).toBe(0);
    expect(damaged.stdout).toBe(first.stdout);
    expect(damaged.stderr).toBe('');
    expect(fs.readFileSync(cacheFile).equals(Buffer.alloc(size, 7))).toBe(false);

    // and none at all when asked
    const off = await runEvt(['--brokers', broker.bootstrap, 'topics', 'list'], {
      env: { XDG_CACHE_HOME: path.join(dir, 'cache-off'), EVT_NO_COMPILE_CACHE: '1' },
    });
    expect(off.code, off.stderr).toBe(0);
    expect(fs.existsSync(path.join(dir, 'cache-off'))).toBe(false);
  }, 60_000);
});
