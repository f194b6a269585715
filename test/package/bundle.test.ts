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
    // one pack of the CLI's code was needed (the broker's, the workflow's... were not); its cache is named by
    // the pack's build, the Node that compiled it and the kind of run; readable by its user alone
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(new RegExp(`^[0-9a-f]{16}-${process.version}-${process.arch}-topics-list\\.v8cache$`));
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

    // another kind of run keeps a cache of its own, of the same pack
    const groups = await runEvt(['--brokers', broker.bootstrap, 'groups', 'list'], { env });
    expect(groups.code, groups.stderr).toBe(0);
    const pack = files[0].slice(0, 16);
    expect(fs.readdirSync(cacheDir).sort()).toEqual(
      [files[0], `${pack}-${process.version}-${process.arch}-groups-list.v8cache`].sort(),
    );

    // the caches of older builds go when a new cache is written: those of the two written last stay
    const days = (n: number) => new Date(Date.now() - n * 86_400_000);
    const older = ['1', '2', '3', '4'].map((n) => `${n.repeat(16)}-${process.version}-${process.arch}-tail.v8cache`);
    older.forEach((file, i) => {
      fs.writeFileSync(path.join(cacheDir, file), 'old');
      fs.utimesSync(path.join(cacheDir, file), days(i + 1), days(i + 1));
    });
    fs.writeFileSync(path.join(cacheDir, 'notes.txt'), 'not a cache');
    const describe = await runEvt(['--brokers', broker.bootstrap, 'topics', 'describe', 'bundled'], { env });
    expect(describe.code, describe.stderr).toBe(0);
    const left = fs.readdirSync(cacheDir);
    expect(left).toEqual(expect.arrayContaining([older[0], older[1], 'notes.txt']));
    expect(left).not.toContain(older[2]);
    expect(left).not.toContain(older[3]);
    expect(left).toContain(`${pack}-${process.version}-${process.arch}-topics-describe.v8cache`);

    // and none at all when asked
    const off = await runEvt(['--brokers', broker.bootstrap, 'topics', 'list'], {
      env: { XDG_CACHE_HOME: path.join(dir, 'cache-off'), EVT_NO_COMPILE_CACHE: '1' },
    });
    expect(off.code, off.stderr).toBe(0);
    expect(fs.existsSync(path.join(dir, 'cache-off'))).toBe(false);
  }, 60_000);
});
