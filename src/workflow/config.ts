// The knobs of the workflow's services in one place, and the one function that builds a service from them,
// so that `evt simulate`, `evt worker` and the tests construct services the same way.

import type { CompressionName } from '../protocol/records/batch-layout.js';
import type { ServiceName } from './catalogue.js';
import type { WorkflowContext } from './envelope.js';
import { CATALOGUE_SKUS, defaultStock } from './load.js';
import type { WorkflowService } from './service.js';
import { createBasket } from './services/basket.js';
import { createFraud } from './services/fraud.js';
import { createInventory } from './services/inventory.js';
import { createOrders } from './services/orders.js';
import { createPayments } from './services/payments.js';
import { createShipping } from './services/shipping.js';

export interface WorkflowConfig {
  /** fixes every seeded decision (declines, failed shipments) */
  seed: number | string;
  /** share of payments declined, 0..1 */
  declineRate: number;
  /** orders whose total (cents) exceeds it fail the fraud check */
  fraudLimit: number;
  /** share of shipments that fail, 0..1 */
  shipFailRate: number;
  /** PLACED -> REJECTED(TIMEOUT) when the answers take longer */
  timeoutMs: number;
  dispatchAfterMs: number;
  deliverAfterMs: number;
  /** units per sku stocked by inventory when it first starts */
  initialStock: Readonly<Record<string, number>>;
  /** the codec of the record batches the services and the load generator write */
  compression: CompressionName;
}

export const DEFAULT_WORKFLOW_CONFIG: WorkflowConfig = {
  seed: 42,
  declineRate: 0.05,
  fraudLimit: 40_000,
  shipFailRate: 0.02,
  timeoutMs: 5_000,
  dispatchAfterMs: 200,
  deliverAfterMs: 300,
  initialStock: defaultStock(),
  compression: 'none',
};

export function createService(name: ServiceName, ctx: WorkflowContext, config: WorkflowConfig): WorkflowService {
  switch (name) {
    case 'basket':
      return createBasket(ctx);
    case 'orders':
      return createOrders(ctx, { timeoutMs: config.timeoutMs, catalogue: CATALOGUE_SKUS });
    case 'inventory':
      return createInventory(ctx, { initialStock: config.initialStock, catalogue: CATALOGUE_SKUS });
    case 'payments':
      return createPayments(ctx, { seed: config.seed, declineRate: config.declineRate });
    case 'fraud':
      return createFraud(ctx, { limit: config.fraudLimit });
    case 'shipping':
      return createShipping(ctx, {
        seed: config.seed,
        failRate: config.shipFailRate,
        dispatchAfterMs: config.dispatchAfterMs,
        deliverAfterMs: config.deliverAfterMs,
      });
  }
}
