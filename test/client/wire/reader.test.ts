// The partition reader and ListOffsets against the in-process broker: bounded ranges (records below `from`
// in the same batch skipped, `until` exclusive), following new records, pausing, out-of-range offsets,
// offsets by time, and no consumer group left behind.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../../src/broker/broker.js';
import { Cluster, EARLIEST, LATEST } from '../../../src/client/wire/cluster.js';
import { OffsetOutOfRangeError } from '../../../src/client/wire/errors.js';
import { WireProducer } from '../../../src/client/wire/producer.js';
import { PartitionReader, type ReadChunk } from '../../../src/client/wire/reader.js';
import { kafkaFor, startTestBroker, until } from '../../helpers/broker.js';
import { settingsFor } from './helpers.js';

let broker: RunningBroker;
let cluster: Cluster;
const T0 = 1_700_000_000_000;

beforeAll(async () => {
  broker = await startTestBroker({ inMemory: true });
  cluster = await Cluster.connect(settingsFor(broker.bootstrap));
  const admin = kafkaFor(broker).admin();
  await admin.connect();
  await admin.createTopics({
    topics: [
      { topic: 'r-bounded', numPartitions: 2 },
      { topic: 'r-follow', numPartitions: 1 },
      { topic: 'r-time', numPartitions: 1 },
    ],
  });
  await admin.disconnect();
  // 100 records per partition in batches of 10 (so that ranges start and end inside batches)
  const producer = await WireProducer.create(cluster, { lingerMs: 1000 });
  for (let b = 0; b < 10; b++) {
    for (let i = 0; i < 10; i++) {
      for (const partition of [0, 1]) {
        const n = b * 10 + i;
        producer.write('r-bounded', {
          key: Buffer.from(`p${partition}`),
          value: Buffer.from(`${partition}:${n}`),
          headers: [],
          partition,
          timestamp: T0 + n * 1000,
        });
      }
    }
    await producer.flush();
  }
  for (let n = 0; n < 50; n++)
    producer.write('r-time', { key: null, value: Buffer.from(String(n)), headers: [], timestamp: T0 + n * 60_000 });
  await producer.flush();
});
afterAll(async () => {
  cluster?.close();
  await broker?.close();
});

async function collect(reader: PartitionReader): Promise<ReadChunk[]> {
  const out: ReadChunk[] = [];
  for await (const c of reader) out.push(c);
  return out;
}

