// Transactions with librdkafka's clients against evt broker: confluent-kafka-python's consume-transform-produce
// killed with -9 midway and restarted, the output holding every input exactly once under read_committed; kcat
// reading a topic with committed and aborted transactions with isolation.level=read_committed and
// read_uncommitted.

import { spawn } from 'node:child_process';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker/broker.js';
import { kafkaFor, startTestBroker, until } from '../helpers/broker.js';
import { hasConfluentKafka, hasKcat, PYTHON, run } from '../helpers/interop.js';

const script = fileURLToPath(new URL('confluent_transactions.py', import.meta.url));
const confluent = hasConfluentKafka();
const kcat = hasKcat();
let broker: RunningBroker;

beforeAll(async () => {
  if (confluent || kcat) broker = await startTestBroker();
});
afterAll(async () => {
  await broker?.close();
});

async function createTopics(...topics: string[]): Promise<void> {
  const admin = kafkaFor(broker).admin();
  await admin.connect();
  await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: 3 })) });
  await admin.disconnect();
}

describe.skipIf(!confluent)('confluent-kafka-python transactions', () => {
  it('consume-transform-produce killed with -9 midway, restarted: every input exactly once in the output', async () => {
    await createTopics('ctp-in', 'ctp-out');
    const inputs = Array.from({ length: 300 }, (_, i) => `in-${i}`);
    const producer = kafkaFor(broker).producer();
    await producer.connect();
    await producer.send({ topic: 'ctp-in', messages: inputs.map((value) => ({ key: value, value })) });
    await producer.disconnect();

    const args = (pause: string) => ['process', broker.bootstrap, 'ctp-in', 'ctp-out', 'ctp-group', 'ctp-txn', pause];
    // a slow first run, killed once it has committed some transactions (most likely inside the next one)
    const first = spawn(PYTHON, [script, ...args('0.2')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let firstErr = '';
    first.stderr.on('data', (d) => (firstErr += d));
    let committed = 0;
    readline.createInterface({ input: first.stdout }).on('line', (l) => {
      const m = /^committed (\d+)/.exec(l);
      if (m) committed = Number(m[1]);
    });
    const exited = new Promise<string | number>((resolve) =>
      first.on('exit', (code, signal) => resolve(signal ?? code ?? -1)),
    );
    await until(() => committed >= 60, 60_000, `the first run to commit 60 records (stderr: ${firstErr})`);
    first.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(committed).toBeLessThan(inputs.length);

    const second = await run(PYTHON, [script, ...args('0')], { timeoutMs: 120_000 });
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/^done \d+$/m);

    const read = await run(PYTHON, [script, 'read', broker.bootstrap, 'ctp-out'], { timeoutMs: 90_000 });
    expect(read.status, read.stderr).toBe(0);
    const outputs = JSON.parse(read.stdout.trim().split('\n').pop()!) as string[];
    expect(outputs.length).toBe(inputs.length);
    expect(outputs.sort()).toEqual(inputs.map((v) => `out-${v}`).sort());
  });
});

describe.skipIf(!kcat)('kcat and transactions', () => {
  it('reads only committed records with isolation.level=read_committed, every record with read_uncommitted', async () => {
    await createTopics('kcat-txn');
    const producer = kafkaFor(broker).producer({ transactionalId: 'kcat-txn', maxInFlightRequests: 1 });
    await producer.connect();
    for (const [values, commit] of [
      [['c1', 'c2', 'c3'], true],
      [['x1', 'x2', 'x3'], false],
      [['c4'], true],
    ] as const) {
      const t = await producer.transaction();
      await t.send({ topic: 'kcat-txn', messages: values.map((value, i) => ({ value, partition: i % 3 })) });
      if (commit) await t.commit();
      else await t.abort();
    }
    // and one still open: neither isolation level waits for it, read_committed stops before it
    const open = await producer.transaction();
    await open.send({ topic: 'kcat-txn', messages: [{ value: 'open', partition: 0 }] });

    const kcatRead = async (isolation: string) => {
      const r = await run('kcat', [
        '-b',
        broker.bootstrap,
        '-C',
        '-t',
        'kcat-txn',
        '-o',
        'beginning',
        '-e',
        '-q',
        '-X',
        `isolation.level=${isolation}`,
        '-f',
        '%s\n',
      ]);
      expect(r.status, r.stderr).toBe(0);
      return r.stdout.split('\n').filter(Boolean).sort();
    };
    expect(await kcatRead('read_committed')).toEqual(['c1', 'c2', 'c3', 'c4']);
    expect(await kcatRead('read_uncommitted')).toEqual(['c1', 'c2', 'c3', 'c4', 'open', 'x1', 'x2', 'x3']);
    await open.abort();
    await producer.disconnect();
  });
});
