// The verdict of `evt trace` without a cluster: hand-built records decoded as a trace decodes them
// (decodeFound), laid out by buildTimeline, judged by the bundled workflow's flow (expectations from its
// reactions), the group facts a trace would read (diagnose) and the final word (verdictOf); and, without a
// flow, the position of the newest event.

import { describe, expect, it } from 'vitest';
import type { ConsumedRecord } from '../../src/client/records.js';
import { createValueCodec } from '../../src/codec/create-codec.js';
import { expectations } from '../../src/flow/expectations.js';
import { EntityMatcher } from '../../src/flow/entity.js';
import { decodeFound } from '../../src/trace/event.js';
import { buildTimeline, type TraceEvent } from '../../src/trace/timeline.js';
import { diagnose, verdictOf, type GroupFacts } from '../../src/trace/verdict.js';
import { STATE_AFTER, type TopicName } from '../../src/workflow/catalogue.js';
import { workflowFlow } from '../../src/workflow/flow.js';
import { workflowNames } from '../../src/workflow/names.js';

const ORDER = 'o-unit00-000001';
const T0 = 1_700_000_000_000;
const names = workflowNames();
// the records here are JSON rather than the services' Avro: the flow's promise of registry-encoded values is lifted
const SHOP = { ...workflowFlow(names), topics: workflowFlow(names).topics.map((t) => ({ ...t, values: null })) };
const T = (t: TopicName) => names.topic(t);
const PAYMENTS = names.group('payments');

const PRODUCER: Record<string, string> = {
  'basket.order-requests': 'basket',
  orders: 'orders',
  'inventory.reservations': 'inventory',
  payments: 'payments',
  'fraud.checks': 'fraud',
  shipments: 'shipping',
};

const STATE: Readonly<Record<string, string>> = STATE_AFTER;

interface Spec {
  topic: TopicName;
  type: string;
  at: number;
  offset?: number;
  /** event id of the cause */
  cause?: string;
  id?: string;
  value?: Record<string, unknown>;
}

const text = (headers: Record<string, string>) =>
  Object.entries(headers).map(([key, v]) => ({ key, value: Buffer.from(v) }));

/** A record of the order, with the headers every workflow event carries (values as JSON, as if read without a registry). */
function record(s: Spec): ConsumedRecord {
  const id = s.id ?? `${s.type}-${s.at}`;
  const value = {
    eventType: s.type,
    orderId: ORDER,
    ...(STATE[s.type] ? { state: STATE[s.type], reason: null, cancelReason: null, total: 1798 } : {}),
    ...s.value,
  };
  return {
    topic: T(s.topic),
    partition: 1,
    offset: s.offset ?? s.at,
    timestamp: T0 + s.at,
    key: Buffer.from(ORDER),
    value: Buffer.from(JSON.stringify(value)),
    headers: text({
      'evt-event-type': s.type,
      'evt-event-id': id,
      'evt-correlation-id': ORDER,
      'evt-causation-id': s.cause ?? '',
      'evt-producer': PRODUCER[s.topic] ?? 'unknown',
    }),
  };
}

/** A dead letter of `origin`, as evt's workers write it to their service's dead-letter topic. */
function deadLetter(
  origin: { topic: string; partition: number; offset: number },
  service: 'payments' | 'orders',
  error: string,
  at: number,
): ConsumedRecord {
  return {
    topic: names.dlq(service),
    partition: 0,
    offset: 0,
    timestamp: T0 + at,
    key: Buffer.from(ORDER),
    value: Buffer.from('{"not":"avro"}'),
    headers: text({
      'evt-event-type': 'OrderPlaced',
      'evt-correlation-id': ORDER,
      'evt-dlq-topic': origin.topic,
      'evt-dlq-partition': String(origin.partition),
      'evt-dlq-offset': String(origin.offset),
      'evt-dlq-error': error,
      'evt-dlq-attempts': '3',
      'evt-dlq-service': service,
    }),
  };
}