describe('PartitionReader', () => {
  it('reads [from, until) of each partition in order, across batch boundaries, then ends', async () => {
    const chunks = await collect(
      new PartitionReader(
        cluster,
        [
          { topic: 'r-bounded', partition: 0, from: 15, until: 47 },
          { topic: 'r-bounded', partition: 1, from: 0, until: 100 },
        ],
        { partitionMaxBytes: 500 },
      ),
    );
    const values = (p: number) =>
      chunks.filter((c) => c.partition === p).flatMap((c) => c.records.map((r) => r.value!.toString()));
    expect(values(0)).toEqual(Array.from({ length: 32 }, (_, i) => `0:${15 + i}`));
    expect(values(1)).toEqual(Array.from({ length: 100 }, (_, i) => `1:${i}`));
    for (const p of [0, 1]) {
      const mine = chunks.filter((c) => c.partition === p);
      expect(mine.filter((c) => c.done)).toHaveLength(1);
      expect(mine[mine.length - 1].done).toBe(true);
      expect(mine.length).toBeGreaterThan(1); // small partitionMaxBytes: several fetches
    }
    const offsets = chunks.filter((c) => c.partition === 0).flatMap((c) => c.records.map((r) => r.offset));
    expect(offsets[0]).toBe(15);
    expect(offsets[offsets.length - 1]).toBe(46);
    const r = chunks.find((c) => c.records.length > 0)!.records[0];
    expect(r).toMatchObject({ topic: 'r-bounded', headers: [] });
    expect(r.timestamp).toBe(T0 + r.offset * 1000);
  });

  it('an empty range is done at once', async () => {
    const chunks = await collect(
      new PartitionReader(cluster, [{ topic: 'r-bounded', partition: 0, from: 100, until: 100 }]),
    );
    expect(chunks).toEqual([expect.objectContaining({ partition: 0, records: [], done: true })]);
  });

  it('follows a partition without an end: records produced later arrive, until closed', async () => {
    const reader = new PartitionReader(cluster, [{ topic: 'r-follow', partition: 0, from: 0 }], { maxWaitMs: 200 });
    const seen: string[] = [];
    const done = (async () => {
      for await (const c of reader) seen.push(...c.records.map((r) => r.value!.toString()));
    })();
    const producer = await WireProducer.create(cluster);
    await producer.send('r-follow', { key: null, value: Buffer.from('first'), headers: [] });
    await until(() => seen.length === 1, 5000, 'first record');
    await new Promise((r) => setTimeout(r, 300)); // a long poll times out in between
    await producer.send('r-follow', { key: null, value: Buffer.from('second'), headers: [] });
    await until(() => seen.length === 2, 5000, 'second record');
    reader.close();
    await done;
    expect(seen).toEqual(['first', 'second']);
  });

  it('pause stops fetching a partition until resume', async () => {
    const reader = new PartitionReader(
      cluster,
      [
        { topic: 'r-bounded', partition: 0, from: 0, until: 100 },
        { topic: 'r-bounded', partition: 1, from: 0, until: 100 },
      ],
      { partitionMaxBytes: 300 },
    );
    reader.pause('r-bounded', 1);
    const got: ReadChunk[] = [];
    for (;;) {
      const c = await reader.next();
      if (!c) break;
      got.push(c);
      if (c.partition === 0 && c.done) reader.resume('r-bounded', 1);
    }
    const firstOfOne = got.findIndex((c) => c.partition === 1);
    const lastOfZero = got.findIndex((c) => c.partition === 0 && c.done);
    expect(firstOfOne).toBeGreaterThan(lastOfZero);
    expect(got.filter((c) => c.partition === 1).flatMap((c) => c.records)).toHaveLength(100);
  });

  it('an offset outside the partition fails with a clear OffsetOutOfRangeError', async () => {
    const reader = new PartitionReader(cluster, [{ topic: 'r-bounded', partition: 0, from: 500, until: 600 }]);
    const err = await reader.next().catch((e: Error) => e);
    expect(err).toBeInstanceOf(OffsetOutOfRangeError);
    expect((err as Error).message).toBe('offset 500 is out of range for r-bounded-0 (it holds offsets 0 to 99)');
  });

  it('joins no consumer group', async () => {
    await collect(new PartitionReader(cluster, [{ topic: 'r-bounded', partition: 0, from: 0, until: 100 }]));
    const admin = kafkaFor(broker).admin();
    await admin.connect();
    const groups = (await admin.listGroups()).groups;
    await admin.disconnect();
    expect(groups).toEqual([]);
  });
});

describe('Cluster.listOffsets', () => {
  it('answers earliest, latest and by timestamp (the first record at or after it; -1 past the end)', async () => {
    const answers = await cluster.listOffsets([
      { topic: 'r-time', partition: 0, timestamp: EARLIEST },
      { topic: 'r-time', partition: 0, timestamp: LATEST },
      { topic: 'r-time', partition: 0, timestamp: T0 + 10 * 60_000 },
      { topic: 'r-time', partition: 0, timestamp: T0 + 10 * 60_000 + 1 },
      { topic: 'r-time', partition: 0, timestamp: T0 + 1000 * 60_000 },
      { topic: 'r-bounded', partition: 1, timestamp: LATEST },
    ]);
    expect(answers.map((a) => a.offset)).toEqual([0, 50, 10, 11, -1, 100]);
    expect(answers[2].foundTimestamp).toBe(T0 + 10 * 60_000);
  });
});
