// kafkajs' transactional producer against evt broker, as kafkajs documents it (producer.transaction(),
// send, sendOffsets, commit, abort) and a read_committed consumer (kafkajs' default); then what a transaction
// coordinator must do besides: fence a zombie, abort a transaction left open past its timeout, answer
// DescribeTransactions and ListTransactions.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Admin, Kafka, Producer } from 'kafkajs';
import type { RunningBroker } from '../../../src/broker/broker.js';
import { kafkaFor, startTestBroker, until } from '../../helpers/broker.js';
import { RawClient } from '../../helpers/raw-client.js';

let broker: RunningBroker;
let kafka: Kafka;
let admin: Admin;
let topicN = 0;

beforeAll(async () => {
  broker = await startTestBroker({ transactionCheckIntervalMs: 100 });
  kafka = kafkaFor(broker);
  admin = kafka.admin();
  await admin.connect();
});

afterAll(async () => {
  await admin.disconnect();
  await broker.close();
});

async function newTopic(partitions = 1): Promise<string> {
  const topic = `txn-${++topicN}`;
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions }] });
  return topic;
}

async function transactionalProducer(transactionalId: string, transactionTimeout?: number): Promise<Producer> {
  const producer = kafka.producer({
    transactionalId,
    maxInFlightRequests: 1,
    idempotent: true,
    ...(transactionTimeout ? { transactionTimeout } : {}),
  });
  await producer.connect();
  return producer;
}

/**
 * Every value a consumer of `topic` reads up to and including `last` (a committed record written last, so
 * that reading it proves everything before it was read).
 */
