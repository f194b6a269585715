// A seeded simulation of the whole workflow on the in-memory bus: the six services, initial stock, a load
// of orders (some invalid, some for a sku nobody stocks, some cancelled right after being requested), and
// the final outcome of each order read back from the `orders` log.

import type { OrderState, RejectionReason, ServiceName } from '../../../src/workflow/catalogue.js';
import type { WorkflowContext } from '../../../src/workflow/envelope.js';
import { CATALOGUE_SKUS, createLoad } from '../../../src/workflow/load.js';
import { createRandom } from '../../../src/workflow/random.js';
import { createBasket } from '../../../src/workflow/services/basket.js';
import { createFraud } from '../../../src/workflow/services/fraud.js';
import { createInventory } from '../../../src/workflow/services/inventory.js';
import { createOrders } from '../../../src/workflow/services/orders.js';
import { createPayments } from '../../../src/workflow/services/payments.js';
import { createShipping } from '../../../src/workflow/services/shipping.js';
import { Bus } from './bus.js';

export interface WorldOptions {
  seed: number;
  orders: number;
  /** ms between two orders */
  intervalMs?: number;
  declineRate?: number;
  fraudLimit?: number;
  shipFailRate?: number;
  cancelRate?: number;
  invalidRate?: number;
  redeliveryRate?: number;
  timeoutMs?: number;
  /** units on hand per sku at start */
  stock?: Record<string, number>;
  /** [service, from ms, for ms (Infinity = never comes back)] */
  pauses?: [ServiceName, number, number][];
  /** virtual ms to run after the last order */
  drainMs?: number;
}

export interface Outcome {
  state: OrderState;
  reason: RejectionReason | null;
}

export function runWorld(options: WorldOptions) {
  const o = {
    intervalMs: 10,
    declineRate: 0.08,
    fraudLimit: 20_000,
    shipFailRate: 0.05,
    cancelRate: 0.05,
    invalidRate: 0.02,
    redeliveryRate: 0.2,
    timeoutMs: 2_000,
    // SKU-GHOST is sold but never stocked: inventory must refuse it rather than leave orders hanging
    stock: { 'SKU-MUG': 600, 'SKU-TEE': 450, 'SKU-HAT': 120, 'SKU-LAMP': 60 } as Record<string, number>,
    pauses: [] as [ServiceName, number, number][],
    drainMs: 10_000,
    ...options,
  };
  const bus = new Bus({ seed: o.seed, maxLatencyMs: 20, redeliveryRate: o.redeliveryRate, tickMs: 50 });
  const ctx = (name: string): WorkflowContext => ({ now: () => bus.now, random: createRandom(`${o.seed}:${name}`) });

  const basket = createBasket(ctx('basket'));
  // the catalogue as the runtime gives it (src/workflow/config.ts): the ghost sku is sold, never stocked
  const orders = createOrders(ctx('orders'), { timeoutMs: o.timeoutMs, catalogue: CATALOGUE_SKUS });
  const inventory = createInventory(ctx('inventory'), { catalogue: CATALOGUE_SKUS });
  const payments = createPayments(ctx('payments'), { seed: o.seed, declineRate: o.declineRate });
  const fraud = createFraud(ctx('fraud'), { limit: o.fraudLimit });
  const shipping = createShipping(ctx('shipping'), {
    seed: o.seed,
    failRate: o.shipFailRate,
    dispatchAfterMs: 100,
    deliverAfterMs: 200,
  });
  for (const s of [basket, orders, inventory, payments, fraud, shipping]) bus.attach(s);
  for (const [service, from, forMs] of o.pauses) bus.pause(service, from, forMs);

  for (const [sku, units] of Object.entries(o.stock)) bus.publish(inventory.restock(sku, units));

  const load = createLoad({ seed: o.seed, cancelRate: o.cancelRate, invalidRate: o.invalidRate });
  const ids: string[] = [];
  for (let i = 0; i < o.orders; i++) {
    const { orderId, customerId, lines, currency, cancel } = load.next();
    ids.push(orderId);
    bus.at(100 + i * o.intervalMs, () => {
      bus.publish(basket.requestOrder({ orderId, customerId, lines, currency }));
      // requested right after the order: it reaches orders before the answers, while PLACED
      if (cancel) bus.publish(basket.requestCancel(orderId, 'changed my mind')!);
    });
  }
  bus.run(100 + o.orders * o.intervalMs + o.drainMs);

  const outcomes = new Map<string, Outcome>();
  for (const r of bus.topicLogs().orders ?? [])
    outcomes.set(r.value.orderId, { state: r.value.state, reason: r.value.reason });
  return { bus, ids, outcomes, services: { basket, orders, inventory, payments, fraud, shipping } };
}

/** The event types recorded for one order, per topic, in log order. */
export function eventsOf(bus: Bus, orderId: string): string[] {
  const out: string[] = [];
  for (const [topic, records] of Object.entries(bus.logs)) {
    for (const r of records)
      if ((r.value as { orderId?: string }).orderId === orderId) out.push(`${topic}:${r.value.eventType}`);
  }
  return out;
}
