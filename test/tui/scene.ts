// A plausible scene of the demo's fault for the dashboard's tests: inventory down, orders stuck waiting for it,
// a dead letter; and the trace of a stuck order, built by the real timeline and verdict code from the
// bundled flow. The dashboard itself knows nothing of orders: all of this reaches it as a snapshot.

import { FakeSource } from '../../src/tui/fake-source.js';
import type { FeedEvent, Snapshot } from '../../src/tui/source.js';
import type { TailEvent } from '../../src/tui/live/aggregator.js';
import type { FoundEvent } from '../../src/trace/event.js';
import { buildTimeline } from '../../src/trace/timeline.js';
import type { TraceResult } from '../../src/trace/trace.js';
import { verdictOf, type GroupFacts } from '../../src/trace/verdict.js';
import { TOPIC_NAMES, WORKER_SERVICES } from '../../src/workflow/catalogue.js';
import { workflowFlow } from '../../src/workflow/flow.js';
import { workflowNames } from '../../src/workflow/names.js';

const RUN = 'o-5eed42';
export const sceneOrderId = (n: number) => `${RUN}-${String(n).padStart(6, '0')}`;
const names = workflowNames();
export const SHOP = workflowFlow(names);

/** A fake source over the scene, answering traces of scene orders. */
export function sceneSource(first: Snapshot | null, traces?: (id: string) => Promise<TraceResult>): FakeSource {
  return new FakeSource(first, traces ?? (async (id) => sceneTrace(id, first?.at ?? Date.now())));
}

/**
 * The demo's fault, 20 s in: inventory has been down for 5 s, so orders wait for it and its lag grows; one
 * poison record sits in the orders service's dead-letter topic. `events` feed events, oldest first.
 */
export function sceneSnapshot(at: number, o: { events?: number; stuck?: number } = {}): Snapshot {
  const stuck = o.stuck ?? 6;
  const feed: FeedEvent[] = [];
  const types = [
    'OrderRequested',
    'OrderPlaced',
    'PaymentAuthorized',
    'FraudCheckPassed',
    'OrderConfirmed',
    'ShipmentScheduled',
    'OrderShipped',
    'OrderCompleted',
  ];
  const topicOf: Record<string, string> = {
    OrderRequested: 'basket.order-requests',
    PaymentAuthorized: 'payments',
    FraudCheckPassed: 'fraud.checks',
    ShipmentScheduled: 'shipments',
  };
  const producerOf: Record<string, string> = {
    OrderRequested: 'basket',
    PaymentAuthorized: 'payments',
    FraudCheckPassed: 'fraud',
    ShipmentScheduled: 'shipping',
  };
  for (let i = 0; i < (o.events ?? 40); i++) {
    const eventType = types[i % types.length];
    const orderId = sceneOrderId(300 + Math.floor(i / types.length));
    const topic = names.topic((topicOf[eventType] ?? 'orders') as (typeof TOPIC_NAMES)[number]);
    feed.push({
      seq: i + 1,
      at: at - 10_000 + i * 200,
      topic,
      partition: i % 3,
      offset: 1000 + i,
      key: orderId,
      eventType,
      producer: producerOf[eventType] ?? 'orders',
      entityId: orderId,
      detail: null,
    });
  }
  const lag = [0, 0, 3, 12, 40, 77];
  const services = WORKER_SERVICES.map((service) => {
    const down = service === 'inventory';
    return {
      service,
      group: names.group(service),
      inFlow: true,
      state: down ? 'Empty' : 'Stable',
      members: down ? 0 : 1,
      lag: down ? 77 : 0,
      lagHistory: down ? lag : [0, 0, 0, 0, 0, 0],
      processedPerSecond: down ? 0 : 19.5,
      dlq: service === 'orders' ? 1 : 0,
      up: !down,
      partitions: [0, 1, 2].map((partition) => ({
        topic: names.topic('orders'),
        partition,
        committed: down ? 100 : 126,
        end: 126,
        lag: down ? 26 - (partition === 2 ? 1 : 0) : 0,
      })),
    };
  });
  const topics = [...TOPIC_NAMES.map((t) => names.topic(t)), names.dlq('orders')].map((name, i) => ({
    name,
    partitions: name.endsWith('inventory.stock') ? 1 : 3,
    records: 1200 + i * 37,
    perSecond: name.includes('dlq') ? 0 : 20 + i,
    rateHistory: [18, 19, 20, 22, 21, 20 + i],
    lastEventType: name.includes('dlq') ? 'OrderRequested' : name.endsWith('.orders') ? 'OrderCompleted' : 'StockLevel',
    offsets: [0, 1, 2].map((partition) => ({ partition, start: 0, end: 400 + partition })),
  }));
  const state = (s: string, count: number, final = false) => ({ state: s, count, final });
  return {
    at,
    startedAt: at - 20_000,
    cluster: {
      name: 'embedded',
      brokers: ['127.0.0.1:9092'],
      reachable: true,
      error: null,
      registry: 'http://127.0.0.1:8081',
    },
    simulation: { phase: 'sending', rate: 20, sent: 400, down: ['inventory'], fault: 'inventory stopped, back in 15s' },
    flow: {
      name: 'shop',
      entity: 'order',
      states: [
        state('REQUESTED', 0),
        state('PLACED', stuck + 2),
        state('CONFIRMED', 4),
        state('SHIPPED', 3),
        state('CANCEL_PENDING', 0),
        state('REJECTED', 31, true),
        state('COMPLETED', 321, true),
        state('CANCELLED', 5, true),
      ],
      reasons: {
        REJECTED: { OUT_OF_STOCK: 9, PAYMENT_DECLINED: 17, FRAUD_SUSPECTED: 5 },
        CANCELLED: { CUSTOMER_REQUEST: 5 },
      },
      settledPerSecond: [18, 20, 19, 21, 8, 2, 0, 0],
      startedPerSecond: [20, 20, 20, 20, 20, 20, 20, 20],
      latency: { p50: 850, p95: 1400, p99: 2100, count: 357 },
      stuck: Array.from({ length: stuck }, (_, i) => ({
        id: sceneOrderId(380 + i),
        state: 'PLACED',
        ageMs: 5000 - i * 200,
        waitingFor: 'inventory: StockReserved or StockReservationFailed',
      })),
      stuckTotal: stuck,
      stuckAfterMs: 2000,
      since: at - 20_000,
    },
    services,
    topics,
    feed,
  };
}

