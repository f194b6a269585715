// `--isolation` of the reading commands (tail, trace, replay, dashboard): committed reads by default, against
// fetch answers fixed byte for byte (test/commands/transactions.test.ts reads evt broker's own transactions). A proxy in front
// of it (test/helpers/cluster-proxy.ts) answers Fetch and ListOffsets of a topic itself, from a log built in
// the test (test/helpers/transactions.ts) with a committed and an aborted transaction and their markers, or a
// transaction still open: as Kafka does, it sends read_committed fetches only up to the last stable offset, with
// the aborted transactions listed, and gives the last stable offset as LATEST to read_committed ListOffsets.

import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker/broker.js';
import { splitBatches } from '../../src/broker/log/batch.js';
import { openDatabase } from '../../src/views/store.js';
import { FETCH, LIST_OFFSETS } from '../../src/protocol/messages/index.js';
import { LAST_OFFSET_DELTA, readInt64 } from '../../src/protocol/records/batch-layout.js';
import type { Struct } from '../../src/protocol/schema.js';
import { startTestBroker, tempDir } from '../helpers/broker.js';
import { startClusterProxy, type ClusterProxy } from '../helpers/cluster-proxy.js';
import { evt } from '../helpers/produce-tail.js';
import { ABORTED, TRANSACTIONS, TRANSACTIONS_END, recordSet } from '../helpers/transactions.js';

interface FakeLog {
  batches: Buffer[];
  highWatermark: number;
  lastStableOffset: number;
  aborted: { producerId: number; firstOffset: number }[];
}

// committed and aborted transactions, all decided
const decided: FakeLog = {
  batches: splitBatches(TRANSACTIONS),
  highWatermark: TRANSACTIONS_END,
  lastStableOffset: TRANSACTIONS_END,
  aborted: ABORTED,
};
// a record, then a transaction that is still open at offsets 1-2: the last stable offset is 1
const open: FakeLog = {
  batches: splitBatches(
    recordSet([
      { offset: 0, values: ['a'] },
      { offset: 1, values: ['o1', 'o2'], producerId: 11 },
    ]),
  ),
  highWatermark: 3,
  lastStableOffset: 1,
  aborted: [],
};
const logs = new Map([
  ['decided', decided],
  ['open', open],
]);

/**
 * Each partition of a request answered from its fake log, with `end` where a read stops at the request's
 * isolation level: Kafka's read_committed reads stop at the last stable offset.
 */
function perPartition(
  req: Struct,
  topicField: 'name' | 'topic',
  answer: (log: FakeLog, p: Struct, end: number, committed: boolean) => Struct,
): Struct[] {
  const committed = req.isolationLevel === 1;
  return (req.topics as Struct[]).map((t) => {
    const log = logs.get(t[topicField] as string)!;
    const end = committed ? log.lastStableOffset : log.highWatermark;
    return {
      [topicField]: t[topicField],
      partitions: (t.partitions as Struct[]).map((p) => answer(log, p, end, committed)),
    };
  });
}

const listOffsets = (req: Struct): Struct => ({
  throttleTimeMs: 0,
  topics: perPartition(req, 'name', (_log, p, end) => ({
    partitionIndex: p.partitionIndex,
    errorCode: 0,
    timestamp: -1,
    offset: p.timestamp === -2 ? 0 : end,
  })),
});

const fetch = (req: Struct): Struct => ({
  throttleTimeMs: 0,
  errorCode: 0,
  sessionId: 0,
  responses: perPartition(req, 'topic', (log, p, end, committed) => {
    // the batches from the one holding the fetch offset up to the end, with the aborted transactions in range
    const from = p.fetchOffset as number;
    const batches = log.batches.filter(
      (b) => readInt64(b, 0) < end && readInt64(b, 0) + b.readInt32BE(LAST_OFFSET_DELTA) >= from,
    );
    return {
      partitionIndex: p.partition,
      errorCode: 0,
      highWatermark: log.highWatermark,
      lastStableOffset: log.lastStableOffset,
      logStartOffset: 0,
      abortedTransactions: committed ? log.aborted.filter((a) => a.firstOffset < end) : null,
      preferredReadReplica: -1,
      records: batches.length ? Buffer.concat(batches) : null,
    };
  }),
});

let broker: RunningBroker;
let proxy: ClusterProxy;
const tail = (...args: string[]) => evt(['--brokers', proxy.bootstrap, 'tail', ...args, '--format', '%o:%s\n']);

