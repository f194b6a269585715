// `evt groups`: list, describe (members, assignments, lag), reset (dry run, --execute, every target, refusal
// while active) and delete, checked against what kafkajs sees on the broker.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Admin, Consumer, Kafka } from 'kafkajs';
import type { RunningBroker } from '../../src/broker/broker.js';
import { kafkaFor, startTestBroker, until } from '../helpers/broker.js';
import { evt, json, sandbox, type Sandbox } from '../helpers/admin.js';

let broker: RunningBroker;
let kafka: Kafka;
let admin: Admin;
let sb: Sandbox;
const run = (...args: string[]) => evt(['--brokers', broker.bootstrap, ...args], { sb });

const TOPIC = 'events';
const BASE = Date.parse('2024-05-01T00:00:00Z');
const PER_PARTITION = 10;

async function committed(groupId: string, topic = TOPIC): Promise<number[]> {
  const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return t.partitions.sort((a, b) => a.partition - b.partition).map((p) => Number(p.offset));
}
async function commit(groupId: string, offsets: number[], topic = TOPIC): Promise<void> {
  await admin.setOffsets({
    groupId,
    topic,
    partitions: offsets.map((o, partition) => ({ partition, offset: String(o) })),
  });
}

beforeAll(async () => {
  broker = await startTestBroker({ inMemory: true });
  sb = sandbox();
  kafka = kafkaFor(broker);
  admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [
      { topic: TOPIC, numPartitions: 3 },
      { topic: 'other', numPartitions: 1 },
    ],
  });
  const producer = kafka.producer();
  await producer.connect();
  // record i of every partition has the timestamp BASE + i seconds
  const messages = [];
  for (let p = 0; p < 3; p++)
    for (let i = 0; i < PER_PARTITION; i++)
      messages.push({ partition: p, value: `${p}-${i}`, timestamp: String(BASE + i * 1000) });
  await producer.send({ topic: TOPIC, messages });
  await producer.send({ topic: 'other', messages: [{ value: 'a' }, { value: 'b' }] });
  await producer.disconnect();
  await commit('billing', [4, 10, 0]);
  await commit('billing', [1], 'other');
});
afterAll(async () => {
  await admin?.disconnect();
  await broker?.close();
});

interface Described {
  group: string;
  state: string;
  members: { clientId: string; host: string; assignments: { topic: string; partitions: number[] }[] }[];
  partitions: { topic: string; partition: number; committed: number | null; high: number | null; lag: number | null }[];
  topics: { topic: string; partitions: number; lag: number | null }[];
  lag: number | null;
}

