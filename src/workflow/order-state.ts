// The orders service's state machine, as a pure reducer over one order's aggregate:
//   (aggregate | undefined, incoming record) -> (new aggregate, order events to publish)
// It never mutates its input, never reads a clock or RNG except through the injected context, and is
// idempotent twice over: a record whose event id it has already applied changes nothing (dedupe), and an
// answer that no longer matters for the current state (a late or duplicate one) changes nothing (guards).
//
//   OrderRequested -> PLACED, or REJECTED at once (INVALID_DETAILS, or OUT_OF_STOCK from the local stock view)
//   PLACED -> CONFIRMED when inventory, payment and fraud have all passed; REJECTED as soon as any fails
//            (the first failure wins, later answers collapse), or TIMEOUT when the deadline passes first
//   PLACED -> CANCEL_PENDING on a cancel request; CONFIRMED -> CANCEL_PENDING on a failed shipment
//   CANCEL_PENDING -> CANCELLED once inventory's and payments' compensations (or failures) have arrived
//   CONFIRMED -> SHIPPED on dispatch -> COMPLETED on delivery
// A cancel request after confirmation is too late and ignored: the order is with shipping by then.

import { HEADERS, type CancelReason, type OrderEventType, type OrderState, type RejectionReason } from './catalogue.js';
import {
  eventIdOf,
  makeRecord,
  type AnyRecord,
  type Headers,
  type WorkflowContext,
  type WorkflowRecord,
} from './envelope.js';
import type { BasketEvent, OrderEvent, OrderLine } from './events.js';

export type InventoryOutcome = 'PENDING' | 'RESERVED' | 'FAILED' | 'RELEASED';
export type PaymentOutcome = 'PENDING' | 'AUTHORIZED' | 'DECLINED' | 'VOIDED' | 'CAPTURED';
export type FraudOutcome = 'PENDING' | 'PASSED' | 'FAILED';

export interface OrderAggregate {
  readonly orderId: string;
  readonly customerId: string;
  readonly lines: readonly OrderLine[];
  readonly total: number;
  readonly currency: string;
  readonly state: OrderState;
  readonly reason: RejectionReason | null;
  readonly cancelReason: CancelReason | null;
  readonly placedAt: number;
  readonly updatedAt: number;
  /** PLACED orders without every answer by then are rejected with TIMEOUT. */
  readonly deadline: number;
  readonly inventory: InventoryOutcome;
  readonly payment: PaymentOutcome;
  readonly fraud: FraudOutcome;
  /** Event ids already applied (dedupe); a few per order. */
  readonly seen: readonly string[];
  /** Headers of the order's last published event: the cause of a timeout, which has no incoming record. */
  readonly lastHeaders: Headers;
}

export interface OrderEnv {
  ctx: WorkflowContext;
  /** Available units per sku, from `inventory.stock`; a sku not in it is left to inventory to judge. */
  stockView: ReadonlyMap<string, number>;
  /** Time allowed between PLACED and the last answer. */
  timeoutMs: number;
  /** The skus the shop sells, when it knows them: an order for another is INVALID_DETAILS, not placed. */
  catalogue?: ReadonlySet<string>;
}

export interface OrderStep {
  order: OrderAggregate | undefined;
  emit: WorkflowRecord<'orders'>[];
}

/** Why an order request cannot be accepted at all, or undefined when it is well formed. */
export function invalidDetails(request: BasketEvent): string | undefined {
  if (!request.orderId) return 'no order id';
  if (!request.customerId) return 'no customer id';
  if (!/^[A-Z]{3}$/.test(request.currency)) return `currency ${request.currency} is not an ISO code`;
  if (request.lines.length === 0) return 'no lines';
  for (const line of request.lines) {
    if (!line.sku) return 'a line has no sku';
    if (!Number.isInteger(line.qty) || line.qty <= 0) return `qty ${line.qty} of ${line.sku} is not a positive integer`;
    if (!Number.isInteger(line.unitPrice) || line.unitPrice < 0)
      return `unit price ${line.unitPrice} of ${line.sku} is invalid`;
  }
  return undefined;
}

export function orderTotal(lines: readonly OrderLine[]): number {
  return lines.reduce((sum, l) => sum + l.qty * l.unitPrice, 0);
}

