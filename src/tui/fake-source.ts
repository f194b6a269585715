// A data source with no cluster behind it: snapshots pushed by the caller, and a plausible scene of the
// workflow (inventory down, orders stuck waiting for it, a dead letter) built by `sceneSnapshot`. Tests drive
// the components with it; the traces it answers are built by the real timeline and verdict code.

import { buildTimeline, type FoundEvent } from '../trace/timeline.js';
import type { TraceResult } from '../trace/trace.js';
import { verdictOf } from '../trace/verdict.js';
import { HEADERS, TOPIC_NAMES, WORKER_SERVICES, dlqTopic, groupOf } from '../workflow/catalogue.js';
import type { DashboardSource, FeedEvent, Snapshot } from './source.js';

export class FakeSource implements DashboardSource {
  private latest: Snapshot | null;
  private readonly listeners = new Set<(s: Snapshot) => void>();
  /** order ids traced, in order */
  readonly traced: string[] = [];
  closed = false;

  constructor(
    first: Snapshot | null,
    private readonly traces: (orderId: string) => Promise<TraceResult> = async (orderId) => sceneTrace(orderId, first?.at ?? Date.now()),
  ) {
    this.latest = first;
  }

  current(): Snapshot | null {
    return this.latest;
  }

  subscribe(listener: (s: Snapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  push(snapshot: Snapshot): void {
    this.latest = snapshot;
    for (const l of this.listeners) l(snapshot);
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  trace(orderId: string): Promise<TraceResult> {
    this.traced.push(orderId);
    return this.traces(orderId);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
  }
}

const RUN = 'o-5eed42';
export const sceneOrderId = (n: number) => `${RUN}-${String(n).padStart(6, '0')}`;

/**
 * The demo's fault, 20 s in: inventory has been down for 5 s, so orders wait for it and its lag grows; one
 * poison record sits in the orders service's dead-letter topic. `events` feed events, oldest first.
 */
export function sceneSnapshot(at: number, o: { events?: number; stuck?: number } = {}): Snapshot {
  const stuck = o.stuck ?? 6;
  const feed: FeedEvent[] = [];
  const types = ['OrderRequested', 'OrderPlaced', 'PaymentAuthorized', 'FraudCheckPassed', 'OrderConfirmed', 'ShipmentScheduled', 'OrderShipped', 'OrderCompleted'];
  const topicOf: Record<string, string> = { OrderRequested: 'basket.order-requests', PaymentAuthorized: 'payments', FraudCheckPassed: 'fraud.checks', ShipmentScheduled: 'shipments' };
  const producerOf: Record<string, string> = { OrderRequested: 'basket', PaymentAuthorized: 'payments', FraudCheckPassed: 'fraud', ShipmentScheduled: 'shipping' };
  for (let i = 0; i < (o.events ?? 40); i++) {
    const eventType = types[i % types.length];
    const orderId = sceneOrderId(300 + Math.floor(i / types.length));
    feed.push({ seq: i + 1, at: at - 10_000 + i * 200, topic: topicOf[eventType] ?? 'orders', partition: i % 3, offset: 1000 + i, key: orderId, eventType, producer: producerOf[eventType] ?? 'orders', orderId, detail: null });
  }
  const lag = [0, 0, 3, 12, 40, 77];
  const services = WORKER_SERVICES.map((service) => {
    const down = service === 'inventory';
    return {
      service,
      group: groupOf(service),
      state: down ? 'Empty' : 'Stable',
      members: down ? 0 : 1,
      lag: down ? 77 : 0,
      lagHistory: down ? lag : [0, 0, 0, 0, 0, 0],
      processedPerSecond: down ? 0 : 19.5,
      dlq: service === 'orders' ? 1 : 0,
      up: !down,
      partitions: [0, 1, 2].map((partition) => ({ topic: 'orders', partition, committed: down ? 100 : 126, end: 126 + (down ? 0 : 0), lag: down ? 26 - (partition === 2 ? 1 : 0) : 0 })),
    };
  });
  const topics = [...TOPIC_NAMES, dlqTopic('orders')].map((name, i) => ({
    name,
    partitions: name === 'inventory.stock' ? 1 : 3,
    records: 1200 + i * 37,
    perSecond: name.startsWith('evt.dlq') ? 0 : 20 + i,
    rateHistory: [18, 19, 20, 22, 21, 20 + i],
    lastEventType: name.startsWith('evt.dlq') ? 'OrderRequested' : name === 'orders' ? 'OrderCompleted' : 'StockLevel',
    offsets: [0, 1, 2].map((partition) => ({ partition, start: 0, end: 400 + partition })),
  }));
  return {
    at,
    startedAt: at - 20_000,
    cluster: { name: 'embedded', brokers: ['127.0.0.1:9092'], reachable: true, error: null, registry: 'http://127.0.0.1:8081' },
    simulation: { phase: 'sending', rate: 20, sent: 400, down: ['inventory'], fault: 'inventory stopped, back in 15s' },
    workflow: {
      byState: { PLACED: stuck + 2, CONFIRMED: 4, SHIPPED: 3, COMPLETED: 321, REJECTED: 31, CANCELLED: 5 },
      rejected: { OUT_OF_STOCK: 9, PAYMENT_DECLINED: 17, FRAUD_SUSPECTED: 5 },
      settledPerSecond: [18, 20, 19, 21, 8, 2, 0, 0],
      requestedPerSecond: [20, 20, 20, 20, 20, 20, 20, 20],
      latency: { p50: 850, p95: 1400, p99: 2100, count: 357 },
      stuck: Array.from({ length: stuck }, (_, i) => ({ orderId: sceneOrderId(380 + i), state: 'PLACED', ageMs: 5000 - i * 200, waitingFor: 'inventory: StockReserved or StockReservationFailed' })),
      stuckTotal: stuck,
      stuckAfterMs: 2000,
      since: at - 20_000,
    },
    services,
    topics,
    feed,
  };
}

/** A trace of a scene order: placed, paid and checked, waiting for inventory. */
export function sceneTrace(orderId: string, now: number): TraceResult {
  const t0 = now - 5000;
  const record = (topic: string, offset: number, dt: number, eventType: string, producer: string, value: Record<string, unknown>, cause?: string): FoundEvent => ({
    topic,
    partition: 1,
    offset,
    timestamp: t0 + dt,
    key: orderId,
    headers: { [HEADERS.eventType]: eventType, [HEADERS.producer]: producer, [HEADERS.eventId]: `${eventType}-${orderId}`, ...(cause ? { [HEADERS.causationId]: `${cause}-${orderId}` } : {}) },
    value,
  });
  const events = buildTimeline([
    record('basket.order-requests', 40, 0, 'OrderRequested', 'basket', { orderId, total: 4200 }),
    record('orders', 120, 12, 'OrderPlaced', 'orders', { orderId, state: 'PLACED', reason: null, total: 4200 }, 'OrderRequested'),
    record('payments', 80, 30, 'PaymentAuthorized', 'payments', { orderId, status: 'AUTHORIZED' }, 'OrderPlaced'),
    record('fraud.checks', 77, 41, 'FraudCheckPassed', 'fraud', { orderId }, 'OrderPlaced'),
  ]);
  const waits = [
    { service: 'inventory' as const, expects: ['StockReserved', 'StockReservationFailed'], followUp: false, trigger: { n: 2, topic: 'orders', partition: 1, offset: 120, eventType: 'OrderPlaced' }, diagnosis: 'not-consumed' as const, detail: 'evt-workflow-inventory has not consumed orders-1@120 yet (committed 100, lag 26; Empty, 0 members)', group: groupOf('inventory'), groupState: 'Empty', members: 0, committed: 100, lag: 26 },
  ];
  return {
    orderId,
    source: 'topics',
    found: true,
    events,
    verdict: verdictOf(events, waits, now),
    scan: { topics: [], recordsExamined: 1234, elapsedMs: 42, complete: true, notes: [] },
  };
}
