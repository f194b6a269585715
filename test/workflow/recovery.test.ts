// Crash and restart at the unit level, no Kafka: a service handles a prefix of a seeded world's records,
// "crashes" (its memory is lost), and a FRESH service rebuilds its state from what the log holds then (the
// service's recovery topics), gets the uncommitted tail of the prefix again (redelivery), and must then
// answer the rest of the records exactly as the uninterrupted service did: the same records, the same event
// ids. This is what a ServiceWorker does on each assignment (recover, global inputs, recovered(), consume).

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { TopicName } from '../../src/workflow/catalogue.js';
import { DEFAULT_WORKFLOW_CONFIG, createService, type WorkflowConfig } from '../../src/workflow/config.js';
import { eventIdOf, type AnyRecord } from '../../src/workflow/envelope.js';
import { createRandom } from '../../src/workflow/random.js';
import type { WorkflowService } from '../../src/workflow/service.js';
import { Bus } from './helpers/bus.js';
import { runWorld } from './helpers/world.js';

type Under = 'orders' | 'inventory' | 'payments' | 'shipping';
const UNDER_TEST: readonly Under[] = ['orders', 'inventory', 'payments', 'shipping'];

const CONFIG: WorkflowConfig = {
  ...DEFAULT_WORKFLOW_CONFIG,
  seed: 7,
  declineRate: 0.08,
  shipFailRate: 0.05,
  // short enough that some orders time out (40 inputs), so deadlines are recovered too
  timeoutMs: 80,
  dispatchAfterMs: 200,
  deliverAfterMs: 300,
  // small enough that some reservations fail for lack of stock
  initialStock: { 'SKU-MUG': 150, 'SKU-TEE': 120, 'SKU-HAT': 40, 'SKU-LAMP': 20 },
};

/** Virtual time at which the i-th input is handled. */
const T = (i: number) => 1_000 + i * 2;

/** Every record a seeded world published, in publish order. */
function worldRecords(): AnyRecord[] {
  const spy = vi.spyOn(Bus.prototype, 'publish');
  try {
    runWorld({ seed: 7, orders: 150, redeliveryRate: 0 });
    return spy.mock.calls.map(([record]) => record);
  } finally {
    spy.mockRestore();
  }
}

interface Clocked {
  service: WorkflowService;
  clock: { now: number };
}

function fresh(name: Under, label: string): Clocked {
  const clock = { now: 0 };
  return {
    service: createService(name, { now: () => clock.now, random: createRandom(`recovery:${name}:${label}`) }, CONFIG),
    clock,
  };
}

/** The uninterrupted service: what it published at start and after each input (handle, then tick). */
function reference(name: Under, inputs: readonly AnyRecord[]) {
  const { service, clock } = fresh(name, 'reference');
  clock.now = T(0);
  const initial = service.recovered(); // inventory stocks its initial units here
  const steps = inputs.map((record, i) => {
    clock.now = T(i);
    return [...service.handle(record), ...service.tick()];
  });
  return { initial, steps };
}

/**
 * A fresh service after a crash once inputs [0, crashAt) were handled, with offsets committed up to
 * `committed`: it recovers from the log as it stands (its own outputs so far and, for orders, the answers
 * consumed so far), folds the global inputs it follows (orders' stock view), publishes what recovered()
 * says is owed, is redelivered inputs [committed, crashAt), then handles the rest.
 */
function restart(
  name: Under,
  inputs: readonly AnyRecord[],
  ref: ReturnType<typeof reference>,
  crashAt: number,
  committed: number,
  reverseTopics: boolean,
  publishedOfLast?: number,
) {
  const { service, clock } = fresh(name, `restart-${crashAt}`);
  clock.now = T(crashAt - 1);
  // publishedOfLast: the crash cut the last handled input's outputs short after that many
  const last = ref.steps[crashAt - 1] ?? [];
  const published = [
    ...ref.initial,
    ...ref.steps.slice(0, crashAt - 1).flat(),
    ...last.slice(0, publishedOfLast ?? last.length),
  ];
  const consumed = inputs.slice(0, crashAt);
  const topics = [...service.recoveryTopics];
  if (reverseTopics) topics.reverse();
  const seen = new Set<string>();
  for (const topic of topics) {
    for (const r of [...published, ...consumed].filter((x) => x.topic === topic)) {
      const id = eventIdOf(r);
      if (id && seen.has(id)) continue;
      if (id) seen.add(id);
      service.recover(r);
    }
  }
  if (name === 'orders') for (const r of consumed) if (r.topic === 'inventory.stock') service.handle(r);
  const owed = service.recovered();
  const redelivered = consumed.slice(committed).flatMap((r) => service.handle(r));
  const rest = inputs.slice(crashAt).map((record, j) => {
    clock.now = T(crashAt + j);
    return [...service.handle(record), ...service.tick()];
  });
  return { owed, redelivered, rest };
}