/** Units asked per sku, summing lines that repeat a sku. */
export function unitsPerSku(lines: readonly { sku: string; qty: number }[]): Map<string, number> {
  const units = new Map<string, number>();
  for (const l of lines) units.set(l.sku, (units.get(l.sku) ?? 0) + l.qty);
  return units;
}

/** Apply one incoming record to the aggregate of the order it concerns. */
export function reduceOrder(order: OrderAggregate | undefined, record: AnyRecord, env: OrderEnv): OrderStep {
  const id = eventIdOf(record);
  if (order && id && order.seen.includes(id)) return { order, emit: [] };

  if (record.topic === 'basket.order-requests') {
    if (record.value.eventType === 'OrderRequested') return order ? noEmit(remember(order, id)) : request(record, env);
    if (!order) return { order, emit: [] };
    if (order.state !== 'PLACED') return noEmit(remember(order, id)); // too late (or already cancelling)
    const pendingCancel = transition(
      { ...order, cancelReason: 'CUSTOMER_REQUEST' },
      'CANCEL_PENDING',
      'OrderCancelPending',
      record,
      env,
      id,
    );
    return settle(pendingCancel, record, env);
  }
  if (!order) return { order, emit: [] }; // an answer about an order this service never placed: nothing to do

  if (record.topic === 'shipments') {
    const t = record.value.eventType;
    if (t === 'ShipmentDispatched' && order.state === 'CONFIRMED')
      return transition(order, 'SHIPPED', 'OrderShipped', record, env, id);
    if (t === 'ShipmentDelivered' && order.state === 'SHIPPED')
      return transition(order, 'COMPLETED', 'OrderCompleted', record, env, id);
    if (t === 'ShipmentFailed' && order.state === 'CONFIRMED') {
      const failed = transition(
        { ...order, cancelReason: 'SHIPMENT_FAILED' },
        'CANCEL_PENDING',
        'OrderCancelPending',
        record,
        env,
        id,
      );
      return settle(failed, record, env);
    }
  }
  const next = withAnswer(order, record);
  return settle(noEmit(remember(next, id)), record, env);
}

/**
 * The outcome flags after an answer from inventory, payments or fraud. Guards keep it idempotent and
 * order-proof: only a pending flag takes a first answer, only a held reservation or authorization can be
 * released, voided or captured.
 */
function withAnswer(order: OrderAggregate, record: AnyRecord): OrderAggregate {
  switch (record.topic) {
    case 'inventory.reservations': {
      const t = record.value.eventType;
      if (t === 'StockReserved' && order.inventory === 'PENDING') return { ...order, inventory: 'RESERVED' };
      if (t === 'StockReservationFailed' && order.inventory === 'PENDING') return { ...order, inventory: 'FAILED' };
      if (t === 'StockReleased' && order.inventory === 'RESERVED') return { ...order, inventory: 'RELEASED' };
      return order;
    }
    case 'payments': {
      const t = record.value.eventType;
      if (t === 'PaymentAuthorized' && order.payment === 'PENDING') return { ...order, payment: 'AUTHORIZED' };
      if (t === 'PaymentDeclined' && order.payment === 'PENDING') return { ...order, payment: 'DECLINED' };
      if (t === 'PaymentVoided' && order.payment === 'AUTHORIZED') return { ...order, payment: 'VOIDED' };
      if (t === 'PaymentCaptured' && order.payment === 'AUTHORIZED') return { ...order, payment: 'CAPTURED' };
      return order;
    }
    case 'fraud.checks':
      return order.fraud === 'PENDING'
        ? { ...order, fraud: record.value.eventType === 'FraudCheckPassed' ? 'PASSED' : 'FAILED' }
        : order;
    default:
      return order;
  }
}

/**
 * Rebuilding an aggregate from what was published, after a restart or a rebalance: an `orders` event gives
 * the order's state as published (the truth, whatever the worker held in memory before), an answer gives
 * its flag. Answers may be folded before or after the order events (they are read from other topics), so
 * an answer for an order not yet seen is kept until the order arrives. Publishes nothing; `resettle` then
 * makes the decisions a crash may have left unmade.
 */
