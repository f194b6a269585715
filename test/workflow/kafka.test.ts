// The workflow on Kafka: seeded runs on the embedded broker with the in-process workers, checked on what
// the topics hold afterwards (outcomes, one order's path through every topic, dead letters, partition
// ownership). Each describe has its own bed; runs on one bed are told apart by their run tag.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TopicPartition } from '../../src/client/group-consumer.js';
import { HEADERS, groupTopics, isTerminal, type ServiceName } from '../../src/workflow/catalogue.js';
import type { WorkflowConfig } from '../../src/workflow/config.js';
import type { AnyRecord } from '../../src/workflow/envelope.js';
import { GHOST_SKU, createLoad, type PlannedOrder } from '../../src/workflow/load.js';
import { invalidDetails, orderTotal } from '../../src/workflow/order-state.js';
import { expectedOutcome, isExpected, type OutcomeConfig } from '../../src/workflow/outcome.js';
import { inProcessHost, type InstanceSet, type WorkerHost } from '../../src/workflow/runtime/hosts.js';
import { readTopics } from '../../src/workflow/runtime/read-back.js';
import { startInstances } from '../../src/workflow/runtime/runtime.js';
import {
  runSimulation,
  type SimulationOptions,
  type SimulationSummary,
} from '../../src/workflow/runtime/simulation.js';
import { DLQ_HEADERS, type ServiceWorker } from '../../src/workflow/runtime/worker.js';
import { paymentDeclined } from '../../src/workflow/services/payments.js';
import { parseChaos } from '../../src/workflow/sim-options.js';
import { startWorkflowBed, type WorkflowBed } from './helpers/cluster.js';
import {
  endOffsets,
  eventsOf,
  readUndecodable,
  readWorkflowLogs,
  recordsOf,
  type Logs,
} from './helpers/order-events.js';

const SEED = 42;
const SESSION_TIMEOUT_MS = 3_000;

function outcomeConfig(config: WorkflowConfig): OutcomeConfig {
  return {
    seed: config.seed,
    declineRate: config.declineRate,
    fraudLimit: config.fraudLimit,
    shipFailRate: config.shipFailRate,
    stockedSkus: new Set(Object.keys(config.initialStock)),
  };
}

/** The orders a run sent, re-drawn from its seed and run tag. */
function planOf(summary: SimulationSummary, count: number, extra: { poisonRate?: number } = {}): PlannedOrder[] {
  const load = createLoad({ seed: SEED, ...extra, runTag: summary.runTag ?? undefined });
  return Array.from({ length: count }, () => load.next());
}

/** Planned orders whose outcome the seed does not allow, with what they ended as. */
function unexpected(summary: SimulationSummary, plan: PlannedOrder[], config: WorkflowConfig) {
  const bad: { orderId: string; actual: unknown; accept: unknown }[] = [];
  for (const order of plan) {
    const expected = expectedOutcome(order, outcomeConfig(config));
    const actual = summary.outcomes.get(order.orderId);
    if (!actual || !isExpected(actual, expected))
      bad.push({ orderId: order.orderId, actual: actual ?? null, accept: expected.accept });
  }
  return bad;
}

const header = (r: AnyRecord, h: string) => r.headers[h];
const idOf = (r: AnyRecord) => header(r, HEADERS.eventId);
const causeOf = (r: AnyRecord) => header(r, HEADERS.causationId);

const isValid = (o: PlannedOrder) =>
  invalidDetails({
    eventType: 'OrderRequested',
    orderId: o.orderId,
    customerId: o.customerId,
    lines: o.lines,
    currency: o.currency,
    requestedAt: 0,
    reason: null,
  }) === undefined;
const hasGhost = (o: PlannedOrder) => o.lines.some((l) => l.sku === GHOST_SKU);

