// The dashboard's live source against a real in-process broker running the workflow: a one-shot snapshot
// after a seeded run agrees with the run's own summary and with the topics, the live source sees inventory
// stopped (lag, stuck orders waiting for it) and recovered, trace works through it, close stops it; and the
// aggregator stays bounded however much it is fed (no broker).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, EARLIEST, LATEST } from '../../src/client/wire/index.js';
import { RegistryDecoder } from '../../src/codec/registry-codec.js';
import { type ValueCodec } from '../../src/codec/value-codec.js';
import { createValueCodec } from '../../src/codec/create-codec.js';
import {
  ORDER_EVENTS,
  REJECTION_REASONS,
  SERVICES,
  TERMINAL_STATES,
  TOPIC_NAMES,
  WORKER_SERVICES,
} from '../../src/workflow/catalogue.js';
import { inProcessHost } from '../../src/workflow/runtime/hosts.js';
import { runSimulation, type SimulationSummary } from '../../src/workflow/runtime/simulation.js';
import { parseChaos } from '../../src/workflow/sim-options.js';
import { FEED_CAPACITY, HISTORY_CAPACITY, type SimulationStatus, type Snapshot } from '../../src/tui/source.js';
import { TailAggregator } from '../../src/tui/live/aggregator.js';
import { tailEvent } from './scene.js';
import { workflowFlow } from '../../src/workflow/flow.js';
import { createLiveSource, takeSnapshot } from '../../src/tui/live/live-source.js';
import { until } from '../helpers/broker.js';
import { startWorkflowBed, type WorkflowBed } from '../workflow/helpers/cluster.js';

const SEED = 7;
const ORDERS = 100;

let bed: WorkflowBed;
let cluster: Cluster;
let codec: ValueCodec;
let summary: SimulationSummary;

const host = () => inProcessHost(bed.rt, { sessionTimeoutMs: 3_000 });
const base = () => ({
  cluster,
  codec,
  flow: workflowFlow(bed.rt.names),
  clusterName: 'embedded',
  brokers: [bed.broker.bootstrap],
});
const count = (s: Snapshot, state: string) => s.flow!.states.find((x) => x.state === state)?.count ?? 0;

/** Records in each of `topics` now (high watermark minus log start, summed over partitions). */
async function recordCounts(topics: string[]): Promise<Map<string, number>> {
  const parts = (
    await Promise.all(
      topics.map(async (t) => (await cluster.topic(t)).partitions.map((p) => ({ topic: t, partition: p.partition }))),
    )
  ).flat();
  const listed = await cluster.listOffsets(
    parts.flatMap((p) => [
      { ...p, timestamp: EARLIEST },
      { ...p, timestamp: LATEST },
    ]),
  );
  const out = new Map<string, number>(topics.map((t) => [t, 0]));
  parts.forEach((p, i) => out.set(p.topic, out.get(p.topic)! + listed[2 * i + 1].offset - listed[2 * i].offset));
  return out;
}

beforeAll(async () => {
  bed = await startWorkflowBed({ seed: SEED, timeoutMs: 15_000 });
  cluster = await Cluster.connect(bed.settings);
  codec = new RegistryDecoder(bed.registry, await createValueCodec('auto'), false).codec();
  summary = await runSimulation({
    rt: bed.rt,
    admin: bed.admin,
    host: host(),
    load: { seed: SEED, poisonRate: 0.05 },
    orders: ORDERS,
    rate: 100,
  });
  expect(summary.violations).toEqual([]);
}, 60_000);

afterAll(async () => {
  cluster?.close();
  await bed?.close();
});

