// Static membership (KIP-345) against the broker with librdkafka (confluent-kafka-python): a restarted
// static member gets its partitions back with no rebalance, a duplicate instance id fences the live one.

import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker/broker.js';
import { startTestBroker } from '../helpers/broker.js';
import { hasConfluentKafka, PYTHON, run } from '../helpers/interop.js';

const script = fileURLToPath(new URL('confluent_static_members.py', import.meta.url));
const confluent = hasConfluentKafka();
let broker: RunningBroker;

beforeAll(async () => {
  if (confluent) broker = await startTestBroker({ inMemory: true });
});
afterAll(async () => {
  await broker?.close();
});

interface Outcome {
  first?: { a: number[]; b: number[] };
  restarted?: number[];
  events: Array<{ who: string; event: 'assign' | 'revoke'; partitions: number[] }>;
  errors: Record<string, Array<{ code: number; fatal: boolean; str: string }>>;
}

async function scenario(topic: string, group: string, mode: 'restart' | 'fence'): Promise<Outcome> {
  broker.state.logs.createTopic(topic, { numPartitions: 4 });
  const r = await run(PYTHON, [script, broker.bootstrap, topic, group, mode], { timeoutMs: 120_000 });
  expect(r.status, `${mode} failed: ${r.stdout}\n${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Outcome;
}

describe.skipIf(!confluent)('static members with confluent-kafka (librdkafka)', () => {
  it(
    'a restarted static member gets its old partitions back; the other member is never revoked',
    { timeout: 120_000 },
    async () => {
      const out = await scenario('static-restart', 'static-restart-g', 'restart');
      expect([...out.first!.a, ...out.first!.b].sort()).toEqual([0, 1, 2, 3]);
      expect(out.first!.a.length).toBe(2);
      expect(out.restarted).toEqual(out.first!.a);
      // b was assigned once and never revoked: no rebalance reached it.
      expect(out.events.filter((e) => e.who === 'b')).toEqual([
        { who: 'b', event: 'assign', partitions: out.first!.b },
      ]);
      expect(out.errors).toEqual({});
      const g = broker.state.groups.describeGroups(
        { groups: ['static-restart-g'], includeAuthorizedOperations: false },
        4,
      ).groups[0];
      expect(g.members.map((m) => [m.groupInstanceId, m.clientId]).sort()).toEqual([
        ['instance-a', 'a2'],
        ['instance-b', 'b'],
      ]);
    },
  );

  it('a second consumer with the same group.instance.id fences the live one', { timeout: 120_000 }, async () => {
    const out = await scenario('static-fence', 'static-fence-g', 'fence');
    // librdkafka turns FENCED_INSTANCE_ID into a fatal error (_FATAL, -150) of the fenced consumer
    const fatal = out.errors.x1.filter((e) => e.code === -150);
    expect(fatal.length).toBeGreaterThan(0);
    expect(fatal[0].str).toContain('Static consumer fenced by other consumer with same group.instance.id');
    expect(out.errors.x2 ?? []).toEqual([]);
    expect(out.events.filter((e) => e.who === 'x2' && e.event === 'assign').at(-1)!.partitions).toEqual([0, 1, 2, 3]);
  });
});