describe('on Kafka: seeded runs on one 3-partition bed', () => {
  let bed: WorkflowBed;
  beforeAll(async () => {
    bed = await startWorkflowBed({ seed: SEED });
  }, 30_000);
  afterAll(async () => bed?.close());

  const run = (options: Partial<SimulationOptions> & { load: SimulationOptions['load']; rate: number }) =>
    runSimulation({
      rt: bed.rt,
      admin: bed.admin,
      host: inProcessHost(bed.rt, { sessionTimeoutMs: SESSION_TIMEOUT_MS }),
      ...options,
    });

  // The 300-order run, shared by its own test and the path tests (they read its records back).
  let first: Promise<{ summary: SimulationSummary; plan: PlannedOrder[]; logs: Logs }> | undefined;
  const firstRun = () =>
    (first ??= (async () => {
      const since = await endOffsets(bed.rt, bed.rt.names.topics);
      const summary = await run({ load: { seed: SEED }, orders: 300, rate: 150 });
      return { summary, plan: planOf(summary, 300), logs: await readWorkflowLogs(bed.rt, since) };
    })());

  describe('a seeded run of 300 orders at 150/s', () => {
    it('breaks no invariant and ends every order as the seed implies', async () => {
      const { summary, plan } = await firstRun();
      expect(summary.violations).toEqual([]);
      expect(summary.orders.requested).toBe(300);
      expect(unexpected(summary, plan, bed.rt.config)).toEqual([]);
      const states = new Set([...summary.outcomes.values()].map((o) => o.state));
      expect(states).toContain('COMPLETED');
      expect(states).toContain('CANCELLED');
      const reasons = new Set(
        [...summary.outcomes.values()].filter((o) => o.state === 'REJECTED').map((o) => o.reason),
      );
      expect(reasons.size).toBeGreaterThanOrEqual(3);
    }, 90_000);
  });

  describe('paths, one order read back from every topic', () => {
    const pick = async (
      what: string,
      match: (o: PlannedOrder, outcome: { state: string; reason: string | null }) => boolean,
    ) => {
      const { summary, plan, logs } = await firstRun();
      const order = plan.find((o) => match(o, summary.outcomes.get(o.orderId) ?? { state: '', reason: null }));
      if (!order) throw new Error(`no order of the run took the ${what} path`);
      return { order, logs, events: eventsOf(logs, order.orderId) };
    };
    const config = () => bed.rt.config;
    const declined = (o: PlannedOrder) => paymentDeclined({ seed: SEED, declineRate: config().declineRate }, o.orderId);
    const overLimit = (o: PlannedOrder) => orderTotal(o.lines) > config().fraudLimit;

    it('out of stock: the ghost sku is refused by inventory, the order rejected and its payment voided if authorized', async () => {
      const { summary, plan, logs } = await firstRun();
      const refused = plan.filter(
        (o) => isValid(o) && hasGhost(o) && summary.outcomes.get(o.orderId)?.reason === 'OUT_OF_STOCK',
      );
      expect(refused.length).toBeGreaterThan(0);
      // at least one of them had its payment authorized first, so there was something to void
      expect(refused.some((o) => !declined(o))).toBe(true);
      for (const order of refused) {
        const events = eventsOf(logs, order.orderId);
        expect(events['inventory.reservations'], order.orderId).toEqual(['StockReservationFailed']);
        expect(events.orders, order.orderId).toEqual(['OrderPlaced', 'OrderRejected']);
        const rejected = recordsOf(logs, 'orders', order.orderId)[1];
        expect(rejected.value).toMatchObject({ state: 'REJECTED', reason: 'OUT_OF_STOCK' });
        expect(causeOf(rejected)).toBe(idOf(recordsOf(logs, 'inventory.reservations', order.orderId)[0]));
        if (declined(order)) expect(events.payments, order.orderId).toEqual(['PaymentDeclined']);
        else {
          expect(events.payments, order.orderId).toEqual(['PaymentAuthorized', 'PaymentVoided']);
          expect(causeOf(recordsOf(logs, 'payments', order.orderId)[1])).toBe(idOf(rejected));
        }
        expect(events.shipments, order.orderId).toBeUndefined();
      }
    });

    it('payment declined: the order is rejected and its reserved stock released', async () => {
      const { order, logs, events } = await pick(
        'payment declined',
        (o, out) => isValid(o) && !hasGhost(o) && !overLimit(o) && !o.cancel && out.reason === 'PAYMENT_DECLINED',
      );
      expect(events.payments).toEqual(['PaymentDeclined']);
      expect(events.orders).toEqual(['OrderPlaced', 'OrderRejected']);
      const rejected = recordsOf(logs, 'orders', order.orderId)[1];
      expect(rejected.value).toMatchObject({ state: 'REJECTED', reason: 'PAYMENT_DECLINED' });
      expect(events['inventory.reservations']).toEqual(['StockReserved', 'StockReleased']);
      expect(causeOf(recordsOf(logs, 'inventory.reservations', order.orderId)[1])).toBe(idOf(rejected));
      expect(events.shipments).toBeUndefined();
    });

    it('fraud: a failed check rejects the order, stock released and payment voided', async () => {
      const { order, logs, events } = await pick(
        'fraud',
        (o, out) =>
          isValid(o) && !hasGhost(o) && overLimit(o) && !declined(o) && !o.cancel && out.reason === 'FRAUD_SUSPECTED',
      );
      expect(events['fraud.checks']).toEqual(['FraudCheckFailed']);
      expect(events.orders).toEqual(['OrderPlaced', 'OrderRejected']);
      const rejected = recordsOf(logs, 'orders', order.orderId)[1];
      expect(rejected.value).toMatchObject({ state: 'REJECTED', reason: 'FRAUD_SUSPECTED' });
      expect(events['inventory.reservations']).toEqual(['StockReserved', 'StockReleased']);
      expect(events.payments).toEqual(['PaymentAuthorized', 'PaymentVoided']);
      expect(causeOf(recordsOf(logs, 'inventory.reservations', order.orderId)[1])).toBe(idOf(rejected));
      expect(causeOf(recordsOf(logs, 'payments', order.orderId)[1])).toBe(idOf(rejected));
      expect(events.shipments).toBeUndefined();
    });

    it('cancel: CancelRequested, OrderCancelPending, both compensations, then OrderCancelled', async () => {
      const { order, logs, events } = await pick(
        'cancel',
        (o, out) =>
          o.cancel && isValid(o) && !hasGhost(o) && !overLimit(o) && !declined(o) && out.state === 'CANCELLED',
      );
      expect(events['basket.order-requests']).toEqual(['OrderRequested', 'CancelRequested']);
      expect(events.orders).toEqual(['OrderPlaced', 'OrderCancelPending', 'OrderCancelled']);
      expect(events['inventory.reservations']).toEqual(['StockReserved', 'StockReleased']);
      expect(events.payments).toEqual(['PaymentAuthorized', 'PaymentVoided']);
      const [, pending, cancelled] = recordsOf(logs, 'orders', order.orderId);
      expect(pending.value).toMatchObject({ state: 'CANCEL_PENDING', cancelReason: 'CUSTOMER_REQUEST' });
      expect(cancelled.value).toMatchObject({ state: 'CANCELLED', cancelReason: 'CUSTOMER_REQUEST' });
      const released = recordsOf(logs, 'inventory.reservations', order.orderId)[1];
      const voided = recordsOf(logs, 'payments', order.orderId)[1];
      expect(causeOf(released)).toBe(idOf(pending));
      expect(causeOf(voided)).toBe(idOf(pending));
      // declared cancelled by the later of the two compensations
      expect([idOf(released), idOf(voided)]).toContain(causeOf(cancelled));
      expect(events.shipments).toBeUndefined();
    });

    it('completed: reserved, authorized, shipped, stock committed and payment captured', async () => {
      const { events } = await pick('completed', (_o, out) => out.state === 'COMPLETED');
      expect(events.orders).toEqual(['OrderPlaced', 'OrderConfirmed', 'OrderShipped', 'OrderCompleted']);
      expect(events['inventory.reservations']).toEqual(['StockReserved', 'StockCommitted']);
      expect(events.payments).toEqual(['PaymentAuthorized', 'PaymentCaptured']);
      expect(events['fraud.checks']).toEqual(['FraudCheckPassed']);
      expect(events.shipments).toEqual(['ShipmentScheduled', 'ShipmentDispatched', 'ShipmentDelivered']);
    });
  });

  describe('crash and restart (in-process kill) during a 400-order run at 200/s', () => {
    for (const service of ['payments', 'orders'] as const) {
      it(`kill ${service} at 1s for 1s: no violation, every order terminal, nothing placed or authorized twice`, async () => {
        const since = await endOffsets(bed.rt, bed.rt.names.topics);
        const logsBefore = bed.logs.length;
        const summary = await run({
          load: { seed: SEED },
          orders: 400,
          rate: 200,
          chaos: parseChaos(`kill ${service} at 1s for 1s`),
        });
        // the chaos did happen
        const chaosLines = bed.logs.slice(logsBefore).filter((l) => l.includes('chaos'));
        expect(chaosLines.some((l) => l.includes(`killing ${service}`))).toBe(true);
        expect(chaosLines.some((l) => l.includes(`${service} is back`))).toBe(true);

        expect(summary.violations).toEqual([]);
        const plan = planOf(summary, 400);
        const notTerminal = plan.filter((o) => {
          const out = summary.outcomes.get(o.orderId);
          return !out || !isTerminal(out.state);
        });
        expect(notTerminal.map((o) => o.orderId)).toEqual([]);

        const logs = await readWorkflowLogs(bed.rt, since);
        const ids = new Set(plan.map((o) => o.orderId));
        const twice = (topic: 'orders' | 'payments', eventType: string) => {
          const n = new Map<string, number>();
          for (const r of logs.get(topic) ?? []) {
            const orderId = (r.value as { orderId: string }).orderId;
            if (ids.has(orderId) && r.value.eventType === eventType) n.set(orderId, (n.get(orderId) ?? 0) + 1);
          }
          return [...n].filter(([, c]) => c > 1);
        };
        expect(twice('orders', 'OrderPlaced')).toEqual([]);
        expect(twice('payments', 'PaymentAuthorized')).toEqual([]);
        // every planned order was placed or rejected at once, exactly once
        const placed = new Set(
          (logs.get('orders') ?? [])
            .filter((r) => r.value.eventType === 'OrderPlaced')
            .map((r) => (r.value as { orderId: string }).orderId),
        );
        for (const o of plan) if (isValid(o)) expect(placed.has(o.orderId), o.orderId).toBe(true);
      }, 120_000);
    }
  });

  describe('poison records', () => {
    it('poisonRate 0.05 over 200 orders: each garbage record dead-lettered once, with where it came from', async () => {
      const { names } = bed.rt;
      const since = await endOffsets(bed.rt, [names.topic('basket.order-requests'), names.dlq('orders')]);
      const summary = await run({ load: { seed: SEED, poisonRate: 0.05 }, orders: 200, rate: 150 });
      expect(summary.violations).toEqual([]);
      expect(summary.poisonSent).toBeGreaterThan(0);
      expect(summary.deadLetters.orders).toBe(summary.poisonSent);
      expect(Object.keys(summary.deadLetters)).toEqual(['orders']);

      // nothing decodes on a dead-letter topic: they are no workflow topics
      const dead = await readUndecodable(bed.rt, [names.dlq('orders')], since);
      expect(dead).toHaveLength(summary.poisonSent);
      expect(summary.topics.deadLetters.orders).toBe('shop.dlq.orders');

      // the originals: this run's undecodable records of the basket's topic, by partition and offset
      const basket = await readTopics(bed.rt.cluster, bed.rt.codec, ['basket.order-requests'], since);
      const originals = new Map(
        basket.undecodable.map(({ record }) => [`${record.partition}@${record.offset}`, record]),
      );
      expect(originals.size).toBe(summary.poisonSent);

      const h = (r: (typeof dead)[number], key: string) =>
        r.headers.find((x) => x.key === key)?.value?.toString('utf8');
      const pointedAt = new Set<string>();
      for (const d of dead) {
        expect(h(d, DLQ_HEADERS.topic)).toBe('shop.basket.order-requests');
        expect(h(d, DLQ_HEADERS.service)).toBe('orders');
        expect(h(d, DLQ_HEADERS.attempts)).toBe('1');
        expect(h(d, DLQ_HEADERS.error)?.length ?? 0).toBeGreaterThan(0);
        const where = `${h(d, DLQ_HEADERS.partition)}@${h(d, DLQ_HEADERS.offset)}`;
        const original = originals.get(where);
        expect(original, `dead letter pointing at basket.order-requests ${where}`).toBeDefined();
        expect(Buffer.compare(d.value!, original!.value!)).toBe(0);
        expect(Buffer.compare(d.key!, original!.key!)).toBe(0);
        // the original's own headers travel with it
        for (const oh of original!.headers) expect(h(d, oh.key)).toBe(oh.value?.toString('utf8'));
        pointedAt.add(where);
      }
      expect(pointedAt.size).toBe(dead.length);

      expect(unexpected(summary, planOf(summary, 200, { poisonRate: 0.05 }), bed.rt.config)).toEqual([]);
    }, 90_000);
  });
});