const brief = (records: readonly AnyRecord[]) =>
  records.map(
    (r) =>
      `${r.topic}:${r.value.eventType}:${(r.value as { orderId?: string; sku?: string }).orderId ?? (r.value as { sku: string }).sku}:${eventIdOf(r)}`,
  );

describe('recovery after a crash, per service (no Kafka)', () => {
  let records: AnyRecord[];
  beforeAll(() => {
    records = worldRecords();
  });
  afterAll(() => vi.restoreAllMocks());

  for (const name of UNDER_TEST) {
    describe(name, () => {
      let inputs: AnyRecord[];
      let ref: ReturnType<typeof reference>;
      beforeAll(() => {
        const topics: readonly TopicName[] = fresh(name, 'topics').service.topics;
        inputs = records.filter((r) => topics.includes(r.topic));
        ref = reference(name, inputs);
      });

      it('has a world to work on: inputs, and outputs both before and after each crash point', () => {
        expect(inputs.length).toBeGreaterThan(300);
        for (const at of [0.25, 0.5, 0.8]) {
          const k = Math.floor(inputs.length * at);
          expect(ref.steps.slice(0, k).flat().length).toBeGreaterThan(0);
          expect(ref.steps.slice(k).flat().length).toBeGreaterThan(0);
        }
        if (name === 'orders') {
          const reasons = new Set(ref.steps.flat().map((r) => (r.value as { reason?: string | null }).reason));
          for (const reason of ['TIMEOUT', 'OUT_OF_STOCK', 'PAYMENT_DECLINED', 'FRAUD_SUSPECTED'])
            expect(reasons).toContain(reason);
        }
      });

      for (const at of [0.25, 0.5, 0.8]) {
        for (const reverseTopics of [false, true]) {
          it(`crash at ${at * 100}% of its inputs (recovery topics ${reverseTopics ? 'reversed' : 'in order'}): the fresh service carries on exactly`, () => {
            const crashAt = Math.floor(inputs.length * at);
            const committed = Math.max(0, crashAt - 12);
            const { owed, redelivered, rest } = restart(name, inputs, ref, crashAt, committed, reverseTopics);
            // nothing was left owed: the crash came between two handled records
            expect(brief(owed)).toEqual([]);
            // redelivered records whose outputs were published are no-ops
            expect(brief(redelivered)).toEqual([]);
            // the rest, step by step: same records, same ids
            const first = rest.findIndex((out, j) => JSON.stringify(out) !== JSON.stringify(ref.steps[crashAt + j]));
            if (first >= 0) {
              const i = crashAt + first;
              expect({ input: brief([inputs[i]])[0], at: i, outputs: brief(rest[first]) }).toEqual({
                input: brief([inputs[i]])[0],
                at: i,
                outputs: brief(ref.steps[i]),
              });
              expect(rest[first]).toEqual(ref.steps[i]);
            }
            expect(first).toBe(-1);
          });
        }
      }
    });
  }

  it('inventory, crash between a reservation and its stock levels: recovered() publishes the missing levels, then it carries on exactly', () => {
    const inputs = records.filter((r) => r.topic === 'orders');
    const ref = reference('inventory', inputs);
    const cut = ref.steps
      .map((out, i) => ({ out, i }))
      .filter(({ out, i }) => i > 50 && out[0]?.value.eventType === 'StockReserved' && out.length > 1)
      .slice(0, 5);
    expect(cut.length).toBe(5);
    for (const { out, i } of cut) {
      // StockReserved is published, its StockLevels are not; the OrderPlaced is not committed
      const { owed, redelivered, rest } = restart('inventory', inputs, ref, i + 1, i, false, 1);
      const level = (r: AnyRecord) => {
        const { sku, onHand, reserved, available, version, restocked } = r.value as unknown as Record<string, unknown>;
        return { topic: r.topic, eventType: r.value.eventType, sku, onHand, reserved, available, version, restocked };
      };
      // in any sku order: recovered() goes by sku, the handler by line
      const bySku = (a: { sku: unknown }, b: { sku: unknown }) => String(a.sku).localeCompare(String(b.sku));
      expect(owed.map(level).sort(bySku)).toEqual(out.slice(1).map(level).sort(bySku));
      expect(brief(redelivered)).toEqual([]);
      const first = rest.findIndex((o, j) => JSON.stringify(o) !== JSON.stringify(ref.steps[i + 1 + j]));
      expect(first, `first differing step after a cut at ${i}`).toBe(-1);
    }
  });
});
