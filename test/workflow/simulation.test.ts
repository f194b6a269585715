// The pure services driven together on the in-memory bus, with redeliveries: a seeded run of a few hundred
// orders ends with every order terminal and every invariant holding, reproducibly; each path (out of stock,
// payment declined, fraud, invalid details, timeout with a silent service, cancel, failed shipment)
// produces its events and compensations.

import { describe, expect, it } from 'vitest';
import { checkInvariants } from '../../src/workflow/invariants.js';
import { isTerminal } from '../../src/workflow/catalogue.js';
import { eventsOf, runWorld, type Outcome } from './helpers/world.js';

function byOutcome(outcomes: Map<string, Outcome>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes.values()) {
    const k = o.reason ? `${o.state}:${o.reason}` : o.state;
    counts[k] = (counts[k] ?? 0) + 1;
  }
  return counts;
}

function firstWith(outcomes: Map<string, Outcome>, pred: (o: Outcome) => boolean): string {
  for (const [id, o] of outcomes) if (pred(o)) return id;
  throw new Error('no order took that path');
}

describe('seeded simulation', () => {
  const run = runWorld({ seed: 42, orders: 300 });

  it('ends with every order terminal and every invariant holding, despite redeliveries', () => {
    expect(run.bus.redeliveries).toBeGreaterThan(100);
    expect(run.outcomes.size).toBe(300);
    for (const id of run.ids) expect(isTerminal(run.outcomes.get(id)!.state), id).toBe(true);
    expect(checkInvariants(run.bus.topicLogs())).toEqual([]);
  });

  it('produces exactly the same log with and without redeliveries: the handlers are idempotent', () => {
    const once = runWorld({ seed: 42, orders: 300, redeliveryRate: 0 });
    expect(once.bus.redeliveries).toBe(0);
    expect(run.bus.logs).toEqual(once.bus.logs);
  });

  it('takes every path', () => {
    const counts = byOutcome(run.outcomes);
    for (const k of [
      'COMPLETED',
      'CANCELLED',
      'REJECTED:OUT_OF_STOCK',
      'REJECTED:PAYMENT_DECLINED',
      'REJECTED:FRAUD_SUSPECTED',
      'REJECTED:INVALID_DETAILS',
    ]) {
      expect(counts[k] ?? 0, `${k} in ${JSON.stringify(counts)}`).toBeGreaterThan(0);
    }
  });

  it('gives the same outcomes, events and ids for the same seed, and others for another seed', () => {
    const again = runWorld({ seed: 42, orders: 300 });
    expect([...again.outcomes]).toEqual([...run.outcomes]);
    expect(again.bus.logs).toEqual(run.bus.logs);
    const other = runWorld({ seed: 7, orders: 300 });
    expect([...other.outcomes]).not.toEqual([...run.outcomes]);
  });

  it('leaves stock consistent: what inventory holds matches the stock levels and the completed orders', () => {
    const inv = run.services.inventory;
    for (const [sku, item] of inv.stock) {
      expect(item.reserved, sku).toBe(0); // every order is terminal: nothing left held
      expect(item.onHand).toBeGreaterThanOrEqual(0);
      const last = run.bus.logs['inventory.stock'].filter((r) => r.key === sku).at(-1)!;
      expect(last.value).toMatchObject({ onHand: item.onHand, reserved: 0, available: item.onHand });
    }
  });

  it('completes an order through every step, capturing its payment once', () => {
    const id = firstWith(run.outcomes, (o) => o.state === 'COMPLETED');
    expect(eventsOf(run.bus, id)).toEqual([
      'basket.order-requests:OrderRequested',
      'orders:OrderPlaced',
      'orders:OrderConfirmed',
      'orders:OrderShipped',
      'orders:OrderCompleted',
      'inventory.reservations:StockReserved',
      'inventory.reservations:StockCommitted',
      'payments:PaymentAuthorized',
      'payments:PaymentCaptured',
      'fraud.checks:FraudCheckPassed',
      'shipments:ShipmentScheduled',
      'shipments:ShipmentDispatched',
      'shipments:ShipmentDelivered',
    ]);
  });
});