export function recoverOrder(order: OrderAggregate | undefined, record: AnyRecord, env: OrderEnv): OrderAggregate {
  const id = eventIdOf(record);
  if (record.topic === 'orders') {
    const v = record.value;
    const base: OrderAggregate = order ?? {
      ...EMPTY_FLAGS,
      orderId: v.orderId,
      customerId: v.customerId,
      lines: [],
      total: 0,
      currency: v.currency,
      state: v.state,
      reason: null,
      cancelReason: null,
      placedAt: v.placedAt,
      updatedAt: v.updatedAt,
      deadline: 0,
      seen: [],
      lastHeaders: record.headers,
    };
    const cause = record.headers[HEADERS.causationId];
    return remember(
      {
        ...base,
        customerId: v.customerId,
        lines: v.lines.map((l) => ({ ...l })),
        total: v.total,
        currency: v.currency,
        state: v.state,
        reason: v.reason,
        cancelReason: v.cancelReason,
        placedAt: v.placedAt,
        updatedAt: v.updatedAt,
        deadline: v.placedAt + env.timeoutMs,
        lastHeaders: record.headers,
      },
      cause ?? '',
    );
  }
  if (record.topic !== 'inventory.reservations' && record.topic !== 'payments' && record.topic !== 'fraud.checks')
    return order!;
  const current = order ?? placeholder(record.value.orderId, record.headers);
  return remember(withAnswer(current, record), id);
}

/** The decisions owed after recovery: a PLACED order with every answer in, a CANCEL_PENDING one compensated. */
export function resettle(order: OrderAggregate, env: OrderEnv): OrderStep {
  return settle(noEmit(order), { topic: 'orders', key: order.orderId, headers: order.lastHeaders } as AnyRecord, env);
}

/** True for an aggregate made of answers only: no `orders` event of it has been read (yet). */
export function isPlaceholder(order: OrderAggregate): boolean {
  return order.placedAt < 0;
}

const EMPTY_FLAGS = { inventory: 'PENDING', payment: 'PENDING', fraud: 'PENDING' } as const;

function placeholder(orderId: string, headers: Headers): OrderAggregate {
  return {
    ...EMPTY_FLAGS,
    orderId,
    customerId: '',
    lines: [],
    total: 0,
    currency: '',
    state: 'PLACED',
    reason: null,
    cancelReason: null,
    placedAt: -1,
    updatedAt: -1,
    deadline: Infinity,
    seen: [],
    lastHeaders: headers,
  };
}

/**
 * The deadline check, pure in (aggregate, now): a PLACED order still missing an answer at its deadline is
 * rejected with TIMEOUT. Compensation follows by choreography: a silent service that comes back later
 * sees OrderPlaced then OrderRejected in order on its partition, so it reserves and then releases.
 */
export function checkDeadline(order: OrderAggregate, now: number, env: OrderEnv): OrderStep {
  if (order.state !== 'PLACED' || now < order.deadline) return { order, emit: [] };
  return transition(
    { ...order, reason: 'TIMEOUT' },
    'REJECTED',
    'OrderRejected',
    { headers: order.lastHeaders },
    env,
    '',
  );
}

/** The services an order is still waiting for, to say why a non-terminal order is stuck. */
export function awaiting(order: OrderAggregate): string[] {
  const waits: string[] = [];
  if (order.state === 'PLACED') {
    if (order.inventory === 'PENDING') waits.push('inventory: StockReserved or StockReservationFailed');
    if (order.payment === 'PENDING') waits.push('payments: PaymentAuthorized or PaymentDeclined');
    if (order.fraud === 'PENDING') waits.push('fraud: FraudCheckPassed or FraudCheckFailed');
  } else if (order.state === 'CANCEL_PENDING') {
    if (order.inventory === 'PENDING' || order.inventory === 'RESERVED') waits.push('inventory: StockReleased');
    if (order.payment === 'PENDING' || order.payment === 'AUTHORIZED') waits.push('payments: PaymentVoided');
  } else if (order.state === 'CONFIRMED') waits.push('shipping: ShipmentDispatched or ShipmentFailed');
  else if (order.state === 'SHIPPED') waits.push('shipping: ShipmentDelivered');
  return waits;
}

/** The snapshot an order event carries. */
export function snapshot(order: OrderAggregate, eventType: OrderEventType): OrderEvent {
  return {
    eventType,
    orderId: order.orderId,
    customerId: order.customerId,
    lines: order.lines.map((l) => ({ ...l })),
    total: order.total,
    currency: order.currency,
    state: order.state,
    reason: order.reason,
    cancelReason: order.cancelReason,
    placedAt: order.placedAt,
    updatedAt: order.updatedAt,
  };
}

