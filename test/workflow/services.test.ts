// The services one at a time: inventory's all-or-nothing reservations, releases and stock arithmetic,
// payments' and shipping's seeded decisions, fraud's limit, orders' deadline, dedupe by event id, and the PRNG.

import { describe, expect, it } from 'vitest';
import { makeRecord, type AnyRecord, type WorkflowContext } from '../../src/workflow/envelope.js';
import type { OrderEvent } from '../../src/workflow/events.js';
import { createRandom, decide } from '../../src/workflow/random.js';
import { createFraud } from '../../src/workflow/services/fraud.js';
import { createInventory } from '../../src/workflow/services/inventory.js';
import { createOrders } from '../../src/workflow/services/orders.js';
import { createPayments, paymentDeclined } from '../../src/workflow/services/payments.js';
import { createShipping } from '../../src/workflow/services/shipping.js';

let now = 0;
const ctx = (): WorkflowContext => ({ now: () => now, random: createRandom(9) });
const orderCtx = ctx();
const orderEvent = (
  eventType: OrderEvent['eventType'],
  orderId: string,
  lines = [{ sku: 'A', qty: 2, unitPrice: 100 }],
  extra: Partial<OrderEvent> = {},
): AnyRecord =>
  makeRecord(orderCtx, 'orders', 'orders', {
    eventType,
    orderId,
    customerId: 'c',
    lines,
    total: lines.reduce((s, l) => s + l.qty * l.unitPrice, 0),
    currency: 'EUR',
    state: 'PLACED',
    reason: null,
    cancelReason: null,
    placedAt: 0,
    updatedAt: 0,
    ...extra,
  });
const types = (records: AnyRecord[]) => records.map((r) => r.value.eventType);

describe('inventory', () => {
  it('reserves all lines or none, and never lets stock go negative', () => {
    const inv = createInventory(ctx());
    inv.restock('A', 3);
    inv.restock('B', 1);
    expect(
      types(
        inv.handle(
          orderEvent('OrderPlaced', 'o1', [
            { sku: 'A', qty: 2, unitPrice: 1 },
            { sku: 'B', qty: 2, unitPrice: 1 },
          ]),
        ),
      ),
    ).toEqual(['StockReservationFailed']);
    expect(inv.stock.get('A')).toMatchObject({ onHand: 3, reserved: 0 });
    expect(types(inv.handle(orderEvent('OrderPlaced', 'o2')))).toEqual(['StockReserved', 'StockLevel']);
    expect(types(inv.handle(orderEvent('OrderPlaced', 'o3')))).toEqual(['StockReservationFailed']);
    expect(inv.stock.get('A')).toMatchObject({ onHand: 3, reserved: 2 });
    expect(types(inv.handle(orderEvent('OrderPlaced', 'o4', [{ sku: 'ZZZ', qty: 1, unitPrice: 1 }])))).toEqual([
      'StockReservationFailed',
    ]);
  });

  it('says why it refused: none in stock for a sku the shop sells, unknown for any other', () => {
    const inv = createInventory(ctx(), { catalogue: new Set(['A', 'GHOST']) });
    inv.restock('A', 1);
    const reason = (orderId: string, sku: string) =>
      inv.handle(orderEvent('OrderPlaced', orderId, [{ sku, qty: 2, unitPrice: 1 }]))[0].value;
    expect(reason('o1', 'A')).toMatchObject({ eventType: 'StockReservationFailed', reason: 'A: 2 asked, 1 available' });
    expect(reason('o2', 'GHOST')).toMatchObject({
      eventType: 'StockReservationFailed',
      reason: 'GHOST: 2 asked, none in stock',
    });
    expect(reason('o3', 'NOPE')).toMatchObject({ eventType: 'StockReservationFailed', reason: 'unknown sku NOPE' });
  });

  it('releases on rejection or cancel once, consumes on shipment, and ignores redeliveries', () => {
    const inv = createInventory(ctx());
    inv.restock('A', 5);
    const placed = orderEvent('OrderPlaced', 'o1');
    inv.handle(placed);
    expect(inv.handle(placed)).toEqual([]);
    const rejected = orderEvent('OrderRejected', 'o1');
    const out = inv.handle(rejected);
    expect(types(out)).toEqual(['StockReleased', 'StockLevel']);
    expect(out[1].value).toMatchObject({ sku: 'A', onHand: 5, reserved: 0, available: 5 });
    expect(inv.handle(orderEvent('OrderCancelPending', 'o1'))).toEqual([]);
    inv.handle(orderEvent('OrderPlaced', 'o2'));
    expect(types(inv.handle(orderEvent('OrderShipped', 'o2')))).toEqual(['StockCommitted', 'StockLevel']);
    expect(inv.stock.get('A')).toMatchObject({ onHand: 3, reserved: 0 });
    expect(inv.handle(orderEvent('OrderRejected', 'o2'))).toEqual([]); // shipped stock is not released
  });

  it('does not reserve for an order it already saw rejected (a late redelivered OrderPlaced)', () => {
    const inv = createInventory(ctx());
    inv.restock('A', 5);
    inv.handle(orderEvent('OrderRejected', 'o1'));
    expect(types(inv.handle(orderEvent('OrderPlaced', 'o1')))).toEqual([]);
    expect(inv.stock.get('A')!.reserved).toBe(0);
  });
});

