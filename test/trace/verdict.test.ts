// The verdict of `evt trace` without a cluster: hand-built timelines (FoundEvent objects laid out by
// buildTimeline) checked against the workflow's rules (expectations), the group facts a trace would read
// (diagnose) and the final word (verdictOf).

import { describe, expect, it } from 'vitest';
import { DLQ_HEADERS, HEADERS, STATE_AFTER } from '../../src/workflow/catalogue.js';
import { buildTimeline, type FoundEvent, type TraceEvent } from '../../src/trace/timeline.js';
import { diagnose, expectations, verdictOf, type GroupFacts } from '../../src/trace/verdict.js';

const ORDER = 'o-unit00-000001';
const T0 = 1_700_000_000_000;

// the workflow's topics under the default prefix, as trace reads them
const PRODUCER: Record<string, string> = {
  'shop.basket.order-requests': 'basket',
  'shop.orders': 'orders',
  'shop.inventory.reservations': 'inventory',
  'shop.inventory.stock': 'inventory',
  'shop.payments': 'payments',
  'shop.fraud.checks': 'fraud',
  'shop.shipments': 'shipping',
};

const STATE: Readonly<Record<string, string>> = STATE_AFTER;

interface Spec {
  topic: string;
  type: string;
  at: number;
  offset?: number;
  partition?: number;
  /** event id of the cause */
  cause?: string;
  id?: string;
  value?: Record<string, unknown>;
}

/** A decoded record of the order, with the headers every workflow event carries. */
function found(s: Spec): FoundEvent {
  const id = s.id ?? `${s.type}-${s.at}`;
  const headers: Record<string, string> = {
    [HEADERS.eventType]: s.type,
    [HEADERS.eventId]: id,
    [HEADERS.correlationId]: ORDER,
    [HEADERS.causationId]: s.cause ?? '',
    [HEADERS.producer]: PRODUCER[s.topic] ?? 'unknown',
  };
  const value: Record<string, unknown> = { eventType: s.type, orderId: ORDER, ...(STATE[s.type] ? { state: STATE[s.type], reason: null, cancelReason: null, total: 1798 } : {}), ...s.value };
  return { topic: s.topic, partition: s.partition ?? 1, offset: s.offset ?? s.at, timestamp: T0 + s.at, key: ORDER, headers, value };
}

/** A dead letter of `origin`, as the worker writes it to its service's DLQ. */
function deadLetter(origin: { topic: string; partition: number; offset: number }, service: string, error: string, at: number): FoundEvent {
  return {
    topic: `shop.dlq.${service}`,
    partition: 0,
    offset: 0,
    timestamp: T0 + at,
    key: ORDER,
    headers: {
      [HEADERS.eventType]: 'OrderPlaced',
      [HEADERS.correlationId]: ORDER,
      [DLQ_HEADERS.topic]: origin.topic,
      [DLQ_HEADERS.partition]: String(origin.partition),
      [DLQ_HEADERS.offset]: String(origin.offset),
      [DLQ_HEADERS.error]: error,
      [DLQ_HEADERS.attempts]: '3',
      [DLQ_HEADERS.service]: service,
    },
    value: '{"not":"avro"}',
    error: 'not in the wire format',
  };
}

// The start of every order: requested, then placed (offsets are distinct per topic; partition 1 throughout).
const requested = found({ topic: 'shop.basket.order-requests', type: 'OrderRequested', at: 0, offset: 40, id: 'req' });
const placed = found({ topic: 'shop.orders', type: 'OrderPlaced', at: 5, offset: 17, id: 'placed', cause: 'req' });
const reserved = found({ topic: 'shop.inventory.reservations', type: 'StockReserved', at: 9, offset: 11, id: 'reserved', cause: 'placed' });
const authorized = found({ topic: 'shop.payments', type: 'PaymentAuthorized', at: 10, offset: 21, id: 'authorized', cause: 'placed' });
const fraudOk = found({ topic: 'shop.fraud.checks', type: 'FraudCheckPassed', at: 11, offset: 31, id: 'fraud', cause: 'placed' });