/** A trace of a scene order: placed, paid and checked, waiting for inventory, whose group is down. */
export function sceneTrace(orderId: string, now: number): TraceResult {
  const t0 = now - 5000;
  const found = (
    topic: (typeof TOPIC_NAMES)[number],
    offset: number,
    dt: number,
    eventType: string,
    producer: string,
    value: Record<string, unknown>,
    cause?: string,
  ): FoundEvent => ({
    topic: names.topic(topic),
    partition: 1,
    offset,
    timestamp: t0 + dt,
    key: orderId,
    headers: {
      'evt-event-type': eventType,
      'evt-producer': producer,
      'evt-event-id': `${eventType}-${orderId}`,
      ...(cause ? { 'evt-causation-id': `${cause}-${orderId}` } : {}),
    },
    value,
    eventType,
    typeFrom: 'header evt-event-type',
    matchedBy: ['key'],
    producer,
    eventId: `${eventType}-${orderId}`,
    causationId: cause ? `${cause}-${orderId}` : null,
    correlationId: orderId,
    traceId: null,
  });
  const events = buildTimeline(
    [
      found('basket.order-requests', 40, 0, 'OrderRequested', 'basket', { orderId, total: 4200 }),
      found(
        'orders',
        120,
        12,
        'OrderPlaced',
        'orders',
        { orderId, state: 'PLACED', reason: null, total: 4200 },
        'OrderRequested',
      ),
      found('payments', 80, 30, 'PaymentAuthorized', 'payments', { orderId, status: 'AUTHORIZED' }, 'OrderPlaced'),
      found('fraud.checks', 77, 41, 'FraudCheckPassed', 'fraud', { orderId }, 'OrderPlaced'),
    ],
    SHOP,
  );
  const inventory = names.group('inventory');
  const facts: GroupFacts = {
    groups: new Map([[inventory, { state: 'Empty', members: 0 }]]),
    committed: new Map([[`${inventory}|${names.topic('orders')}:1`, 100]]),
    ends: new Map([[`${names.topic('orders')}:1`, 126]]),
  };
  return {
    id: orderId,
    entity: 'order',
    flow: SHOP.source,
    source: 'topics',
    found: true,
    events,
    verdict: verdictOf(SHOP, events, facts, now),
    scan: { topics: [], recordsExamined: 1234, elapsedMs: 42, complete: true, notes: [] },
  };
}

/** A record of a tailed topic as the aggregator takes it: the entity is the key unless said otherwise. */
export function tailEvent(
  topic: string,
  key: string,
  eventType: string,
  timestamp: number,
  extra: Partial<TailEvent> = {},
): TailEvent {
  return {
    topic,
    partition: 0,
    offset: 0,
    timestamp,
    key,
    eventType,
    producer: null,
    entityId: key,
    deadLetter: null,
    reason: null,
    ...extra,
  };
}