function request(record: WorkflowRecord<'basket.order-requests'>, env: OrderEnv): OrderStep {
  const r = record.value;
  const now = env.ctx.now();
  const fresh: OrderAggregate = {
    orderId: r.orderId,
    customerId: r.customerId,
    lines: r.lines.map((l) => ({ ...l })),
    total: orderTotal(r.lines),
    currency: r.currency,
    state: 'PLACED',
    reason: null,
    cancelReason: null,
    placedAt: now,
    updatedAt: now,
    deadline: now + env.timeoutMs,
    inventory: 'PENDING',
    payment: 'PENDING',
    fraud: 'PENDING',
    seen: [],
    lastHeaders: record.headers,
  };
  const id = eventIdOf(record);
  // a sku the shop does not sell is a wrong order, not a shortage: nothing to ask inventory about
  const unknownSku = env.catalogue && r.lines.some((l) => !env.catalogue!.has(l.sku));
  if (invalidDetails(r) !== undefined || unknownSku)
    return transition({ ...fresh, reason: 'INVALID_DETAILS' }, 'REJECTED', 'OrderRejected', record, env, id);
  // Fast rejection from the local view; a sku the view has never seen is left to inventory, which is
  // authoritative and answers StockReservationFailed for it, so such an order cannot hang.
  for (const [sku, qty] of unitsPerSku(r.lines)) {
    const available = env.stockView.get(sku);
    if (available !== undefined && available < qty) {
      return transition({ ...fresh, reason: 'OUT_OF_STOCK' }, 'REJECTED', 'OrderRejected', record, env, id);
    }
  }
  return transition(fresh, 'PLACED', 'OrderPlaced', record, env, id);
}

/** After an answer: decide PLACED -> CONFIRMED/REJECTED and CANCEL_PENDING -> CANCELLED. */
function settle(step: OrderStep, cause: AnyRecord, env: OrderEnv): OrderStep {
  const order = step.order;
  if (!order) return step;
  let next: OrderStep | undefined;
  if (order.state === 'PLACED') {
    const reason: RejectionReason | undefined =
      order.inventory === 'FAILED'
        ? 'OUT_OF_STOCK'
        : order.payment === 'DECLINED'
          ? 'PAYMENT_DECLINED'
          : order.fraud === 'FAILED'
            ? 'FRAUD_SUSPECTED'
            : undefined;
    if (reason) next = transition({ ...order, reason }, 'REJECTED', 'OrderRejected', cause, env, '');
    else if (order.inventory === 'RESERVED' && order.payment === 'AUTHORIZED' && order.fraud === 'PASSED') {
      next = transition(order, 'CONFIRMED', 'OrderConfirmed', cause, env, '');
    }
  } else if (order.state === 'CANCEL_PENDING') {
    // Wait for a final word from both compensating services: inventory either failed (nothing held) or
    // released; payments either declined (nothing held) or voided.
    const stockFree = order.inventory === 'FAILED' || order.inventory === 'RELEASED';
    const moneyFree = order.payment === 'DECLINED' || order.payment === 'VOIDED';
    if (stockFree && moneyFree) next = transition(order, 'CANCELLED', 'OrderCancelled', cause, env, '');
  }
  return next ? { order: next.order, emit: [...step.emit, ...next.emit] } : step;
}

function transition(
  order: OrderAggregate,
  state: OrderState,
  eventType: OrderEventType,
  cause: { headers: Headers },
  env: OrderEnv,
  id: string,
): OrderStep {
  const moved: OrderAggregate = { ...remember(order, id), state, updatedAt: env.ctx.now() };
  const record = makeRecord(env.ctx, 'orders', 'orders', snapshot(moved, eventType), cause);
  return { order: { ...moved, lastHeaders: record.headers }, emit: [record] };
}

function remember(order: OrderAggregate, id: string): OrderAggregate {
  return id && !order.seen.includes(id) ? { ...order, seen: [...order.seen, id] } : order;
}

function noEmit(order: OrderAggregate): OrderStep {
  return { order, emit: [] };
}