async function readUntil(topic: string, last: string, readUncommitted = false): Promise<string[]> {
  const consumer = kafka.consumer({
    groupId: `reader-${topic}-${readUncommitted}`,
    readUncommitted,
    maxWaitTimeInMs: 100,
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen: string[] = [];
  await consumer.run({ eachMessage: async ({ message }) => void seen.push(String(message.value)) });
  await until(() => seen.includes(last), 20_000, `${last} read from ${topic}`);
  await consumer.disconnect();
  return seen.sort();
}

describe("kafkajs' transactional producer", () => {
  it('commits and aborts as documented; read_committed reads only the committed records', async () => {
    const topic = await newTopic(2);
    const producer = await transactionalProducer('docs-example');
    // kafkajs' documented example, unchanged
    const transaction = await producer.transaction();
    try {
      await transaction.send({
        topic,
        messages: [
          { key: 'k1', value: 'committed-1' },
          { key: 'k2', value: 'committed-2' },
        ],
      });
      await transaction.commit();
    } catch (e) {
      await transaction.abort();
      throw e;
    }
    const aborted = await producer.transaction();
    await aborted.send({
      topic,
      messages: [
        { key: 'k1', value: 'aborted-1' },
        { key: 'k2', value: 'aborted-2' },
      ],
    });
    await aborted.abort();
    const last = await producer.transaction();
    await last.send({ topic, messages: [{ key: 'k1', value: 'z-last' }] });
    await last.commit();
    await producer.disconnect();

    expect(await readUntil(topic, 'z-last')).toEqual(['committed-1', 'committed-2', 'z-last']);
    expect(await readUntil(topic, 'z-last', true)).toEqual([
      'aborted-1',
      'aborted-2',
      'committed-1',
      'committed-2',
      'z-last',
    ]);
  });

  it('sendOffsets: the consumed offsets commit with the transaction, and not when it aborts', async () => {
    const topic = await newTopic();
    const out = await newTopic();
    const group = 'eos-group';
    const producer = await transactionalProducer('eos-offsets');
    const commitOffset = async (offset: string, commit: boolean) => {
      const t = await producer.transaction();
      await t.send({ topic: out, messages: [{ value: `out-${offset}` }] });
      await t.sendOffsets({ consumerGroupId: group, topics: [{ topic, partitions: [{ partition: 0, offset }] }] });
      if (commit) await t.commit();
      else await t.abort();
    };
    await commitOffset('5', true);
    const committed = async () =>
      (await admin.fetchOffsets({ groupId: group, topics: [topic] }))[0].partitions[0].offset;
    expect(await committed()).toBe('5');
    await commitOffset('9', false);
    expect(await committed()).toBe('5');
    await commitOffset('12', true);
    expect(await committed()).toBe('12');
    await producer.disconnect();
    expect(await readUntil(out, 'out-12')).toEqual(['out-12', 'out-5']);
  });

  it('fences a zombie: a new incarnation aborts its open transaction and its commit fails', async () => {
    const topic = await newTopic();
    const zombie = await transactionalProducer('fenced-id');
    const open = await zombie.transaction();
    await open.send({ topic, messages: [{ value: 'zombie' }] });
    // the same transactional id starts again elsewhere (a restarted instance); kafkajs asks for its producer
    // id and epoch at its first transaction
    const successor = await transactionalProducer('fenced-id');
    const t = await successor.transaction();
    await expect(open.commit()).rejects.toThrow(/epoch|fenced/i);
    await t.send({ topic, messages: [{ value: 'successor' }] });
    await t.commit();
    await successor.disconnect();
    await zombie.disconnect().catch(() => {});
    expect(await readUntil(topic, 'successor')).toEqual(['successor']);
  });

  it('aborts a transaction left open past its timeout, fencing its producer', async () => {
    const topic = await newTopic();
    const producer = await transactionalProducer('slowpoke', 500);
    const t = await producer.transaction();
    await t.send({ topic, messages: [{ value: 'too-slow' }] });
    const raw = await RawClient.connect(broker.port);
    try {
      const state = async () =>
        (
          (await raw.request(65, 0, { transactionalIds: ['slowpoke'] })).transactionStates as {
            transactionState: string;
          }[]
        )[0].transactionState;
      expect(await state()).toBe('Ongoing');
      await until(async () => (await state()) === 'CompleteAbort', 20_000, 'the timed-out transaction aborted');
    } finally {
      raw.close();
    }
    await expect(t.commit()).rejects.toThrow(/epoch|fenced/i);
    await producer.disconnect().catch(() => {});
    const offsets = await admin.fetchTopicOffsets(topic);
    expect(offsets[0].high).toBe('2'); // the record and the ABORT marker
    const plain = kafka.producer();
    await plain.connect();
    await plain.send({ topic, messages: [{ value: 'plain' }] });
    await plain.disconnect();
    expect(await readUntil(topic, 'plain')).toEqual(['plain']);
  });
});

describe('DescribeTransactions and ListTransactions', () => {
  it('describe an open transaction with its partitions, and list by state and producer id', async () => {
    const topic = await newTopic(2);
    const producer = await transactionalProducer('described');
    const t = await producer.transaction();
    await t.send({ topic, messages: [{ value: 'a', partition: 1 }] });
    const raw = await RawClient.connect(broker.port);
    try {
      const described = (await raw.request(65, 0, { transactionalIds: ['described', 'nobody'] }))
        .transactionStates as Record<string, unknown>[];
      expect(described[0]).toMatchObject({
        errorCode: 0,
        transactionalId: 'described',
        transactionState: 'Ongoing',
        transactionTimeoutMs: 60_000,
        topics: [{ topic, partitions: [1] }],
      });
      expect(described[0].transactionStartTimeMs as number).toBeGreaterThan(0);
      expect(described[1]).toMatchObject({ errorCode: 105, transactionalId: 'nobody' });
      const pid = described[0].producerId as number;

      const listed = await raw.request(66, 1, {
        stateFilters: ['Ongoing', 'Nonsense'],
        producerIdFilters: [],
        durationFilter: -1,
      });
      expect(listed.unknownStateFilters).toEqual(['Nonsense']);
      expect(listed.transactionStates).toEqual([
        { transactionalId: 'described', producerId: pid, transactionState: 'Ongoing' },
      ]);
      const byPid = await raw.request(66, 0, { stateFilters: [], producerIdFilters: [pid] });
      expect((byPid.transactionStates as unknown[]).length).toBe(1);
      await t.commit();
      const after = await raw.request(66, 0, { stateFilters: ['Ongoing'], producerIdFilters: [pid] });
      expect(after.transactionStates).toEqual([]);
    } finally {
      raw.close();
      await producer.disconnect();
    }
  });
});
