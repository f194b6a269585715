// __consumer_offsets is the group coordinator's: a client's Produce or DeleteRecords there is refused with
// INVALID_TOPIC_EXCEPTION as Kafka's ReplicaManager refuses it, and CreateTopics / DeleteTopics are refused
// (see the handlers for where evt differs from Kafka 3.x and why). Asked through kafkajs and, where the exact
// error code of each version matters, through a bare protocol client; nothing reaches the topic either way.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../../src/broker/broker.js';
import { OFFSETS_TOPIC, offsetsTopicPartition } from '../../../src/broker/group/offsets-topic.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { encodeBatch } from '../../../src/protocol/records/batch-encoder.js';
import type { Struct } from '../../../src/protocol/schema.js';
import { kafkaFor, startTestBroker } from '../../helpers/broker.js';
import { RawClient } from '../../helpers/raw-client.js';

const PARTITIONS = 3;
let broker: RunningBroker;

/** The high watermark of every partition of __consumer_offsets (undefined: the topic does not exist). */
function offsetsTopicEnds(): number[] | undefined {
  if (!broker.state.logs.topic(OFFSETS_TOPIC)) return undefined;
  return Array.from({ length: PARTITIONS }, (_, p) => broker.state.logs.partition(OFFSETS_TOPIC, p)!.highWatermark);
}

async function withRaw<T>(f: (raw: RawClient) => Promise<T>): Promise<T> {
  const raw = await RawClient.connect(broker.port);
  try {
    return await f(raw);
  } finally {
    raw.close();
  }
}

