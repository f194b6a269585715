// The wire producer against the in-process broker: what is acknowledged is what the reader finds (keys,
// headers, null values, gzip), keys land where kafkajs puts them, idempotent sequences, retries after lost
// answers without duplicates or reordering, and per-record errors.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../../src/broker/broker.js';
import { Cluster } from '../../../src/client/wire/cluster.js';
import { PartitionNotFoundError, TopicNotFoundError } from '../../../src/client/wire/errors.js';
import { WireProducer, type Delivery } from '../../../src/client/wire/producer.js';
import { PartitionReader } from '../../../src/client/wire/reader.js';
import type { ConsumedRecord, OutgoingRecord } from '../../../src/client/records.js';
import { compressionOf, readBatchHeader, Compression } from '../../../src/protocol/records/batch-layout.js';
import { kafkaFor, startTestBroker } from '../../helpers/broker.js';
import { startLossyProxy, type LossyProxy } from '../../helpers/proxy.js';
import { rawBatches } from '../../helpers/raw-client.js';
import { settingsFor } from './helpers.js';

let broker: RunningBroker;
let cluster: Cluster;

beforeAll(async () => {
  broker = await startTestBroker({ inMemory: true });
  cluster = await Cluster.connect(settingsFor(broker.bootstrap));
});
afterAll(async () => {
  cluster?.close();
  await broker?.close();
});

async function createTopic(
  topic: string,
  numPartitions: number,
  configEntries: { name: string; value: string }[] = [],
): Promise<void> {
  const admin = kafkaFor(broker).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions, configEntries }] });
  await admin.disconnect();
}

/** Everything in a topic, per partition, up to the current end. */
async function readAll(c: Cluster, topic: string): Promise<Map<number, ConsumedRecord[]>> {
  const meta = await c.topic(topic);
  const ends = await c.listOffsets(meta.partitions.map((p) => ({ topic, partition: p.partition, timestamp: -1 })));
  const reader = new PartitionReader(
    c,
    ends.map((e) => ({ topic, partition: e.partition, from: 0, until: e.offset })),
  );
  const out = new Map<number, ConsumedRecord[]>(meta.partitions.map((p) => [p.partition, []]));
  for await (const chunk of reader) out.get(chunk.partition)!.push(...chunk.records);
  return out;
}

