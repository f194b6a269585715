// evt/testing from kafkajs: produce and consume against a seeded broker, a Produce failing twice with
// NOT_LEADER_OR_FOLLOWER that kafkajs retries through, a held Produce released by the test, and a manual clock
// expiring the session of a consumer whose heartbeats are held.

import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { startBroker, type TestBroker } from '../../src/testing/index.js';

let broker: TestBroker | undefined;
let consumer: Consumer | undefined;

afterEach(async () => {
  await consumer?.disconnect();
  consumer = undefined;
  await broker?.close();
  broker = undefined;
});

const kafkaFor = (b: TestBroker) =>
  new Kafka({
    clientId: 'evt-testing',
    brokers: b.brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 5, initialRetryTime: 50 },
  });

describe('evt/testing with kafkajs', () => {
  it('serves seeded topics and records; a consumer reads them and commits, a producer appends', async () => {
    broker = await startBroker({
      autoCreateTopics: false,
      topics: { orders: { partitions: 2, records: [{ key: 'o-1', value: 'placed', headers: { source: 'seed' } }] } },
    });
    const kafka = kafkaFor(broker);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'orders', messages: [{ key: 'o-2', value: 'paid', partition: 1 }] });
    await producer.disconnect();

    consumer = kafka.consumer({ groupId: 'billing', sessionTimeout: 6000 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'orders', fromBeginning: true });
    const seen: string[] = [];
    const done = new Promise<void>((resolve) => {
      void consumer!.run({
        eachMessage: async ({ message }) => {
          seen.push(`${String(message.key)}=${String(message.value)}`);
          if (seen.length === 2) resolve();
        },
      });
    });
    await done;
    expect(seen.sort()).toEqual(['o-1=placed', 'o-2=paid']);
    await consumer.disconnect(); // commits what it read
    consumer = undefined;

    const records = broker.records('orders');
    expect(records.map((r) => [r.partition, r.offset, String(r.key), String(r.value)])).toEqual([
      [0, 0, 'o-1', 'placed'],
      [1, 0, 'o-2', 'paid'],
    ]);
    expect(String(records[0].headers.source)).toBe('seed');
    expect(broker.committedOffsets('billing')).toEqual([
      { topic: 'orders', partition: 0, offset: 1, metadata: '' },
      { topic: 'orders', partition: 1, offset: 1, metadata: '' },
    ]);
    expect(() => broker!.records('nope')).toThrow(/no topic nope/);
  });

  it('fails Produce twice with NOT_LEADER_OR_FOLLOWER; kafkajs retries and the record is stored once', async () => {
    broker = await startBroker({ topics: { orders: 1 } });
    const fault = broker.fail({ api: 'Produce', topic: 'orders', error: 'NOT_LEADER_OR_FOLLOWER', count: 2 });
    const producer = kafkaFor(broker).producer();
    await producer.connect();
    const [result] = await producer.send({ topic: 'orders', messages: [{ value: 'v1' }] });
    await producer.disconnect();
    expect(fault.fired).toBe(2);
    await fault.exhausted;
    expect(result.errorCode).toBe(0);
    expect(broker.records('orders').map((r) => String(r.value))).toEqual(['v1']);
  });

  it('a fault with count 1 and a non-retriable error reaches the client', async () => {
    broker = await startBroker({ topics: { orders: 1 } });
    const fault = broker.fail({ api: 'Produce', error: 'TOPIC_AUTHORIZATION_FAILED' });
    const producer = kafkaFor(broker).producer();
    await producer.connect();
    await expect(producer.send({ topic: 'orders', messages: [{ value: 'x' }] })).rejects.toThrow(/authorized/i);
    await producer.disconnect();
    expect(fault.fired).toBe(1);
    expect(broker.records('orders')).toEqual([]);
    expect(() => broker!.fail({ api: 'DescribeConfigs', error: 'UNKNOWN_SERVER_ERROR' })).toThrow(/faults cover/);
  });

  it('holds a Produce until the test releases it', async () => {
    broker = await startBroker({ topics: { orders: 1 } });
    const held = broker.hold({ api: 'Produce', topic: 'orders' });
    const producer = kafkaFor(broker).producer();
    await producer.connect();
    let acked = false;
    const sent = producer.send({ topic: 'orders', messages: [{ value: 'later' }] }).then(() => (acked = true));
    await held.arrived();
    // held: nothing stored, nothing acknowledged
    expect(held.count).toBe(1);
    expect(broker.records('orders')).toEqual([]);
    expect(acked).toBe(false);
    held.release();
    await sent;
    await producer.disconnect();
    expect(broker.records('orders').map((r) => String(r.value))).toEqual(['later']);
  });

  it('a manual clock expires a silent member: advance past its session and the group drops it', async () => {
    broker = await startBroker({ clock: 'manual', topics: { orders: 1 } });
    const kafka = kafkaFor(broker);
    consumer = kafka.consumer({ groupId: 'g', sessionTimeout: 30_000, heartbeatInterval: 500 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'orders' });
    const joined = new Promise<void>((resolve) => consumer!.on(consumer!.events.GROUP_JOIN, () => resolve()));
    await consumer.run({ eachMessage: async () => {} });
    await joined;
    const admin = kafka.admin();
    await admin.connect();
    const describe = async () => (await admin.describeGroups(['g'])).groups[0];
    expect((await describe()).members).toHaveLength(1);
    // The member goes silent without leaving (as a process that hangs would): its heartbeats are held.
    const heartbeats = broker.hold({ api: 'Heartbeat' });
    await heartbeats.arrived();
    broker.advance('29s');
    expect((await describe()).members).toHaveLength(1);
    broker.advance('2s');
    const after = await describe();
    expect(after.members).toHaveLength(0);
    expect(after.state).toBe('Empty');
    heartbeats.release();
    await admin.disconnect();
  });
});
