// kafkajs admin operations against the real broker.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Admin, Kafka } from 'kafkajs';
import type { RunningBroker } from '../../src/broker/broker.js';
import { kafkaFor, startTestBroker, until } from '../helpers/broker.js';

let broker: RunningBroker;
let kafka: Kafka;
let admin: Admin;

beforeAll(async () => {
  broker = await startTestBroker();
  kafka = kafkaFor(broker);
  admin = kafka.admin();
  await admin.connect();
});
afterAll(async () => {
  await admin?.disconnect();
  await broker?.close();
});

async function produce(
  topic: string,
  messages: { key?: string; value: string; partition?: number; timestamp?: string }[],
) {
  const producer = kafka.producer();
  await producer.connect();
  const res = await producer.send({ topic, messages });
  await producer.disconnect();
  return res;
}

describe('kafkajs admin', () => {
  it('creates, lists, describes and deletes topics', async () => {
    expect(await admin.createTopics({ topics: [{ topic: 'a1', numPartitions: 2 }, { topic: 'a2' }] })).toBe(true);
    // creating an existing topic is not an error for kafkajs: it answers false
    expect(await admin.createTopics({ topics: [{ topic: 'a1', numPartitions: 2 }] })).toBe(false);
    expect(await admin.listTopics()).toEqual(expect.arrayContaining(['a1', 'a2']));
    const md = await admin.fetchTopicMetadata({ topics: ['a1', 'a2'] });
    // kafkajs asks for its target topics in no fixed order
    expect(md.topics.map((t) => [t.name, t.partitions.length]).sort()).toEqual([
      ['a1', 2],
      ['a2', 3],
    ]);
    expect(md.topics[0].partitions[0]).toMatchObject({ leader: 1, replicas: [1], isr: [1], partitionErrorCode: 0 });
    await admin.deleteTopics({ topics: ['a2'] });
    expect(await admin.listTopics()).not.toContain('a2');
    await expect(admin.createTopics({ topics: [{ topic: 'bad name!' }] })).rejects.toThrow(/invalid|Topic/i);
  });

  it('grows a topic with createPartitions and refuses to shrink it', async () => {
    await admin.createTopics({ topics: [{ topic: 'grow', numPartitions: 1 }] });
    await admin.createPartitions({ topicPartitions: [{ topic: 'grow', count: 4 }] });
    const md = await admin.fetchTopicMetadata({ topics: ['grow'] });
    expect(md.topics[0].partitions).toHaveLength(4);
    await expect(admin.createPartitions({ topicPartitions: [{ topic: 'grow', count: 2 }] })).rejects.toThrow();
    await produce('grow', [{ value: 'on partition 3', partition: 3 }]);
    const offsets = await admin.fetchTopicOffsets('grow');
    expect(offsets.find((o) => o.partition === 3)).toMatchObject({ low: '0', high: '1' });
  });

  it('describes and alters topic configs', async () => {
    await admin.createTopics({
      topics: [{ topic: 'cfg', configEntries: [{ name: 'retention.ms', value: '3600000' }] }],
    });
    const describe = async () => {
      const res = await admin.describeConfigs({ resources: [{ type: 2, name: 'cfg' }], includeSynonyms: false });
      return Object.fromEntries(res.resources[0].configEntries.map((c) => [c.configName, c]));
    };
    let cfg = await describe();
    expect(cfg['retention.ms']).toMatchObject({ configValue: '3600000', isDefault: false });
    expect(cfg['cleanup.policy']).toMatchObject({ configValue: 'delete', isDefault: true });
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: 2, name: 'cfg', configEntries: [{ name: 'segment.bytes', value: '1048576' }] }],
    });
    cfg = await describe();
    expect(cfg['segment.bytes'].configValue).toBe('1048576');
    // AlterConfigs replaces the whole set: retention.ms went back to its default
    expect(cfg['retention.ms'].isDefault).toBe(true);
    await expect(
      admin.alterConfigs({
        validateOnly: false,
        resources: [{ type: 2, name: 'cfg', configEntries: [{ name: 'no.such.config', value: '1' }] }],
      }),
    ).rejects.toThrow();
  });

  it('finds offsets by timestamp and deletes records', async () => {
    await admin.createTopics({ topics: [{ topic: 'timed', numPartitions: 1 }] });
    const base = Date.now() - 100_000;
    await produce(
      'timed',
      Array.from({ length: 10 }, (_, i) => ({ value: `v${i}`, timestamp: String(base + i * 1000) })),
    );
    const at = await admin.fetchTopicOffsetsByTimestamp('timed', base + 4500);
    expect(at).toEqual([{ partition: 0, offset: '5' }]);
    const exact = await admin.fetchTopicOffsetsByTimestamp('timed', base + 3000);
    expect(exact[0].offset).toBe('3');
    // after the last record: the high watermark
    const after = await admin.fetchTopicOffsetsByTimestamp('timed', base + 60_000);
    expect(after[0].offset).toBe('10');

    await admin.deleteTopicRecords({ topic: 'timed', partitions: [{ partition: 0, offset: '4' }] });
    const offsets = await admin.fetchTopicOffsets('timed');
    expect(offsets[0]).toMatchObject({ low: '4', high: '10' });
    const consumer = kafka.consumer({ groupId: 'after-delete', maxWaitTimeInMs: 500 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'timed', fromBeginning: true });
    const seen: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
    await until(() => seen.length >= 6, 15_000, 'the records after the deleted ones');
    await consumer.disconnect();
    expect(seen).toEqual(['v4', 'v5', 'v6', 'v7', 'v8', 'v9']);
  });

  it('lists and describes groups, fetches and resets their offsets, deletes them', async () => {
    await admin.createTopics({ topics: [{ topic: 'grp', numPartitions: 2 }] });
    await produce(
      'grp',
      Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })),
    );
    const consumer = kafka.consumer({
      groupId: 'readers',
      sessionTimeout: 6000,
      heartbeatInterval: 500,
      maxWaitTimeInMs: 500,
    });
    await consumer.connect();
    await consumer.subscribe({ topic: 'grp', fromBeginning: true });
    let count = 0;
    await consumer.run({ eachMessage: async () => void count++ });
    await until(() => count >= 20, 15_000, 'all 20 records');
    const live = (await admin.describeGroups(['readers'])).groups[0];
    expect(live).toMatchObject({
      groupId: 'readers',
      state: 'Stable',
      protocolType: 'consumer',
      protocol: 'RoundRobinAssigner',
    });
    expect(live.members).toHaveLength(1);
    expect((await admin.listGroups()).groups).toEqual(
      expect.arrayContaining([{ groupId: 'readers', protocolType: 'consumer' }]),
    );
    await until(
      async () => {
        const o = await admin.fetchOffsets({ groupId: 'readers', topics: ['grp'] });
        return o[0].partitions.reduce((n, p) => n + Number(p.offset), 0) === 20;
      },
      15_000,
      'committed offsets to reach 20',
    );
    await consumer.disconnect();

    expect((await admin.describeGroups(['readers'])).groups[0].state).toBe('Empty');
    // reset to earliest: the group reads everything again
    await admin.resetOffsets({ groupId: 'readers', topic: 'grp', earliest: true });
    const again = kafka.consumer({
      groupId: 'readers',
      sessionTimeout: 6000,
      heartbeatInterval: 500,
      maxWaitTimeInMs: 500,
    });
    await again.connect();
    await again.subscribe({ topic: 'grp', fromBeginning: true });
    let reread = 0;
    await again.run({ eachMessage: async () => void reread++ });
    await until(() => reread >= 20, 15_000, 'the 20 records read again after the reset');
    await again.disconnect();
    expect(reread).toBe(20);
    let o;
    await admin.setOffsets({ groupId: 'readers', topic: 'grp', partitions: [{ partition: 1, offset: '3' }] });
    o = await admin.fetchOffsets({ groupId: 'readers', topics: ['grp'] });
    expect(o[0].partitions.find((p) => p.partition === 1)!.offset).toBe('3');

    await admin.deleteGroups(['readers']);
    expect((await admin.listGroups()).groups.map((g) => g.groupId)).not.toContain('readers');
    o = await admin.fetchOffsets({ groupId: 'readers', topics: ['grp'] });
    expect(o[0].partitions.map((p) => p.offset)).toEqual(['-1', '-1']);
  });
});
