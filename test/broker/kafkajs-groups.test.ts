// A kafkajs consumer group on the real broker: rebalances when a member leaves and when one is killed.

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import readline from 'node:readline';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Consumer } from 'kafkajs';
import type { RunningBroker } from '../../src/broker/broker.js';
import { kafkaFor, startTestBroker, until } from '../helpers/broker.js';

let broker: RunningBroker;
let child: ChildProcess | undefined;

beforeAll(async () => {
  broker = await startTestBroker();
});
afterAll(async () => {
  child?.kill('SIGKILL');
  await broker?.close();
});

it('a group of 3 rebalances when one member leaves and when one is killed, and every record is processed', async () => {
  const kafka = kafkaFor(broker);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'work', numPartitions: 6 }] });
  const processed = new Set<string>();
  const assignments = new Map<string, number[]>();

  const startLocal = async (name: string): Promise<Consumer> => {
    const c = kafka.consumer({
      groupId: 'workers',
      sessionTimeout: 3000,
      heartbeatInterval: 300,
      rebalanceTimeout: 6000,
      maxWaitTimeInMs: 500,
    });
    c.on(c.events.GROUP_JOIN, (e) => assignments.set(name, e.payload.memberAssignment.work ?? []));
    await c.connect();
    await c.subscribe({ topic: 'work', fromBeginning: true });
    await c.run({ eachMessage: async ({ message }) => void processed.add(message.value!.toString()) });
    return c;
  };
  const a = await startLocal('a');
  const b = await startLocal('b');
  child = spawn(
    process.execPath,
    [fileURLToPath(new URL('../fixtures/group-consumer.mjs', import.meta.url)), broker.bootstrap, 'workers', 'work'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  readline.createInterface({ input: child.stdout! }).on('line', (line) => {
    const e = JSON.parse(line);
    if (e.event === 'record') processed.add(e.value);
    if (e.event === 'assigned') assignments.set('c', e.partitions);
  });

  const described = async () => (await admin.describeGroups(['workers'])).groups[0];
  await until(
    async () => {
      const g = await described();
      return g.state === 'Stable' && g.members.length === 3 && assignments.get('c')?.length;
    },
    30_000,
    'a stable group of three',
  );
  const total = () => [...assignments.values()].reduce((n, p) => n + p.length, 0);
  expect(total()).toBe(6);
  expect(assignments.get('c')!.length).toBeGreaterThan(0);

  const producer = kafka.producer();
  await producer.connect();
  let next = 0;
  const sendSome = async (n: number) => {
    const messages = Array.from({ length: n }, () => ({ key: `k${next % 13}`, value: String(next++) }));
    await producer.send({ topic: 'work', messages });
  };
  await sendSome(100);
  await until(() => processed.size >= 100, 20_000, 'the first 100 records');

  // killed: no LeaveGroup, so the broker must notice the missed session timeout
  child.kill('SIGKILL');
  await sendSome(100);
  await until(
    async () => {
      const g = await described();
      return g.state === 'Stable' && g.members.length === 2;
    },
    30_000,
    'the group to drop the killed member',
  );

  // leaves: a clean LeaveGroup
  await b.disconnect();
  await sendSome(100);
  await until(
    async () => {
      const g = await described();
      return g.state === 'Stable' && g.members.length === 1;
    },
    30_000,
    'the group to drop the member that left',
  );
  await until(() => assignments.get('a')?.length === 6, 10_000, 'a to own all 6 partitions');

  await until(() => processed.size >= 300, 30_000, 'every record processed');
  expect([...processed].map(Number).sort((x, y) => x - y)).toEqual(Array.from({ length: 300 }, (_, i) => i));
  await producer.disconnect();
  await a.disconnect();
  await admin.disconnect();
});