const createTopicsBody = (validateOnly: boolean) => ({
  topics: [{ name: OFFSETS_TOPIC, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
  timeoutMs: 5000,
  validateOnly,
});

beforeAll(async () => {
  broker = await startTestBroker({ offsetsTopicPartitions: PARTITIONS });
});
afterAll(async () => {
  await broker?.close();
});

describe('before the coordinator created __consumer_offsets', () => {
  it('CreateTopics is refused with INVALID_REQUEST (v0-v4, validate-only too) and creates nothing', async () => {
    await withRaw(async (raw) => {
      for (let version = 0; version <= 4; version++) {
        const answer = await raw.request(19, version, createTopicsBody(version >= 1));
        expect(answer.topics, `v${version}`).toEqual([
          expect.objectContaining({ name: OFFSETS_TOPIC, errorCode: ErrorCode.INVALID_REQUEST }),
        ]);
        if (version >= 1)
          expect((answer.topics as Array<{ errorMessage: string }>)[0].errorMessage).toBe(
            'Creation of internal topic __consumer_offsets is prohibited.',
          );
      }
    });
    const admin = kafkaFor(broker).admin();
    await admin.connect();
    try {
      await expect(admin.createTopics({ topics: [{ topic: OFFSETS_TOPIC, numPartitions: 1 }] })).rejects.toMatchObject({
        errors: [expect.objectContaining({ type: 'INVALID_REQUEST' })],
      });
    } finally {
      await admin.disconnect();
    }
    expect(offsetsTopicEnds()).toBeUndefined();
  });

  it('Produce is refused with INVALID_TOPIC_EXCEPTION (not UNKNOWN_TOPIC_OR_PARTITION) and creates nothing', async () => {
    // kafkajs stops at Metadata (the topic is unknown), so the Produce goes bare; Kafka checks internal first
    const records = encodeBatch([{ key: Buffer.from('k'), value: Buffer.from('v'), headers: [], timestamp: 0 }]);
    const answer = await withRaw((raw) =>
      raw.request(0, 7, {
        transactionalId: null,
        acks: -1,
        timeoutMs: 5000,
        topicData: [{ name: OFFSETS_TOPIC, partitionData: [{ index: 0, records }] }],
      }),
    );
    expect(answer.responses).toEqual([
      {
        name: OFFSETS_TOPIC,
        partitionResponses: [expect.objectContaining({ index: 0, errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION })],
      },
    ]);
    expect(offsetsTopicEnds()).toBeUndefined();
  });
});

describe('once the coordinator wrote a commit there', () => {
  let before: number[];
  beforeAll(async () => {
    broker.state.logs.createTopic('orders', { numPartitions: 1 });
    const admin = kafkaFor(broker).admin();
    await admin.connect();
    await admin.setOffsets({ groupId: 'billing', topic: 'orders', partitions: [{ partition: 0, offset: '0' }] });
    await admin.disconnect();
    before = offsetsTopicEnds()!;
    expect(before[offsetsTopicPartition('billing', PARTITIONS)]).toBeGreaterThan(0);
  });

  it('Produce (kafkajs, acks all) is refused with INVALID_TOPIC_EXCEPTION and appends nothing', async () => {
    const producer = kafkaFor(broker, { retry: { retries: 0 } }).producer();
    await producer.connect();
    try {
      for (let partition = 0; partition < PARTITIONS; partition++) {
        await expect(
          producer.send({ topic: OFFSETS_TOPIC, messages: [{ partition, key: 'k', value: 'v' }] }),
        ).rejects.toMatchObject({ type: 'INVALID_TOPIC_EXCEPTION' });
      }
    } finally {
      await producer.disconnect();
    }
    expect(offsetsTopicEnds()).toEqual(before);
  });

  it('DeleteRecords is refused with INVALID_TOPIC_EXCEPTION and moves no log start', async () => {
    const partition = offsetsTopicPartition('billing', PARTITIONS);
    const answer = await withRaw((raw) =>
      raw.request(21, 1, {
        topics: [{ name: OFFSETS_TOPIC, partitions: [{ partitionIndex: partition, offset: -1 }] }],
        timeoutMs: 5000,
      }),
    );
    expect(answer.topics).toEqual([
      {
        name: OFFSETS_TOPIC,
        partitions: [{ partitionIndex: partition, lowWatermark: -1, errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION }],
      },
    ]);
    expect(broker.state.logs.partition(OFFSETS_TOPIC, partition)!.logStartOffset).toBe(0);
  });

  it('CreateTopics answers TOPIC_ALREADY_EXISTS, as for any existing topic', async () => {
    const answer = await withRaw((raw) => raw.request(19, 4, createTopicsBody(false)));
    expect(answer.topics).toEqual([
      expect.objectContaining({ name: OFFSETS_TOPIC, errorCode: ErrorCode.TOPIC_ALREADY_EXISTS }),
    ]);
    expect(broker.state.logs.topic(OFFSETS_TOPIC)!.partitions).toBe(PARTITIONS);
  });

  it('DeleteTopics is refused: INVALID_REQUEST before v3, TOPIC_DELETION_DISABLED from v3; another topic in the same request goes', async () => {
    broker.state.logs.createTopic('scratch-0', { numPartitions: 1 });
    broker.state.logs.createTopic('scratch-3', { numPartitions: 1 });
    await withRaw(async (raw) => {
      for (const [version, code] of [
        [0, ErrorCode.INVALID_REQUEST],
        [3, ErrorCode.TOPIC_DELETION_DISABLED],
      ] as const) {
        const answer = await raw.request(20, version, {
          topicNames: [OFFSETS_TOPIC, `scratch-${version}`],
          timeoutMs: 5000,
        });
        expect(answer.responses.map((r: Struct) => [r.name, r.errorCode])).toEqual([
          [OFFSETS_TOPIC, code],
          [`scratch-${version}`, 0],
        ]);
      }
    });
    const admin = kafkaFor(broker).admin();
    await admin.connect();
    try {
      // kafkajs asks DeleteTopics v1
      await expect(admin.deleteTopics({ topics: [OFFSETS_TOPIC] })).rejects.toMatchObject({
        type: 'INVALID_REQUEST',
      });
    } finally {
      await admin.disconnect();
    }
    expect(broker.state.logs.topic('scratch-0')).toBeUndefined();
    expect(offsetsTopicEnds()).toEqual(before);
  });
});