describe('on Kafka: timeout while payments is stopped', () => {
  let bed: WorkflowBed;
  beforeAll(async () => {
    bed = await startWorkflowBed({ seed: SEED, timeoutMs: 1500 });
  }, 30_000);
  afterAll(async () => bed?.close());

  it('orders placed while payments is down end REJECTED TIMEOUT, then are voided and released', async () => {
    const rate = 100;
    const summary = await runSimulation({
      rt: bed.rt,
      admin: bed.admin,
      host: inProcessHost(bed.rt, { sessionTimeoutMs: SESSION_TIMEOUT_MS }),
      load: { seed: SEED },
      orders: 150,
      rate,
      chaos: parseChaos('stop payments at 0.5s for 4s'),
    });
    expect(summary.violations).toEqual([]);
    const plan = planOf(summary, 150);
    const logs = await readWorkflowLogs(bed.rt);
    const config = outcomeConfig(bed.rt.config);

    // Sent from 0.8 s (order n is due (n-1)/rate after the start, never sent earlier) to the end at 1.5 s:
    // well inside the 4 s payments is down.
    const window = plan.filter((o) => o.seq > 0.8 * rate);
    const wrong: unknown[] = [];
    for (const order of window) {
      // a failure that does not wait for payments still wins; else nothing decides before the deadline
      const fast = expectedOutcome(order, config).accept.filter(
        (a) =>
          a.state === 'CANCELLED' || ['OUT_OF_STOCK', 'FRAUD_SUSPECTED', 'INVALID_DETAILS'].includes(a.reason ?? ''),
      );
      const accept = fast.length ? fast : [{ state: 'REJECTED', reason: 'TIMEOUT' }];
      const actual = summary.outcomes.get(order.orderId);
      if (!actual || !isExpected(actual, { accept: accept as never }))
        wrong.push({ orderId: order.orderId, actual, accept });
    }
    expect(wrong).toEqual([]);

    const timedOut = plan.filter((o) => summary.outcomes.get(o.orderId)?.reason === 'TIMEOUT');
    expect(timedOut.length).toBeGreaterThanOrEqual(40);
    for (const order of timedOut) {
      const events = eventsOf(logs, order.orderId);
      expect(events.orders, order.orderId).toEqual(['OrderPlaced', 'OrderRejected']);
      const rejected = recordsOf(logs, 'orders', order.orderId)[1];
      // the payment arrives once payments is back: authorized, then voided by the rejection
      const declined = paymentDeclined({ seed: SEED, declineRate: bed.rt.config.declineRate }, order.orderId);
      expect(events.payments, order.orderId).toEqual(
        declined ? ['PaymentDeclined'] : ['PaymentAuthorized', 'PaymentVoided'],
      );
      if (!declined) expect(causeOf(recordsOf(logs, 'payments', order.orderId)[1])).toBe(idOf(rejected));
      expect(events['inventory.reservations'], order.orderId).toEqual(['StockReserved', 'StockReleased']);
      expect(causeOf(recordsOf(logs, 'inventory.reservations', order.orderId)[1])).toBe(idOf(rejected));
    }
    // Orders that payments answered before it stopped are untouched by the stop. Which ones those are is read
    // from the payments log (its answers' times, and the silence of the stop in them) rather than from when
    // each order was due: on a loaded machine an order due 0.2 s before the stop may reach payments after it.
    const answeredAt = (logs.get('payments') ?? []).map((r) => (r.value as { at: number }).at).sort((a, b) => a - b);
    let silence = { from: 0, ms: 0 };
    for (let i = 1; i < answeredAt.length; i++) {
      if (answeredAt[i] - answeredAt[i - 1] > silence.ms)
        silence = { from: answeredAt[i - 1], ms: answeredAt[i] - answeredAt[i - 1] };
    }
    expect(silence.ms).toBeGreaterThan(2000); // stopped for 4 s
    const answeredBefore = plan.filter((o) =>
      recordsOf(logs, 'payments', o.orderId).some((r) => (r.value as { at: number }).at <= silence.from),
    );
    expect(answeredBefore.length).toBeGreaterThanOrEqual(10);
    expect(unexpected(summary, answeredBefore, bed.rt.config)).toEqual([]);
  }, 120_000);
});