const codec = await createValueCodec('auto');
const matcher = new EntityMatcher(ORDER);
async function timeline(...records: ConsumedRecord[]): Promise<TraceEvent[]> {
  return buildTimeline(await decodeFound(records, codec, matcher, SHOP), SHOP);
}

// The start of every order: requested, then placed (offsets are distinct per topic; partition 1 throughout).
const requested = record({ topic: 'basket.order-requests', type: 'OrderRequested', at: 0, offset: 40, id: 'req' });
const placed = record({ topic: 'orders', type: 'OrderPlaced', at: 5, offset: 17, id: 'placed', cause: 'req' });
const reserved = record({
  topic: 'inventory.reservations',
  type: 'StockReserved',
  at: 9,
  offset: 11,
  id: 'reserved',
  cause: 'placed',
});
const authorized = record({
  topic: 'payments',
  type: 'PaymentAuthorized',
  at: 10,
  offset: 21,
  id: 'authorized',
  cause: 'placed',
});
const fraudOk = record({
  topic: 'fraud.checks',
  type: 'FraudCheckPassed',
  at: 11,
  offset: 31,
  id: 'fraud',
  cause: 'placed',
});

const noFacts = (): GroupFacts => ({ groups: new Map(), committed: new Map(), ends: new Map() });
const owed = (events: readonly TraceEvent[]) =>
  expectations(SHOP, events).map((x) => [x.reaction.service, x.expects, x.trigger.eventType, x.followUp]);

function byType(events: readonly TraceEvent[], type: string): TraceEvent {
  const e = events.find((x) => x.eventType === type);
  if (!e) throw new Error(`no ${type} in the timeline`);
  return e;
}

describe('buildTimeline', () => {
  it('orders by time, puts an effect stamped before its cause after it, and links causes by n', async () => {
    // StockReserved carries a timestamp 3 ms before the OrderPlaced that caused it (another producer's clock)
    const skewed = record({
      topic: 'inventory.reservations',
      type: 'StockReserved',
      at: 2,
      offset: 11,
      id: 'reserved',
      cause: 'placed',
    });
    const events = await timeline(fraudOk, skewed, placed, requested);
    expect(events.map((e) => e.eventType)).toEqual([
      'OrderRequested',
      'OrderPlaced',
      'StockReserved',
      'FraudCheckPassed',
    ]);
    expect(events.map((e) => e.n)).toEqual([1, 2, 3, 4]);
    expect(events.map((e) => e.causedBy)).toEqual([null, 1, 2, 2]);
    expect(events.map((e) => e.sinceStartMs)).toEqual([0, 5, 2, 11]);
    // the flow watches state, reason, cancelReason and total on the orders topic
    expect(byType(events, 'OrderPlaced').changes).toEqual({ state: [null, 'PLACED'], total: [null, 1798] });
    expect(events[0].producer).toBe('basket');
    expect(events[0].matchedBy).toEqual(['key']);
    expect(events[0].typeFrom).toBe('header evt-event-type');
  });

  it("records the origin of a dead letter, by evt's own headers", async () => {
    const events = await timeline(
      requested,
      placed,
      deadLetter({ topic: T('orders'), partition: 1, offset: 17 }, 'payments', 'boom', 20),
    );
    const dead = events[2];
    expect(dead.topic).toBe(names.dlq('payments'));
    expect(dead.deadLetter).toEqual({
      scheme: 'evt',
      topic: T('orders'),
      partition: 1,
      offset: 17,
      error: 'boom',
      exception: null,
      by: 'payments',
      attempts: 3,
    });
  });
});

describe("the flow's promise of registry-encoded values", () => {
  it('a record that is not in the wire format on such a topic is garbage, not an event: flagged, and owed nothing', async () => {
    const real = workflowFlow(names);
    const events = buildTimeline(await decodeFound([requested, placed], codec, matcher, real), real);
    expect(events.map((e) => e.error)).toEqual([
      `not in the schema registry wire format, which flow shop says ${T('basket.order-requests')} carries`,
      `not in the schema registry wire format, which flow shop says ${T('orders')} carries`,
    ]);
    expect(expectations(real, events)).toEqual([]);
  });
});