describe('each path produces its events and compensations', () => {
  const run = runWorld({ seed: 42, orders: 300 });
  const logs = run.bus.logs;
  const placed = (id: string) => logs.orders.some((r) => r.key === id && r.value.eventType === 'OrderPlaced');

  it('out of stock from inventory (a sku nobody stocks): reservation fails, the authorization is voided', () => {
    const id = [...run.outcomes].find(([oid, o]) => o.reason === 'OUT_OF_STOCK' && placed(oid))![0];
    const events = eventsOf(run.bus, id);
    expect(events).toContain('inventory.reservations:StockReservationFailed');
    expect(events).not.toContain('inventory.reservations:StockReserved');
    expect(events).not.toContain('orders:OrderConfirmed');
    if (events.includes('payments:PaymentAuthorized')) expect(events).toContain('payments:PaymentVoided');
  });

  it('out of stock from the local stock view: rejected at once, never placed, nothing to compensate', () => {
    const id = [...run.outcomes].find(([oid, o]) => o.reason === 'OUT_OF_STOCK' && !placed(oid))![0];
    expect(eventsOf(run.bus, id)).toEqual(['basket.order-requests:OrderRequested', 'orders:OrderRejected']);
  });

  it('payment declined: reserved stock is released, nothing to void', () => {
    const id = firstWith(run.outcomes, (o) => o.reason === 'PAYMENT_DECLINED');
    const events = eventsOf(run.bus, id);
    expect(events).toContain('payments:PaymentDeclined');
    expect(events).not.toContain('payments:PaymentVoided');
    if (events.includes('inventory.reservations:StockReserved'))
      expect(events).toContain('inventory.reservations:StockReleased');
  });

  it('fraud suspected: stock released and payment voided', () => {
    const id = firstWith(run.outcomes, (o) => o.reason === 'FRAUD_SUSPECTED');
    const events = eventsOf(run.bus, id);
    expect(events).toContain('fraud.checks:FraudCheckFailed');
    expect(events.filter((e) => e.startsWith('orders:'))).toEqual(['orders:OrderPlaced', 'orders:OrderRejected']);
    expect(events.includes('inventory.reservations:StockReserved')).toBe(
      events.includes('inventory.reservations:StockReleased'),
    );
    expect(events.includes('payments:PaymentAuthorized')).toBe(events.includes('payments:PaymentVoided'));
  });

  it('invalid details: rejected without being placed', () => {
    const id = firstWith(run.outcomes, (o) => o.reason === 'INVALID_DETAILS');
    expect(eventsOf(run.bus, id)).toEqual(['basket.order-requests:OrderRequested', 'orders:OrderRejected']);
  });

  it('cancel while placed: CANCEL_PENDING, stock released and payment voided, then CANCELLED', () => {
    const id = [...run.outcomes].find(
      ([oid, o]) =>
        o.state === 'CANCELLED' &&
        logs['basket.order-requests'].some((r) => r.key === oid && r.value.eventType === 'CancelRequested'),
    )![0];
    const events = eventsOf(run.bus, id);
    expect(events.filter((e) => e.startsWith('orders:'))).toEqual([
      'orders:OrderPlaced',
      'orders:OrderCancelPending',
      'orders:OrderCancelled',
    ]);
    expect(events.includes('inventory.reservations:StockReserved')).toBe(
      events.includes('inventory.reservations:StockReleased'),
    );
    expect(events.includes('payments:PaymentAuthorized')).toBe(events.includes('payments:PaymentVoided'));
    expect(logs.orders.filter((r) => r.key === id).at(-1)!.value.cancelReason).toBe('CUSTOMER_REQUEST');
  });

  it('failed shipment: the confirmed order is cancelled, its stock released and payment voided', () => {
    const failed = logs.shipments.find((r) => r.value.eventType === 'ShipmentFailed')!;
    const events = eventsOf(run.bus, failed.key);
    expect(events.filter((e) => e.startsWith('orders:'))).toEqual([
      'orders:OrderPlaced',
      'orders:OrderConfirmed',
      'orders:OrderCancelPending',
      'orders:OrderCancelled',
    ]);
    expect(events).toEqual(expect.arrayContaining(['inventory.reservations:StockReleased', 'payments:PaymentVoided']));
    expect(events).not.toContain('payments:PaymentCaptured');
    expect(logs.orders.filter((r) => r.key === failed.key).at(-1)!.value.cancelReason).toBe('SHIPMENT_FAILED');
  });

  it('links every event to its cause and keeps one trace per order', () => {
    const ids = new Set(Object.values(logs).flatMap((rs) => rs.map((r) => r.headers['evt-event-id'])));
    for (const r of [
      ...logs.orders,
      ...logs.payments,
      ...logs['inventory.reservations'],
      ...logs['fraud.checks'],
      ...logs.shipments,
    ]) {
      expect(ids.has(r.headers['evt-causation-id']), `${r.topic} ${r.value.eventType}`).toBe(true);
      expect(r.headers['evt-correlation-id']).toBe(r.key);
    }
    const traceOf = (h: Record<string, string>) => h.traceparent.split('-')[1];
    const id = firstWith(run.outcomes, (o) => o.state === 'COMPLETED');
    const traces = new Set(
      Object.values(logs).flatMap((rs) => rs.filter((r) => r.key === id).map((r) => traceOf(r.headers))),
    );
    expect(traces.size).toBe(1);
  });
});