describe('payments, fraud, shipping', () => {
  it('declines by the seeded decision, voids once, captures on shipment', () => {
    const config = { seed: 1, declineRate: 0.3 };
    const pay = createPayments(ctx(), config);
    const ids = Array.from({ length: 200 }, (_, i) => `o${i}`);
    const declined = ids.filter((id) => types(pay.handle(orderEvent('OrderPlaced', id)))[0] === 'PaymentDeclined');
    expect(declined).toEqual(ids.filter((id) => paymentDeclined(config, id)));
    expect(declined.length).toBeGreaterThan(40);
    expect(declined.length).toBeLessThan(80);
    const ok = ids.find((id) => !declined.includes(id))!;
    expect(types(pay.handle(orderEvent('OrderShipped', ok)))).toEqual(['PaymentCaptured']);
    expect(pay.handle(orderEvent('OrderRejected', ok))).toEqual([]); // captured: nothing to void
    const other = ids.filter((id) => !declined.includes(id))[1];
    expect(types(pay.handle(orderEvent('OrderRejected', other)))).toEqual(['PaymentVoided']);
    expect(pay.handle(orderEvent('OrderCancelPending', other))).toEqual([]);
    expect(types(pay.handle(orderEvent('OrderRejected', declined[0])))).toEqual([]);
  });

  it('fails fraud checks over the limit, once per order', () => {
    const fraud = createFraud(ctx(), { limit: 300 });
    expect(types(fraud.handle(orderEvent('OrderPlaced', 'a', [{ sku: 'A', qty: 3, unitPrice: 100 }])))).toEqual([
      'FraudCheckPassed',
    ]);
    expect(types(fraud.handle(orderEvent('OrderPlaced', 'b', [{ sku: 'A', qty: 4, unitPrice: 100 }])))).toEqual([
      'FraudCheckFailed',
    ]);
    expect(fraud.handle(orderEvent('OrderPlaced', 'b'))).toEqual([]);
  });

  it('schedules, then dispatches and delivers on tick after the delays', () => {
    now = 0;
    const ship = createShipping(ctx(), { seed: 1, failRate: 0, dispatchAfterMs: 100, deliverAfterMs: 50 });
    expect(types(ship.handle(orderEvent('OrderConfirmed', 'o1')))).toEqual(['ShipmentScheduled']);
    now = 99;
    expect(ship.tick()).toEqual([]);
    now = 100;
    expect(types(ship.tick())).toEqual(['ShipmentDispatched']);
    now = 150;
    expect(types(ship.tick())).toEqual(['ShipmentDelivered']);
    expect(ship.tick()).toEqual([]);
    const failing = createShipping(ctx(), { seed: 1, failRate: 1, dispatchAfterMs: 1, deliverAfterMs: 1 });
    expect(types(failing.handle(orderEvent('OrderConfirmed', 'o1')))).toEqual(['ShipmentFailed']);
  });
});

describe('orders', () => {
  // the three answers the other services give to an order they can all accept
  const answersTo = (placed: AnyRecord) => {
    const inv = createInventory(ctx());
    inv.restock('A', 10);
    return [
      ...inv.handle(placed),
      ...createPayments(ctx(), { seed: 1, declineRate: 0 }).handle(placed),
      ...createFraud(ctx(), { limit: 10_000 }).handle(placed),
    ].filter((r) => r.topic !== 'inventory.stock');
  };
  const request = (orderId: string): AnyRecord =>
    makeRecord(orderCtx, 'basket', 'basket.order-requests', {
      eventType: 'OrderRequested',
      orderId,
      customerId: 'c',
      lines: [{ sku: 'A', qty: 2, unitPrice: 100 }],
      currency: 'EUR',
      requestedAt: now,
      reason: null,
    });

  it('confirms an order whose answers all come before its deadline', () => {
    now = 0;
    const orders = createOrders(ctx(), { timeoutMs: 1000 });
    const [placed] = orders.handle(request('o1'));
    expect(types([placed])).toEqual(['OrderPlaced']);
    now = 900;
    const answers = answersTo(placed);
    expect(types(answers)).toEqual(['StockReserved', 'PaymentAuthorized', 'FraudCheckPassed']);
    expect(types(answers.flatMap((a) => orders.handle(a)))).toEqual(['OrderConfirmed']);
  });

  it('rejects with TIMEOUT an order whose answers come after its deadline, even before a tick says so', () => {
    now = 0;
    const orders = createOrders(ctx(), { timeoutMs: 1000 });
    const [placed] = orders.handle(request('o2'));
    // the deadline passed while the process was too busy to tick: the answers are late all the same
    now = 1500;
    const emitted = answersTo(placed).flatMap((a) => orders.handle(a));
    expect(types(emitted)).toEqual(['OrderRejected']);
    expect(emitted[0].value).toMatchObject({ state: 'REJECTED', reason: 'TIMEOUT' });
    expect(orders.orders.get('o2')).toMatchObject({ state: 'REJECTED', reason: 'TIMEOUT' });
    expect(orders.tick()).toEqual([]);
  });
});

describe('random', () => {
  it('repeats for a seed, differs across seeds, and makes uuid-shaped ids', () => {
    const a = createRandom(42);
    const b = createRandom(42);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(createRandom(43).next()).not.toBe(xs[0]);
    expect(a.uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    for (let i = 0; i < 1000; i++) {
      const n = a.int(1, 3);
      expect(n >= 1 && n <= 3).toBe(true);
    }
    expect(decide(1, 'x')).toBe(decide(1, 'x'));
    expect(decide(1, 'x')).not.toBe(decide(2, 'x'));
  });
});