describe('evt groups', () => {
  it('describe: lag per partition = high watermark - committed, per topic and in total', async () => {
    const r = await run('groups', 'describe', 'billing', '--json');
    expect(r.code).toBe(0);
    const d = json<Described>(r);
    expect(d.state).toBe('Empty');
    expect(d.members).toEqual([]);
    expect(d.partitions.filter((p) => p.topic === TOPIC).map((p) => [p.partition, p.committed, p.high, p.lag])).toEqual(
      [
        [0, 4, 10, 6],
        [1, 10, 10, 0],
        [2, 0, 10, 10],
      ],
    );
    expect(d.topics).toEqual([
      { topic: TOPIC, partitions: 3, lag: 16 },
      { topic: 'other', partitions: 1, lag: 1 },
    ]);
    expect(d.lag).toBe(17);

    const human = await run('groups', 'describe', 'billing');
    expect(human.stdout).toMatch(/^lag\s+17$/m);
    expect(human.stdout).toMatch(/^TOPIC\s+PARTITION\s+COMMITTED\s+HIGH\s+LAG\s+CLIENT ID$/m);
    expect(human.stdout).toMatch(/^events\s+0\s+4\s+10\s+6\s+-$/m);
    expect(human.stdout).toMatch(/^events\s+3\s+16$/m);
  });

  it('list: state, members and total lag of every group', async () => {
    const r = await run('groups', 'list', '--json');
    expect(r.code).toBe(0);
    expect(json(r).groups).toContainEqual(
      expect.objectContaining({ group: 'billing', state: 'Empty', members: 0, lag: 17 }),
    );
    const human = await run('groups', 'list');
    expect(human.stdout).toMatch(/^GROUP\s+STATE\s+MEMBERS\s+PROTOCOL\s+LAG$/m);
    expect(human.stdout).toMatch(/^billing\s+Empty\s+0\s+\S+\s+17$/m);
  });

  it('unknown groups are exit 4', async () => {
    for (const args of [
      ['groups', 'describe', 'ghost'],
      ['groups', 'reset', 'ghost', '--topic', TOPIC, '--to', 'earliest'],
      ['groups', 'delete', 'ghost', '--yes'],
    ]) {
      const r = await run(...args);
      expect(r.code, args.join(' ')).toBe(4);
      expect(r.stderr).toBe('evt: group "ghost" not found\n');
    }
    const topic = await run('groups', 'reset', 'billing', '--topic', 'ghost-topic', '--to', 'earliest');
    expect(topic.code).toBe(4);
  });

  it('reset without --execute prints the plan and changes nothing', async () => {
    const r = await run('groups', 'reset', 'billing', '--topic', TOPIC, '--to', 'earliest');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^TOPIC\s+PARTITION\s+CURRENT\s+NEW\s+CHANGE/m);
    expect(r.stdout).toMatch(/^events\s+0\s+4\s+0\s+-4$/m);
    expect(r.stdout).toMatch(/^events\s+2\s+0\s+0\s+\+0$/m);
    expect(r.stderr).toBe('dry run: nothing changed; add --execute to commit these 3 offsets for group billing\n');
    expect(await committed('billing')).toEqual([4, 10, 0]);

    const j = json(await run('groups', 'reset', 'billing', '--all-topics', '--to', 'latest', '--json'));
    expect(j).toMatchObject({ group: 'billing', target: 'latest', executed: false });
    expect(j.partitions).toEqual([
      { topic: TOPIC, partition: 0, current: 4, new: 10 },
      { topic: TOPIC, partition: 1, current: 10, new: 10 },
      { topic: TOPIC, partition: 2, current: 0, new: 10 },
      { topic: 'other', partition: 0, current: 1, new: 2 },
    ]);
    expect(await committed('billing')).toEqual([4, 10, 0]);
    expect(await committed('billing', 'other')).toEqual([1]);
  });

  it('reset --execute commits concrete offsets: earliest, latest, an offset, --shift-by, @time', async () => {
    const reset = async (...args: string[]) => {
      const r = await run('groups', 'reset', 'billing', '--topic', TOPIC, ...args, '--execute');
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      expect(r.stderr).toMatch(/^reset group billing to .*: committed 3 offsets\n$/);
      return committed('billing');
    };
    expect(await reset('--to', 'latest')).toEqual([10, 10, 10]);
    expect(await reset('--to', 'earliest')).toEqual([0, 0, 0]);
    expect(await reset('--to', '5')).toEqual([5, 5, 5]);
    expect(await reset('--shift-by', '-2')).toEqual([3, 3, 3]);
    expect(await reset('--shift-by=4')).toEqual([7, 7, 7]);
    expect(await reset('--shift-by', '100')).toEqual([10, 10, 10]); // kept within the log
    // the first record at or after BASE + 6.5 s is record 7 of each partition
    expect(await reset('--to', `@${BASE + 6500}`)).toEqual([7, 7, 7]);
    expect(await reset('--to', '@2024-05-01T00:00:02Z')).toEqual([2, 2, 2]);
    expect(await reset('--to', '@2030-01-01T00:00:00Z')).toEqual([10, 10, 10]); // after every record: the end
    // an offset beyond the log is clamped, and the plan says so
    const clamped = await run('groups', 'reset', 'billing', '--topic', TOPIC, '--to', '50');
    expect(clamped.stdout).toContain('clamped to the latest offset 10');
    // the other topic was not touched
    expect(await committed('billing', 'other')).toEqual([1]);

    // every topic of the group at once
    const all = await run('groups', 'reset', 'billing', '--all-topics', '--to', 'earliest', '--execute', '--json');
    expect(all.code).toBe(0);
    expect(json(all)).toMatchObject({ executed: true, target: 'earliest' });
    expect(await committed('billing')).toEqual([0, 0, 0]);
    expect(await committed('billing', 'other')).toEqual([0]);
  });

  it('reset and delete refuse while the group has active members; describe shows the members and assignments', async () => {
    const consumer: Consumer = kafka.consumer({ groupId: 'live', sessionTimeout: 6000, heartbeatInterval: 500 });
    await consumer.connect();
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    await consumer.run({ eachMessage: async () => {} });
    try {
      await until(
        async () => (await admin.describeGroups(['live'])).groups[0].state === 'Stable',
        20_000,
        'a stable group',
      );
      const d = json<Described>(await run('groups', 'describe', 'live', '--json'));
      expect(d.state).toBe('Stable');
      expect(d.members).toHaveLength(1);
      expect(d.members[0]).toMatchObject({
        clientId: 'evt-test',
        assignments: [{ topic: TOPIC, partitions: [0, 1, 2] }],
      });
      expect(d.partitions.map((p) => p.partition)).toEqual([0, 1, 2]);

      const human = await run('groups', 'describe', 'live');
      expect(human.stdout).toMatch(/^MEMBER\s+CLIENT ID\s+HOST\s+ASSIGNMENT$/m);
      expect(human.stdout).toMatch(/evt-test\s+\S+\s+events:0,1,2$/m);

      const before = await committed('live');
      const reset = await run('groups', 'reset', 'live', '--topic', TOPIC, '--to', 'earliest', '--execute');
      expect(reset.code).toBe(1);
      expect(reset.stderr).toBe(
        'evt: group live has 1 active member (state Stable): stop its consumers before resetting its offsets\n',
      );
      expect(await committed('live')).toEqual(before);

      const del = await run('groups', 'delete', 'live', '--yes');
      expect(del.code).toBe(1);
      expect(del.stderr).toMatch(
        /^evt: cannot delete live \(1 members, state Stable\): stop its consumers first; nothing was deleted\n$/,
      );
    } finally {
      await consumer.disconnect();
    }
  });

  it('delete needs --yes without a terminal, then removes the group and its offsets', async () => {
    const refused = await run('groups', 'delete', 'billing');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      'evt: refusing to delete group billing without confirmation: pass --yes (there is no terminal to ask on)\n',
    );
    const ok = await run('groups', 'delete', 'billing', '--yes');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe('deleted group billing\n');
    expect((await admin.listGroups()).groups.map((g) => g.groupId)).not.toContain('billing');
    expect((await run('groups', 'describe', 'billing')).code).toBe(4);
  });

  it('usage errors: no topic scope, both --to and --shift-by, a bad --to', async () => {
    expect((await run('groups', 'reset', 'g', '--to', 'earliest')).stderr).toMatch(/--topic <topic>.*--all-topics/);
    expect((await run('groups', 'reset', 'g', '--topic', 't', '--to', 'earliest', '--shift-by', '1')).code).toBe(2);
    const bad = await run('groups', 'reset', 'g', '--topic', 't', '--to', 'yesterday');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^evt: --to: "yesterday" is not earliest, latest/);
  });
});
