// evt's group consumer on the real in-process broker: co-partitioned and singleton assignment, at-least-once
// commits, pause/resume, and rebalancing when a member stops.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AssignerProtocol, type Admin, type Consumer, type PartitionAssigner, type Producer } from 'kafkajs';
import type { RunningBroker } from '../../src/broker/broker.js';
import {
  assignCopartitioned,
  assignRange,
  assignSingleton,
  type GroupConsumer,
  type GroupConsumerOptions,
  type MessageBatch,
  type TopicPartition,
} from '../../src/client/group-consumer.js';
import { createWireGroupConsumer } from '../../src/client/wire/group-consumer.js';
import { sleep } from '../../src/common/time.js';
import type { ConnectionSettings } from '../../src/client/settings.js';
import { kafkaFor, startBrokerWithClients, until, type BrokerWithClients } from '../helpers/broker.js';

let bed: BrokerWithClients;
let broker: RunningBroker;
let admin: Admin;
let producer: Producer;
const consumers: GroupConsumer[] = [];

/** A broker (and kafkajs admin and producer) of its own for the enclosing describe block. */
function withBroker(): void {
  beforeAll(async () => {
    bed = await startBrokerWithClients();
    ({ broker, admin, producer } = bed);
  });
  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((c) => c.stop()));
  });
  afterAll(async () => {
    await bed?.close();
  });
}

// member ids start with the client id: it fixes the members' order in the group
const settings = (clientId: string): ConnectionSettings => ({
  brokers: [broker.bootstrap],
  clientId,
  timeoutMs: 10_000,
  source: 'test',
});

function consumerWith(
  options: Omit<GroupConsumerOptions, 'sessionTimeoutMs' | 'heartbeatIntervalMs' | 'maxWaitMs'>,
  clientId = 'evt-test',
): GroupConsumer {
  const c = createWireGroupConsumer(settings(clientId), {
    sessionTimeoutMs: 3000,
    heartbeatIntervalMs: 200,
    maxWaitMs: 200,
    ...options,
  });
  consumers.push(c);
  return c;
}

async function createTopics(partitions: number, ...topics: string[]): Promise<void> {
  await admin.createTopics({
    waitForLeaders: true,
    topics: topics.map((topic) => ({ topic, numPartitions: partitions })),
  });
}

async function produce(topic: string, values: string[]): Promise<void> {
  await producer.send({ topic, messages: values.map((v, i) => ({ key: `k${i % 17}`, value: v })) });
}

