// The order reducer on its own: transitions, "any failure wins", duplicate and late answers, dedupe by
// event id, the pure deadline check, cancel and failed-shipment paths.

import { describe, expect, it } from 'vitest';
import { TOPICS, type TopicName } from '../../src/workflow/catalogue.js';
import { makeRecord, type AnyRecord, type WorkflowContext } from '../../src/workflow/envelope.js';
import type { TopicValues } from '../../src/workflow/events.js';
import {
  awaiting,
  checkDeadline,
  reduceOrder,
  type OrderAggregate,
  type OrderEnv,
} from '../../src/workflow/order-state.js';
import { createRandom } from '../../src/workflow/random.js';

const now = 1_000;
const ctx: WorkflowContext = { now: () => now, random: createRandom(1) };
const env = (stock: [string, number][] = []): OrderEnv => ({ ctx, stockView: new Map(stock), timeoutMs: 500 });
const rec = <T extends TopicName>(topic: T, value: TopicValues[T]): AnyRecord =>
  makeRecord(ctx, TOPICS[topic].writer, topic, value) as unknown as AnyRecord;

const lines = [{ sku: 'A', qty: 2, unitPrice: 150 }];
const request = (extra: Partial<TopicValues['basket.order-requests']> = {}) =>
  rec('basket.order-requests', {
    eventType: 'OrderRequested',
    orderId: 'o1',
    customerId: 'c1',
    lines,
    currency: 'EUR',
    requestedAt: now,
    reason: null,
    ...extra,
  });
const cancel = () =>
  rec('basket.order-requests', {
    eventType: 'CancelRequested',
    orderId: 'o1',
    customerId: 'c1',
    lines,
    currency: 'EUR',
    requestedAt: now,
    reason: 'no',
  });
const reservation = (eventType: 'StockReserved' | 'StockReservationFailed' | 'StockReleased') =>
  rec('inventory.reservations', { eventType, orderId: 'o1', lines: [{ sku: 'A', qty: 2 }], reason: null, at: now });
const payment = (eventType: 'PaymentAuthorized' | 'PaymentDeclined' | 'PaymentVoided' | 'PaymentCaptured') =>
  rec('payments', {
    eventType,
    paymentId: 'p1',
    orderId: 'o1',
    customerId: 'c1',
    amount: 300,
    currency: 'EUR',
    status: 'AUTHORIZED',
    reason: null,
    at: now,
  });
const fraud = (eventType: 'FraudCheckPassed' | 'FraudCheckFailed') =>
  rec('fraud.checks', { eventType, orderId: 'o1', customerId: 'c1', amount: 300, limit: 1000, reason: null, at: now });
const shipment = (eventType: 'ShipmentScheduled' | 'ShipmentDispatched' | 'ShipmentDelivered' | 'ShipmentFailed') =>
  rec('shipments', { eventType, shipmentId: 's1', orderId: 'o1', status: 'SCHEDULED', reason: null, at: now });

/** Feed records in turn; returns the last aggregate and every order event type emitted. */
function feed(records: AnyRecord[], e = env(), start?: OrderAggregate) {
  let order = start;
  const emitted: string[] = [];
  for (const r of records) {
    const step = reduceOrder(order, r, e);
    order = step.order;
    emitted.push(...step.emit.map((x) => x.value.eventType));
  }
  return { order: order!, emitted };
}