describe('expectations of the bundled flow', () => {
  it('PLACED with inventory and fraud answered: payments owes an answer to OrderPlaced, nothing else', async () => {
    const events = await timeline(requested, placed, reserved, fraudOk);
    const x = expectations(SHOP, events);
    expect(x).toHaveLength(1);
    expect(x[0]).toMatchObject({ expects: ['PaymentAuthorized', 'PaymentDeclined'], followUp: false });
    expect(x[0].reaction).toMatchObject({ service: 'payments', groups: [PAYMENTS], timer: false });
    expect(x[0].trigger).toMatchObject({ eventType: 'OrderPlaced', offset: 17 });
  });

  it('PLACED with all three answers: orders owes its decision; with a failed one: OrderRejected caused by it', async () => {
    expect(owed(await timeline(requested, placed, reserved, authorized, fraudOk))).toEqual([
      ['orders', ['OrderConfirmed', 'OrderRejected'], 'FraudCheckPassed', false],
    ]);
    const declined = record({
      topic: 'payments',
      type: 'PaymentDeclined',
      at: 10,
      offset: 21,
      id: 'declined',
      cause: 'placed',
    });
    const bad = owed(await timeline(requested, placed, reserved, declined));
    expect(bad).toEqual([
      ['fraud', ['FraudCheckPassed', 'FraudCheckFailed'], 'OrderPlaced', false],
      ['orders', ['OrderRejected'], 'PaymentDeclined', false],
    ]);
  });

  it('only a request: orders owes OrderPlaced or OrderRejected', async () => {
    expect(owed(await timeline(requested))).toEqual([
      ['orders', ['OrderPlaced', 'OrderRejected'], 'OrderRequested', false],
    ]);
  });

  it('CONFIRMED with ShipmentScheduled only: shipping owes ShipmentDispatched from a timer', async () => {
    const confirmed = record({
      topic: 'orders',
      type: 'OrderConfirmed',
      at: 15,
      offset: 18,
      id: 'confirmed',
      cause: 'fraud',
    });
    const scheduled = record({
      topic: 'shipments',
      type: 'ShipmentScheduled',
      at: 20,
      offset: 5,
      id: 'scheduled',
      cause: 'confirmed',
    });
    const events = await timeline(requested, placed, reserved, authorized, fraudOk, confirmed, scheduled);
    expect(owed(events)).toEqual([['shipping', ['ShipmentDispatched'], 'ShipmentScheduled', false]]);
    const [w] = diagnose(SHOP, events, noFacts(), T0 + 21);
    expect(w.diagnosis).toBe('timer');
    expect(w.positions).toEqual([
      { group: names.group('shipping'), state: null, members: null, committed: null, lag: null, consumed: false },
    ]);
    expect(w.detail).toContain(`timer of shipping after ShipmentScheduled (${T('shipments')}-1@5)`);
    expect(w.overdue).toBe(false);
  });

  it('CANCEL_PENDING with StockReserved and no StockReleased: inventory owes StockReleased to the OrderCancelPending', async () => {
    const cancel = record({ topic: 'basket.order-requests', type: 'CancelRequested', at: 1, offset: 41, id: 'cancel' });
    const declined = record({
      topic: 'payments',
      type: 'PaymentDeclined',
      at: 10,
      offset: 21,
      id: 'declined',
      cause: 'placed',
    });
    const pending = record({
      topic: 'orders',
      type: 'OrderCancelPending',
      at: 12,
      offset: 18,
      id: 'pending',
      cause: 'cancel',
    });
    const events = await timeline(requested, cancel, placed, reserved, declined, pending);
    // payments declined: nothing to void; inventory reserved: the release is owed (the order waits on it); fraud has not answered
    expect(owed(events)).toEqual([
      ['fraud', ['FraudCheckPassed', 'FraudCheckFailed'], 'OrderPlaced', false],
      ['inventory', ['StockReleased'], 'OrderCancelPending', false],
    ]);

    // once released, orders owes OrderCancelled
    const released = record({
      topic: 'inventory.reservations',
      type: 'StockReleased',
      at: 14,
      offset: 12,
      id: 'released',
      cause: 'pending',
    });
    const after = owed(await timeline(requested, cancel, placed, reserved, declined, pending, released)).filter(
      ([s]) => s !== 'fraud',
    );
    expect(after).toEqual([['orders', ['OrderCancelled'], 'StockReleased', false]]);
  });

  it('REJECTED with PaymentAuthorized and no PaymentVoided: a follow-up for payments, the order still final', async () => {
    const failed = record({
      topic: 'fraud.checks',
      type: 'FraudCheckFailed',
      at: 11,
      offset: 31,
      id: 'fraudfail',
      cause: 'placed',
    });
    const rejected = record({
      topic: 'orders',
      type: 'OrderRejected',
      at: 13,
      offset: 18,
      id: 'rejected',
      cause: 'fraudfail',
      value: { reason: 'FRAUD_SUSPECTED' },
    });
    const released = record({
      topic: 'inventory.reservations',
      type: 'StockReleased',
      at: 14,
      offset: 12,
      id: 'released',
      cause: 'rejected',
    });
    const events = await timeline(requested, placed, reserved, authorized, failed, rejected, released);
    expect(owed(events)).toEqual([['payments', ['PaymentVoided'], 'OrderRejected', true]]);

    const facts = noFacts();
    facts.committed.set(`${PAYMENTS}|${T('orders')}:1`, 18);
    facts.ends.set(`${T('orders')}:1`, 30);
    const v = verdictOf(SHOP, events, facts, T0 + 60_000);
    expect(v.status).toBe('final');
    expect(v.state).toBe('REJECTED');
    expect(v.reason).toBe('FRAUD_SUSPECTED');
    expect(v.latencyMs).toBe(13);
    expect(v.idleMs).toBeNull();
    expect(v.waits).toHaveLength(1);
    // committed 18 is the offset after OrderRejected@18? no: past OrderPlaced@17 only, so the rejection is not consumed yet
    expect(v.waits[0]).toMatchObject({ service: 'payments', followUp: true, diagnosis: 'not-consumed' });
    expect(v.waits[0].positions).toEqual([
      { group: PAYMENTS, state: null, members: null, committed: 18, lag: 12, consumed: false },
    ]);
    expect(v.summary).toBe('REJECTED (FRAUD_SUSPECTED) after 13 ms; still owed: PaymentVoided from payments');
  });

  it('a final COMPLETED order with its capture and commit owes nothing', async () => {
    const steps: [TopicName, string, number][] = [
      ['orders', 'OrderConfirmed', 15],
      ['shipments', 'ShipmentScheduled', 16],
      ['shipments', 'ShipmentDispatched', 20],
      ['orders', 'OrderShipped', 21],
      ['payments', 'PaymentCaptured', 22],
      ['inventory.reservations', 'StockCommitted', 23],
      ['shipments', 'ShipmentDelivered', 30],
      ['orders', 'OrderCompleted', 31],
    ];
    const rest = steps.map(([topic, type, at]) => record({ topic, type, at, offset: 100 + at }));
    const events = await timeline(requested, placed, reserved, authorized, fraudOk, ...rest);
    expect(owed(events)).toEqual([]);
    const v = verdictOf(SHOP, events, noFacts(), T0 + 1000);
    expect(v).toMatchObject({
      status: 'final',
      state: 'COMPLETED',
      reason: null,
      latencyMs: 31,
      waits: [],
      deadLetters: [],
      summary: 'COMPLETED after 31 ms',
    });

    // without the capture: payments still owes it, as a follow-up of the final order
    const missing = await timeline(
      requested,
      placed,
      reserved,
      authorized,
      fraudOk,
      ...rest.filter((_, i) => steps[i][1] !== 'PaymentCaptured'),
    );
    expect(owed(missing)).toEqual([['payments', ['PaymentCaptured'], 'OrderShipped', true]]);
  });
});

