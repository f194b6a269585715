// compression.type and message.timestamp.type honoured on append, with kafkajs producing: a topic with a
// named codec stores every batch in it (recompressing what came in another, keeping the producer's id,
// sequence and timestamps), `producer` keeps the producer's codec, and LogAppendTime stamps the batch and
// answers the time in the produce response.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompressionTypes, type Admin, type Kafka } from 'kafkajs';
import type { RunningBroker } from '../../../src/broker/broker.js';
import {
  COMPRESSION_NAMES,
  compressionOf,
  decodeRecords,
  hasLogAppendTime,
  readBatchHeader,
} from '../../../src/broker/log/batch.js';
import { toTopicCodec } from '../../../src/broker/log/recompress.js';
import { encodeBatch } from '../../../src/protocol/records/batch-encoder.js';
import { kafkaFor, startBrokerWithClients, type BrokerWithClients } from '../../helpers/broker.js';
import { rawBatches } from '../../helpers/raw-client.js';

let bed: BrokerWithClients;
let broker: RunningBroker;
let kafka: Kafka;
let admin: Admin;

beforeAll(async () => {
  bed = await startBrokerWithClients({ inMemory: true, autoCreateTopics: false });
  ({ broker, admin } = bed);
  kafka = kafkaFor(broker);
});
afterAll(() => bed?.close());

async function topicWith(topic: string, configs: Record<string, string>) {
  await admin.createTopics({
    topics: [
      { topic, numPartitions: 1, configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })) },
    ],
  });
}

const messages = Array.from({ length: 20 }, (_, i) => ({
  key: `k${i}`,
  value: `{"order":${i},"status":"placed","note":"${'x'.repeat(50)}"}`,
  headers: { trace: `t${i}` },
  timestamp: String(1_700_000_000_000 + i),
}));

/** The codec and the records of every stored batch. */
async function stored(topic: string) {
  const batches = await rawBatches(broker.port, topic, 0);
  return batches.map((b) => {
    const h = readBatchHeader(b);
    return {
      codec: COMPRESSION_NAMES[compressionOf(h.attributes)],
      header: h,
      records: decodeRecords(b).map((r) => ({
        key: r.key?.toString(),
        value: r.value?.toString(),
        trace: r.headers[0]?.value?.toString(),
        timestamp: r.timestamp,
      })),
    };
  });
}

const expected = messages.map((m) => ({
  key: m.key,
  value: m.value,
  trace: m.headers.trace,
  timestamp: Number(m.timestamp),
}));

describe('compression.type', () => {
  for (const [codec, produced] of [
    ['gzip', CompressionTypes.None],
    ['zstd', CompressionTypes.GZIP],
    ['lz4', CompressionTypes.None],
    ['snappy', CompressionTypes.None],
    ['uncompressed', CompressionTypes.GZIP],
  ] as const) {
    it(`${codec}: batches produced in another codec are stored in ${codec}, records unchanged`, async () => {
      const topic = `codec-${codec}`;
      await topicWith(topic, { 'compression.type': codec });
      const producer = kafka.producer({ idempotent: true });
      await producer.connect();
      await producer.send({ topic, compression: produced, messages });
      await producer.disconnect();
      const [batch, ...rest] = await stored(topic);
      expect(rest).toEqual([]);
      expect(batch.codec).toBe(codec === 'uncompressed' ? 'none' : codec);
      expect(batch.records).toEqual(expected);
      // the idempotent producer's identity survives the recompression
      expect(batch.header.producerId).toBeGreaterThanOrEqual(0);
      expect(batch.header.baseSequence).toBe(0);
    });
  }

  it("producer (the default) keeps each producer's codec", async () => {
    await topicWith('codec-producer', {});
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'codec-producer', compression: CompressionTypes.GZIP, messages });
    await producer.send({ topic: 'codec-producer', messages });
    await producer.disconnect();
    expect((await stored('codec-producer')).map((b) => b.codec)).toEqual(['gzip', 'none']);
  });

  it('leaves a damaged batch alone, for the log to refuse (a new CRC must not vouch for it)', async () => {
    const batch = encodeBatch([{ key: null, value: Buffer.from('v'), headers: [], timestamp: 1 }]);
    batch[batch.length - 1] ^= 0xff;
    expect(await toTopicCodec(batch, 'gzip')).toBe(batch);
  });
});

describe('message.timestamp.type=LogAppendTime', () => {
  it("stamps the batch with the broker's time and answers it to the producer", async () => {
    await topicWith('appended', { 'message.timestamp.type': 'LogAppendTime', 'compression.type': 'gzip' });
    const producer = kafka.producer();
    await producer.connect();
    const before = Date.now();
    const [answer] = await producer.send({ topic: 'appended', messages: messages.slice(0, 3) });
    const after = Date.now();
    await producer.disconnect();
    const appendTime = Number(answer.logAppendTime);
    expect(appendTime).toBeGreaterThanOrEqual(before);
    expect(appendTime).toBeLessThanOrEqual(after);
    const [batch] = await stored('appended');
    expect(hasLogAppendTime(batch.header.attributes)).toBe(true);
    expect(batch.header.maxTimestamp).toBe(appendTime);
    expect(batch.codec).toBe('gzip');
    // a CreateTime topic answers -1, as Kafka
    await topicWith('created', {});
    const p2 = kafka.producer();
    await p2.connect();
    const [created] = await p2.send({ topic: 'created', messages: messages.slice(0, 1) });
    await p2.disconnect();
    expect(created.logAppendTime).toBe('-1');
  });
});