describe('on Kafka: two instances on a 4-partition bed', () => {
  let bed: WorkflowBed;
  beforeAll(async () => {
    bed = await startWorkflowBed({ seed: SEED }, 4);
  }, 30_000);
  afterAll(async () => bed?.close());

  /** Per topic, the partition numbers an instance owns. */
  const byTopic = (assigned: readonly TopicPartition[]) => {
    const out = new Map<string, number[]>();
    for (const { topic, partition } of assigned)
      out.set(
        topic,
        [...(out.get(topic) ?? []), partition].sort((a, b) => a - b),
      );
    return out;
  };

  it('instances of orders and payments split every topic of their group: disjoint, covering 0..3', async () => {
    const inner = inProcessHost(bed.rt, { sessionTimeoutMs: SESSION_TIMEOUT_MS });
    const sets: InstanceSet[] = [];
    const host: WorkerHost = {
      async start(service, count, latency) {
        const set = await inner.start(service, count, latency);
        sets.push(set);
        return set;
      },
    };
    // what each instance owned last while the run was going (the shutdown rebalances are of no interest)
    let snapshot = new Map<string, TopicPartition[][]>();
    const summary = await runSimulation({
      rt: bed.rt,
      admin: bed.admin,
      host,
      load: { seed: SEED },
      orders: 200,
      rate: 150,
      instances: { orders: 2, payments: 2 },
      progressEveryMs: 250,
      onProgress: () => {
        snapshot = new Map(sets.map((s) => [s.service, s.stats().map((st) => [...st.assigned])]));
      },
    });
    expect(summary.violations).toEqual([]);
    expect(unexpected(summary, planOf(summary, 200), bed.rt.config)).toEqual([]);

    for (const service of ['orders', 'payments'] as const) {
      const instances = snapshot.get(service);
      expect(instances, service).toHaveLength(2);
      const owned = instances!.map(byTopic);
      for (const topic of groupTopics(service as ServiceName).map(bed.rt.names.topic)) {
        const parts = owned.map((o) => o.get(topic) ?? []);
        expect(
          parts.every((p) => p.length > 0),
          `${service} ${topic}: ${JSON.stringify(parts)}`,
        ).toBe(true);
        expect(
          [...parts[0], ...parts[1]].sort((a, b) => a - b),
          `${service} ${topic}: ${JSON.stringify(parts)}`,
        ).toEqual([0, 1, 2, 3]);
      }
      // co-partitioned: an instance owns the same partition numbers on every topic of its group
      for (const o of owned) {
        const numbers = [...o.values()].map((p) => JSON.stringify(p));
        expect(new Set(numbers).size, `${service}: ${JSON.stringify([...o])}`).toBe(1);
      }
    }
  }, 120_000);

  it('one of two payments instances stops mid-run: the survivor takes every partition, nothing breaks', async () => {
    const inner = inProcessHost(bed.rt, { sessionTimeoutMs: SESSION_TIMEOUT_MS });
    let payments: ServiceWorker[] = [];
    const host: WorkerHost = {
      async start(service, count, latency) {
        if (service !== 'payments') return inner.start(service, count, latency);
        payments = await startInstances(bed.rt, 'payments', 2, { sessionTimeoutMs: SESSION_TIMEOUT_MS, latency }, 101);
        return {
          service,
          stop: async () => void (await Promise.all(payments.map((w) => w.stop()))),
          crash: async () => void (await Promise.all(payments.map((w) => w.crash()))),
          stats: () => payments.map((w) => w.stats),
        };
      },
    };
    let stopped = null as Promise<void> | null; // set in onProgress: not narrowed to null here
    let before: { first: TopicPartition[]; second: TopicPartition[] } | null = null;
    const summary = await runSimulation({
      rt: bed.rt,
      admin: bed.admin,
      host,
      load: { seed: SEED },
      orders: 300,
      rate: 150,
      progressEveryMs: 200,
      onProgress: (p) => {
        if (!stopped && p.sent >= 100) {
          before = { first: [...payments[0].stats.assigned], second: [...payments[1].stats.assigned] };
          stopped = payments[0].stop();
        }
      },
    });
    await stopped;
    expect(stopped).not.toBeNull();
    expect(summary.violations).toEqual([]);
    expect(unexpected(summary, planOf(summary, 300), bed.rt.config)).toEqual([]);

    const [first, survivor] = payments;
    // they had split the partitions before the stop, and both had worked
    expect(before!.first.length).toBeGreaterThan(0);
    expect(before!.second.length).toBeGreaterThan(0);
    expect(first.stats.handled).toBeGreaterThan(0);
    // the survivor owns all of orders' partitions, and rebuilt its state for them
    expect(byTopic(survivor.stats.assigned).get('shop.orders')).toEqual([0, 1, 2, 3]);
    expect(survivor.stats.recoveries).toBeGreaterThanOrEqual(2);
    expect(survivor.stats.handled).toBeGreaterThan(0);
  }, 120_000);
});