describe('WireProducer', () => {
  it('batch buffers used again and again, and a caller reusing its memory after write: every record as written', async () => {
    await createTopic('p-reuse', 2);
    // small batches, so that many go through the pool; one record too large for its batch's buffer
    const producer = await WireProducer.create(cluster, { batchBytes: 2048, lingerMs: 0 });
    const scratch = Buffer.alloc(64 * 1024);
    const expected = new Map<number, string[]>([
      [0, []],
      [1, []],
    ]);
    for (let i = 0; i < 3000; i++) {
      const text = i === 1500 ? `big-${'z'.repeat(40_000)}` : `record-${i}-${'x'.repeat(i % 300)}`;
      const n = scratch.write(text);
      const partition = i % 2;
      // the same memory for every record: written over as soon as write returns
      if (!producer.writeSlice('p-reuse', null, scratch, 0, n, [], partition)) await producer.waitForCapacity();
      scratch.fill(0);
      expected.get(partition)!.push(text);
    }
    await producer.close();
    expect(producer.failed).toBe(0);
    const byPartition = await readAll(cluster, 'p-reuse');
    for (const [partition, texts] of expected)
      expect(byPartition.get(partition)!.map((r) => r.value!.toString())).toEqual(texts);
  });

  it('delivers keyed records with headers and null values; offsets reported are where the reader finds them', async () => {
    await createTopic('p-roundtrip', 3);
    const producer = await WireProducer.create(cluster);
    const sent: OutgoingRecord[] = Array.from({ length: 500 }, (_, i) => ({
      key: i % 10 === 0 ? null : Buffer.from(`order-${i % 37}`),
      value: i % 7 === 0 ? null : Buffer.from(JSON.stringify({ n: i })),
      headers:
        i % 3 === 0
          ? []
          : [
              { key: 'seq', value: Buffer.from(String(i)) },
              { key: 'nil', value: null },
            ],
      timestamp: 1_700_000_000_000 + i,
    }));
    const deliveries = await Promise.all(sent.map((r) => producer.send('p-roundtrip', r)));
    await producer.close();
    expect(producer.acknowledged).toBe(500);
    const byPartition = await readAll(cluster, 'p-roundtrip');
    expect([...byPartition.values()].reduce((n, l) => n + l.length, 0)).toBe(500);
    deliveries.forEach((d: Delivery, i) => {
      const got = byPartition.get(d.partition)!.find((r) => r.offset === d.offset)!;
      expect(got, `record ${i}`).toBeDefined();
      expect(got.key?.toString() ?? null).toBe(sent[i].key?.toString() ?? null);
      expect(got.value?.toString() ?? null).toBe(sent[i].value?.toString() ?? null);
      expect(got.headers.map((h) => [h.key, h.value?.toString() ?? null])).toEqual(
        sent[i].headers.map((h) => [h.key, h.value?.toString() ?? null]),
      );
      expect(got.timestamp).toBe(sent[i].timestamp);
    });
    // per key, the order sent is the order stored
    for (const list of byPartition.values()) {
      const seqs = list.filter((r) => r.value).map((r) => JSON.parse(r.value!.toString()).n as number);
      const perKey = new Map<string, number[]>();
      list.forEach(
        (r, i) => r.key && r.value && perKey.set(r.key.toString(), [...(perKey.get(r.key.toString()) ?? []), seqs[i]]),
      );
      for (const ns of perKey.values()) expect(ns).toEqual([...ns].sort((a, b) => a - b));
    }
    const stats = producer.partitionStats();
    expect(stats.reduce((n, s) => n + s.count, 0)).toBe(500);
    for (const s of stats) expect(s.firstOffset).toBe(0);
  });

  it('a record written before its topic is known is stamped when written, not when the metadata comes', async () => {
    await createTopic('p-stamp', 1);
    const producer = await WireProducer.create(cluster, { lingerMs: 0 });
    const written = Date.now();
    producer.write('p-stamp', { key: null, value: Buffer.from('first'), headers: [] });
    // the metadata cannot come while this loop holds the thread: it is handled after \`metadataNoEarlierThan\`
    const metadataNoEarlierThan = written + 30;
    while (Date.now() < metadataNoEarlierThan);
    producer.write('p-stamp', { key: null, value: Buffer.from('second'), headers: [] });
    await producer.flush();
    await producer.close();
    const got = (await readAll(cluster, 'p-stamp')).get(0)!;
    expect(got.map((r) => r.value!.toString())).toEqual(['first', 'second']);
    expect(got[0].timestamp).toBeLessThan(metadataNoEarlierThan);
    expect(got[1].timestamp).toBeGreaterThanOrEqual(metadataNoEarlierThan);
  });

  it('gzip: batches are stored compressed and read back unchanged', async () => {
    await createTopic('p-gzip', 1);
    const producer = await WireProducer.create(cluster, { compression: 'gzip' });
    for (let i = 0; i < 2000; i++)
      producer.write('p-gzip', {
        key: Buffer.from(`k${i}`),
        value: Buffer.from(`{"status":"CONFIRMED","n":${i}}`),
        headers: [],
      });
    await producer.flush();
    expect(producer.acknowledged).toBe(2000);
    const batches = await rawBatches(broker.port, 'p-gzip', 0);
    expect(batches.length).toBeGreaterThan(0);
    for (const b of batches) expect(compressionOf(readBatchHeader(b).attributes)).toBe(Compression.GZIP);
    const got = (await readAll(cluster, 'p-gzip')).get(0)!;
    expect(got.map((r) => r.value!.toString())).toEqual(
      Array.from({ length: 2000 }, (_, i) => `{"status":"CONFIRMED","n":${i}}`),
    );
  });

  it('puts each key on the partition kafkajs puts it on', async () => {
    await createTopic('p-keys-kafkajs', 7);
    await createTopic('p-keys-wire', 7);
    const keys = Array.from({ length: 200 }, (_, i) => `customer-${i * 31}`);
    const producer = kafkaFor(broker).producer();
    await producer.connect();
    const theirs = await producer.send({ topic: 'p-keys-kafkajs', messages: keys.map((key) => ({ key, value: key })) });
    await producer.disconnect();
    expect(theirs.length).toBeGreaterThan(1);
    const wire = await WireProducer.create(cluster);
    const ours = await Promise.all(
      keys.map((key) => wire.send('p-keys-wire', { key: Buffer.from(key), value: Buffer.from(key), headers: [] })),
    );
    const kafkajsSide = await readAll(cluster, 'p-keys-kafkajs');
    const where = new Map<string, number>();
    for (const [p, list] of kafkajsSide) for (const r of list) where.set(r.key!.toString(), p);
    keys.forEach((k, i) => expect(ours[i].partition, k).toBe(where.get(k)));
  });

  it('idempotent: batches carry one producer id and sequences that follow on per partition', async () => {
    await createTopic('p-seq', 2);
    const producer = await WireProducer.create(cluster, { lingerMs: 0, batchBytes: 2000 });
    expect(producer.isIdempotent).toBe(true);
    for (let i = 0; i < 300; i++)
      producer.write('p-seq', { key: Buffer.from(`k${i % 5}`), value: Buffer.alloc(100, 65 + (i % 26)), headers: [] });
    await producer.flush();
    for (const partition of [0, 1]) {
      const headers = (await rawBatches(broker.port, 'p-seq', partition)).map((b) => readBatchHeader(b));
      expect(headers.length).toBeGreaterThan(3);
      expect(new Set(headers.map((h) => h.producerId)).size).toBe(1);
      expect(headers[0].producerId).toBeGreaterThanOrEqual(0);
      let expected = 0;
      for (const h of headers) {
        expect(h.baseSequence).toBe(expected);
        expected += h.recordsCount;
      }
    }
  });

  it('not idempotent with acks=1 and acks=0: producer fields are -1, records still arrive', async () => {
    await createTopic('p-acks', 1);
    const one = await WireProducer.create(cluster, { acks: 1 });
    expect(one.isIdempotent).toBe(false);
    const d = await one.send('p-acks', { key: null, value: Buffer.from('a'), headers: [] });
    expect(d.offset).toBe(0);
    const zero = await WireProducer.create(cluster, { acks: 0 });
    const d0 = await zero.send('p-acks', { key: null, value: Buffer.from('b'), headers: [] });
    expect(d0.offset).toBe(-1);
    const got = await (async () => {
      for (let i = 0; i < 50; i++) {
        const list = (await readAll(cluster, 'p-acks')).get(0)!;
        if (list.length === 2) return list;
        await new Promise((r) => setTimeout(r, 20));
      }
      return [];
    })();
    expect(got.map((r) => r.value!.toString())).toEqual(['a', 'b']);
    expect(readBatchHeader((await rawBatches(broker.port, 'p-acks', 0))[0]).producerId).toBe(-1);
  });

  it('fails records for a partition that does not exist, and an unknown topic when the broker does not create it', async () => {
    await createTopic('p-small', 2);
    const producer = await WireProducer.create(cluster);
    await expect(
      producer.send('p-small', { key: null, value: Buffer.from('x'), headers: [], partition: 5 }),
    ).rejects.toBeInstanceOf(PartitionNotFoundError);
    const strict = await startTestBroker({ inMemory: true, autoCreateTopics: false });
    const c = await Cluster.connect(settingsFor(strict.bootstrap));
    try {
      const p = await WireProducer.create(c);
      await expect(p.prepare('nope')).rejects.toBeInstanceOf(TopicNotFoundError);
      await expect(p.send('nope', { key: null, value: Buffer.from('x'), headers: [] })).rejects.toThrow(
        /topic nope not found/,
      );
    } finally {
      c.close();
      await strict.close();
    }
  });

  it('a record the broker refuses (too large) fails alone: later records of the partition still go, sequences moved down', async () => {
    await createTopic('p-large', 1, [{ name: 'max.message.bytes', value: '5000' }]);
    const producer = await WireProducer.create(cluster, { lingerMs: 0, batchBytes: 2000 });
    const results: (string | number)[] = [];
    const sends: Promise<void>[] = [];
    for (let i = 0; i < 30; i++) {
      const value = Buffer.alloc(i === 10 ? 20_000 : 500, 97);
      sends.push(
        producer.send('p-large', { key: null, value, headers: [] }).then(
          (d) => void (results[i] = d.offset),
          (e: Error) => void (results[i] = e.message),
        ),
      );
    }
    await Promise.all(sends);
    expect(String(results[10])).toMatch(/MESSAGE_TOO_LARGE/);
    expect(results.filter((r) => typeof r === 'number')).toHaveLength(29);
    const got = (await readAll(cluster, 'p-large')).get(0)!;
    expect(got).toHaveLength(29);
    expect(got.map((r) => r.offset)).toEqual(Array.from({ length: 29 }, (_, i) => i));
  });
});

