// Reading a consumer group's state and committed offsets from outside it, on the real in-process broker with a
// real wire group consumer as the group's only member.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Admin, Producer } from 'kafkajs';
import type { RunningBroker } from '../../src/broker/broker.js';
import type { GroupConsumer, MessageBatch } from '../../src/client/group-consumer.js';
import type { ConnectionSettings } from '../../src/client/settings.js';
import { Cluster } from '../../src/client/wire/cluster.js';
import { createWireGroupConsumer } from '../../src/client/wire/group-consumer.js';
import { committedOffsets, describeGroupState, findCoordinator } from '../../src/client/wire/group-info.js';
import { startBrokerWithClients, until, type BrokerWithClients } from '../helpers/broker.js';

let bed: BrokerWithClients;
let broker: RunningBroker;
let admin: Admin;
let producer: Producer;
let cluster: Cluster;

const settings = (clientId: string): ConnectionSettings => ({
  brokers: [broker.bootstrap],
  clientId,
  timeoutMs: 10_000,
  source: 'test',
});

beforeAll(async () => {
  bed = await startBrokerWithClients();
  ({ broker, admin, producer } = bed);
  cluster = await Cluster.connect(settings('evt-group-info'));
});

afterAll(async () => {
  cluster?.close();
  await bed?.close();
});

const TOPIC = 'info-orders';
const GROUP = 'info-group';
const allPartitions = [0, 1, 2].map((partition) => ({ topic: TOPIC, partition }));

describe('group info', () => {
  let consumer: GroupConsumer | null = null;

  afterAll(async () => {
    await consumer?.stop();
  });

  it('finds the coordinator among the brokers the cluster knows', async () => {
    const node = await findCoordinator(cluster, GROUP);
    expect(cluster.brokers.has(node)).toBe(true);
  });

  it('describes a running group as Stable with its one member, and reads exactly what it committed', async () => {
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: TOPIC, numPartitions: 3 }] });
    // partition 2 gets nothing, so the consumer never commits there
    await producer.send({ topic: TOPIC, messages: ['a', 'b', 'c'].map((value) => ({ value, partition: 0 })) });
    await producer.send({
      topic: TOPIC,
      messages: ['d', 'e', 'f', 'g', 'h'].map((value) => ({ value, partition: 1 })),
    });

    const seen: string[] = [];
    consumer = createWireGroupConsumer(settings('info-member'), {
      groupId: GROUP,
      topics: [TOPIC],
      strategy: 'copartitioned',
      sessionTimeoutMs: 3000,
      heartbeatIntervalMs: 200,
      maxWaitMs: 200,
    });
    await consumer.start(async (batch: MessageBatch) => {
      for (const r of batch.records) seen.push(String(r.value));
    });
    await until(() => seen.length === 8, 20_000, 'all 8 records');

    // commits follow the handler, so wait for them rather than for the records
    const committed = await until(
      async () => {
        const offsets = await committedOffsets(cluster, GROUP, allPartitions);
        return offsets.get(`${TOPIC}:0`) === 3 && offsets.get(`${TOPIC}:1`) === 5 ? offsets : undefined;
      },
      20_000,
      'the commits of partitions 0 and 1',
    );
    expect([...committed].sort()).toEqual([
      [`${TOPIC}:0`, 3],
      [`${TOPIC}:1`, 5],
    ]);
    expect(committed.has(`${TOPIC}:2`)).toBe(false);

    expect(await describeGroupState(cluster, GROUP)).toEqual({
      groupId: GROUP,
      state: 'Stable',
      members: 1,
      clients: ['info-member'],
    });
  });

  it('describes the group as Empty once its member stopped, and keeps its offsets', async () => {
    await consumer!.stop();
    consumer = null;
    expect(await describeGroupState(cluster, GROUP)).toEqual({
      groupId: GROUP,
      state: 'Empty',
      members: 0,
      clients: [],
    });
    const offsets = await committedOffsets(cluster, GROUP, allPartitions);
    expect(new Map([...offsets].sort())).toEqual(
      new Map([
        [`${TOPIC}:0`, 3],
        [`${TOPIC}:1`, 5],
      ]),
    );
  });

  it('reads only the partitions asked for', async () => {
    const offsets = await committedOffsets(cluster, GROUP, [
      { topic: TOPIC, partition: 1 },
      { topic: TOPIC, partition: 2 },
    ]);
    expect([...offsets]).toEqual([[`${TOPIC}:1`, 5]]);
    expect(await committedOffsets(cluster, GROUP, [])).toEqual(new Map());
  });

  it('describes a group the broker does not know as Dead, without members or offsets', async () => {
    expect(await describeGroupState(cluster, 'no-such-group')).toEqual({
      groupId: 'no-such-group',
      state: 'Dead',
      members: 0,
      clients: [],
    });
    expect(await committedOffsets(cluster, 'no-such-group', allPartitions)).toEqual(new Map());
  });
});