describe('reduceOrder', () => {
  it('places a request, then confirms once inventory, payment and fraud have all passed', () => {
    const { order, emitted } = feed([
      request(),
      reservation('StockReserved'),
      fraud('FraudCheckPassed'),
      payment('PaymentAuthorized'),
    ]);
    expect(emitted).toEqual(['OrderPlaced', 'OrderConfirmed']);
    expect(order).toMatchObject({
      state: 'CONFIRMED',
      total: 300,
      inventory: 'RESERVED',
      payment: 'AUTHORIZED',
      fraud: 'PASSED',
    });
  });

  it('emits the full snapshot with the headers of the catalogue', () => {
    const step = reduceOrder(undefined, request(), env());
    const [placed] = step.emit;
    expect(placed.key).toBe('o1');
    expect(placed.value).toMatchObject({
      eventType: 'OrderPlaced',
      orderId: 'o1',
      customerId: 'c1',
      lines,
      total: 300,
      currency: 'EUR',
      state: 'PLACED',
      reason: null,
    });
    expect(Object.keys(placed.headers).sort()).toEqual([
      'evt-causation-id',
      'evt-correlation-id',
      'evt-event-id',
      'evt-event-type',
      'evt-producer',
      'traceparent',
    ]);
    expect(placed.headers['evt-producer']).toBe('orders');
  });

  it('rejects on the first failure; later answers, good or bad, change nothing', () => {
    const { order, emitted } = feed([
      request(),
      reservation('StockReserved'),
      payment('PaymentDeclined'),
      fraud('FraudCheckFailed'),
      payment('PaymentAuthorized'),
    ]);
    expect(emitted).toEqual(['OrderPlaced', 'OrderRejected']);
    expect(order).toMatchObject({ state: 'REJECTED', reason: 'PAYMENT_DECLINED' });
  });

  it('collapses duplicate answers and ignores a redelivered record (same event id)', () => {
    const reserved = reservation('StockReserved');
    const first = feed([request(), reserved, reservation('StockReserved'), reserved]);
    expect(first.emitted).toEqual(['OrderPlaced']);
    const again = reduceOrder(first.order, reserved, env());
    expect(again.order).toBe(first.order);
    const req = request();
    const placed = reduceOrder(undefined, req, env()).order!;
    expect(reduceOrder(placed, req, env())).toEqual({ order: placed, emit: [] });
  });

  it('rejects INVALID_DETAILS without placing', () => {
    expect(feed([request({ lines: [{ sku: 'A', qty: 0, unitPrice: 1 }] })]).order).toMatchObject({
      state: 'REJECTED',
      reason: 'INVALID_DETAILS',
    });
    expect(feed([request({ currency: 'euro' })]).order.reason).toBe('INVALID_DETAILS');
  });

  it('rejects a sku the catalogue does not have as INVALID_DETAILS, without placing or asking inventory', () => {
    const shop = (skus: string[]): OrderEnv => ({ ...env(), catalogue: new Set(skus) });
    const unknown = feed([request()], shop(['B']));
    expect(unknown.emitted).toEqual(['OrderRejected']);
    expect(unknown.order).toMatchObject({ state: 'REJECTED', reason: 'INVALID_DETAILS' });
    // a sku the shop sells but inventory has none of is a shortage: placed, and inventory's answer decides
    const known = feed([request(), reservation('StockReservationFailed')], shop(['A']));
    expect(known.emitted).toEqual(['OrderPlaced', 'OrderRejected']);
    expect(known.order.reason).toBe('OUT_OF_STOCK');
  });

  it('rejects OUT_OF_STOCK at once from the local stock view, and leaves unknown skus to inventory', () => {
    const short = feed([request()], env([['A', 1]]));
    expect(short.emitted).toEqual(['OrderRejected']);
    expect(short.order.reason).toBe('OUT_OF_STOCK');
    expect(feed([request()], env([['A', 2]])).emitted).toEqual(['OrderPlaced']);
    expect(feed([request()], env([['B', 0]])).emitted).toEqual(['OrderPlaced']);
    expect(feed([request(), reservation('StockReservationFailed')]).order.reason).toBe('OUT_OF_STOCK');
  });

  it('times out at the deadline, as a pure function of the aggregate and now', () => {
    const { order } = feed([request(), reservation('StockReserved'), fraud('FraudCheckPassed')]);
    expect(order.deadline).toBe(1_500);
    expect(checkDeadline(order, 1_499, env())).toEqual({ order, emit: [] });
    const late = checkDeadline(order, 1_500, env());
    expect(late.order).toMatchObject({ state: 'REJECTED', reason: 'TIMEOUT' });
    expect(late.emit.map((e) => e.value.eventType)).toEqual(['OrderRejected']);
    expect(late.emit[0].headers['evt-causation-id']).toBe(order.lastHeaders['evt-event-id']);
    expect(checkDeadline(late.order!, 9_999, env()).emit).toEqual([]);
    expect(awaiting(order)).toEqual(['payments: PaymentAuthorized or PaymentDeclined']);
  });

  it('cancels a placed order once stock is released and the payment voided', () => {
    const { order, emitted } = feed([
      request(),
      reservation('StockReserved'),
      cancel(),
      payment('PaymentAuthorized'),
      fraud('FraudCheckPassed'),
      reservation('StockReleased'),
    ]);
    expect(emitted).toEqual(['OrderPlaced', 'OrderCancelPending']);
    expect(order.state).toBe('CANCEL_PENDING');
    expect(awaiting(order)).toEqual(['payments: PaymentVoided']);
    const done = feed([payment('PaymentVoided')], env(), order);
    expect(done.emitted).toEqual(['OrderCancelled']);
    expect(done.order).toMatchObject({ state: 'CANCELLED', cancelReason: 'CUSTOMER_REQUEST' });
  });

  it('cancels at once when nothing was held (reservation failed, payment declined)', () => {
    const { emitted } = feed([request(), cancel(), reservation('StockReservationFailed'), payment('PaymentDeclined')]);
    expect(emitted).toEqual(['OrderPlaced', 'OrderCancelPending', 'OrderCancelled']);
  });

  it('ignores a cancel after confirmation; ships, completes; a failed shipment cancels', () => {
    const confirmed = feed([
      request(),
      reservation('StockReserved'),
      fraud('FraudCheckPassed'),
      payment('PaymentAuthorized'),
    ]).order;
    expect(feed([cancel()], env(), confirmed).emitted).toEqual([]);
    expect(
      feed(
        [shipment('ShipmentScheduled'), shipment('ShipmentDispatched'), shipment('ShipmentDelivered')],
        env(),
        confirmed,
      ).emitted,
    ).toEqual(['OrderShipped', 'OrderCompleted']);
    const failed = feed(
      [shipment('ShipmentFailed'), reservation('StockReleased'), payment('PaymentVoided')],
      env(),
      confirmed,
    );
    expect(failed.emitted).toEqual(['OrderCancelPending', 'OrderCancelled']);
    expect(failed.order.cancelReason).toBe('SHIPMENT_FAILED');
  });

  it('ignores answers about an order it never saw, and never mutates its input', () => {
    expect(reduceOrder(undefined, reservation('StockReserved'), env())).toEqual({ order: undefined, emit: [] });
    const placed = feed([request()]).order;
    const frozen = JSON.stringify(placed);
    feed([reservation('StockReserved'), payment('PaymentDeclined')], env(), placed);
    expect(JSON.stringify(placed)).toBe(frozen);
  });
});