describe('takeSnapshot after a seeded run', () => {
  let snap: Snapshot;
  beforeAll(async () => {
    snap = await takeSnapshot(base());
  }, 30_000);

  it('counts the orders by final state and rejection reason as the run did, nothing open or stuck', () => {
    const w = snap.flow!;
    expect(w).toMatchObject({ name: 'shop', entity: 'order' });
    for (const state of TERMINAL_STATES) expect(count(snap, state), state).toBe(summary.orders.byState[state] ?? 0);
    const ended = TERMINAL_STATES.reduce((n, s) => n + (summary.orders.byState[s] ?? 0), 0);
    expect(ended).toBe(ORDERS);
    // a drained run leaves no order short of a final state
    for (const state of ['REQUESTED', 'PLACED', 'CONFIRMED', 'SHIPPED', 'CANCEL_PENDING'])
      expect(count(snap, state), state).toBe(0);
    expect(w.states.map((x) => x.state)).toEqual([
      'REQUESTED',
      'PLACED',
      'CONFIRMED',
      'SHIPPED',
      'CANCEL_PENDING',
      'REJECTED',
      'COMPLETED',
      'CANCELLED',
    ]);
    for (const reason of REJECTION_REASONS)
      expect(w.reasons.REJECTED?.[reason] ?? 0, reason).toBe(summary.orders.rejected[reason] ?? 0);
    // the reasons come from decoded values: some must be there to compare
    expect(Object.values(w.reasons.REJECTED ?? {}).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(w.latency?.count).toBe(ORDERS);
    expect(w.latency!.p50).toBeGreaterThan(0);
    expect(w.latency!.p50).toBeLessThanOrEqual(w.latency!.p99);
    expect(w.stuck).toEqual([]);
    expect(w.stuckTotal).toBe(0);
    expect(w.settledPerSecond).toHaveLength(HISTORY_CAPACITY);
    expect(snap.cluster).toMatchObject({ name: 'embedded', reachable: true, error: null });
  });

  it('lists the topics with their records and last event types', async () => {
    const names = snap.topics.map((t) => t.name);
    // the flow's topics in its order (the workflow's, then its services' dead-letter topics), then the other dead-letter topics
    expect(names.slice(0, TOPIC_NAMES.length)).toEqual(TOPIC_NAMES.map((t) => `shop.${t}`));
    const rest = names.slice(TOPIC_NAMES.length);
    expect(rest).toEqual([...WORKER_SERVICES.map((s) => `shop.dlq.${s}`), 'shop.dlq.basket']);
    expect(names.some((n) => n.startsWith('__'))).toBe(false);
    const counts = await recordCounts(['shop.orders', 'shop.basket.order-requests', 'shop.inventory.stock']);
    for (const [topic, n] of counts) {
      const row = snap.topics.find((t) => t.name === topic)!;
      expect(row.records, topic).toBe(n);
      expect(row.offsets.reduce((s, o) => s + o.end - o.start, 0)).toBe(n);
      expect(row.partitions).toBe(3);
    }
    expect(counts.get('shop.orders')).toBeGreaterThanOrEqual(2 * ORDERS);
    expect(ORDER_EVENTS).toContain(snap.topics.find((t) => t.name === 'shop.orders')!.lastEventType);
    // tailed too: the flow finds the order of a stock level in its correlation header
    expect(snap.topics.find((t) => t.name === 'shop.inventory.stock')!.lastEventType).toBe('StockLevel');
  });

  it('shows the five workflow services first, caught up and stopped, with their dead letters', async () => {
    expect(snap.services.slice(0, 5).map((s) => [s.service, s.group])).toEqual(
      WORKER_SERVICES.map((s) => [s, `shop.${s}-service`]),
    );
    const dlqs = await recordCounts(SERVICES.map(bed.rt.names.dlq));
    for (const row of snap.services.slice(0, 5)) {
      expect(row.lag, row.service).toBe(0);
      expect(row.partitions.length).toBeGreaterThan(0);
      for (const p of row.partitions) expect(p.committed, `${row.service} ${p.topic}-${p.partition}`).toBe(p.end);
      // the run stopped its workers
      expect(row.members).toBe(0);
      expect(row.up).toBe(false);
      expect(row.dlq).toBe(dlqs.get(bed.rt.names.dlq(row.service as (typeof WORKER_SERVICES)[number])));
      expect(row.dlq).toBe(summary.deadLetters[row.service as (typeof WORKER_SERVICES)[number]] ?? 0);
    }
    // poison requests are dead-lettered by orders
    expect(snap.services[0].dlq).toBeGreaterThan(0);
  });

  it('keeps the latest events in the feed, in event-time order (equal times as read), with their order ids', () => {
    const feed = snap.feed;
    expect(feed.length).toBe(FEED_CAPACITY); // the run wrote far more
    for (let i = 1; i < feed.length; i++) {
      expect(feed[i].at).toBeGreaterThanOrEqual(feed[i - 1].at);
      if (feed[i].at === feed[i - 1].at) expect(feed[i].seq).toBeGreaterThan(feed[i - 1].seq);
    }
    for (const f of feed) {
      if (f.topic.startsWith('shop.dlq.')) {
        expect(f.detail).toBeTruthy();
        expect(f.eventType).toMatch(/^dead letter: /);
      } else if (f.topic !== 'shop.inventory.stock') expect(f.entityId).toBe(f.key);
      if (f.eventType === 'OrderRejected') expect(REJECTION_REASONS).toContain(f.detail);
    }
  });
});

describe('the live source', () => {
  it('traces a completed order of the run', async () => {
    const source = await createLiveSource({ ...base(), pollMs: 500 });
    try {
      const id = [...summary.outcomes].find(([, o]) => o.state === 'COMPLETED')![0];
      const t = await source.trace(id);
      expect(t.found).toBe(true);
      expect(t.verdict).toMatchObject({ status: 'final', state: 'COMPLETED' });
    } finally {
      await source.close();
    }
  }, 20_000);

  it('sees inventory stopped (lag, orders stuck waiting for it), then recovered', async () => {
    let status: SimulationStatus | null = null;
    const source = await createLiveSource({
      ...base(),
      stuckAfterMs: 500,
      pollMs: 200,
      publishMs: 100,
      simulation: () => status,
    });
    const run = runSimulation({
      rt: bed.rt,
      admin: bed.admin,
      host: host(),
      load: { seed: SEED + 1 },
      orders: 40,
      rate: 20,
      chaos: parseChaos('stop inventory at 0s for 5s'),
      progressEveryMs: 200,
      onProgress: (p) =>
        (status = {
          phase: p.phase === 'draining' ? 'draining' : 'sending',
          rate: 20,
          sent: p.sent,
          down: [...p.down],
          fault: null,
        }),
    });
    run.catch(() => {});
    try {
      const inventory = (s: Snapshot) => s.services.find((r) => r.service === 'inventory')!;
      const stopped = await until(
        () => {
          const s = source.current()!;
          return (inventory(s).lag ?? 0) > 0 && s.flow!.stuck.some((r) => r.waitingFor.startsWith('inventory: ')) && s;
        },
        20_000,
        'inventory lagging with orders stuck waiting for it',
      );
      const waiting = stopped.flow!.stuck.find((r) => r.waitingFor.startsWith('inventory: '))!;
      expect(waiting.waitingFor).toBe('inventory: StockReserved or StockReservationFailed');
      expect(waiting.state).toBe('PLACED');
      expect(waiting.ageMs).toBeGreaterThan(500);
      expect(stopped.flow!.stuckTotal).toBeGreaterThanOrEqual(stopped.flow!.stuck.length);
      expect(inventory(stopped).up).toBe(false);
      const done = await run;
      expect(done.violations).toEqual([]);
      const recovered = await until(
        () => {
          const s = source.current()!;
          return s.flow!.stuckTotal === 0 && inventory(s).lag === 0 && s.at > Date.now() - 1_000 && s;
        },
        20_000,
        'no stuck order and inventory caught up',
      );
      expect(recovered.flow!.stuck).toEqual([]);
      expect(recovered.cluster.reachable).toBe(true);
      for (const s of recovered.services) expect(s.lagHistory.length).toBeLessThanOrEqual(HISTORY_CAPACITY);
      // both runs' orders are in the window (10 min): all final
      const ended = TERMINAL_STATES.reduce((n, st) => n + count(recovered, st), 0);
      expect(ended).toBe(ORDERS + 40);
      expect(recovered.flow!.startedPerSecond.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    } finally {
      await run.catch(() => {});
      await source.close();
    }
  }, 60_000);

  it('calls no listener after close', async () => {
    const source = await createLiveSource({ ...base(), pollMs: 100, publishMs: 50 });
    let calls = 0;
    source.subscribe(() => calls++);
    await until(() => calls >= 2, 10_000, 'two snapshots');
    const last = source.current();
    await source.close();
    const after = calls;
    await new Promise((r) => setTimeout(r, 600));
    expect(calls).toBe(after);
    expect(source.current()).toBe(last);
  }, 20_000);
});

describe('TailAggregator', () => {
  const shop = workflowFlow();
  const event = tailEvent;

  const stateCount = (w: NonNullable<Snapshot['flow']>, state: string) =>
    w.states.find((x) => x.state === state)?.count ?? 0;

  it('stays bounded however much it is fed', () => {
    const agg = new TailAggregator(shop, 0, { openEntities: 1_000, finishedIds: 2_000, latencies: 500 });
    const t0 = 1_000_000;
    for (let i = 0; i < 20_000; i++) {
      const id = `o-${i}`;
      const at = t0 + i * 10;
      agg.add(event('shop.basket.order-requests', id, 'OrderRequested', at));
      agg.add(event('shop.orders', id, 'OrderPlaced', at + 1));
      // every other order ends; the rest stay open for ever
      if (i % 2 === 0) agg.add(event('shop.orders', id, 'OrderRejected', at + 2, { reason: 'OUT_OF_STOCK' }));
    }
    const now = t0 + 20_000 * 10;
    const w = agg.flowStatus(now, 1_000)!;
    expect(agg.feedEvents()).toHaveLength(FEED_CAPACITY);
    expect(agg.openEntities).toBe(1_000);
    expect(agg.evicted).toBe(10_000 - 1_000);
    expect(w.settledPerSecond).toHaveLength(HISTORY_CAPACITY);
    expect(w.startedPerSecond).toHaveLength(HISTORY_CAPACITY);
    expect(w.startedPerSecond.every((n) => n === 100)).toBe(true); // one new order per 10 ms
    expect(stateCount(w, 'REJECTED')).toBe(10_000);
    expect(stateCount(w, 'PLACED')).toBe(1_000);
    expect(w.reasons.REJECTED.OUT_OF_STOCK).toBe(10_000);
    expect(w.latency).toEqual({ p50: 2, p95: 2, p99: 2, count: 10_000 });
    expect(w.stuck.length).toBeLessThanOrEqual(50);
    expect(w.stuckTotal).toBeLessThanOrEqual(1_000);
  });

  it('says what a stuck order waits for, does not reopen an ended one, and shows dead letters in the feed', () => {
    const agg = new TailAggregator(shop, 0);
    agg.add(event('shop.basket.order-requests', 'a', 'OrderRequested', 1_000));
    agg.add(event('shop.orders', 'a', 'OrderPlaced', 1_010));
    agg.add(event('shop.payments', 'a', 'PaymentAuthorized', 1_020));
    agg.add(event('shop.fraud.checks', 'a', 'FraudCheckPassed', 1_030));
    agg.add(event('shop.basket.order-requests', 'b', 'OrderRequested', 1_100));
    agg.add(event('shop.orders', 'b', 'OrderPlaced', 1_110));
    agg.add(event('shop.orders', 'b', 'OrderRejected', 1_120, { reason: 'PAYMENT_DECLINED' }));
    agg.add(event('shop.inventory.reservations', 'b', 'StockReleased', 1_130));
    agg.add(event('shop.dlq.inventory', 'b', 'OrderPlaced', 1_140, { deadLetter: { by: 'inventory', error: 'boom' } }));
    agg.add(event('shop.basket.order-requests', 'c', 'OrderRequested', 9_000));
    // a stock level of a restock: its correlation id is a sku, an id the flow has no rules for
    agg.add(event('shop.inventory.stock', 'SKU-MUG', 'StockLevel', 1_200));
    const w = agg.flowStatus(10_000, 5_000)!;
    expect(w.stuck).toEqual([
      { id: 'a', state: 'PLACED', ageMs: 9_000, waitingFor: 'inventory: StockReserved or StockReservationFailed' },
    ]);
    expect(w.stuckTotal).toBe(1);
    expect([stateCount(w, 'REQUESTED'), stateCount(w, 'PLACED'), stateCount(w, 'REJECTED')]).toEqual([1, 1, 1]);
    expect(w.reasons.REJECTED).toEqual({ PAYMENT_DECLINED: 1 });
    expect(agg.openEntities).toBe(2);
    const dead = agg.feedEvents().find((f) => f.topic === 'shop.dlq.inventory')!;
    expect(dead).toMatchObject({ entityId: 'b', eventType: 'dead letter: OrderPlaced', detail: 'boom' });
    expect(agg.deadLettersBy('inventory')).toBe(1);
    expect(agg.feedEvents().find((f) => f.eventType === 'OrderRejected')!.detail).toBe('PAYMENT_DECLINED');
    expect(agg.lastEventType('shop.orders')).toBe('OrderRejected');
    // the feed is in event-time order: the stock level of 1.2 s sits before the order of 9 s
    expect(agg.feedEvents().map((f) => f.at)).toEqual([
      1_000, 1_010, 1_020, 1_030, 1_100, 1_110, 1_120, 1_130, 1_140, 1_200, 9_000,
    ]);
  });
});
