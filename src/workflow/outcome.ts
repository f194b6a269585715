// What the seed implies for each planned order: the final state a run should end it in, so `evt simulate`
// can tell a workflow bug from a decision the seed made. The services' own seeded decisions are called
// rather than re-derived, so the prediction cannot drift from what the services do.
//
// Assumes ample stock (defaultStock) and no timeouts; a run with chaos or tight stock can legitimately end
// orders elsewhere (TIMEOUT, OUT_OF_STOCK from the stock view).

import type { OrderState, RejectionReason } from './catalogue.js';
import type { PlannedOrder } from './load.js';
import { invalidDetails, orderTotal } from './order-state.js';
import { paymentDeclined } from './services/payments.js';
import { shipmentFails } from './services/shipping.js';

export interface OutcomeConfig {
  seed: number | string;
  declineRate: number;
  fraudLimit: number;
  shipFailRate: number;
  /**
   * Skus inventory holds; a line for any other sku of the catalogue is refused (OUT_OF_STOCK) once the order
   * is placed. The load never asks for a sku outside the catalogue (that would be INVALID_DETAILS).
   */
  stockedSkus: ReadonlySet<string>;
}

export interface FinalOutcome {
  state: OrderState;
  reason: RejectionReason | null;
}

export interface ExpectedOutcome {
  /**
   * Every acceptable final (state, reason) pair: more than one when answers race, e.g. declined AND over the
   * fraud limit ends PAYMENT_DECLINED or FRAUD_SUSPECTED, whichever answer the orders service reads first.
   */
  accept: FinalOutcome[];
}

export function expectedOutcome(order: PlannedOrder, config: OutcomeConfig): ExpectedOutcome {
  const request = {
    eventType: 'OrderRequested' as const,
    orderId: order.orderId,
    customerId: order.customerId,
    lines: order.lines,
    currency: order.currency,
    requestedAt: 0,
    reason: null,
  };
  // Rejected before it is placed, so a cancel that follows finds it terminal and is ignored.
  if (invalidDetails(request) !== undefined) return { accept: [{ state: 'REJECTED', reason: 'INVALID_DETAILS' }] };

  // A sku the stock view has never seen does not stop the order there: it is placed, and inventory refuses it.
  const failures: RejectionReason[] = [];
  if (order.lines.some((l) => !config.stockedSkus.has(l.sku))) failures.push('OUT_OF_STOCK');
  if (paymentDeclined({ seed: config.seed, declineRate: config.declineRate }, order.orderId))
    failures.push('PAYMENT_DECLINED');
  if (orderTotal(order.lines) > config.fraudLimit) failures.push('FRAUD_SUSPECTED');

  // The cancel is requested right behind the order on the same partition, so it normally reaches the order
  // while PLACED; a failing answer can still overtake it, hence the rejections stay acceptable.
  const accept: FinalOutcome[] = failures.map((reason) => ({ state: 'REJECTED', reason }));
  if (order.cancel) accept.push({ state: 'CANCELLED', reason: null });
  if (accept.length > 0) return { accept };

  // Shipping's delays do not matter to the decision, only its seed and rate.
  const fails = shipmentFails(
    { seed: config.seed, failRate: config.shipFailRate, dispatchAfterMs: 0, deliverAfterMs: 0 },
    order.orderId,
  );
  return { accept: [fails ? { state: 'CANCELLED', reason: null } : { state: 'COMPLETED', reason: null }] };
}

/** Whether a final (state, reason) is one of those the seed allows. */
export function isExpected(actual: FinalOutcome, expected: ExpectedOutcome): boolean {
  return expected.accept.some((a) => a.state === actual.state && a.reason === actual.reason);
}
