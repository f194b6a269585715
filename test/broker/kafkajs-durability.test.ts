// Durability as kafkajs sees it: committed offsets across a broker restart, and idempotent retries.

import { afterEach, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker/broker.js';
import { kafkaFor, startTestBroker, tempDir, until } from '../helpers/broker.js';
import { startLossyProxy, type LossyProxy } from '../helpers/proxy.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close().catch(() => {});
});

async function consumeAll(broker: RunningBroker, groupId: string, topic: string, expected: number): Promise<string[]> {
  const consumer = kafkaFor(broker).consumer({
    groupId,
    sessionTimeout: 6000,
    heartbeatInterval: 500,
    maxWaitTimeInMs: 500,
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen: string[] = [];
  await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
  await until(() => seen.length >= expected, 20_000, `${expected} records`);
  // give a wrongly duplicated record the chance to show up before we stop
  await new Promise((r) => setTimeout(r, 500));
  await consumer.disconnect();
  return seen;
}

it('committed offsets and records survive a broker restart', async () => {
  const dataDir = tempDir();
  let broker = await startTestBroker({ dataDir });
  const producer = kafkaFor(broker).producer();
  await producer.connect();
  await producer.send({
    topic: 'durable',
    messages: Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: `before-${i}` })),
  });
  await producer.disconnect();
  const first = await consumeAll(broker, 'resumer', 'durable', 30);
  expect(first.sort()).toEqual(Array.from({ length: 30 }, (_, i) => `before-${i}`).sort());
  await broker.close();

  broker = await startTestBroker({ dataDir });
  open.push(broker);
  const again = kafkaFor(broker).producer();
  await again.connect();
  await again.send({
    topic: 'durable',
    messages: Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `after-${i}` })),
  });
  await again.disconnect();
  // the group resumes at its committed offsets: only the new records
  const second = await consumeAll(broker, 'resumer', 'durable', 10);
  expect(second.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `after-${i}`).sort());
  // and a new group still sees all 40 records from the start
  const all = await consumeAll(broker, 'newcomer', 'durable', 40);
  expect(all).toHaveLength(40);
});

it("the idempotent producer's retries after a lost response do not duplicate records", async () => {
  let brokerPort = 0;
  const proxy: LossyProxy = await startLossyProxy(() => brokerPort);
  open.push(proxy);
  const broker = await startTestBroker({ advertisedPort: proxy.port });
  open.push(broker);
  brokerPort = broker.port;

  const kafka = kafkaFor(broker, { brokers: [`127.0.0.1:${proxy.port}`] });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'once', numPartitions: 1 }] });
  await admin.disconnect();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  proxy.dropResponses(0, 2); // the broker appends, the client never hears of it, and retries
  for (let i = 0; i < 5; i++) {
    await producer.send({ topic: 'once', acks: -1, messages: [{ value: `m${i}-a` }, { value: `m${i}-b` }] });
  }
  await producer.disconnect();
  expect(proxy.dropped).toBe(2);

  const seen = await consumeAll(broker, 'counter', 'once', 10);
  expect(seen).toEqual(['m0-a', 'm0-b', 'm1-a', 'm1-b', 'm2-a', 'm2-b', 'm3-a', 'm3-b', 'm4-a', 'm4-b']);
});
