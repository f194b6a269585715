// The invariants of the order workflow, checked from the topics' contents alone (what a simulation reads
// back from the log), never from the workers' memory. Each check returns violations naming the order or
// sku and what broke; an empty list means every invariant holds:
//   single-writer   every record was produced by its topic's writer, with a known event type, the standard
//                   headers, a key matching its value, and an event id not seen before on that topic
//   stock           every StockLevel has onHand, reserved, available >= 0 and reserved + available = onHand
//   terminal        every requested order reached REJECTED, COMPLETED or CANCELLED, else it is reported
//                   stuck with what it is waiting for
//   confirmed       no order confirmed without an authorized payment and reserved stock
//   compensated     every rejected or cancelled order had its reserved stock released and its
//                   authorization voided (and nothing captured)
//   exactly-once    no order reserved, released, authorized, voided or captured twice (what a redelivery
//                   handled without dedupe would do)

import { HEADERS, TOPICS, TOPIC_NAMES, isTerminal, type OrderState, type TopicName } from './catalogue.js';
import type { WorkflowRecord } from './envelope.js';

export type TopicLogs = { [T in TopicName]?: readonly WorkflowRecord<T>[] };

export type InvariantName = 'single-writer' | 'stock' | 'terminal' | 'confirmed' | 'compensated' | 'exactly-once';

export interface Violation {
  invariant: InvariantName;
  /** The order id, sku or topic concerned. */
  subject: string;
  message: string;
}

/** Counts of the events concerning one order, across topics. */
interface OrderFacts {
  requested: boolean;
  states: OrderState[];
  counts: Map<string, number>;
}

/** `topicName` names a topic in the messages (a simulation gives its physical names; default the logical one). */
export function checkInvariants(logs: TopicLogs, topicName: (topic: TopicName) => string = (t) => t): Violation[] {
  return [...checkWriters(logs, topicName), ...checkStock(logs), ...checkOrders(logs)];
}

function checkWriters(logs: TopicLogs, topicName: (topic: TopicName) => string): Violation[] {
  const out: Violation[] = [];
  for (const logical of TOPIC_NAMES) {
    const spec = TOPICS[logical];
    const topic = topicName(logical);
    const ids = new Set<string>();
    for (const [i, record] of (logs[logical] ?? []).entries()) {
      const where = `${topic}[${i}]`;
      const v = record.value as unknown as Record<string, unknown>;
      const producer = record.headers[HEADERS.producer];
      if (producer !== spec.writer)
        out.push({
          invariant: 'single-writer',
          subject: topic,
          message: `${where} written by ${producer ?? '(no producer header)'}, but ${topic} has one writer: ${spec.writer}`,
        });
      if (!spec.eventTypes.includes(String(v.eventType)))
        out.push({
          invariant: 'single-writer',
          subject: topic,
          message: `${where} has event type ${String(v.eventType)}, not one of ${topic}'s`,
        });
      if (record.headers[HEADERS.eventType] !== v.eventType)
        out.push({
          invariant: 'single-writer',
          subject: topic,
          message: `${where} header ${HEADERS.eventType} ${record.headers[HEADERS.eventType]} differs from its value's ${String(v.eventType)}`,
        });
      if (record.key !== String(v[spec.key]))
        out.push({
          invariant: 'single-writer',
          subject: topic,
          message: `${where} key ${record.key} is not its ${spec.key} ${String(v[spec.key])}`,
        });
      for (const h of [HEADERS.eventId, HEADERS.correlationId, HEADERS.traceparent]) {
        if (!record.headers[h])
          out.push({ invariant: 'single-writer', subject: topic, message: `${where} has no ${h} header` });
      }
      const id = record.headers[HEADERS.eventId];
      if (id && ids.has(id))
        out.push({ invariant: 'single-writer', subject: topic, message: `${where} repeats event id ${id}` });
      if (id) ids.add(id);
    }
  }
  return out;
}

function checkStock(logs: TopicLogs): Violation[] {
  const out: Violation[] = [];
  for (const level of logs['inventory.stock'] ?? []) {
    const { sku, onHand, reserved, available, version } = level.value;
    const what = `${sku} v${version}: onHand ${onHand}, reserved ${reserved}, available ${available}`;
    if (onHand < 0 || reserved < 0 || available < 0)
      out.push({ invariant: 'stock', subject: sku, message: `negative stock: ${what}` });
    if (reserved + available !== onHand)
      out.push({ invariant: 'stock', subject: sku, message: `reserved + available != onHand: ${what}` });
  }
  return out;
}