const noFacts = (): GroupFacts => ({ groups: new Map(), committed: new Map(), ends: new Map() });

function byType(events: readonly TraceEvent[], type: string): TraceEvent {
  const e = events.find((x) => x.eventType === type);
  if (!e) throw new Error(`no ${type} in the timeline`);
  return e;
}

describe('buildTimeline', () => {
  it('orders by time, puts an effect stamped before its cause after it, and links causes by n', () => {
    // StockReserved carries a timestamp 3 ms before the OrderPlaced that caused it (another producer's clock)
    const skewed = found({ topic: 'shop.inventory.reservations', type: 'StockReserved', at: 2, offset: 11, id: 'reserved', cause: 'placed' });
    const events = buildTimeline([fraudOk, skewed, placed, requested]);
    expect(events.map((e) => e.eventType)).toEqual(['OrderRequested', 'OrderPlaced', 'StockReserved', 'FraudCheckPassed']);
    expect(events.map((e) => e.n)).toEqual([1, 2, 3, 4]);
    expect(events.map((e) => e.causedBy)).toEqual([null, 1, 2, 2]);
    expect(events.map((e) => e.sinceStartMs)).toEqual([0, 5, 2, 11]);
    expect(byType(events, 'OrderPlaced').changes).toEqual({ state: [null, 'PLACED'], total: [null, 1798] });
    expect(events[0].producer).toBe('basket');
  });

  it('records the origin of a dead letter', () => {
    const events = buildTimeline([requested, placed, deadLetter({ topic: 'shop.orders', partition: 1, offset: 17 }, 'payments', 'boom', 20)]);
    const dead = events[2];
    expect(dead.topic).toBe('shop.dlq.payments');
    expect(dead.deadLetter).toEqual({ topic: 'shop.orders', partition: 1, offset: 17, error: 'boom', service: 'payments', attempts: 3 });
  });
});

