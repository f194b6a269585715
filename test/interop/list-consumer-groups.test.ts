// Group states as librdkafka's ListConsumerGroups sees them (ListGroups v4: KIP-518 states and filter).

import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Consumer } from 'kafkajs';
import type { RunningBroker } from '../../src/broker/broker.js';
import { kafkaFor, startTestBroker } from '../helpers/broker.js';
import { hasConfluentKafka, PYTHON, run } from '../helpers/interop.js';

const script = fileURLToPath(new URL('librdkafka_list_groups.py', import.meta.url));
const confluent = hasConfluentKafka();
let broker: RunningBroker;
let consumer: Consumer | undefined;

beforeAll(async () => {
  if (confluent) broker = await startTestBroker({ inMemory: true });
});
afterAll(async () => {
  await consumer?.disconnect();
  await broker?.close();
});

async function listed(...states: string[]): Promise<Record<string, string>> {
  const r = await run(PYTHON, [script, broker.bootstrap, ...states]);
  expect(r.status, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { groups: Record<string, string> }).groups;
}

describe.skipIf(!confluent)('ListConsumerGroups through librdkafka 2.0.2', () => {
  it('shows each group with its state, and filters by state', async () => {
    const kafka = kafkaFor(broker);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 1 }] });
    await admin.setOffsets({ groupId: 'idle', topic: 'orders', partitions: [{ partition: 0, offset: '0' }] });
    await admin.disconnect();
    consumer = kafka.consumer({ groupId: 'busy' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'orders' });
    let joined!: () => void;
    const isJoined = new Promise<void>((r) => (joined = r));
    consumer.on(consumer.events.GROUP_JOIN, () => joined());
    await consumer.run({ eachMessage: async () => {} });
    await isJoined;

    expect(await listed()).toEqual({ idle: 'Empty', busy: 'Stable' });
    expect(await listed('Stable')).toEqual({ busy: 'Stable' });
    expect(await listed('Empty', 'Dead')).toEqual({ idle: 'Empty' });
  });
});