function checkOrders(logs: TopicLogs): Violation[] {
  const facts = new Map<string, OrderFacts>();
  const of = (orderId: string): OrderFacts => {
    let f = facts.get(orderId);
    if (!f) facts.set(orderId, (f = { requested: false, states: [], counts: new Map() }));
    return f;
  };
  const count = (orderId: string, eventType: string) => {
    const f = of(orderId);
    f.counts.set(eventType, (f.counts.get(eventType) ?? 0) + 1);
  };
  for (const r of logs['basket.order-requests'] ?? []) {
    if (r.value.eventType === 'OrderRequested') of(r.value.orderId).requested = true;
    count(r.value.orderId, r.value.eventType);
  }
  for (const r of logs.orders ?? []) {
    of(r.value.orderId).states.push(r.value.state);
    count(r.value.orderId, r.value.eventType);
  }
  for (const topic of ['inventory.reservations', 'payments', 'fraud.checks', 'shipments'] as const) {
    for (const r of logs[topic] ?? []) count(r.value.orderId, r.value.eventType);
  }

  const out: Violation[] = [];
  for (const [orderId, f] of facts) {
    const n = (t: string) => f.counts.get(t) ?? 0;
    const last = f.states.at(-1);
    if (f.requested && (!last || !isTerminal(last))) {
      out.push({
        invariant: 'terminal',
        subject: orderId,
        message: `order ${orderId} is stuck in ${last ?? 'no state (orders never answered the request)'}${last ? `: ${stuckReason(last, n)}` : ''}`,
      });
    }
    if (n('OrderConfirmed') > 0) {
      const missing = [
        n('PaymentAuthorized') === 0 && 'an authorized payment',
        n('StockReserved') === 0 && 'reserved stock',
      ].filter(Boolean);
      if (missing.length)
        out.push({
          invariant: 'confirmed',
          subject: orderId,
          message: `order ${orderId} was confirmed without ${missing.join(' and ')}`,
        });
    }
    if (last === 'REJECTED' || last === 'CANCELLED') {
      if (n('StockReserved') > n('StockReleased'))
        out.push({
          invariant: 'compensated',
          subject: orderId,
          message: `${last.toLowerCase()} order ${orderId} never had its reserved stock released`,
        });
      if (n('PaymentAuthorized') > n('PaymentVoided'))
        out.push({
          invariant: 'compensated',
          subject: orderId,
          message: `${last.toLowerCase()} order ${orderId} never had its payment voided`,
        });
      if (n('PaymentCaptured') > 0)
        out.push({
          invariant: 'compensated',
          subject: orderId,
          message: `${last.toLowerCase()} order ${orderId} had its payment captured`,
        });
    }
    for (const t of ['StockReserved', 'StockReleased', 'PaymentAuthorized', 'PaymentVoided', 'PaymentCaptured']) {
      if (n(t) > 1)
        out.push({ invariant: 'exactly-once', subject: orderId, message: `order ${orderId} has ${n(t)} ${t} events` });
    }
  }
  return out;
}

/** What a non-terminal order is waiting for, from the answers present in the log. */
function stuckReason(state: OrderState, n: (eventType: string) => number): string {
  const waits: string[] = [];
  if (state === 'PLACED') {
    if (n('StockReserved') + n('StockReservationFailed') === 0) waits.push('no answer from inventory');
    if (n('PaymentAuthorized') + n('PaymentDeclined') === 0) waits.push('no answer from payments');
    if (n('FraudCheckPassed') + n('FraudCheckFailed') === 0) waits.push('no answer from fraud');
    if (waits.length === 0) waits.push('every answer arrived but orders did not decide');
  } else if (state === 'CANCEL_PENDING') {
    if (n('StockReserved') > n('StockReleased')) waits.push('stock not released by inventory');
    if (n('StockReserved') + n('StockReservationFailed') === 0) waits.push('no answer from inventory');
    if (n('PaymentAuthorized') > n('PaymentVoided')) waits.push('payment not voided by payments');
    if (n('PaymentAuthorized') + n('PaymentDeclined') === 0) waits.push('no answer from payments');
  } else if (state === 'CONFIRMED') {
    if (n('ShipmentDispatched')) waits.push('shipment dispatched but orders never marked the order shipped');
    else
      waits.push(
        n('ShipmentScheduled') ? 'shipment scheduled but never dispatched' : 'no shipment scheduled by shipping',
      );
  } else if (state === 'SHIPPED') {
    waits.push(
      n('ShipmentDelivered') ? 'shipment delivered but orders never completed the order' : 'shipment never delivered',
    );
  }
  return waits.join(', ') || 'waiting';
}
