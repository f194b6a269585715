// `evt trace` as a user runs it (the command run in process, --json parsed) against one workflow bed: a seeded run
// of 200 orders with poison records (every outcome but TIMEOUT), a short run with payments stopped and a
// 1 s order timeout (TIMEOUT), and last, orders placed while inventory is not running (stuck).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLoad, type PlannedOrder } from '../../src/workflow/load.js';
import { inProcessHost, type InstanceSet } from '../../src/workflow/runtime/hosts.js';
import { runSimulation, type SimulationSummary } from '../../src/workflow/runtime/simulation.js';
import { createBasket } from '../../src/workflow/services/basket.js';
import { paymentDeclined } from '../../src/workflow/services/payments.js';
import { GHOST_SKU } from '../../src/workflow/load.js';
import { invalidDetails, orderTotal } from '../../src/workflow/order-state.js';
import { createRandom } from '../../src/workflow/random.js';
import { parseChaos } from '../../src/workflow/sim-options.js';
import { until } from '../helpers/broker.js';
import { startWorkflowBed, type WorkflowBed } from '../workflow/helpers/cluster.js';
import { endOffsets, eventsOf, readWorkflowLogs } from '../workflow/helpers/order-events.js';
import { evtOn, only, onTopic, positions, traceJson, types, type StuckReport, type TraceResult } from './helpers.js';

const SEED = 42;
const ORDERS = 200;
const POISON_RATE = 0.05;
const SESSION_TIMEOUT_MS = 3_000;

let bed: WorkflowBed;
let dir: string;
let evt: ReturnType<typeof evtOn>;
let main: { summary: SimulationSummary; plan: PlannedOrder[] };
let timeouts: SimulationSummary;

beforeAll(async () => {
  bed = await startWorkflowBed({ seed: SEED });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'evt-trace-'));
  evt = evtOn(bed, dir);
  const host = () => inProcessHost(bed.rt, { sessionTimeoutMs: SESSION_TIMEOUT_MS });

  const summary = await runSimulation({
    rt: bed.rt,
    admin: bed.admin,
    host: host(),
    load: { seed: SEED, poisonRate: POISON_RATE },
    orders: ORDERS,
    rate: 150,
  });
  expect(summary.violations).toEqual([]);
  const load = createLoad({ seed: SEED, poisonRate: POISON_RATE, runTag: summary.runTag ?? undefined });
  main = { summary, plan: Array.from({ length: ORDERS }, () => load.next()) };

  // payments down from the start for 2.5 s, orders given 1 s: the orders sent end REJECTED TIMEOUT
  bed.rt.config.timeoutMs = 1_000;
  timeouts = await runSimulation({
    rt: bed.rt,
    admin: bed.admin,
    host: host(),
    load: { seed: SEED },
    orders: 30,
    rate: 100,
    chaos: parseChaos('stop payments at 0s for 2500ms'),
  });
  bed.rt.config.timeoutMs = 5_000;
}, 60_000);