describe('diagnose', async () => {
  const events = await timeline(requested, placed, reserved, fraudOk);
  const orders1 = `${T('orders')}-1`;

  it('committed at or before the trigger: not-consumed, lag = end - committed, group and lag named', () => {
    for (const committed of [17, 12]) {
      const facts = noFacts();
      facts.groups.set(PAYMENTS, { state: 'Empty', members: 0 });
      facts.committed.set(`${PAYMENTS}|${T('orders')}:1`, committed);
      facts.ends.set(`${T('orders')}:1`, 25);
      const [w] = diagnose(SHOP, events, facts, T0 + 100);
      expect(w).toMatchObject({
        service: 'payments',
        groups: [PAYMENTS],
        diagnosis: 'not-consumed',
        trigger: { n: 2, topic: T('orders'), partition: 1, offset: 17, eventType: 'OrderPlaced' },
      });
      expect(w.positions).toEqual([
        { group: PAYMENTS, state: 'Empty', members: 0, committed, lag: 25 - committed, consumed: false },
      ]);
      expect(w.detail).toBe(
        `${PAYMENTS} has not consumed OrderPlaced (${orders1}@17) yet: it is at offset ${committed} on ${orders1}, lag ${25 - committed}; no member running (Empty)`,
      );
    }
  });

  it("nothing committed: not-consumed, lag from the start; overdue once past the flow's within", () => {
    const facts = noFacts();
    facts.groups.set(PAYMENTS, { state: 'Stable', members: 2 });
    facts.ends.set(`${T('orders')}:1`, 25);
    const [w] = diagnose(SHOP, events, facts, T0 + 5 + 60_000);
    expect(w).toMatchObject({ diagnosis: 'not-consumed', withinMs: 2000, overdue: true });
    expect(w.positions[0]).toMatchObject({ committed: null, lag: 25 });
    expect(w.detail).toContain('it has committed nothing');
    expect(w.detail).toContain('2 members (Stable)');
    expect(w.detail).toContain('(overdue: usually within 2.00 s, waiting 1 min 0 s)');
  });

  it("committed past the trigger: consumed-no-output, pointing at the service's log", () => {
    const facts = noFacts();
    facts.groups.set(PAYMENTS, { state: 'Stable', members: 1 });
    facts.committed.set(`${PAYMENTS}|${T('orders')}:1`, 18);
    facts.ends.set(`${T('orders')}:1`, 25);
    const [w] = diagnose(SHOP, events, facts, T0 + 100);
    expect(w.diagnosis).toBe('consumed-no-output');
    expect(w.positions[0]).toMatchObject({ committed: 18, lag: 7, consumed: true });
    expect(w.detail).toContain(`consumed OrderPlaced (${orders1}@17; committed 18)`);
    expect(w.detail).toContain("see payments's log");
  });

  it('committed on another partition only: still not-consumed on the trigger partition', () => {
    const facts = noFacts();
    facts.committed.set(`${PAYMENTS}|${T('orders')}:0`, 999);
    facts.ends.set(`${T('orders')}:1`, 25);
    expect(diagnose(SHOP, events, facts, T0)[0].diagnosis).toBe('not-consumed');
  });

  it('a dead letter whose origin is the trigger: dead-lettered, with its error, whatever the offsets say', async () => {
    const dead = deadLetter(
      { topic: T('orders'), partition: 1, offset: 17 },
      'payments',
      'handler failed: card vault unreachable',
      40,
    );
    const withDead = await timeline(requested, placed, reserved, fraudOk, dead);
    const facts = noFacts();
    facts.committed.set(`${PAYMENTS}|${T('orders')}:1`, 18);
    facts.ends.set(`${T('orders')}:1`, 25);
    const waits = diagnose(SHOP, withDead, facts, T0 + 100);
    expect(waits).toHaveLength(1);
    expect(waits[0].diagnosis).toBe('dead-lettered');
    expect(waits[0].detail).toBe(
      `payments sent OrderPlaced (${orders1}@17) to ${names.dlq('payments')} after 3 attempt(s): handler failed: card vault unreachable`,
    );

    // a dead letter of another record (the next offset) does not explain this wait
    const other = await timeline(
      requested,
      placed,
      reserved,
      fraudOk,
      deadLetter({ topic: T('orders'), partition: 1, offset: 18 }, 'payments', 'x', 40),
    );
    expect(diagnose(SHOP, other, facts, T0)[0].diagnosis).toBe('consumed-no-output');

    const v = verdictOf(SHOP, withDead, facts, T0 + 2_000);
    expect(v.deadLetters).toEqual([
      {
        n: 5,
        dlq: names.dlq('payments'),
        by: 'payments',
        origin: `${orders1}@17`,
        error: 'handler failed: card vault unreachable',
        exception: null,
      },
    ]);
    expect(v.summary).toContain(
      `dead letters: ${orders1}@17 in ${names.dlq('payments')} by payments (handler failed: card vault unreachable)`,
    );
  });
});

