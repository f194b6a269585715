// The basket service: the edge where customers' requests enter the workflow. It consumes nothing; it turns
// commands (place this basket, cancel that order) into events on `basket.order-requests`, its own topic.

import { SUBSCRIPTIONS } from '../catalogue.js';
import { makeRecord, type AnyRecord, type WorkflowContext, type WorkflowRecord } from '../envelope.js';
import type { BasketEvent, OrderLine } from '../events.js';
import type { WorkflowService } from '../service.js';

export interface OrderRequest {
  orderId: string;
  customerId: string;
  lines: OrderLine[];
  currency: string;
}

export interface BasketService extends WorkflowService {
  requestOrder(request: OrderRequest): WorkflowRecord<'basket.order-requests'>;
  /** A cancel carries the basket it cancels; undefined when this basket never requested that order. */
  requestCancel(orderId: string, reason: string): WorkflowRecord<'basket.order-requests'> | undefined;
}

export function createBasket(ctx: WorkflowContext): BasketService {
  const requests = new Map<string, OrderRequest>();
  const event = (
    eventType: BasketEvent['eventType'],
    r: OrderRequest,
    reason: string | null,
  ): WorkflowRecord<'basket.order-requests'> =>
    makeRecord(ctx, 'basket', 'basket.order-requests', {
      eventType,
      orderId: r.orderId,
      customerId: r.customerId,
      lines: r.lines.map((l) => ({ ...l })),
      currency: r.currency,
      requestedAt: ctx.now(),
      reason,
    });
  return {
    name: 'basket',
    topics: SUBSCRIPTIONS.basket,
    handle: (): AnyRecord[] => [],
    tick: (): AnyRecord[] => [],
    // The basket is the edge: its requests come from outside, so it has nothing to rebuild.
    recoveryTopics: [],
    recover: () => {},
    recovered: (): AnyRecord[] => [],
    requestOrder(request) {
      requests.set(request.orderId, request);
      return event('OrderRequested', request, null);
    },
    requestCancel(orderId, reason) {
      const request = requests.get(orderId);
      return request ? event('CancelRequested', request, reason) : undefined;
    },
  };
}