beforeAll(async () => {
  broker = await startTestBroker({ inMemory: true });
  for (const topic of logs.keys()) {
    const r = await evt(['--brokers', broker.bootstrap, 'topics', 'create', topic, '-p', '1']);
    expect(r.code, r.stderr).toBe(0);
  }
  proxy = await startClusterProxy(broker.port, 1);
  proxy.intercept(1, FETCH.apiKey, fetch, true);
  proxy.intercept(1, LIST_OFFSETS.apiKey, listOffsets, true);
});
afterAll(async () => {
  await proxy?.close();
  await broker?.close();
});

describe('--isolation', () => {
  it('reads committed by default: the aborted transaction is dropped, markers never show', async () => {
    const r = await tail('decided', '--from', 'beginning', '--until', 'end');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('0:a\n1:c1\n2:c2\n7:b\n');
    const fetches = proxy.requests.filter((q) => q.apiKey === FETCH.apiKey);
    expect(fetches.length).toBeGreaterThan(0);
    expect(fetches.every((q) => q.body.isolationLevel === 1)).toBe(true);
  });

  it('the last records (-n) are the last committed ones', async () => {
    const r = await tail('decided', '-n', '3');
    expect(r.stdout).toBe('1:c1\n2:c2\n7:b\n');
  });

  it('--isolation read_uncommitted shows every record, the aborted ones too', async () => {
    const before = proxy.requests.length;
    const r = await tail('decided', '--from', 'beginning', '--until', 'end', '--isolation', 'read_uncommitted');
    expect(r.stdout).toBe('0:a\n1:c1\n2:c2\n4:x1\n5:x2\n7:b\n');
    const fetches = proxy.requests.slice(before).filter((q) => q.apiKey === FETCH.apiKey);
    expect(fetches.every((q) => q.body.isolationLevel === 0)).toBe(true);
  });

  it('--until end is the last stable offset: an open transaction is not waited for, nor shown', async () => {
    expect((await tail('open', '--from', 'beginning', '--until', 'end')).stdout).toBe('0:a\n');
    const all = await tail('open', '--from', 'beginning', '--until', 'end', '--isolation', 'read_uncommitted');
    expect(all.stdout).toBe('0:a\n1:o1\n2:o2\n');
  });

  it('tail --group reads committed too', async () => {
    const r = await tail('decided', '--group', 'committed-reader', '--from', 'beginning');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('0:a\n1:c1\n2:c2\n7:b\n');
  });

  it('trace finds only committed events by default; read_uncommitted finds the aborted ones', async () => {
    const run = (...args: string[]) =>
      evt(['--brokers', proxy.bootstrap, 'trace', 'x1', '--topics', 'decided', '--no-flow', '--json', ...args]);
    const committed = await run();
    const uncommitted = await run('--isolation', 'read_uncommitted');
    expect(uncommitted.code, uncommitted.stderr).toBe(0);
    const found = JSON.parse(uncommitted.stdout) as { found: boolean; events: { offset: number; value: string }[] };
    expect(found.events.map((e) => [e.offset, e.value])).toEqual([[4, 'x1']]);
    expect(committed.code).toBe(4);
    expect(committed.stderr).toBe('evt: entity x1 not found in a complete scan of 1 topics (8 records)\n');
  });

  it('replay builds views of committed records by default', async () => {
    const keys = async (...args: string[]) => {
      const file = path.join(tempDir('evt-isolation-'), 'views.db');
      const r = await evt(['--brokers', proxy.bootstrap, 'replay', 'latest', 'decided', '--db', file, ...args]);
      expect(r.code, r.stderr).toBe(0);
      const db = openDatabase(file, { readonly: true });
      try {
        return (db.prepare('SELECT key FROM latest_decided ORDER BY key').all() as { key: string }[]).map((x) => x.key);
      } finally {
        db.close();
      }
    };
    expect(await keys()).toEqual(['a', 'b', 'c1', 'c2']);
    expect(await keys('--isolation', 'read_uncommitted')).toEqual(['a', 'b', 'c1', 'c2', 'x1', 'x2']);
  });

  it('the dashboard counts a topic to its last stable offset by default', async () => {
    const ends = async (...args: string[]) => {
      const r = await evt(['--brokers', proxy.bootstrap, '--json', 'dashboard', '--no-flow', ...args]);
      expect(r.code, r.stderr).toBe(0);
      const snapshot = JSON.parse(r.stdout) as { topics: { name: string; offsets: { end: number }[] }[] };
      return snapshot.topics.find((t) => t.name === 'open')!.offsets.map((o) => o.end);
    };
    expect(await ends()).toEqual([1]);
    expect(await ends('--isolation', 'read_uncommitted')).toEqual([3]);
  });

  it('an unknown level is a usage error', async () => {
    const r = await tail('decided', '--isolation', 'serializable');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')[0]).toMatch(/^evt: .*--isolation.*serializable/);
  });
});