afterAll(async () => {
  await bed?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const outcome = (o: PlannedOrder) => main.summary.outcomes.get(o.orderId);
const pick = (what: string, test: (o: PlannedOrder) => boolean): PlannedOrder => {
  const order = main.plan.find(test);
  if (!order) throw new Error(`no order of the run is ${what}`);
  return order;
};
const completed = () => pick('completed without poison', (o) => outcome(o)?.state === 'COMPLETED' && !o.poisonBefore);

/** i < j < k ... for the first index of each type (a group: each of its types after the previous and before the next). */
function expectInOrder(t: TraceResult, steps: (string | string[])[]): void {
  const list = types(t);
  let before = -1;
  for (const step of steps) {
    const group = Array.isArray(step) ? step : [step];
    const at = group.map((type) => list.indexOf(type));
    for (const [i, type] of group.entries())
      expect(at[i], `${type} after index ${before} in ${list.join(', ')}`).toBeGreaterThan(before);
    before = Math.max(...at);
  }
}

describe('evt trace <order-id> on the topics', () => {
  it('a COMPLETED order: the whole path in order, final verdict with its latency, causes linked, stock levels found', async () => {
    const order = completed();
    const t = await traceJson(evt, order.orderId);
    expect(t).toMatchObject({ id: order.orderId, entity: 'order', source: 'topics', found: true });
    expect(t.flow).toMatch(/flows\/shop\.json$/);
    expectInOrder(t, [
      'OrderRequested',
      'OrderPlaced',
      ['StockReserved', 'PaymentAuthorized', 'FraudCheckPassed'],
      'OrderConfirmed',
      'ShipmentScheduled',
      'ShipmentDispatched',
      'OrderShipped',
      'ShipmentDelivered',
      'OrderCompleted',
    ]);
    expect(onTopic(t, 'shop.orders')).toEqual(['OrderPlaced', 'OrderConfirmed', 'OrderShipped', 'OrderCompleted']);
    expect(onTopic(t, 'shop.payments')).toEqual(['PaymentAuthorized', 'PaymentCaptured']);
    expect(onTopic(t, 'shop.inventory.reservations')).toEqual(['StockReserved', 'StockCommitted']);
    expect(t.events.map((e) => e.n)).toEqual(t.events.map((_e, i) => i + 1));

    expect(t.verdict.status).toBe('final');
    expect(t.verdict.state).toBe('COMPLETED');
    expect(t.verdict.reason).toBeNull();
    // drained run: the capture and the commit are there, nothing is owed
    expect(t.verdict.waits).toEqual([]);
    expect(t.verdict.deadLetters).toEqual([]);
    const done = only(t, 'OrderCompleted');
    expect(t.verdict.latencyMs).toBeGreaterThan(0);
    expect(t.verdict.latencyMs).toBe(done.timestamp - t.events[0].timestamp);
    expect(t.verdict.summary).toMatch(/^COMPLETED after \d/);

    // every cause in the timeline is linked, and comes earlier
    const byId = new Map(t.events.filter((e) => e.eventId).map((e) => [e.eventId!, e]));
    let linked = 0;
    for (const e of t.events.slice(1)) {
      const cause = e.causationId ? byId.get(e.causationId) : undefined;
      if (!cause) continue;
      linked++;
      expect(e.causedBy, `${e.n} ${e.eventType}`).toBe(cause.n);
      expect(cause.n, `${e.n} ${e.eventType} caused by ${cause.n}`).toBeLessThan(e.n);
    }
    expect(linked).toBeGreaterThanOrEqual(12);
    expect(only(t, 'OrderPlaced').causedBy).toBe(only(t, 'OrderRequested').n);
    expect(only(t, 'OrderCompleted').causedBy).toBe(only(t, 'ShipmentDelivered').n);

    // stock levels, keyed by sku, found through the correlation header
    const levels = t.events.filter((e) => e.topic === 'shop.inventory.stock');
    expect(levels.length).toBeGreaterThan(0);
    const skus = new Set(order.lines.map((l) => l.sku));
    for (const e of levels) {
      expect(e.eventType).toBe('StockLevel');
      expect(e.headers['evt-correlation-id']).toBe(order.orderId);
      expect(skus.has(e.key!), `${e.key} among ${[...skus].join(', ')}`).toBe(true);
    }
    // the scan report: the order topics targeted on one partition (the flow says the order id is their key),
    // the stock levels (keyed by sku) read on the partitions of the order's skus from a margin before its first event
    const scanned = (topic: string) => t.scan.topics.find((s) => s.topic === topic)!;
    expect(scanned('shop.orders')).toMatchObject({ kind: 'keyed', targeted: true, partitionCount: 3 });
    expect(scanned('shop.orders').partitions).toHaveLength(1);
    expect(scanned('shop.orders').partitions[0].partition).toBe(only(t, 'OrderPlaced').partition);
    const stock = scanned('shop.inventory.stock');
    expect(stock).toMatchObject({
      kind: 'joined',
      targeted: true,
      why: `partitions of ${[...skus].sort().join(', ')} ($.lines[*].sku, murmur2)`,
    });
    expect(stock.partitions.length).toBeLessThanOrEqual(skus.size);
    for (const e of levels) expect(stock.partitions.map((p) => p.partition)).toContain(e.partition);
    expect(t.scan.notes).toContain(
      "flow: the bundled flow shop (the demo's topics are on this cluster; --no-flow to judge by conventions only)",
    );
    expect(t.scan.complete).toBe(true);
  });

  it('a REJECTED order for each reason of the run, with the answer that failed it; a CANCELLED order ends cancelled', async () => {
    const failing: Record<string, string | null> = {
      PAYMENT_DECLINED: 'PaymentDeclined',
      FRAUD_SUSPECTED: 'FraudCheckFailed',
      OUT_OF_STOCK: 'StockReservationFailed',
      INVALID_DETAILS: null,
    };
    const reasons = Object.keys(failing).filter((r) =>
      main.plan.some((o) => outcome(o)?.reason === r && !o.poisonBefore),
    );
    // seed 42 takes every one of them in its first 200 orders
    expect(reasons).toEqual(Object.keys(failing));
    const cancelled = pick(
      'cancelled by its customer',
      (o) =>
        o.cancel && outcome(o)?.state === 'CANCELLED' && !o.poisonBefore && !o.lines.some((l) => l.sku === GHOST_SKU),
    );
    const rejected = reasons.map((r) => pick(r, (o) => outcome(o)?.reason === r && !o.poisonBefore));
    const traces = await Promise.all([...rejected, cancelled].map((o) => traceJson(evt, o.orderId)));

    reasons.forEach((reason, i) => {
      const t = traces[i];
      const what = `${reason} ${t.id}: ${types(t).join(', ')}`;
      expect(t.verdict, what).toMatchObject({ status: 'final', state: 'REJECTED', reason });
      expect(t.verdict.summary).toContain(`REJECTED (${reason})`);
      const rejection = only(t, 'OrderRejected');
      expect(rejection.changes.reason, what).toEqual([null, reason]);
      const answer = failing[reason];
      if (answer) {
        const failed = only(t, answer);
        expect(failed.n, what).toBeLessThan(rejection.n);
        expect(rejection.causedBy, what).toBe(failed.n);
        expect(onTopic(t, 'shop.orders'), what).toEqual(['OrderPlaced', 'OrderRejected']);
      } else {
        // invalid: rejected on the request itself, never placed, nobody else involved
        expect(onTopic(t, 'shop.orders'), what).toEqual(['OrderRejected']);
        expect(rejection.causedBy, what).toBe(only(t, 'OrderRequested').n);
        expect(
          t.events.filter((e) =>
            ['shop.inventory.reservations', 'shop.payments', 'shop.fraud.checks'].includes(e.topic),
          ),
          what,
        ).toEqual([]);
      }
      expect(t.verdict.waits, what).toEqual([]);
    });

    const t = traces[traces.length - 1];
    const what = `${t.id}: ${types(t).join(', ')}`;
    expect(t.verdict, what).toMatchObject({ status: 'final', state: 'CANCELLED', reason: 'CUSTOMER_REQUEST' });
    expect(onTopic(t, 'shop.basket.order-requests'), what).toEqual(['OrderRequested', 'CancelRequested']);
    expect(onTopic(t, 'shop.orders'), what).toEqual(['OrderPlaced', 'OrderCancelPending', 'OrderCancelled']);
    expect(t.events.filter((e) => e.topic === 'shop.orders').at(-1)!.eventType).toBe('OrderCancelled');
    expect(only(t, 'OrderCancelPending').causedBy).toBe(only(t, 'CancelRequested').n);
    expect(only(t, 'StockReleased').causedBy).toBe(only(t, 'OrderCancelPending').n);
    expect(t.verdict.latencyMs).toBe(only(t, 'OrderCancelled').timestamp - t.events[0].timestamp);
  });

  it('a TIMEOUT order (payments stopped): REJECTED TIMEOUT, the late payment answered after the rejection and undone', async () => {
    const timedOut = [...timeouts.outcomes].filter(([, o]) => o.reason === 'TIMEOUT').map(([id]) => id);
    expect(timedOut.length).toBeGreaterThan(5);
    const t = await traceJson(evt, timedOut[0]);
    const what = `${t.id}: ${types(t).join(', ')}`;
    expect(t.verdict, what).toMatchObject({ status: 'final', state: 'REJECTED', reason: 'TIMEOUT' });
    expect(onTopic(t, 'shop.orders'), what).toEqual(['OrderPlaced', 'OrderRejected']);
    const rejection = only(t, 'OrderRejected');
    // 1 s order timeout: rejected at least that long after it was placed
    expect(rejection.timestamp - only(t, 'OrderPlaced').timestamp, what).toBeGreaterThanOrEqual(900);
    expect(t.verdict.latencyMs).toBe(rejection.timestamp - t.events[0].timestamp);
    const payment = t.events.filter((e) => e.topic === 'shop.payments');
    expect(payment.length, what).toBeGreaterThan(0);
    expect(payment[0].n, what).toBeGreaterThan(rejection.n);
    if (payment[0].eventType === 'PaymentAuthorized')
      expect(onTopic(t, 'shop.payments'), what).toEqual(['PaymentAuthorized', 'PaymentVoided']);
    else expect(onTopic(t, 'shop.payments'), what).toEqual(['PaymentDeclined']);
    expect(onTopic(t, 'shop.inventory.reservations'), what).toEqual(['StockReserved', 'StockReleased']);
    expect(t.verdict.waits, what).toEqual([]);
  });

  it('an order with a poison record: the dead letter of its request topic in shop.dlq.orders, named by the verdict', async () => {
    const order = pick('poisoned and settled', (o) => o.poisonBefore && outcome(o) !== undefined);
    const t = await traceJson(evt, order.orderId);
    const what = `${t.id}: ${types(t).join(', ')}`;
    // the garbage record itself, on the request topic, undecodable
    // (the simulation stamps it with the order's headers; its value is not the order's Avro request)
    const poison = t.events.filter((e) => e.eventId === `poison-${order.orderId}` && !e.deadLetter);
    expect(poison, what).toHaveLength(1);
    expect(poison[0].topic).toBe('shop.basket.order-requests');
    expect(poison[0].n).toBeLessThan(only(t, 'OrderPlaced').n);
    expect(
      poison[0].error !== undefined || (poison[0].value as { eventType?: unknown } | null)?.eventType === undefined,
      JSON.stringify(poison[0].value),
    ).toBe(true);
    const dead = t.events.filter((e) => e.deadLetter);
    expect(dead, what).toHaveLength(1);
    expect(dead[0].topic).toBe('shop.dlq.orders');
    expect(dead[0].deadLetter).toMatchObject({
      scheme: 'evt',
      topic: 'shop.basket.order-requests',
      partition: poison[0].partition,
      offset: poison[0].offset,
      by: 'orders',
    });
    expect(dead[0].deadLetter!.error.length).toBeGreaterThan(0);
    expect(dead[0].n).toBeGreaterThan(poison[0].n);
    expect(t.verdict.deadLetters).toEqual([
      {
        n: dead[0].n,
        dlq: 'shop.dlq.orders',
        by: 'orders',
        origin: `shop.basket.order-requests-${poison[0].partition}@${poison[0].offset}`,
        error: dead[0].deadLetter!.error,
        exception: null,
      },
    ]);
    expect(t.verdict.summary).toContain(
      `dead letters: shop.basket.order-requests-${poison[0].partition}@${poison[0].offset} in shop.dlq.orders by orders (`,
    );
    // the poison did not stop the order
    expect(t.verdict.status).toBe('final');
    expect(t.verdict.state).toBe(outcome(order)!.state);
    const dlq = t.scan.topics.find((s) => s.topic === 'shop.dlq.orders')!;
    expect(dlq).toMatchObject({ kind: 'dead-letter', targeted: false });
  });

  it('an unknown order exits 4 with one line on stderr, after a complete scan', async () => {
    const r = await evt(['--json', 'trace', 'o-nope-000000']);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/^evt: order o-nope-000000 not found in a complete scan of \d+ topics \(\d+ records\)\n$/);
    const t = JSON.parse(r.stdout) as TraceResult;
    expect(t).toMatchObject({
      id: 'o-nope-000000',
      entity: 'order',
      found: false,
      events: [],
      verdict: { status: 'not-found' },
    });
    expect(t.scan.complete).toBe(true);
    expect(t.scan.recordsExamined).toBeGreaterThan(0);
    const plain = await evt(['trace', 'o-nope-000000']);
    expect(plain.code).toBe(4);
    expect(plain.stdout).toContain('verdict: not found');
  });

  it('targeting the murmur2 partition finds what --all-partitions finds, reading less', async () => {
    const orders = [
      completed(),
      pick('rejected', (o) => outcome(o)?.state === 'REJECTED'),
      pick('poisoned', (o) => o.poisonBefore && outcome(o) !== undefined),
    ];
    for (const order of orders) {
      const [targeted, all] = await Promise.all([
        traceJson(evt, order.orderId),
        traceJson(evt, order.orderId, '--all-partitions'),
      ]);
      expect(targeted.events.length).toBeGreaterThan(3);
      expect(positions(targeted), order.orderId).toEqual(positions(all));
      expect(targeted.scan.recordsExamined, order.orderId).toBeLessThan(all.scan.recordsExamined);
      const orderTopic = (t: TraceResult) => t.scan.topics.find((s) => s.topic === 'shop.orders')!;
      expect(orderTopic(targeted).partitions.map((p) => p.partition)).toHaveLength(1);
      expect(orderTopic(all).partitions.map((p) => p.partition)).toEqual([0, 1, 2]);
      expect(orderTopic(all).why).toBe('all partitions (--all-partitions)');
      expect(orderTopic(targeted).why).toBe(`partition of key ${order.orderId} (murmur2)`);
    }
  });

  it('--format table and mermaid show the events; an unknown format is a usage error', async () => {
    const order = completed();
    const [plain, table, mermaid, bad] = await Promise.all([
      evt(['trace', order.orderId]),
      evt(['trace', order.orderId, '--format', 'table']),
      evt(['trace', order.orderId, '--format', 'mermaid']),
      evt(['trace', order.orderId, '--format', 'nope']),
    ]);
    const wanted = [
      'OrderRequested',
      'OrderPlaced',
      'StockReserved',
      'PaymentAuthorized',
      'FraudCheckPassed',
      'OrderConfirmed',
      'ShipmentDispatched',
      'OrderShipped',
      'OrderCompleted',
    ];
    for (const r of [plain, table, mermaid]) {
      expect(r.code, r.stderr).toBe(0);
      for (const type of wanted) expect(r.stdout).toContain(type);
    }
    expect(plain.stdout).toMatch(
      new RegExp(`^order ${order.orderId}: \\d+ events \\(from the topics; flow .*shop\\.json\\)`),
    );
    expect(plain.stdout).toMatch(/^verdict: COMPLETED after /m);
    expect(table.stdout).toMatch(/^\s*#\s+TIME\s+DELTA\s+SINCE START\s+TOPIC/m);
    expect(mermaid.stdout.startsWith('sequenceDiagram\n')).toBe(true);
    expect(mermaid.stdout).toMatch(/^ {2}participant orders as orders$/m);
    expect(mermaid.stdout).toMatch(/^ {2}orders->>payments: #\d+ PaymentAuthorized /m);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toBe('evt: --format must be one of timeline, table, mermaid, not nope\n');
  });

  it('from an up-to-date entity index of the bundled flow: the same events as from the topics', async () => {
    const db = path.join(dir, 'v.db');
    const replay = await evt(['replay', 'entities', '--db', db], 60_000);
    expect(replay.code, replay.stderr).toBe(0);
    const order = completed();
    const [fromView, fromTopics] = await Promise.all([
      traceJson(evt, order.orderId, '--db', db),
      traceJson(evt, order.orderId),
    ]);
    expect(fromView.source).toBe('entity index');
    expect(fromView.scan.notes.some((n) => n.includes(`answered by the entity index in ${db}`))).toBe(true);
    expect(fromTopics.source).toBe('topics');
    expect(fromView.events.map((e) => `${e.topic}-${e.partition}@${e.offset}`)).toEqual(
      fromTopics.events.map((e) => `${e.topic}-${e.partition}@${e.offset}`),
    );
    expect(types(fromView)).toEqual(types(fromTopics));
    expect(fromView.verdict).toMatchObject({
      status: 'final',
      state: 'COMPLETED',
      latencyMs: fromTopics.verdict.latencyMs,
      waits: [],
    });
    // the view does not hold the order topics' records to scan
    expect(fromView.scan.topics.map((s) => s.topic)).not.toContain('shop.orders');
    expect(fromView.scan.recordsExamined).toBeLessThan(fromTopics.scan.recordsExamined);
  });
});

describe('evt trace while inventory is not running', () => {
  const sets: InstanceSet[] = [];
  const stuck: PlannedOrder[] = [];

  beforeAll(async () => {
    // nothing may time out while the test looks
    bed.rt.config.timeoutMs = 120_000;
    const host = inProcessHost(bed.rt, { sessionTimeoutMs: SESSION_TIMEOUT_MS });
    for (const service of ['orders', 'payments', 'fraud', 'shipping'] as const) sets.push(await host.start(service, 1));

    // valid, stocked, under the fraud limit, not declined, not cancelled: only inventory's answer is missing
    const load = createLoad({ seed: SEED, runTag: 'stuck' });
    const config = bed.rt.config;
    while (stuck.length < 3) {
      const o = load.next();
      const request = {
        eventType: 'OrderRequested' as const,
        orderId: o.orderId,
        customerId: o.customerId,
        lines: o.lines,
        currency: o.currency,
        requestedAt: 0,
        reason: null,
      };
      if (
        o.cancel ||
        invalidDetails(request) !== undefined ||
        o.lines.some((l) => l.sku === GHOST_SKU) ||
        orderTotal(o.lines) > config.fraudLimit
      )
        continue;
      if (paymentDeclined({ seed: config.seed, declineRate: config.declineRate }, o.orderId)) continue;
      stuck.push(o);
    }
    const since = await endOffsets(bed.rt, [
      'shop.basket.order-requests',
      'shop.orders',
      'shop.payments',
      'shop.fraud.checks',
      'shop.inventory.reservations',
      'shop.inventory.stock',
      'shop.shipments',
    ]);
    const basket = createBasket({ now: Date.now, random: createRandom('stuck:basket') });
    for (const o of stuck)
      await bed.rt.producer.send('shop.basket.order-requests', {
        ...bed.rt.codec.encode(basket.requestOrder(o)),
        timestamp: Date.now(),
      });
    await until(
      async () => {
        const logs = await readWorkflowLogs(bed.rt, since);
        return stuck.every((o) => {
          const e = eventsOf(logs, o.orderId);
          return e.orders?.[0] === 'OrderPlaced' && e.payments?.length === 1 && e['fraud.checks']?.length === 1;
        });
      },
      20_000,
      'the stuck orders placed and answered by payments and fraud',
    );
  }, 60_000);

  afterAll(async () => {
    await Promise.all(sets.map((s) => s.stop().catch(() => {})));
  });

  it('a PLACED order waits for inventory: its group has not consumed the OrderPlaced, with the lag', async () => {
    const t = await traceJson(evt, stuck[0].orderId);
    const what = `${t.id}: ${types(t).join(', ')}`;
    expect(onTopic(t, 'shop.orders'), what).toEqual(['OrderPlaced']);
    expect(onTopic(t, 'shop.inventory.reservations'), what).toEqual([]);
    expect(t.verdict.status).toBe('waiting');
    expect(t.verdict.state).toBe('PLACED');
    expect(t.verdict.latencyMs).toBeNull();
    expect(t.verdict.idleMs).toBeGreaterThanOrEqual(0);
    expect(t.verdict.waits.map((w) => w.service)).toEqual(['inventory']);
    const w = t.verdict.waits[0];
    const placed = only(t, 'OrderPlaced');
    expect(w).toMatchObject({
      service: 'inventory',
      groups: ['shop.inventory-service'],
      expects: ['StockReserved', 'StockReservationFailed'],
      followUp: false,
      diagnosis: 'not-consumed',
      trigger: {
        n: placed.n,
        topic: 'shop.orders',
        partition: placed.partition,
        offset: placed.offset,
        eventType: 'OrderPlaced',
      },
    });
    const [p] = w.positions;
    expect(p).toMatchObject({ group: 'shop.inventory-service', members: 0, consumed: false });
    // it ran before: it committed up to where the earlier runs ended, before this order's OrderPlaced
    expect(p.committed).not.toBeNull();
    expect(p.committed!).toBeLessThanOrEqual(placed.offset);
    expect(p.lag!).toBeGreaterThan(0);
    expect(p.lag!).toBeGreaterThanOrEqual(placed.offset + 1 - p.committed!);
    expect(w.detail).toContain(
      `shop.inventory-service has not consumed OrderPlaced (shop.orders-${placed.partition}@${placed.offset}) yet: it is at offset ${p.committed} on shop.orders-${placed.partition}, lag ${p.lag}`,
    );
    expect(w.detail).toContain('no member running');
    expect(t.verdict.summary).toMatch(
      /^PLACED for .+, waiting for StockReserved or StockReservationFailed from inventory: shop.inventory-service has not consumed OrderPlaced/,
    );

    const plain = await evt(['trace', stuck[0].orderId]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^verdict: PLACED, waiting for /m);
    expect(plain.stdout).toMatch(
      /^ {2}waiting for StockReserved or StockReservationFailed from inventory: shop.inventory-service has not consumed/m,
    );
  });

  it('--stuck lists the orders waiting for inventory', async () => {
    const r = await evt(['--json', 'trace', '--stuck', '--older-than', '0s']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as StuckReport;
    expect(report.source).toBe('topics');
    expect(report.recordsExamined).toBeGreaterThan(ORDERS);
    const ids = stuck.map((o) => o.orderId);
    expect(report.entity).toBe('order');
    const listed = report.entities.filter((o) => ids.includes(o.id));
    expect(listed.map((o) => o.id).sort()).toEqual([...ids].sort());
    for (const o of listed) {
      expect(o.state).toBe('PLACED');
      expect(o.waitingFor).toEqual(['inventory: StockReserved or StockReservationFailed']);
      expect(o.ageMs).toBeGreaterThanOrEqual(0);
    }
    // the settled orders of the earlier runs are not listed
    expect(report.entities.filter((o) => !ids.includes(o.id))).toEqual([]);

    const later = await evt(['--json', 'trace', '--stuck', '--older-than', '1h']);
    expect((JSON.parse(later.stdout) as StuckReport).entities).toEqual([]);
    const usage = await evt(['trace', stuck[0].orderId, '--stuck']);
    expect(usage.code).toBe(2);
  });
});

describe('on a compacted inventory.stock', () => {
  it('the topic is created compacted; once cleaned, trace still reads the order and the stock levels left', async () => {
    const topic = 'shop.inventory.stock';
    const described = await evt(['--json', 'topics', 'describe', topic]);
    expect(described.code, described.stderr).toBe(0);
    expect(described.stdout).toContain('{"name":"cleanup.policy","value":"compact","source":"topic"}');

    const { logs } = bed.broker.state;
    const read = async () => {
      const r = await evt(['tail', topic, '--from', 'beginning', '--until', 'end', '--json']);
      expect(r.code, r.stderr).toBe(0);
      return r.stdout
        .trim()
        .split('\n')
        .map(
          (l) => JSON.parse(l) as { partition: number; offset: number; key: string; headers: Record<string, string> },
        );
    };
    const before = await read();
    for (let p = 0; p < 3; p++) logs.partition(topic, p)!.rollIfOlderThan(Date.now() + 1, 0);
    const stats = await logs.compactNow();
    expect(stats.filter((s) => s.partition.startsWith(topic)).length).toBeGreaterThan(0);
    const after = await read();
    const skus = new Set(before.map((r) => r.key));
    expect(after.length).toBeLessThan(before.length);
    expect(after.length).toBe(skus.size); // one level per sku: the latest

    // the latest level of a sku belongs to some order: its trace finds exactly that record
    const latest = after.reduce((a, b) => (b.offset > a.offset ? b : a));
    const orderId = latest.headers['evt-correlation-id'];
    const t = await traceJson(evt, orderId);
    const levels = t.events.filter((e) => e.topic === topic);
    expect(levels.map((e) => `${e.partition}@${e.offset}`)).toContain(`${latest.partition}@${latest.offset}`);
    // a view of the latest level per sku replays the cleaned log (gaps included) to the same latest records
    const db = path.join(dir, 'stock.db');
    const replay = await evt(['replay', 'latest', topic, '--db', db]);
    expect(replay.code, replay.stderr).toBe(0);
    const row = await evt(['--json', 'view', 'get', `latest-${topic}`, latest.key, '--db', db]);
    expect(row.code, row.stderr).toBe(0);
    expect(row.stdout).toContain(orderId);
    // an order whose levels were all superseded still traces, to its verdict
    const c = await traceJson(evt, completed().orderId);
    expect(c.verdict.summary).toMatch(/^COMPLETED after \d/);
  });
});
