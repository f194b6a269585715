// The seeded load generator: the sequence of orders a simulation sends, fixed by its seed. `evt simulate`
// and the in-memory tests both draw from it, so a path seen in a test (a cancel, a ghost sku, an invalid
// line) is one a real run with the same seed takes too.

import type { OrderLine } from './events.js';
import { createRandom, hashString } from './random.js';

/** Unit prices in minor units (cents). */
export const CATALOGUE_PRICES: Readonly<Record<string, number>> = {
  'SKU-MUG': 899,
  'SKU-TEE': 1999,
  'SKU-HAT': 2499,
  'SKU-LAMP': 8999,
  // sold but never stocked: a known sku with none in stock, which inventory must refuse (OUT_OF_STOCK)
  // rather than leave orders hanging
  'SKU-GHOST': 500,
};

export const GHOST_SKU = 'SKU-GHOST';

/**
 * The skus the shop sells, the ghost one included: an order for any other is INVALID_DETAILS (the orders
 * service refuses it before placing it); one the catalogue has but inventory holds none of is OUT_OF_STOCK.
 */
export const CATALOGUE_SKUS: ReadonlySet<string> = new Set(Object.keys(CATALOGUE_PRICES));

export interface LoadOptions {
  seed: number | string;
  /** Customers are drawn from customer-1..customer-N. Default 25. */
  customers?: number;
  /** Skus a regular line is drawn from. Default: every sku of CATALOGUE_PRICES but the ghost one. */
  skus?: readonly string[];
  /** Share of lines that ask for GHOST_SKU instead. Default 0.03. */
  ghostRate?: number;
  /** Share of orders with an invalid line (qty 0). Default 0.02. */
  invalidRate?: number;
  /** Share of orders cancelled right after being requested. Default 0.05. */
  cancelRate?: number;
  /** Share of orders preceded by a garbage record. Default 0. */
  poisonRate?: number;
  /**
   * Set when the topics already hold a run with this seed: it goes into the ids so the runs do not collide
   * (the decisions keyed by order id then differ from the first run's).
   */
  runTag?: string;
}

export interface PlannedOrder {
  /** 1-based position in the sequence. */
  seq: number;
  orderId: string;
  customerId: string;
  lines: OrderLine[];
  currency: 'EUR';
  cancel: boolean;
  /** A garbage record is sent right before this order. */
  poisonBefore: boolean;
}

export interface Load {
  next(): PlannedOrder;
}

export function stockedSkus(): string[] {
  return Object.keys(CATALOGUE_PRICES).filter((sku) => sku !== GHOST_SKU);
}

/**
 * The ids carry a hash of the seed so that runs with different seeds against the same cluster do not
 * collide on order ids (the orders service would take a second run's order for a redelivery of the first),
 * while a rerun with the same seed reproduces them. 24 bits of hash: a clash between two seeds is possible
 * but one in sixteen million.
 */
export function orderIdOf(seed: number | string, seq: number, runTag = ''): string {
  const tag = (hashString(String(seed)) & 0xff_ffff).toString(16).padStart(6, '0');
  return `o-${tag}${runTag ? `.${runTag}` : ''}-${String(seq).padStart(6, '0')}`;
}

export function createLoad(options: LoadOptions): Load {
  const customers = options.customers ?? 25;
  const skus = [...(options.skus ?? stockedSkus())];
  const ghostRate = options.ghostRate ?? 0.03;
  const invalidRate = options.invalidRate ?? 0.02;
  const cancelRate = options.cancelRate ?? 0.05;
  const poisonRate = options.poisonRate ?? 0;
  if (!Number.isInteger(customers) || customers < 1)
    throw new RangeError(`customers must be a positive integer, not ${customers}`);
  if (skus.length === 0) throw new RangeError('no skus to draw lines from');
  const unpriced = skus.filter((s) => CATALOGUE_PRICES[s] === undefined);
  if (unpriced.length > 0)
    throw new RangeError(`no price for ${unpriced.join(', ')} (priced: ${Object.keys(CATALOGUE_PRICES).join(', ')})`);

  // The draw order below (line count, then per line ghost?/sku/qty, then invalid, cancel, customer) is the
  // one the in-memory tests were tuned on; changing it changes which orders take which path for every seed.
  const draw = createRandom(`${options.seed}:load`);
  // Poison gets its own stream so turning it on or off leaves the planned orders themselves unchanged.
  const poison = createRandom(`${options.seed}:poison`);
  let seq = 0;
  return {
    next() {
      seq += 1;
      const lines: OrderLine[] = [];
      for (let n = draw.int(1, 3); n > 0; n--) {
        const sku = draw.chance(ghostRate) ? GHOST_SKU : draw.pick(skus);
        lines.push({ sku, qty: draw.int(1, 3), unitPrice: CATALOGUE_PRICES[sku] });
      }
      if (draw.chance(invalidRate)) lines[0] = { ...lines[0], qty: 0 };
      const cancel = draw.chance(cancelRate);
      const customerId = `customer-${draw.int(1, customers)}`;
      return {
        seq,
        orderId: orderIdOf(options.seed, seq, options.runTag),
        customerId,
        lines,
        currency: 'EUR',
        cancel,
        poisonBefore: poison.chance(poisonRate),
      };
    },
  };
}

/**
 * Enough units of each sku that no run of `evt simulate` runs out (an order asks at most 9 units of a sku,
 * so a million lasts past 100k orders), which is what expectedOutcome assumes.
 */
export function defaultStock(skus: readonly string[] = stockedSkus()): Record<string, number> {
  return Object.fromEntries(skus.map((sku) => [sku, 1_000_000]));
}
