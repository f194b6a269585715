// kafkajs against the real broker over TCP: produce and consume across partitions, keys, headers, offsets.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker/broker.js';
import { kafkaFor, startTestBroker, until } from '../helpers/broker.js';
import { RawClient } from '../helpers/raw-client.js';

let broker: RunningBroker;

beforeAll(async () => {
  broker = await startTestBroker();
});
afterAll(async () => {
  await broker?.close();
});

describe('kafkajs produce and consume', () => {
  it('round-trips keyed records with headers across partitions, in order per partition', async () => {
    const kafka = kafkaFor(broker);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 4 }] });
    const producer = kafka.producer();
    await producer.connect();
    const sent = Array.from({ length: 200 }, (_, i) => ({
      key: `order-${i % 17}`,
      value: JSON.stringify({ n: i }),
      headers: { 'evt-event-type': i % 2 ? 'OrderPlaced' : 'OrderConfirmed', seq: String(i) },
    }));
    // several sends so that partitions hold several batches each
    for (let i = 0; i < sent.length; i += 50) await producer.send({ topic: 'orders', messages: sent.slice(i, i + 50) });
    await producer.disconnect();

    const consumer = kafka.consumer({
      groupId: 'g-roundtrip',
      sessionTimeout: 6000,
      heartbeatInterval: 500,
      maxWaitTimeInMs: 500,
    });
    await consumer.connect();
    await consumer.subscribe({ topic: 'orders', fromBeginning: true });
    const got: { partition: number; offset: number; key: string; value: string; type: string; seq: string }[] = [];
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        got.push({
          partition,
          offset: Number(message.offset),
          key: message.key!.toString(),
          value: message.value!.toString(),
          type: message.headers!['evt-event-type']!.toString(),
          seq: message.headers!.seq!.toString(),
        });
      },
    });
    await until(() => got.length >= sent.length, 20_000, 'all records consumed');
    await consumer.disconnect();

    expect(got).toHaveLength(200);
    expect(new Set(got.map((g) => g.partition)).size).toBe(4);
    for (const g of got) {
      const i = Number(g.seq);
      expect(g.key).toBe(sent[i].key);
      expect(g.value).toBe(sent[i].value);
      expect(g.type).toBe(sent[i].headers['evt-event-type']);
    }
    // one key always lands on one partition, and per partition offsets are dense and in send order
    const byKey = new Map<string, Set<number>>();
    for (const g of got) byKey.set(g.key, (byKey.get(g.key) ?? new Set()).add(g.partition));
    for (const parts of byKey.values()) expect(parts.size).toBe(1);
    for (let p = 0; p < 4; p++) {
      const mine = got.filter((g) => g.partition === p);
      expect(mine.map((g) => g.offset)).toEqual(mine.map((_, i) => i));
      const seqs = mine.map((g) => Number(g.seq));
      expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    }
    const offsets = await admin.fetchTopicOffsets('orders');
    expect(offsets.reduce((n, o) => n + Number(o.high), 0)).toBe(200);
    await admin.disconnect();
  });

  it('auto-creates a topic on first produce with the default partition count', async () => {
    const kafka = kafkaFor(broker);
    const producer = kafka.producer();
    await producer.connect();
    const [res] = await producer.send({ topic: 'auto-created', messages: [{ value: 'hello' }] });
    await producer.disconnect();
    expect(res.errorCode).toBe(0);
    const admin = kafka.admin();
    await admin.connect();
    const md = await admin.fetchTopicMetadata({ topics: ['auto-created'] });
    await admin.disconnect();
    expect(md.topics[0].partitions).toHaveLength(3);
  });

  it('wakes a long-polling fetch when data arrives', { timeout: 30_000 }, async () => {
    const kafka = kafkaFor(broker);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'late', numPartitions: 1 }] });
    await admin.disconnect();
    const raw = await RawClient.connect(broker.port);
    // The fetch may wait 120 s for data, far beyond this test's 30 s: only the wake-up on append can answer it.
    const answer = raw.request(1, 11, {
      replicaId: -1,
      maxWaitMs: 120_000,
      minBytes: 1,
      maxBytes: 1 << 20,
      isolationLevel: 1,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic: 'late',
          partitions: [
            { partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, logStartOffset: -1, partitionMaxBytes: 1 << 20 },
          ],
        },
      ],
      forgottenTopicsData: [],
      rackId: '',
    });
    await new Promise((r) => setTimeout(r, 300));
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'late', messages: [{ value: 'now' }] });
    await producer.disconnect();
    const res = await answer;
    raw.close();
    const p = res.responses[0].partitions[0];
    expect(p).toMatchObject({ errorCode: 0, highWatermark: 1, lastStableOffset: 1, preferredReadReplica: -1 });
    expect(p.records.includes(Buffer.from('now'))).toBe(true);
  });
});
