// The payments service: authorizes the order total when an order is placed, voids the authorization when
// the order is rejected or cancelling (the compensation), captures it when the order ships. Whether a
// payment is declined is decided by (seed, order id) alone, so the outcome is the same whatever the
// delivery order, redeliveries or instance that handles it.

import { SUBSCRIPTIONS } from '../catalogue.js';
import {
  derivedId,
  eventIdOf,
  makeRecord,
  type AnyRecord,
  type WorkflowContext,
  type WorkflowRecord,
} from '../envelope.js';
import type { PaymentEventType } from '../catalogue.js';
import type { PaymentStatus } from '../events.js';
import { decide } from '../random.js';
import { firstTime, type WorkflowService } from '../service.js';
import { RecentIds } from '../../common/recent-ids.js';

export interface PaymentsConfig {
  seed: number | string;
  /** Share of payments declined, 0..1. */
  declineRate: number;
}

export interface Payment {
  paymentId: string;
  status: PaymentStatus | 'CLOSED';
  amount: number;
}

export interface PaymentsService extends WorkflowService {
  readonly payments: ReadonlyMap<string, Readonly<Payment>>;
}

/** The seeded decision, exported so a test or a simulation summary can predict it. */
export function paymentDeclined(config: PaymentsConfig, orderId: string): boolean {
  return decide(config.seed, `payment:${orderId}`) < config.declineRate;
}

/** The order events payments acts on: authorize, void (two ways), capture. */
const PAYMENT_TRIGGERS = ['OrderPlaced', 'OrderRejected', 'OrderCancelPending', 'OrderShipped'];

export function createPayments(ctx: WorkflowContext, config: PaymentsConfig): PaymentsService {
  const payments = new Map<string, Payment>();
  const seen = new RecentIds();

  const emit = (
    eventType: PaymentEventType,
    p: Payment,
    record: WorkflowRecord<'orders'>,
    reason: string | null,
  ): AnyRecord =>
    makeRecord(
      ctx,
      'payments',
      'payments',
      {
        eventType,
        paymentId: p.paymentId,
        orderId: record.value.orderId,
        customerId: record.value.customerId,
        amount: p.amount,
        currency: record.value.currency,
        status: p.status as PaymentStatus,
        reason,
        at: ctx.now(),
      },
      record,
    );

  return {
    name: 'payments',
    topics: SUBSCRIPTIONS.payments,
    handles: { orders: PAYMENT_TRIGGERS },
    payments,
    handle(record) {
      if (record.topic !== 'orders' || !firstTime(seen, eventIdOf(record))) return [];
      const order = record.value;
      const current = payments.get(order.orderId);
      switch (order.eventType) {
        case 'OrderPlaced': {
          if (current) return [];
          const declined = paymentDeclined(config, order.orderId);
          const p: Payment = {
            paymentId: derivedId('payment', order.orderId),
            status: declined ? 'DECLINED' : 'AUTHORIZED',
            amount: order.total,
          };
          payments.set(order.orderId, p);
          return [
            emit(
              declined ? 'PaymentDeclined' : 'PaymentAuthorized',
              p,
              record,
              declined ? 'card declined by issuer' : null,
            ),
          ];
        }
        case 'OrderRejected':
        case 'OrderCancelPending': {
          if (!current) {
            payments.set(order.orderId, { paymentId: '', status: 'CLOSED', amount: 0 });
            return [];
          }
          if (current.status !== 'AUTHORIZED') return [];
          current.status = 'VOIDED';
          return [emit('PaymentVoided', current, record, order.reason ?? order.cancelReason)];
        }
        case 'OrderShipped': {
          if (!current || current.status !== 'AUTHORIZED') return [];
          current.status = 'CAPTURED';
          return [emit('PaymentCaptured', current, record, null)];
        }
        default:
          return [];
      }
    },
    tick: () => [],
    recoveryTopics: ['payments'],
    recover(record) {
      if (record.topic !== 'payments') return;
      const v = record.value;
      payments.set(v.orderId, { paymentId: v.paymentId, status: v.status, amount: v.amount });
    },
    recovered: () => [],
  };
}