describe('WireProducer retries', () => {
  let proxy: LossyProxy;
  let proxied: RunningBroker;
  let c: Cluster;

  beforeAll(async () => {
    proxy = await startLossyProxy(() => proxied.port);
    proxied = await startTestBroker({ inMemory: true, advertisedPort: proxy.port });
    c = await Cluster.connect(settingsFor(`127.0.0.1:${proxy.port}`));
  });
  afterAll(async () => {
    c?.close();
    await proxy?.close();
    await proxied?.close();
  });

  it('answers lost after the broker wrote the records: resent, deduplicated, order kept, nothing reported twice', async () => {
    const producer = await WireProducer.create(c, { lingerMs: 1, batchBytes: 4000 });
    await producer.prepare('retried');
    proxy.dropResponses(0, 3);
    const deliveries: Delivery[] = [];
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < 1000; i++) {
      sends.push(
        producer
          .send('retried', { key: Buffer.from(`k${i % 3}`), value: Buffer.from(String(i)), headers: [] })
          .then((d) => deliveries.push(d)),
      );
      if (i % 100 === 99) await new Promise((r) => setTimeout(r, 5));
    }
    await Promise.all(sends);
    expect(proxy.dropped).toBe(3);
    expect(producer.acknowledged).toBe(1000);
    const all = await readAll(c, 'retried');
    const values = [...all.values()].flat().map((r) => Number(r.value!.toString()));
    expect(values).toHaveLength(1000);
    expect(new Set(values).size).toBe(1000);
    for (const list of all.values()) {
      const perKey = list.map((r) => Number(r.value!.toString()));
      expect(perKey).toEqual([...perKey].sort((a, b) => a - b));
    }
    expect(new Set(deliveries.map((d) => `${d.partition}@${d.offset}`)).size).toBe(1000);
  });
});