describe('expectations', () => {
  it('PLACED with inventory and fraud answered: payments owes an answer to OrderPlaced, nothing else', () => {
    const events = buildTimeline([requested, placed, reserved, fraudOk]);
    const x = expectations(events);
    expect(x).toHaveLength(1);
    expect(x[0]).toMatchObject({ service: 'payments', expects: ['PaymentAuthorized', 'PaymentDeclined'], kind: 'consume', followUp: false });
    expect(x[0].trigger?.eventType).toBe('OrderPlaced');
    expect(x[0].trigger?.offset).toBe(17);
  });

  it('PLACED with all three answers: orders owes OrderConfirmed; with a failed one: OrderRejected caused by it', () => {
    const ok = expectations(buildTimeline([requested, placed, reserved, authorized, fraudOk]));
    expect(ok.map((x) => [x.service, x.expects])).toEqual([['orders', ['OrderConfirmed']]]);
    const declined = found({ topic: 'shop.payments', type: 'PaymentDeclined', at: 10, offset: 21, id: 'declined', cause: 'placed' });
    const bad = expectations(buildTimeline([requested, placed, reserved, declined]));
    expect(bad.map((x) => x.service).sort()).toEqual(['fraud', 'orders']);
    expect(bad.find((x) => x.service === 'orders')!.trigger?.eventType).toBe('PaymentDeclined');
  });

  it('only a request: orders owes OrderPlaced or OrderRejected', () => {
    const x = expectations(buildTimeline([requested]));
    expect(x).toEqual([expect.objectContaining({ service: 'orders', expects: ['OrderPlaced', 'OrderRejected'] })]);
  });

  it('CONFIRMED with ShipmentScheduled only: shipping owes ShipmentDispatched from a timer', () => {
    const confirmed = found({ topic: 'shop.orders', type: 'OrderConfirmed', at: 15, offset: 18, id: 'confirmed', cause: 'fraud' });
    const scheduled = found({ topic: 'shop.shipments', type: 'ShipmentScheduled', at: 20, offset: 5, id: 'scheduled', cause: 'confirmed' });
    const events = buildTimeline([requested, placed, reserved, authorized, fraudOk, confirmed, scheduled]);
    const x = expectations(events);
    expect(x).toHaveLength(1);
    expect(x[0]).toMatchObject({ service: 'shipping', expects: ['ShipmentDispatched'], kind: 'timer', followUp: false });
    expect(x[0].trigger?.eventType).toBe('ShipmentScheduled');
    const [w] = diagnose(x, events, noFacts());
    expect(w.diagnosis).toBe('timer');
    expect(w.committed).toBeNull();
    expect(w.lag).toBeNull();
    expect(w.detail).toContain('timer of shipping after ShipmentScheduled (shop.shipments-1@5)');
  });

  it('CANCEL_PENDING with StockReserved and no StockReleased: inventory owes StockReleased to the OrderCancelPending', () => {
    const cancel = found({ topic: 'shop.basket.order-requests', type: 'CancelRequested', at: 1, offset: 41, id: 'cancel' });
    const declined = found({ topic: 'shop.payments', type: 'PaymentDeclined', at: 10, offset: 21, id: 'declined', cause: 'placed' });
    const pending = found({ topic: 'shop.orders', type: 'OrderCancelPending', at: 12, offset: 18, id: 'pending', cause: 'cancel' });
    const events = buildTimeline([requested, cancel, placed, reserved, declined, pending]);
    const x = expectations(events);
    // payments declined: nothing to void; inventory reserved: the release is owed (not a follow-up: the order waits on it)
    expect(x).toHaveLength(1);
    expect(x[0]).toMatchObject({ service: 'inventory', expects: ['StockReleased'], followUp: false });
    expect(x[0].trigger?.eventType).toBe('OrderCancelPending');

    // once released, orders owes OrderCancelled
    const released = found({ topic: 'shop.inventory.reservations', type: 'StockReleased', at: 14, offset: 12, id: 'released', cause: 'pending' });
    const after = expectations(buildTimeline([requested, cancel, placed, reserved, declined, pending, released]));
    expect(after.map((e) => [e.service, e.expects, e.trigger?.eventType])).toEqual([['orders', ['OrderCancelled'], 'StockReleased']]);
  });

  it('REJECTED with PaymentAuthorized and no PaymentVoided: a follow-up for payments, the order still final', () => {
    const failed = found({ topic: 'shop.fraud.checks', type: 'FraudCheckFailed', at: 11, offset: 31, id: 'fraudfail', cause: 'placed' });
    const rejected = found({ topic: 'shop.orders', type: 'OrderRejected', at: 13, offset: 18, id: 'rejected', cause: 'fraudfail', value: { reason: 'FRAUD_SUSPECTED' } });
    const released = found({ topic: 'shop.inventory.reservations', type: 'StockReleased', at: 14, offset: 12, id: 'released', cause: 'rejected' });
    const events = buildTimeline([requested, placed, reserved, authorized, failed, rejected, released]);
    const x = expectations(events);
    expect(x).toHaveLength(1);
    expect(x[0]).toMatchObject({ service: 'payments', expects: ['PaymentVoided'], followUp: true, kind: 'consume' });
    expect(x[0].trigger?.eventType).toBe('OrderRejected');

    const facts = noFacts();
    facts.committed.set('shop.payments-service|shop.orders:1', 18);
    facts.ends.set('shop.orders:1', 30);
    const waits = diagnose(x, events, facts);
    const v = verdictOf(events, waits, T0 + 60_000);
    expect(v.status).toBe('final');
    expect(v.state).toBe('REJECTED');
    expect(v.reason).toBe('FRAUD_SUSPECTED');
    expect(v.latencyMs).toBe(13);
    expect(v.idleMs).toBeNull();
    expect(v.waits).toHaveLength(1);
    expect(v.waits[0]).toMatchObject({ service: 'payments', followUp: true, diagnosis: 'not-consumed', committed: 18, lag: 12 });
    expect(v.summary).toBe('REJECTED (FRAUD_SUSPECTED) after 13 ms; still owed: PaymentVoided from payments');
  });

  it('a final COMPLETED order with its capture and commit owes nothing', () => {
    const types: [string, string, number][] = [
      ['shop.orders', 'OrderConfirmed', 15],
      ['shop.shipments', 'ShipmentScheduled', 16],
      ['shop.shipments', 'ShipmentDispatched', 20],
      ['shop.orders', 'OrderShipped', 21],
      ['shop.payments', 'PaymentCaptured', 22],
      ['shop.inventory.reservations', 'StockCommitted', 23],
      ['shop.shipments', 'ShipmentDelivered', 30],
      ['shop.orders', 'OrderCompleted', 31],
    ];
    const rest = types.map(([topic, type, at]) => found({ topic, type, at, offset: 100 + at }));
    const events = buildTimeline([requested, placed, reserved, authorized, fraudOk, ...rest]);
    expect(expectations(events)).toEqual([]);
    const v = verdictOf(events, [], T0 + 1000);
    expect(v).toMatchObject({ status: 'final', state: 'COMPLETED', reason: null, latencyMs: 31, waits: [], deadLetters: [] });

    // without the capture: payments still owes it, as a follow-up of the final order
    const missing = buildTimeline([requested, placed, reserved, authorized, fraudOk, ...rest.filter((f) => (f.value as { eventType: string }).eventType !== 'PaymentCaptured')]);
    expect(expectations(missing).map((x) => [x.service, x.expects, x.followUp, x.trigger?.eventType])).toEqual([['payments', ['PaymentCaptured'], true, 'OrderShipped']]);
  });
});

