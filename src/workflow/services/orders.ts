// The orders service: the owner of order state. It keeps one aggregate per order (reduced by the pure
// order-state reducer), a local view of available stock built from `inventory.stock` (for the fast
// OUT_OF_STOCK rejection, instead of asking inventory), and runs the deadline check on tick and before
// each answer.

import { SUBSCRIPTIONS } from '../catalogue.js';
import type { AnyRecord, WorkflowContext, WorkflowRecord } from '../envelope.js';
import {
  checkDeadline,
  isPlaceholder,
  recoverOrder,
  reduceOrder,
  resettle,
  type OrderAggregate,
  type OrderEnv,
  type OrderStep,
} from '../order-state.js';
import type { WorkflowService } from '../service.js';

export interface OrdersConfig {
  /** Time from PLACED to the last answer before TIMEOUT. */
  timeoutMs: number;
  /** The skus the shop sells: an order for another is rejected INVALID_DETAILS (none given: not checked). */
  catalogue?: ReadonlySet<string>;
}

export interface OrdersService extends WorkflowService {
  readonly orders: ReadonlyMap<string, OrderAggregate>;
  readonly stockView: ReadonlyMap<string, number>;
}

export function createOrders(ctx: WorkflowContext, config: OrdersConfig): OrdersService {
  const orders = new Map<string, OrderAggregate>();
  const stockView = new Map<string, number>();
  // StockLevel events carry a per-sku version; a redelivered older level must not roll the view back.
  const stockVersion = new Map<string, number>();
  // Orders that can still time out, so a tick does not scan every order ever seen.
  const open = new Set<string>();
  const env: OrderEnv = { ctx, stockView, timeoutMs: config.timeoutMs, catalogue: config.catalogue };

  const apply = (orderId: string, step: OrderStep): AnyRecord[] => {
    if (step.order) {
      orders.set(orderId, step.order);
      if (step.order.state === 'PLACED') open.add(orderId);
      else open.delete(orderId);
    }
    return step.emit;
  };

  // a type guard, so that past it the record is known to concern an order
  const foldStock = (record: AnyRecord): record is WorkflowRecord<'inventory.stock'> => {
    if (record.topic !== 'inventory.stock') return false;
    const level = record.value;
    if (level.version > (stockVersion.get(level.sku) ?? -1)) {
      stockVersion.set(level.sku, level.version);
      stockView.set(level.sku, level.available);
    }
    return true;
  };

  return {
    name: 'orders',
    topics: SUBSCRIPTIONS.orders,
    orders,
    stockView,
    handle(record) {
      if (foldStock(record)) return [];
      if (record.topic === 'orders') return []; // its own topic: not subscribed, ignored if delivered anyway
      const orderId = record.value.orderId;
      // The deadline is checked before an answer counts: one that comes after it is too late even when the
      // tick that would have said so has not run yet (a busy process ticks late), or a late last answer
      // would confirm an order that had timed out.
      const known = orders.get(orderId);
      const expired = known ? apply(orderId, checkDeadline(known, ctx.now(), env)) : [];
      return [...expired, ...apply(orderId, reduceOrder(orders.get(orderId), record, env))];
    },
    tick() {
      const out: AnyRecord[] = [];
      const now = ctx.now();
      for (const orderId of [...open]) {
        const order = orders.get(orderId);
        if (order) out.push(...apply(orderId, checkDeadline(order, now, env)));
      }
      return out;
    },
    recoveryTopics: ['orders', 'inventory.reservations', 'payments', 'fraud.checks'],
    recover(record) {
      if (foldStock(record)) return;
      const orderId = record.value.orderId;
      const order = recoverOrder(orders.get(orderId), record, env);
      orders.set(orderId, order);
      if (order.state === 'PLACED' && !isPlaceholder(order)) open.add(orderId);
      else open.delete(orderId);
    },
    recovered() {
      const out: AnyRecord[] = [];
      for (const [orderId, order] of [...orders]) {
        // answers whose order event is gone (deleted by retention): nothing to decide for them
        if (isPlaceholder(order)) orders.delete(orderId);
        else out.push(...apply(orderId, resettle(order, env)));
      }
      return out;
    },
  };
}
