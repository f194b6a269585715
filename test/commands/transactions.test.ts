// `evt transactions list|describe`, and evt's committed reads (tail, trace, replay) end to end against evt
// broker's own transactions: a topic with a committed, an aborted and a still open transaction, written by
// kafkajs' transactional producer.

import path from 'node:path';
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker/broker.js';
import { openDatabase } from '../../src/views/store.js';
import { kafkaFor, startTestBroker, tempDir } from '../helpers/broker.js';
import { evt } from '../helpers/produce-tail.js';

let broker: RunningBroker;
let open: Producer;
const cli = (...args: string[]) => evt(['--brokers', broker.bootstrap, ...args]);

beforeAll(async () => {
  broker = await startTestBroker({ inMemory: true });
  const kafka = kafkaFor(broker);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'ledger', numPartitions: 1 }] });
  await admin.disconnect();
  const plain = kafka.producer();
  await plain.connect();
  const txn = kafka.producer({ transactionalId: 'ledger-writer', maxInFlightRequests: 1 });
  await txn.connect();
  await plain.send({ topic: 'ledger', messages: [{ key: 'a', value: 'a' }] }); // 0
  const committed = await txn.transaction();
  await committed.send({ topic: 'ledger', messages: ['c1', 'c2'].map((v) => ({ key: v, value: v })) }); // 1-2
  await committed.commit(); // marker at 3
  const aborted = await txn.transaction();
  await aborted.send({ topic: 'ledger', messages: ['x1', 'x2'].map((v) => ({ key: v, value: v })) }); // 4-5
  await aborted.abort(); // marker at 6
  await plain.send({ topic: 'ledger', messages: [{ key: 'b', value: 'b' }] }); // 7
  await txn.disconnect();
  // a transaction left open at 8: the last stable offset stays there
  open = kafka.producer({ transactionalId: 'ledger-open', maxInFlightRequests: 1 });
  await open.connect();
  const pending = await open.transaction();
  await pending.send({ topic: 'ledger', messages: [{ key: 'o1', value: 'o1' }] });
  await plain.send({ topic: 'ledger', messages: [{ key: 'late', value: 'late' }] }); // 9
  await plain.disconnect();
});

afterAll(async () => {
  await open?.disconnect();
  await broker?.close();
});

describe('evt transactions', () => {
  it('list: every transactional id with its state and producer id; --state filters', async () => {
    const r = await cli('transactions', 'list');
    expect(r.code, r.stderr).toBe(0);
    const rows = r.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^TRANSACTIONAL ID\s+STATE\s+PRODUCER ID$/);
    expect(rows.slice(1).map((l) => l.split(/\s+/).slice(0, 2))).toEqual([
      ['ledger-open', 'Ongoing'],
      ['ledger-writer', 'CompleteAbort'],
    ]);
    const ongoing = await cli('--json', 'transactions', 'list', '--state', 'Ongoing');
    const listed = JSON.parse(ongoing.stdout) as { transactions: { transactionalId: string; producerId: number }[] };
    expect(listed.transactions.map((t) => t.transactionalId)).toEqual(['ledger-open']);
    expect(listed.transactions[0].producerId).toBeGreaterThan(0);
  });

  it('describe: producer, timeout, start and the partitions of the open transaction', async () => {
    const r = await cli('--json', 'transactions', 'describe', 'ledger-open', 'ledger-writer');
    expect(r.code, r.stderr).toBe(0);
    const [openTxn, done] = (JSON.parse(r.stdout) as { transactions: Record<string, unknown>[] }).transactions;
    expect(openTxn).toMatchObject({
      transactionalId: 'ledger-open',
      state: 'Ongoing',
      producerEpoch: 0,
      timeoutMs: 60_000,
      partitions: [{ topic: 'ledger', partition: 0 }],
    });
    expect(typeof openTxn.startTime).toBe('number');
    expect(done).toMatchObject({ state: 'CompleteAbort', startTime: null, partitions: [] });
    const text = await cli('transactions', 'describe', 'ledger-open');
    expect(text.stdout).toMatch(/^transactional id\s+ledger-open$/m);
    expect(text.stdout).toMatch(/^partitions\s+ledger:0$/m);
    expect(text.stdout).toMatch(/^timeout\s+1m$/m);
  });

  it('an unknown transactional id is exit 4, one line', async () => {
    const r = await cli('transactions', 'describe', 'nobody');
    expect(r.code).toBe(4);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('evt: transactional id "nobody" not found\n');
  });
});

describe("reading evt broker's transactions", () => {
  const tail = (...args: string[]) => cli('tail', 'ledger', ...args, '--format', '%o:%s\n');

  it('tail reads committed records by default, up to the last stable offset, markers never shown', async () => {
    const r = await tail('--from', 'beginning', '--until', 'end');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('0:a\n1:c1\n2:c2\n7:b\n');
    expect((await tail('-n', '2')).stdout).toBe('2:c2\n7:b\n');
  });

  it('tail --isolation read_uncommitted shows every record to the high watermark', async () => {
    const r = await tail('--from', 'beginning', '--until', 'end', '--isolation', 'read_uncommitted');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('0:a\n1:c1\n2:c2\n4:x1\n5:x2\n7:b\n8:o1\n9:late\n');
  });

  it('trace finds an aborted record only with read_uncommitted', async () => {
    const run = (...args: string[]) => cli('trace', 'x1', '--topics', 'ledger', '--no-flow', '--json', ...args);
    expect((await run()).code).toBe(4);
    const found = await run('--isolation', 'read_uncommitted');
    expect(found.code, found.stderr).toBe(0);
    expect((JSON.parse(found.stdout) as { events: { offset: number }[] }).events.map((e) => e.offset)).toEqual([4]);
  });

  it('replay builds its views from committed records', async () => {
    const file = path.join(tempDir('evt-txn-replay-'), 'views.db');
    const r = await cli('replay', 'latest', 'ledger', '--db', file);
    expect(r.code, r.stderr).toBe(0);
    const db = openDatabase(file, { readonly: true });
    try {
      const keys = (db.prepare('SELECT key FROM latest_ledger ORDER BY key').all() as { key: string }[]).map(
        (x) => x.key,
      );
      expect(keys).toEqual(['a', 'b', 'c1', 'c2']);
    } finally {
      db.close();
    }
  });
});