describe('diagnose', () => {
  const events = buildTimeline([requested, placed, reserved, fraudOk]);
  const x = expectations(events);

  it('committed at or before the trigger: not-consumed, lag = end - committed, group and lag named', () => {
    for (const committed of [17, 12]) {
      const facts = noFacts();
      facts.groups.set('shop.payments-service', { state: 'Empty', members: 0 });
      facts.committed.set('shop.payments-service|shop.orders:1', committed);
      facts.ends.set('shop.orders:1', 25);
      const [w] = diagnose(x, events, facts);
      expect(w).toMatchObject({
        service: 'payments',
        diagnosis: 'not-consumed',
        group: 'shop.payments-service',
        groupState: 'Empty',
        members: 0,
        committed,
        lag: 25 - committed,
        trigger: { n: 2, topic: 'shop.orders', partition: 1, offset: 17, eventType: 'OrderPlaced' },
      });
      expect(w.detail).toBe(`shop.payments-service has not consumed OrderPlaced (shop.orders-1@17) yet: it is at offset ${committed}, lag ${25 - committed} on shop.orders-1; no member running (Empty)`);
    }
  });

  it('nothing committed: not-consumed, lag from the start', () => {
    const facts = noFacts();
    facts.groups.set('shop.payments-service', { state: 'Stable', members: 2 });
    facts.ends.set('shop.orders:1', 25);
    const [w] = diagnose(x, events, facts);
    expect(w).toMatchObject({ diagnosis: 'not-consumed', committed: null, lag: 25 });
    expect(w.detail).toContain('has committed nothing on it');
    expect(w.detail).toContain('2 members (Stable)');
  });

  it('committed past the trigger: consumed-no-output, pointing at the service log and its DLQ', () => {
    const facts = noFacts();
    facts.groups.set('shop.payments-service', { state: 'Stable', members: 1 });
    facts.committed.set('shop.payments-service|shop.orders:1', 18);
    facts.ends.set('shop.orders:1', 25);
    const [w] = diagnose(x, events, facts);
    expect(w).toMatchObject({ diagnosis: 'consumed-no-output', committed: 18, lag: 7 });
    expect(w.detail).toContain('consumed OrderPlaced (shop.orders-1@17; committed 18)');
    expect(w.detail).toContain('shop.dlq.payments');
  });

  it('committed on another partition only: still not-consumed on the trigger partition', () => {
    const facts = noFacts();
    facts.committed.set('shop.payments-service|shop.orders:0', 999);
    facts.ends.set('shop.orders:1', 25);
    expect(diagnose(x, events, facts)[0].diagnosis).toBe('not-consumed');
  });

  it('a dead letter whose origin is the trigger: dead-lettered, with its error, whatever the offsets say', () => {
    const dead = deadLetter({ topic: 'shop.orders', partition: 1, offset: 17 }, 'payments', 'handler failed: card vault unreachable', 40);
    const withDead = buildTimeline([requested, placed, reserved, fraudOk, dead]);
    const facts = noFacts();
    facts.committed.set('shop.payments-service|shop.orders:1', 18);
    facts.ends.set('shop.orders:1', 25);
    const waits = diagnose(expectations(withDead), withDead, facts);
    expect(waits).toHaveLength(1);
    expect(waits[0].diagnosis).toBe('dead-lettered');
    expect(waits[0].detail).toBe('payments sent OrderPlaced (shop.orders-1@17) to shop.dlq.payments after 3 attempt(s): handler failed: card vault unreachable');

    // a dead letter of another record (the next offset) does not explain this wait
    const other = buildTimeline([requested, placed, reserved, fraudOk, deadLetter({ topic: 'shop.orders', partition: 1, offset: 18 }, 'payments', 'x', 40)]);
    expect(diagnose(expectations(other), other, facts)[0].diagnosis).toBe('consumed-no-output');

    const v = verdictOf(withDead, waits, T0 + 2_000);
    expect(v.deadLetters).toEqual([{ n: 5, dlq: 'shop.dlq.payments', service: 'payments', origin: 'shop.orders-1@17', error: 'handler failed: card vault unreachable' }]);
    expect(v.summary).toContain('dead letters: shop.orders-1@17 in shop.dlq.payments (handler failed: card vault unreachable)');
  });

  it('no trigger in the timeline: unknown', () => {
    const [w] = diagnose([{ service: 'shipping', expects: ['ShipmentDelivered'], trigger: null, kind: 'timer', followUp: false }], events, noFacts());
    expect(w.diagnosis).toBe('unknown');
    expect(w.detail).toBe('shipping owes ShipmentDelivered, but what triggers it is not in the timeline');
  });
});

describe('verdictOf', () => {
  it('a PLACED order: waiting, idle since its last event, the main waits in the summary', () => {
    const events = buildTimeline([requested, placed, reserved, fraudOk]);
    const facts = noFacts();
    facts.groups.set('shop.payments-service', { state: 'Empty', members: 0 });
    facts.committed.set('shop.payments-service|shop.orders:1', 15);
    facts.ends.set('shop.orders:1', 20);
    const waits = diagnose(expectations(events), events, facts);
    const v = verdictOf(events, waits, T0 + 11 + 2_500);
    expect(v.status).toBe('waiting');
    expect(v.state).toBe('PLACED');
    expect(v.latencyMs).toBeNull();
    expect(v.idleMs).toBe(2_500);
    expect(v.summary).toBe(`PLACED for 2.50 s, waiting for PaymentAuthorized or PaymentDeclined from payments: ${waits[0].detail}`);
  });

  it('no events: not-found', () => {
    expect(verdictOf([], [], T0)).toMatchObject({ status: 'not-found', state: null, waits: [], deadLetters: [], summary: 'not found' });
  });
});
