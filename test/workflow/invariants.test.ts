// The invariant checks catch deliberately broken histories: each test takes the log of a clean seeded run,
// breaks one thing the way a buggy or non-idempotent worker would, and expects exactly that violation.

import { describe, expect, it } from 'vitest';
import type { TopicName } from '../../src/workflow/catalogue.js';
import type { WorkflowRecord } from '../../src/workflow/envelope.js';
import { checkInvariants, type TopicLogs } from '../../src/workflow/invariants.js';
import { runWorld } from './helpers/world.js';

const clean = runWorld({ seed: 42, orders: 150 });
type Logs = { [T in TopicName]: WorkflowRecord<T>[] };
const copy = (): Logs => structuredClone(clean.bus.logs);
const finalEvent = (logs: Logs, eventType: string) => logs.orders.find((r) => r.value.eventType === eventType)!.key;
const without = <T extends TopicName>(logs: Logs, topic: T, pred: (r: WorkflowRecord<T>) => boolean) => {
  (logs[topic] as WorkflowRecord<T>[]) = (logs[topic] as WorkflowRecord<T>[]).filter((r) => !pred(r));
};
const invariantsOf = (logs: TopicLogs) => checkInvariants(logs).map((v) => `${v.invariant} ${v.subject}`);

describe('checkInvariants', () => {
  it('finds nothing wrong in a clean run', () => {
    expect(checkInvariants(clean.bus.topicLogs())).toEqual([]);
  });

  it('catches a confirmed order without an authorized payment', () => {
    const logs = copy();
    const id = finalEvent(logs, 'OrderConfirmed');
    without(logs, 'payments', (r) => r.key === id && r.value.eventType === 'PaymentAuthorized');
    const violations = checkInvariants(logs);
    expect(violations).toContainEqual({
      invariant: 'confirmed',
      subject: id,
      message: `order ${id} was confirmed without an authorized payment`,
    });
  });

  it('catches a confirmed order without reserved stock', () => {
    const logs = copy();
    const id = finalEvent(logs, 'OrderConfirmed');
    without(logs, 'inventory.reservations', (r) => r.key === id && r.value.eventType === 'StockReserved');
    expect(invariantsOf(logs)).toContain(`confirmed ${id}`);
  });

  it('catches a rejected order whose stock was never released, and a voided payment that is missing', () => {
    const logs = copy();
    const fraudId = logs['fraud.checks'].find((r) => r.value.eventType === 'FraudCheckFailed')!.key;
    without(logs, 'inventory.reservations', (r) => r.key === fraudId && r.value.eventType === 'StockReleased');
    without(logs, 'payments', (r) => r.key === fraudId && r.value.eventType === 'PaymentVoided');
    const found = checkInvariants(logs).filter((v) => v.subject === fraudId);
    expect(found.map((v) => v.message)).toEqual([
      `rejected order ${fraudId} never had its reserved stock released`,
      `rejected order ${fraudId} never had its payment voided`,
    ]);
  });

  it('catches a double reservation and a double charge (a redelivery handled twice)', () => {
    const logs = copy();
    const reserved = logs['inventory.reservations'].find((r) => r.value.eventType === 'StockReserved')!;
    logs['inventory.reservations'].push({
      ...reserved,
      headers: { ...reserved.headers, 'evt-event-id': 'another-id' },
    });
    const captured = logs.payments.find((r) => r.value.eventType === 'PaymentCaptured')!;
    logs.payments.push({ ...captured, headers: { ...captured.headers, 'evt-event-id': 'yet-another-id' } });
    expect(invariantsOf(logs)).toEqual(
      expect.arrayContaining([`exactly-once ${reserved.key}`, `exactly-once ${captured.key}`]),
    );
  });

  it('catches negative stock and reserved + available != onHand', () => {
    const logs = copy();
    logs['inventory.stock'][0].value = { ...logs['inventory.stock'][0].value, onHand: -1, reserved: 0, available: -1 };
    logs['inventory.stock'][1].value = { ...logs['inventory.stock'][1].value, onHand: 10, reserved: 3, available: 8 };
    const messages = checkInvariants(logs)
      .filter((v) => v.invariant === 'stock')
      .map((v) => v.message);
    expect(messages).toHaveLength(2);
    expect(messages[0]).toMatch(/^negative stock/);
    expect(messages[1]).toMatch(/^reserved \+ available != onHand/);
  });

  it('catches a second writer, a foreign event type and a repeated event id', () => {
    const logs = copy();
    const p = logs.payments[0];
    logs.payments.push({ ...p, headers: { ...p.headers, 'evt-producer': 'orders', 'evt-event-id': 'x1' } });
    logs.payments.push({
      ...p,
      headers: { ...p.headers, 'evt-event-type': 'OrderPlaced', 'evt-event-id': 'x2' },
      value: { ...p.value, eventType: 'OrderPlaced' as never },
    });
    logs.payments.push({ ...p });
    const messages = checkInvariants(logs)
      .filter((v) => v.invariant === 'single-writer')
      .map((v) => v.message);
    expect(messages.some((m) => m.includes('written by orders, but payments has one writer: payments'))).toBe(true);
    expect(messages.some((m) => m.includes('has event type OrderPlaced, not one of payments'))).toBe(true);
    expect(messages.some((m) => m.includes('repeats event id'))).toBe(true);
  });

  it('reports an order that never reached a terminal state, with what it waits for', () => {
    const logs = copy();
    const id = finalEvent(logs, 'OrderCompleted');
    without(
      logs,
      'orders',
      (r) => r.key === id && (r.value.eventType === 'OrderCompleted' || r.value.eventType === 'OrderShipped'),
    );
    expect(checkInvariants(logs)).toContainEqual({
      invariant: 'terminal',
      subject: id,
      message: `order ${id} is stuck in CONFIRMED: shipment dispatched but orders never marked the order shipped`,
    });
    const unanswered = copy();
    const requested = unanswered['basket.order-requests'][0].key;
    without(unanswered, 'orders', (r) => r.key === requested);
    expect(checkInvariants(unanswered).find((v) => v.invariant === 'terminal')!.message).toBe(
      `order ${requested} is stuck in no state (orders never answered the request)`,
    );
  });
});