describe('a silent service', () => {
  it('payments paused for longer than the deadline: orders time out, and payments voids when it comes back', () => {
    const run = runWorld({ seed: 3, orders: 200, pauses: [['payments', 500, 3_000]] });
    const timedOut = [...run.outcomes].filter(([, o]) => o.reason === 'TIMEOUT').map(([id]) => id);
    expect(timedOut.length).toBeGreaterThan(10);
    const voidedLate = timedOut.filter((id) => eventsOf(run.bus, id).includes('payments:PaymentVoided'));
    expect(voidedLate.length).toBeGreaterThan(5);
    for (const id of timedOut) {
      const events = eventsOf(run.bus, id);
      // payments answers late, after the rejection, and compensates by choreography
      const late = events.filter((e) => e.startsWith('payments:'));
      expect([['payments:PaymentAuthorized', 'payments:PaymentVoided'], ['payments:PaymentDeclined']]).toContainEqual(
        late,
      );
      expect(events.indexOf('orders:OrderRejected')).toBeGreaterThan(-1);
    }
    expect(checkInvariants(run.bus.topicLogs())).toEqual([]);
  });

  it('inventory stopped for good: placed orders time out, cancelled ones are reported stuck with the reason', () => {
    const run = runWorld({ seed: 5, orders: 100, cancelRate: 0.1, pauses: [['inventory', 0, Infinity]] });
    const stuck = [...run.outcomes].filter(([, o]) => !isTerminal(o.state));
    expect(stuck.length).toBeGreaterThan(0);
    for (const [, o] of stuck) expect(o.state).toBe('CANCEL_PENDING');
    expect([...run.outcomes.values()].some((o) => o.reason === 'TIMEOUT')).toBe(true);
    const violations = checkInvariants(run.bus.topicLogs());
    expect(violations.map((v) => v.subject).sort()).toEqual(stuck.map(([id]) => id).sort());
    for (const v of violations) {
      expect(v.invariant).toBe('terminal');
      expect(v.message).toMatch(/stuck in CANCEL_PENDING: .*no answer from inventory/);
    }
  });
});
