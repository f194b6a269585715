// evt/testing from @platformatic/kafka 1.x, a client that speaks only Kafka 3.5+ protocol versions (flexible
// Metadata v12 with topic ids, Fetch v13 by topic id, JoinGroup v9, FindCoordinator v4, ...): a producer and a
// consumer in a group produce, consume and commit; a Produce failed twice with a retriable error is retried and
// stored once; a held Fetch parks the consumer until the test releases it; its admin client creates a topic
// (CreateTopics v7, the topic id) and deletes it (DeleteTopics v6).

import {
  Admin,
  Consumer,
  MessagesStreamModes,
  Producer,
  stringDeserializers,
  stringSerializers,
  type Message,
  type MessagesStream,
} from '@platformatic/kafka';
import { afterEach, describe, expect, it } from 'vitest';
import { startBroker, type TestBroker } from '../../src/testing/index.js';

type StringConsumer = Consumer<string, string, string, string>;

let broker: TestBroker | undefined;
const closers: Array<() => Promise<void>> = [];

afterEach(async () => {
  // streams before their consumer, clients before the broker
  for (const close of closers.splice(0).reverse()) await close();
  await broker?.close();
  broker = undefined;
});

function producerFor(b: TestBroker): Producer<string, string, string, string> {
  const producer = new Producer({
    clientId: 'evt-testing-producer',
    bootstrapBrokers: b.brokers,
    serializers: stringSerializers,
    retries: 5,
    retryDelay: 50,
  });
  closers.push(() => producer.close());
  return producer;
}

function consumerFor(b: TestBroker, groupId: string): StringConsumer {
  const consumer = new Consumer({
    groupId,
    clientId: 'evt-testing-consumer',
    bootstrapBrokers: b.brokers,
    deserializers: stringDeserializers,
    sessionTimeout: 10_000,
    heartbeatInterval: 500,
    retries: 5,
    retryDelay: 50,
  });
  closers.push(() => consumer.close());
  return consumer;
}

/** Reads `n` messages from the stream (it keeps running; the consumer's close ends it). */
async function take(stream: MessagesStream<string, string, string, string>, n: number): Promise<string[]> {
  const seen: string[] = [];
  for await (const message of stream as AsyncIterable<Message<string, string, string, string>>) {
    seen.push(`${message.partition}:${message.key}=${message.value}`);
    if (seen.length === n) break;
  }
  return seen;
}

describe('evt/testing with @platformatic/kafka', () => {
  it('a producer appends to seeded topics; a consumer group reads everything and commits', async () => {
    broker = await startBroker({
      autoCreateTopics: false,
      topics: { orders: { partitions: 2, records: [{ key: 'o-1', value: 'placed', partition: 0 }] } },
    });
    const metadata = broker.nextRequest('Metadata');
    const producer = producerFor(broker);
    const sent = await producer.send({
      messages: [
        { topic: 'orders', key: 'o-2', value: 'paid', partition: 1 },
        { topic: 'orders', key: 'o-1', value: 'shipped', partition: 0 },
      ],
    });
    expect(sent.offsets?.map((o) => [o.partition, Number(o.offset)]).sort()).toEqual([
      [0, 1],
      [1, 0],
    ]);
    // it speaks the newest versions evt broker serves: Metadata v12 (topic ids), Fetch v13 (topics by id)
    expect((await metadata).version).toBe(12);

    const consumer = consumerFor(broker, 'billing');
    const fetched = broker.nextRequest('Fetch', { topic: 'orders' });
    const stream = await consumer.consume({
      topics: ['orders'],
      mode: MessagesStreamModes.EARLIEST,
      autocommit: false,
    });
    closers.push(() => stream.close());
    const seen = await take(stream, 3);
    expect(seen.sort()).toEqual(['0:o-1=placed', '0:o-1=shipped', '1:o-2=paid']);
    const fetch = await fetched;
    expect(fetch.version).toBe(13);
    // matched by topic name although the request names the topic by its id only
    expect(fetch.partitions.map((p) => p.topic)).toContain('orders');

    // the next offset to read in each partition (OffsetCommit v8)
    await consumer.commit({
      offsets: [
        { topic: 'orders', partition: 0, offset: 2n, leaderEpoch: 0 },
        { topic: 'orders', partition: 1, offset: 1n, leaderEpoch: 0 },
      ],
    });
    expect(broker.committedOffsets('billing')).toEqual([
      { topic: 'orders', partition: 0, offset: 2, metadata: '' },
      { topic: 'orders', partition: 1, offset: 1, metadata: '' },
    ]);
    expect(broker.records('orders').map((r) => [r.partition, r.offset, String(r.key), String(r.value)])).toEqual([
      [0, 0, 'o-1', 'placed'],
      [0, 1, 'o-1', 'shipped'],
      [1, 0, 'o-2', 'paid'],
    ]);
  });

  it('fails Produce twice with NOT_LEADER_OR_FOLLOWER; the producer retries and the record is stored once', async () => {
    broker = await startBroker({ topics: { orders: 1 }, autoCreateTopics: false });
    const fault = broker.fail({ api: 'Produce', topic: 'orders', error: 'NOT_LEADER_OR_FOLLOWER', count: 2 });
    const producer = producerFor(broker);
    const sent = await producer.send({ messages: [{ topic: 'orders', key: 'k', value: 'v1', partition: 0 }] });
    expect(fault.fired).toBe(2);
    await fault.exhausted;
    expect(sent.offsets?.map((o) => Number(o.offset))).toEqual([0]);
    expect(broker.records('orders').map((r) => String(r.value))).toEqual(['v1']);
  });

  it('holds the Fetch of a group member until the test releases it', async () => {
    broker = await startBroker({ topics: { orders: 1 }, autoCreateTopics: false });
    const held = broker.hold({ api: 'Fetch', topic: 'orders' });
    const consumer = consumerFor(broker, 'held');
    const stream = await consumer.consume({ topics: ['orders'], mode: MessagesStreamModes.EARLIEST });
    closers.push(() => stream.close());
    let read = false;
    const reading = take(stream, 1).then((seen) => ((read = true), seen));
    await held.arrived();
    broker.produce('orders', [{ key: 'k', value: 'late' }]);
    // the Fetch that would see it is parked: nothing read
    expect(held.count).toBeGreaterThanOrEqual(1);
    expect(read).toBe(false);
    held.release();
    expect(await reading).toEqual(['0:k=late']);
  });

  it('an admin client creates a topic (its id as Metadata reports it) and deletes it', async () => {
    broker = await startBroker({ autoCreateTopics: false });
    const admin = new Admin({ clientId: 'evt-testing-admin', bootstrapBrokers: broker.brokers });
    closers.push(() => admin.close());
    const [created] = await admin.createTopics({ topics: ['audit'], partitions: 2, replicas: 1 });
    expect([created.name, created.partitions, created.configuration['cleanup.policy']]).toEqual(['audit', 2, 'delete']);
    const metadata = await admin.metadata({ topics: ['audit'] });
    expect(metadata.topics.get('audit')?.id).toBe(created.id);
    expect(metadata.topics.get('audit')?.partitionsCount).toBe(2);
    broker.produce('audit', [{ value: 'x' }]);
    expect(broker.records('audit')).toHaveLength(1);
    await admin.deleteTopics({ topics: ['audit'] });
    expect(() => broker!.records('audit')).toThrow(/no topic audit/);
  });
});
