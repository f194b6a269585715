// Transaction state across restarts: a transaction decided (PrepareCommit) when the broker stopped is
// completed at start-up, markers and offsets included; one left Ongoing is aborted once its timeout passes;
// and an `evt broker` killed with -9 inside a transaction comes back with it open, resolved when the
// producer's next incarnation starts.

import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { Kafka } from 'kafkajs';
import type { RunningBroker } from '../../../src/broker/broker.js';
import { RecordLog } from '../../../src/broker/group/record-log.js';
import { TXN_LOG_FILE } from '../../../src/broker/txn/state-log.js';
import { kafkaFor, startTestBroker, tempDir, until } from '../../helpers/broker.js';
import { RawClient } from '../../helpers/raw-client.js';
import { spawnBroker, type SpawnedBroker } from '../../helpers/spawn.js';

const procs: SpawnedBroker[] = [];
afterEach(() => {
  for (const p of procs.splice(0)) p.proc.kill('SIGKILL');
});

async function stateOf(port: number, transactionalId: string): Promise<string> {
  const raw = await RawClient.connect(port);
  try {
    const answer = await raw.request(65, 0, { transactionalIds: [transactionalId] });
    return (answer.transactionStates as { transactionState: string }[])[0].transactionState;
  } finally {
    raw.close();
  }
}

/**
 * The values a kafkajs consumer (read_committed by default) reads from `topic`: a plain record `end` is
 * written to each partition first, and reading all of them proves everything before them was read.
 */
async function readAll(kafka: Kafka, topic: string, readUncommitted = false): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  const partitions = (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0].partitions.length;
  await admin.disconnect();
  const plain = kafka.producer();
  await plain.connect();
  for (let partition = 0; partition < partitions; partition++)
    await plain.send({ topic, messages: [{ value: 'end', partition }] });
  await plain.disconnect();
  const consumer = kafka.consumer({ groupId: `read-${topic}-${Date.now()}`, readUncommitted, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen: string[] = [];
  const ended = new Set<number>();
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const value = String(message.value);
      if (value === 'end') ended.add(partition);
      else if (!ended.has(partition)) seen.push(value); // after the first end: only later reads' ends
    },
  });
  await until(() => ended.size === partitions, 20_000, `${topic} read to its end`);
  await consumer.disconnect();
  return seen.sort();
}

/** the offset group eos committed for input-0 (sendOffsets' offset once its transaction committed) */
async function committedInput(kafka: Kafka): Promise<string> {
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchOffsets({ groupId: 'eos', topics: ['input'] });
  await admin.disconnect();
  return offsets[0].partitions[0].offset;
}

async function openTransaction(broker: RunningBroker, topic: string, transactionalId: string, timeoutMs: number) {
  const kafka = kafkaFor(broker);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [
      { topic, numPartitions: 2 },
      { topic: 'input', numPartitions: 1 },
    ],
  });
  await admin.disconnect();
  const producer = kafka.producer({ transactionalId, maxInFlightRequests: 1, transactionTimeout: timeoutMs });
  await producer.connect();
  const t = await producer.transaction();
  await t.send({ topic, messages: ['a', 'b', 'c', 'd'].map((value, i) => ({ value, partition: i % 2 })) });
  await t.sendOffsets({
    consumerGroupId: 'eos',
    topics: [{ topic: 'input', partitions: [{ partition: 0, offset: '7' }] }],
  });
  return producer;
}

it('completes at start-up a commit decided before the broker stopped: markers, records and offsets', async () => {
  const dataDir = tempDir();
  let broker = await startTestBroker({ dataDir });
  const producer = await openTransaction(broker, 'decided', 'decider', 60_000);
  // the producer's pending offsets are not committed yet: OffsetFetch require_stable says so
  const raw = await RawClient.connect(broker.port);
  const fetched = await raw.request(9, 7, {
    groupId: 'eos',
    topics: [{ name: 'input', partitionIndexes: [0] }],
    requireStable: true,
  });
  raw.close();
  expect((fetched.topics as { partitions: unknown[] }[])[0].partitions[0]).toMatchObject({
    committedOffset: -1,
    errorCode: 88, // UNSTABLE_OFFSET_COMMIT
  });
  await producer.disconnect(); // leaves the transaction open
  await broker.close();

  // What a crash right after EndTxn's decision was written leaves: the last entry says PrepareCommit.
  const { log, entries } = RecordLog.open({ file: path.join(dataDir, TXN_LOG_FILE), fsync: 'never' });
  const last = entries[entries.length - 1] as { state: string };
  expect(last.state).toBe('Ongoing');
  log.append([{ ...last, state: 'PrepareCommit' }]);
  log.close();

  broker = await startTestBroker({ dataDir });
  try {
    expect(await stateOf(broker.port, 'decider')).toBe('CompleteCommit');
    const kafka = kafkaFor(broker);
    expect(await readAll(kafka, 'decided')).toEqual(['a', 'b', 'c', 'd']);
    expect(await committedInput(kafka)).toBe('7');
  } finally {
    await broker.close();
  }
});

it('aborts after its timeout a transaction left open when the broker stopped', async () => {
  const dataDir = tempDir();
  let broker = await startTestBroker({ dataDir });
  const producer = await openTransaction(broker, 'left-open', 'forgotten', 1500);
  await producer.disconnect();
  await broker.close();

  broker = await startTestBroker({ dataDir, transactionCheckIntervalMs: 100 });
  try {
    const kafka = kafkaFor(broker);
    // still open: read_committed sees nothing yet, and the last stable offset holds at 0
    expect(await stateOf(broker.port, 'forgotten')).toBe('Ongoing');
    expect((await readAll(kafka, 'left-open')).length).toBe(0);
    await until(async () => (await stateOf(broker.port, 'forgotten')) === 'CompleteAbort', 20_000, 'the abort');
    expect(await readAll(kafka, 'left-open')).toEqual([]);
    expect(await readAll(kafka, 'left-open', true)).toEqual(['a', 'b', 'c', 'd']);
    expect(await committedInput(kafka)).toBe('-1');
  } finally {
    await broker.close();
  }
});

it('evt broker killed with -9 inside a transaction: restarted, the transaction is resolved', async () => {
  const dataDir = tempDir();
  const first = await spawnBroker(['--data-dir', dataDir]);
  procs.push(first);
  const zombie = await openTransaction(first as unknown as RunningBroker, 'killed', 'survivor', 60_000);
  first.proc.kill('SIGKILL');
  expect(await first.exited).toBe('SIGKILL');
  await zombie.disconnect().catch(() => {});

  const second = await spawnBroker(['--data-dir', dataDir]);
  procs.push(second);
  expect(await stateOf(second.port, 'survivor')).toBe('Ongoing');
  // the producer's next incarnation fences the old one: its transaction is aborted, then it carries on
  const kafka = kafkaFor(second);
  const producer = kafka.producer({ transactionalId: 'survivor', maxInFlightRequests: 1 });
  await producer.connect();
  const t = await producer.transaction();
  expect(await stateOf(second.port, 'survivor')).toBe('Empty');
  await t.send({ topic: 'killed', messages: [{ value: 'after-restart', partition: 0 }] });
  await t.commit();
  await producer.disconnect();
  expect(await stateOf(second.port, 'survivor')).toBe('CompleteCommit');
  expect(await readAll(kafka, 'killed')).toEqual(['after-restart']);
  expect(await readAll(kafka, 'killed', true)).toEqual(['a', 'after-restart', 'b', 'c', 'd']);
});
