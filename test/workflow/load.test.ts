// The seeded load generator and what its seed implies: a plan is reproducible per seed and apart across
// seeds, its mix follows the options, and the outcome predicted for each order is the one the services
// actually reach when driven together on the in-memory bus.

import { describe, expect, it } from 'vitest';
import {
  CATALOGUE_PRICES,
  GHOST_SKU,
  createLoad,
  defaultStock,
  type LoadOptions,
  type PlannedOrder,
} from '../../src/workflow/load.js';
import { expectedOutcome, isExpected, type OutcomeConfig } from '../../src/workflow/outcome.js';
import { runWorld } from './helpers/world.js';

const plan = (options: LoadOptions, n: number): PlannedOrder[] => {
  const load = createLoad(options);
  return Array.from({ length: n }, () => load.next());
};

describe('createLoad', () => {
  it('plans the same orders for the same seed, whether given as a number or a string', () => {
    const a = plan({ seed: 42 }, 300);
    expect(plan({ seed: 42 }, 300)).toEqual(a);
    expect(plan({ seed: '42' }, 300)).toEqual(a);
    expect(a.map((o) => o.seq)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
  });

  it('gives ids that carry the seed, so runs with other seeds never reuse them', () => {
    const a = plan({ seed: 42 }, 1000).map((o) => o.orderId);
    const b = plan({ seed: 43 }, 1000).map((o) => o.orderId);
    const c = plan({ seed: 'nightly' }, 1000).map((o) => o.orderId);
    for (const id of [...a, ...b, ...c]) expect(id).toMatch(/^o-[0-9a-f]{6}-\d{6}$/);
    expect(a[0]).toMatch(/-000001$/);
    expect(a[999]).toMatch(/-001000$/);
    expect(new Set([...a, ...b, ...c]).size).toBe(3000);
    expect(new Set(a.map((id) => id.slice(0, 8)))).toEqual(new Set([a[0].slice(0, 8)]));
  });

  it('keeps each mix near its option over 5000 orders', () => {
    const options = { seed: 7, ghostRate: 0.1, invalidRate: 0.05, cancelRate: 0.2, poisonRate: 0.03 };
    const orders = plan(options, 5000);
    const lines = orders.flatMap((o) => o.lines);
    const share = (n: number, of: number) => n / of;
    expect(Math.abs(share(orders.filter((o) => o.lines[0].qty === 0).length, 5000) - 0.05)).toBeLessThan(0.01);
    expect(Math.abs(share(orders.filter((o) => o.cancel).length, 5000) - 0.2)).toBeLessThan(0.02);
    expect(Math.abs(share(orders.filter((o) => o.poisonBefore).length, 5000) - 0.03)).toBeLessThan(0.01);
    expect(Math.abs(share(lines.filter((l) => l.sku === GHOST_SKU).length, lines.length) - 0.1)).toBeLessThan(0.015);
  });

  it('uses the defaults the in-memory tests were tuned on, and never poisons unless asked', () => {
    const orders = plan({ seed: 1 }, 5000);
    const lines = orders.flatMap((o) => o.lines);
    expect(Math.abs(lines.filter((l) => l.sku === GHOST_SKU).length / lines.length - 0.03)).toBeLessThan(0.01);
    expect(Math.abs(orders.filter((o) => o.cancel).length / 5000 - 0.05)).toBeLessThan(0.01);
    expect(Math.abs(orders.filter((o) => o.lines[0].qty === 0).length / 5000 - 0.02)).toBeLessThan(0.008);
    expect(orders.some((o) => o.poisonBefore)).toBe(false);
    expect(new Set(orders.map((o) => o.customerId)).size).toBe(25);
  });

  it('plans the same orders whatever the poison rate: poison only adds garbage between them', () => {
    const strip = (orders: PlannedOrder[]) => orders.map(({ poisonBefore: _, ...rest }) => rest);
    const clean = plan({ seed: 9 }, 500);
    const poisoned = plan({ seed: 9, poisonRate: 0.5 }, 500);
    expect(strip(poisoned)).toEqual(strip(clean));
    expect(poisoned.filter((o) => o.poisonBefore).length).toBeGreaterThan(200);
  });

  it('prices lines from the catalogue, draws from the given skus and customers, and shapes every line', () => {
    const orders = plan({ seed: 3, skus: ['SKU-MUG', 'SKU-HAT'], customers: 3, ghostRate: 0, invalidRate: 0 }, 500);
    for (const o of orders) {
      expect(o.currency).toBe('EUR');
      expect(o.customerId).toMatch(/^customer-[123]$/);
      expect(o.lines.length).toBeGreaterThanOrEqual(1);
      expect(o.lines.length).toBeLessThanOrEqual(3);
      for (const l of o.lines) {
        expect(['SKU-MUG', 'SKU-HAT']).toContain(l.sku);
        expect(l.unitPrice).toBe(CATALOGUE_PRICES[l.sku]);
        expect(l.qty).toBeGreaterThanOrEqual(1);
        expect(l.qty).toBeLessThanOrEqual(3);
      }
    }
    expect(() => createLoad({ seed: 1, skus: ['SKU-NOPE'] })).toThrow(/no price for SKU-NOPE/);
    expect(() => createLoad({ seed: 1, customers: 0 })).toThrow(/customers/);
  });

  it('stocks every sku but the ghost one amply by default', () => {
    const stock = defaultStock();
    expect(Object.keys(stock).sort()).toEqual(['SKU-HAT', 'SKU-LAMP', 'SKU-MUG', 'SKU-TEE']);
    for (const units of Object.values(stock)) expect(units).toBeGreaterThanOrEqual(100_000);
    expect(defaultStock(['SKU-MUG'])).toEqual({ 'SKU-MUG': stock['SKU-MUG'] });
  });
});

describe('expectedOutcome', () => {
  const base: OutcomeConfig = {
    seed: 1,
    declineRate: 0,
    fraudLimit: 20_000,
    shipFailRate: 0,
    stockedSkus: new Set(Object.keys(defaultStock())),
  };
  const order = (over: Partial<PlannedOrder>): PlannedOrder => ({
    seq: 1,
    orderId: 'o-000000-000001',
    customerId: 'customer-1',
    currency: 'EUR',
    cancel: false,
    poisonBefore: false,
    lines: [{ sku: 'SKU-MUG', qty: 1, unitPrice: 899 }],
    ...over,
  });

  it('rejects invalid details and nothing else, even when a cancel follows', () => {
    expect(
      expectedOutcome(order({ lines: [{ sku: GHOST_SKU, qty: 0, unitPrice: 500 }], cancel: true }), base).accept,
    ).toEqual([{ state: 'REJECTED', reason: 'INVALID_DETAILS' }]);
  });

  it('completes a plain order, cancels one the customer cancels or shipping fails', () => {
    expect(expectedOutcome(order({}), base).accept).toEqual([{ state: 'COMPLETED', reason: null }]);
    expect(expectedOutcome(order({ cancel: true }), base).accept).toEqual([{ state: 'CANCELLED', reason: null }]);
    expect(expectedOutcome(order({}), { ...base, shipFailRate: 1 }).accept).toEqual([
      { state: 'CANCELLED', reason: null },
    ]);
  });

  it('accepts every failure that can win the race, and the cancel', () => {
    const ghostly = order({
      lines: [
        { sku: GHOST_SKU, qty: 1, unitPrice: 500 },
        { sku: 'SKU-LAMP', qty: 3, unitPrice: 8999 },
      ],
      cancel: true,
    });
    expect(expectedOutcome(ghostly, { ...base, declineRate: 1, shipFailRate: 1 }).accept).toEqual([
      { state: 'REJECTED', reason: 'OUT_OF_STOCK' },
      { state: 'REJECTED', reason: 'PAYMENT_DECLINED' },
      { state: 'REJECTED', reason: 'FRAUD_SUSPECTED' },
      { state: 'CANCELLED', reason: null },
    ]);
    expect(isExpected({ state: 'CANCELLED', reason: null }, expectedOutcome(ghostly, base))).toBe(true);
    expect(isExpected({ state: 'COMPLETED', reason: null }, expectedOutcome(ghostly, base))).toBe(false);
  });

  // The world's rates, passed explicitly so prediction and run cannot use different ones.
  const rates = { declineRate: 0.08, fraudLimit: 20_000, shipFailRate: 0.05 };
  for (const [seed, cancelRate] of [
    [42, 0.05],
    [7, 0.05],
    [2024, 0.25],
  ] as const) {
    it(`predicts what the services do, order by order (seed ${seed}, cancel rate ${cancelRate}, with redeliveries)`, () => {
      const stock = defaultStock();
      const run = runWorld({ seed, orders: 300, cancelRate, stock, ...rates });
      expect(run.bus.redeliveries).toBeGreaterThan(0);
      const load = createLoad({ seed, cancelRate });
      const config: OutcomeConfig = { seed, ...rates, stockedSkus: new Set(Object.keys(stock)) };
      const seen = new Set<string>();
      for (const id of run.ids) {
        const planned = load.next();
        expect(planned.orderId).toBe(id);
        const actual = run.outcomes.get(id)!;
        const expected = expectedOutcome(planned, config);
        expect(
          isExpected(actual, expected),
          `${id}: ${JSON.stringify(actual)} not in ${JSON.stringify(expected.accept)}`,
        ).toBe(true);
        seen.add(actual.reason ? `${actual.state}:${actual.reason}` : actual.state);
      }
      // the comparison means something only if the run took the interesting paths
      for (const k of [
        'COMPLETED',
        'CANCELLED',
        'REJECTED:OUT_OF_STOCK',
        'REJECTED:PAYMENT_DECLINED',
        'REJECTED:INVALID_DETAILS',
      ])
        expect(seen, k).toContain(k);
    });
  }
});
