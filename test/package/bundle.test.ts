// The CLI as users run it: bin/evt.js loads the esbuild bundle (dist/bundle/), which the in-process command
// tests never load (they run the sources). One pass over the everyday commands through the built binary
// catches what only the bundle can break: a chunk missing, a built-in imported the wrong way (`evt trace`
// once failed with "existsSync is not a function" in the bundle alone).

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
});
