// Burrow 1.2.1 (Debian's), which monitors lag from what Kafka's brokers expose: it reads every commit from
// __consumer_offsets (sarama, Fetch v4, OffsetCommitValue v3 records) and the partitions' end offsets with
// ListOffsets, keeping its own state in a zookeeper. A kafkajs consumer group commits behind the end of a topic
// and Burrow's HTTP API must report, per partition, end offset - committed offset, and their total.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Consumer, Producer } from 'kafkajs';
import type { RunningBroker } from '../../src/broker/broker.js';
import { OFFSETS_TOPIC } from '../../src/broker/group/offsets-topic.js';
import { kafkaFor, startTestBroker, until } from '../helpers/broker.js';
import { startBurrow, type Burrow } from '../helpers/burrow.js';
import { hasBurrow } from '../helpers/interop.js';
import { startZookeeper, type Zookeeper } from '../helpers/zookeeper.js';

interface LagAnswer {
  status: {
    group: string;
    partitions: Array<{ topic: string; partition: number; current_lag: number; end: { offset: number } | null }>;
    totallag: number;
  };
}

const TOPIC = 'payments';
const GROUP = 'settlement';
/** records in partitions 0, 1, 2 */
const ENDS = [10, 7, 4];
/** what the group commits once Burrow runs (earlier commits of 1 show that Burrow follows later ones) */
const COMMITTED = [3, 5, 4];

const enabled = hasBurrow();
let broker: RunningBroker;
let zookeeper: Zookeeper | undefined;
let burrow: Burrow | undefined;
let producer: Producer | undefined;
let consumer: Consumer | undefined;

/** Polls Burrow until `accept` takes its answer; on timeout the error carries the last answer and Burrow's log. */
async function poll<T>(apiPath: string, accept: (answer: T) => boolean, what: string): Promise<T> {
  let last: T | undefined;
  try {
    return await until(
      async () => {
        last = await burrow!.get<T>(apiPath);
        return last !== undefined && accept(last) ? last : undefined;
      },
      60_000,
      what,
    );
  } catch (err) {
    throw new Error(
      `${(err as Error).message}; last answer of ${apiPath}: ${JSON.stringify(last)}\nBurrow's log:\n${burrow!.process.output()}`,
    );
  }
}

async function commit(offsets: number[]): Promise<void> {
  await consumer!.commitOffsets(
    offsets.map((offset, partition) => ({ topic: TOPIC, partition, offset: String(offset) })),
  );
}

describe.skipIf(!enabled)("Burrow 1.2.1 reporting a consumer group's lag against evt broker", () => {
  beforeAll(async () => {
    // 4 partitions for __consumer_offsets, not Kafka's 50: Burrow's sarama starts its partition consumers one
    // after the other, about half a second each (one Fetch long-poll), so with 50 it reads the group's partition
    // only after up to 25 s
    broker = await startTestBroker({ offsetsTopicPartitions: 4 });
    zookeeper = await startZookeeper();
  }, 60_000);
  afterAll(async () => {
    await consumer?.disconnect();
    await producer?.disconnect();
    await burrow?.close();
    await zookeeper?.close();
    await broker?.close();
  });

  it('lists the group and reports each partition as end offset - committed offset, and the total', async () => {
    broker.state.logs.createTopic(TOPIC, { numPartitions: ENDS.length });
    const kafka = kafkaFor(broker);
    producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: TOPIC,
      messages: ENDS.flatMap((n, partition) =>
        Array.from({ length: n }, (_, i) => ({ partition, value: `payment ${partition}-${i}` })),
      ),
    });

    consumer = kafka.consumer({ groupId: GROUP });
    await consumer.connect();
    await consumer.subscribe({ topics: [TOPIC] });
    const joined = new Promise<void>((resolve) => consumer!.on(consumer!.events.GROUP_JOIN, () => resolve()));
    await consumer.run({ autoCommit: false, eachMessage: async () => {} });
    await joined;
    // The group's first commits create __consumer_offsets. Burrow stops at start-up when the topic does not
    // exist yet, as it does against Kafka, which creates it for the first group too.
    await commit([1, 1, 1]);
    expect(broker.state.logs.topic(OFFSETS_TOPIC)).toBeDefined();

    burrow = await startBurrow({ bootstrap: broker.bootstrap, zookeeper: zookeeper!.connect });
    // Burrow drops a commit it reads before it knows the partition's end offset, so commit again after
    const base = `/v3/kafka/${burrow.cluster}`;
    await poll<{ offsets: number[] }>(
      `${base}/topic/${TOPIC}`,
      (a) => JSON.stringify(a.offsets) === JSON.stringify(ENDS),
      "Burrow to know the topic's end offsets",
    );
    await commit(COMMITTED);

    const listed = await poll<{ consumers: string[] }>(
      `${base}/consumer`,
      (a) => a.consumers.includes(GROUP),
      'Burrow to list the group',
    );
    expect(listed.consumers).toEqual([GROUP]);

    const lag = await poll<LagAnswer>(
      `${base}/consumer/${GROUP}/lag`,
      (a) => JSON.stringify(a.status.partitions.map((p) => p.end?.offset)) === JSON.stringify(COMMITTED),
      'Burrow to report the latest commits',
    );
    expect(lag.status.group).toBe(GROUP);
    expect(lag.status.partitions.map((p) => ({ topic: p.topic, partition: p.partition, lag: p.current_lag }))).toEqual([
      { topic: TOPIC, partition: 0, lag: 7 },
      { topic: TOPIC, partition: 1, lag: 2 },
      { topic: TOPIC, partition: 2, lag: 0 },
    ]);
    expect(lag.status.totallag).toBe(9);
  }, 120_000);
});