const values = (prefix: string, from: number, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}-${from + i}`);
const partitionsOf = (assigned: TopicPartition[], topic: string) =>
  assigned.filter((a) => a.topic === topic).map((a) => a.partition);

describe('assignment', () => {
  const counts = { a: 6, b: 6, c: 6 };

  it.each([1, 2, 4])(
    'copartitioned over %i members: same partition numbers on every topic, each partition once',
    (n) => {
      const members = Array.from({ length: n }, (_, i) => `member-${String.fromCharCode(100 - i)}`);
      const result = assignCopartitioned(members, counts);
      expect(Object.keys(result).sort()).toEqual([...members].sort());
      const seen: string[] = [];
      for (const member of members) {
        const byTopic = result[member];
        expect(byTopic.b ?? []).toEqual(byTopic.a ?? []);
        expect(byTopic.c ?? []).toEqual(byTopic.a ?? []);
        // evenly: 6 over 4 is 2,2,1,1
        expect((byTopic.a ?? []).length).toBeGreaterThanOrEqual(Math.floor(6 / n));
        expect((byTopic.a ?? []).length).toBeLessThanOrEqual(Math.ceil(6 / n));
        for (const [topic, ps] of Object.entries(byTopic)) seen.push(...ps.map((p) => `${topic}/${p}`));
      }
      expect(seen.sort()).toEqual(['a', 'b', 'c'].flatMap((t) => [0, 1, 2, 3, 4, 5].map((p) => `${t}/${p}`)).sort());
      // deterministic whatever order the members are listed in
      expect(assignCopartitioned([...members].reverse(), counts)).toEqual(result);
    },
  );

  it("range: Kafka's RangeAssignor, topic by topic over the members subscribed to it", () => {
    // the example of RangeAssignor's javadoc: two topics of three partitions, two members
    const both = ['t0', 't1'];
    expect(
      assignRange(
        [
          { memberId: 'C1', topics: both },
          { memberId: 'C0', topics: both },
        ],
        { t0: 3, t1: 3 },
      ),
    ).toEqual({ C0: { t0: [0, 1], t1: [0, 1] }, C1: { t0: [2], t1: [2] } });
    // a member gets only topics it subscribed to; more members than partitions leaves some empty
    expect(
      assignRange(
        [
          { memberId: 'a', topics: ['x'] },
          { memberId: 'b', topics: ['x', 'y'] },
          { memberId: 'c', topics: ['x'] },
        ],
        { x: 2, y: 4 },
      ),
    ).toEqual({ a: { x: [0] }, b: { x: [1], y: [0, 1, 2, 3] }, c: {} });
  });

  it('singleton: everything to one member, and the owner stays the owner when another joins', () => {
    const all = { a: [0, 1, 2, 3, 4, 5], b: [0, 1, 2, 3, 4, 5], c: [0, 1, 2, 3, 4, 5] };
    const fresh = assignSingleton(
      [
        { memberId: 'm-2', owns: false },
        { memberId: 'm-1', owns: false },
      ],
      counts,
    );
    expect(fresh).toEqual({ 'm-1': all, 'm-2': {} });
    // m-0 sorts first but joins later: m-2 owns everything and keeps it
    const sticky = assignSingleton(
      [
        { memberId: 'm-0', owns: false },
        { memberId: 'm-2', owns: true },
        { memberId: 'm-1', owns: false },
      ],
      counts,
    );
    expect(sticky).toEqual({ 'm-0': {}, 'm-1': {}, 'm-2': all });
  });
});

describe('on the broker', () => {
  withBroker();
  const consumer = consumerWith;

  it('copartitioned: partition p of both topics goes to one member, every record once, and a stop hands everything over', async () => {
    await createTopics(4, 'co-a', 'co-b');
    const handled: { member: string; topic: string; partition: number; value: string }[] = [];
    const latest = new Map<string, TopicPartition[]>();
    const member = (name: string) => {
      const c = consumer({ groupId: 'co', topics: ['co-a', 'co-b'], strategy: 'copartitioned' });
      c.onAssignment((assigned) => latest.set(name, assigned));
      return {
        c,
        handler: async (b: MessageBatch) =>
          void handled.push(
            ...b.records.map((r) => ({
              member: name,
              topic: b.topic,
              partition: b.partition,
              value: r.value!.toString(),
            })),
          ),
      };
    };
    const a = member('a');
    const b = member('b');
    await a.c.start(a.handler);
    await b.c.start(b.handler);
    await until(
      () => latest.get('a')?.length === 4 && latest.get('b')?.length === 4,
      20_000,
      'both members to own 4 partitions',
    );
    for (const name of ['a', 'b']) {
      const assigned = latest.get(name)!;
      expect(partitionsOf(assigned, 'co-a')).toEqual(partitionsOf(assigned, 'co-b'));
    }
    expect(a.c.assignment()).toEqual(latest.get('a'));

    const sent = [...values('co-a', 0, 200), ...values('co-b', 0, 200)];
    await produce('co-a', values('co-a', 0, 200));
    await produce('co-b', values('co-b', 0, 200));
    await until(() => handled.length >= 400, 20_000, '400 records');
    expect(handled.map((h) => h.value).sort()).toEqual([...sent].sort());
    const ownerOf = new Map<number, Set<string>>();
    for (const h of handled) {
      expect(h.value.startsWith(h.topic)).toBe(true);
      ownerOf.set(h.partition, (ownerOf.get(h.partition) ?? new Set()).add(h.member));
    }
    expect([...ownerOf.keys()].sort()).toEqual([0, 1, 2, 3]);
    for (const owners of ownerOf.values()) expect(owners.size).toBe(1);
    expect(new Set(handled.map((h) => h.member))).toEqual(new Set(['a', 'b']));

    await a.c.stop();
    await until(() => latest.get('b')?.length === 8, 20_000, 'b to own all 8 partitions');
    handled.length = 0;
    await produce('co-a', values('co-a', 200, 50));
    await produce('co-b', values('co-b', 200, 50));
    await until(() => handled.length >= 100, 20_000, '100 more records');
    expect(handled.map((h) => h.value).sort()).toEqual([...values('co-a', 200, 50), ...values('co-b', 200, 50)].sort());
    expect(new Set(handled.map((h) => h.member))).toEqual(new Set(['b']));
  });

  it('at-least-once: a rejected batch is not committed and comes again to the next member; acknowledged ones do not', async () => {
    await createTopics(1, 'alo');
    const first: string[] = [];
    const errors: Error[] = [];
    const c1 = consumer({ groupId: 'alo', topics: ['alo'], strategy: 'singleton' });
    c1.onError((err) => errors.push(err));
    await c1.start(async (b) => {
      const vs = b.records.map((r) => r.value!.toString());
      if (vs.includes('alo-5')) throw new Error('handler failed');
      first.push(...vs);
    });
    await produce('alo', values('alo', 0, 5));
    await until(() => first.length >= 5, 20_000, 'the first 5 records');
    await produce('alo', values('alo', 5, 5));
    await until(() => errors.length > 0, 20_000, 'the handler error');
    expect(errors.map((e) => e.message)).toEqual(['handler failed']);
    await c1.stop();
    expect(first).toEqual(values('alo', 0, 5));

    const again: { offset: number; value: string }[] = [];
    const c2 = consumer({ groupId: 'alo', topics: ['alo'], strategy: 'singleton' });
    await c2.start(
      async (b) => void again.push(...b.records.map((r) => ({ offset: r.offset, value: r.value!.toString() }))),
    );
    await until(() => again.length >= 5, 20_000, 'the redelivered batch');
    expect(again).toEqual(values('alo', 5, 5).map((value, i) => ({ offset: 5 + i, value })));
  });

  it('singleton: one member owns everything, the other nothing, and stopping the owner moves it all', async () => {
    await createTopics(3, 'one-a', 'one-b');
    const latest = new Map<string, TopicPartition[]>();
    const handledBy = new Map<string, string>();
    const member = (name: string) => {
      // b sorts first: only stickiness keeps everything with a when b joins
      const c = consumer(
        { groupId: 'one', topics: ['one-a', 'one-b'], strategy: 'singleton' },
        `${name === 'a' ? 'z' : 'a'}-member`,
      );
      c.onAssignment((assigned) => latest.set(name, assigned));
      return {
        c,
        handler: async (b: MessageBatch) => void b.records.forEach((r) => handledBy.set(r.value!.toString(), name)),
      };
    };
    const everything = ['one-a', 'one-b'].flatMap((topic) => [0, 1, 2].map((partition) => ({ topic, partition })));
    const a = member('a');
    const b = member('b');
    await a.c.start(a.handler);
    await b.c.start(b.handler);
    await until(
      () => latest.get('a')?.length === 6 && latest.get('b')?.length === 0,
      20_000,
      'a to keep everything when b joins',
    );
    expect(a.c.assignment()).toEqual(everything);
    expect(b.c.assignment()).toEqual([]);

    await produce('one-a', values('one-a', 0, 30));
    await until(() => handledBy.size >= 30, 20_000, '30 records');
    expect(new Set(handledBy.values())).toEqual(new Set(['a']));

    await a.c.stop();
    await until(() => latest.get('b')?.length === 6, 20_000, 'b to take everything');
    expect(b.c.assignment()).toEqual(everything);
    await produce('one-b', values('one-b', 0, 30));
    await until(() => handledBy.size >= 60, 20_000, '30 more records');
    expect(values('one-b', 0, 30).map((v) => handledBy.get(v))).toEqual(Array(30).fill('b'));
  });

  it('pause() before and after start holds records back until resume()', async () => {
    await createTopics(2, 'held');
    const handled: string[] = [];
    const c = consumer({ groupId: 'held', topics: ['held'], strategy: 'copartitioned' });
    c.pause();
    await c.start(async (b) => void handled.push(...b.records.map((r) => r.value!.toString())));
    await produce('held', values('held', 0, 20));
    // several fetch waits (200 ms each): an unpaused consumer would have had them all by now
    await sleep(1500);
    expect(handled).toEqual([]);
    c.resume();
    await until(() => handled.length >= 20, 20_000, 'the records after resume');
    expect([...handled].sort()).toEqual(values('held', 0, 20).sort());

    c.pause();
    await produce('held', values('held', 20, 10));
    await sleep(1500);
    expect(handled.length).toBe(20);
    c.resume();
    await until(() => handled.length >= 30, 20_000, 'the records after the second resume');
    expect([...handled].sort()).toEqual(values('held', 0, 30).sort());
    // stop is idempotent
    await Promise.all([c.stop(), c.stop()]);
  });

  it('a partition the group never committed starts where startOffset says; committed ones resume where they were', async () => {
    await createTopics(2, 'start-at');
    await producer.send({
      topic: 'start-at',
      messages: [0, 1].flatMap((partition) => values(`p${partition}`, 0, 10).map((value) => ({ partition, value }))),
    });
    await admin.setOffsets({ groupId: 'start-at', topic: 'start-at', partitions: [{ partition: 0, offset: '8' }] });
    const firstOffset = new Map<number, number>();
    const c = consumer({
      groupId: 'start-at',
      topics: ['start-at'],
      strategy: 'copartitioned',
      startOffset: (_topic, partition) => (partition === 1 ? 6 : 0),
    });
    await c.start(
      async (b) => void (firstOffset.has(b.partition) || firstOffset.set(b.partition, b.records[0].offset)),
    );
    await until(() => firstOffset.size === 2, 20_000, 'records of both partitions');
    expect(Object.fromEntries(firstOffset)).toEqual({ 0: 8, 1: 6 });
  });

  it('a handler that stops part-way has the offset it stopped at committed, not the end of the batch', async () => {
    await createTopics(1, 'part-way');
    await produce('part-way', values('pw', 0, 10));
    const c = consumer({ groupId: 'part-way', topics: ['part-way'], strategy: 'singleton' });
    let batches = 0;
    await c.start(async (b) => {
      batches++;
      // the three first records of the partition, then nothing more
      return Math.min(3, b.records[b.records.length - 1].offset + 1);
    });
    await until(() => batches > 0, 20_000, 'a batch');
    await c.stop();
    const [committed] = await admin.fetchOffsets({ groupId: 'part-way', topics: ['part-way'] });
    expect(committed.partitions).toEqual([expect.objectContaining({ partition: 0, offset: '3' })]);
  });

  it('stop() during a handler waits for it, commits its batch and leaves', async () => {
    await createTopics(1, 'slow');
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const seen: number[] = [];
    const c1 = consumer({ groupId: 'slow', topics: ['slow'], strategy: 'singleton' });
    await c1.start(async (b) => {
      seen.push(...b.records.map((r) => r.offset));
      await released;
    });
    await produce('slow', values('slow', 0, 3));
    await until(() => seen.length >= 3, 20_000, 'the batch to reach the handler');
    let stopped = false;
    const stopping = c1.stop().then(() => (stopped = true));
    await sleep(300);
    expect(stopped).toBe(false);
    release();
    await Promise.all([stopping, c1.stop()]);
    const [committed] = await admin.fetchOffsets({ groupId: 'slow', topics: ['slow'] });
    expect(committed.partitions).toEqual([expect.objectContaining({ partition: 0, offset: '3' })]);
    expect((await admin.describeGroups(['slow'])).groups[0].members).toEqual([]);
  });
});

/**
 * evt's copartitioned assignor for a kafkajs consumer, written with kafkajs' own encoders of Kafka's consumer
 * protocol: a kafkajs member and a wire member can only share a group if both encode it the same way.
 */
const kafkajsCopartitioned: PartitionAssigner = ({ cluster }) => ({
  name: 'evt-copartitioned',
  version: 1,
  protocol: ({ topics }) => ({
    name: 'evt-copartitioned',
    metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.from([0]) }),
  }),
  async assign({ members, topics }) {
    const counts = Object.fromEntries(topics.map((t) => [t, cluster.findTopicPartitionMetadata(t).length]));
    return Object.entries(
      assignCopartitioned(
        members.map((m) => m.memberId),
        counts,
      ),
    ).map(([memberId, assignment]) => ({
      memberId,
      memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 1, assignment, userData: Buffer.alloc(0) }),
    }));
  },
});

describe('a kafkajs member and a wire member in one group', () => {
  withBroker();
  let kafkajsMember: Consumer | undefined;
  afterAll(async () => {
    await kafkajsMember?.disconnect();
  });

  it('copartitioned: they share the partitions and every record is handled once', async () => {
    await createTopics(4, 'mix-a', 'mix-b');
    const handled: { member: string; topic: string; partition: number; value: string }[] = [];
    const latest = new Map<string, TopicPartition[]>();

    const k = kafkaFor(broker, { clientId: 'evt-kafkajs' }).consumer({
      groupId: 'mix',
      partitionAssigners: [kafkajsCopartitioned],
      sessionTimeout: 3000,
      heartbeatInterval: 200,
      maxWaitTimeInMs: 200,
    });
    kafkajsMember = k;
    k.on(k.events.GROUP_JOIN, (e) => {
      const assigned = Object.entries(e.payload.memberAssignment).flatMap(([topic, ps]) =>
        ps.map((partition) => ({ topic, partition })),
      );
      latest.set('kafkajs', assigned);
    });
    await k.connect();
    await k.subscribe({ topics: ['mix-a', 'mix-b'], fromBeginning: true });
    await k.run({
      eachBatch: async ({ batch }) =>
        void handled.push(
          ...batch.messages.map((m) => ({
            member: 'kafkajs',
            topic: batch.topic,
            partition: batch.partition,
            value: m.value!.toString(),
          })),
        ),
    });
    await until(() => latest.has('kafkajs'), 20_000, 'the kafkajs member to join');

    const w = consumerWith({ groupId: 'mix', topics: ['mix-a', 'mix-b'], strategy: 'copartitioned' }, 'evt-wire');
    w.onAssignment((assigned) => latest.set('wire', assigned));
    await w.start(
      async (b) =>
        void handled.push(
          ...b.records.map((r) => ({
            member: 'wire',
            topic: b.topic,
            partition: b.partition,
            value: r.value!.toString(),
          })),
        ),
    );
    await until(
      () => latest.get('kafkajs')?.length === 4 && latest.get('wire')?.length === 4,
      20_000,
      'both members to own 4 partitions',
    );
    for (const name of ['kafkajs', 'wire']) {
      const assigned = latest.get(name)!;
      expect(partitionsOf(assigned, 'mix-a').sort()).toEqual(partitionsOf(assigned, 'mix-b').sort());
    }
    expect(
      [...partitionsOf(latest.get('kafkajs')!, 'mix-a'), ...partitionsOf(latest.get('wire')!, 'mix-a')].sort(),
    ).toEqual([0, 1, 2, 3]);

    const sent = [...values('mix-a', 0, 200), ...values('mix-b', 0, 200)];
    await produce('mix-a', values('mix-a', 0, 200));
    await produce('mix-b', values('mix-b', 0, 200));
    await until(() => handled.length >= 400, 20_000, '400 records');
    await sleep(500); // a duplicate would show up here
    expect(handled.map((h) => h.value).sort()).toEqual([...sent].sort());
    const ownerOf = new Map<number, Set<string>>();
    for (const h of handled) ownerOf.set(h.partition, (ownerOf.get(h.partition) ?? new Set()).add(h.member));
    for (const owners of ownerOf.values()) expect(owners.size).toBe(1);
    expect(new Set(handled.map((h) => h.member))).toEqual(new Set(['kafkajs', 'wire']));
  });
});