describe('verdictOf', () => {
  it('a PLACED order: waiting, idle since its last event, the main waits in the summary', async () => {
    const events = await timeline(requested, placed, reserved, fraudOk);
    const facts = noFacts();
    facts.groups.set(PAYMENTS, { state: 'Empty', members: 0 });
    facts.committed.set(`${PAYMENTS}|${T('orders')}:1`, 15);
    facts.ends.set(`${T('orders')}:1`, 20);
    const now = T0 + 11 + 2_500;
    const v = verdictOf(SHOP, events, facts, now);
    expect(v.status).toBe('waiting');
    expect(v.state).toBe('PLACED');
    expect(v.latencyMs).toBeNull();
    expect(v.idleMs).toBe(2_500);
    expect(v.summary).toBe(
      `PLACED for 2.50 s, waiting for PaymentAuthorized or PaymentDeclined from payments: ${diagnose(SHOP, events, facts, now)[0].detail}`,
    );
  });

  it('no events: not-found', () => {
    expect(verdictOf(SHOP, [], noFacts(), T0)).toMatchObject({
      status: 'not-found',
      state: null,
      waits: [],
      deadLetters: [],
      summary: 'not found',
    });
  });

  it('without a flow: unjudged, the newest event and which groups of its topic have consumed it', async () => {
    const events = await timeline(requested, placed);
    const facts = noFacts();
    facts.groups.set('billing', { state: 'Stable', members: 1 });
    facts.groups.set('audit', { state: 'Empty', members: 0 });
    facts.committed.set(`billing|${T('orders')}:1`, 18);
    facts.committed.set(`audit|${T('orders')}:1`, 10);
    facts.ends.set(`${T('orders')}:1`, 30);
    const v = verdictOf(null, events, facts, T0 + 65_000);
    expect(v.status).toBe('unjudged');
    expect(v.state).toBe('OrderPlaced');
    expect(v.newest).toMatchObject({ n: 2, eventType: 'OrderPlaced', topic: T('orders'), offset: 17 });
    expect(v.newest!.consumers).toEqual([
      { group: 'billing', state: 'Stable', members: 1, committed: 18, lag: 12, consumed: true },
      { group: 'audit', state: 'Empty', members: 0, committed: 10, lag: 20, consumed: false },
    ]);
    expect(v.summary).toContain(
      'consumed by billing; not yet by audit is at offset 10, lag 20; no member running (Empty)',
    );
  });
});
