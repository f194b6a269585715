// The workflow's names on a cluster (src/workflow/names.ts): logical topics inside, prefixed physical names
// for topics, groups, dead letters and subjects outside, the reverse lookup, and the unprefixed names of evt
// before prefixes.

import { describe, expect, it } from 'vitest';
import { SERVICES, TOPIC_NAMES } from '../../src/workflow/catalogue.js';
import { DEFAULT_PREFIX, InvalidPrefixError, prefixProblem, workflowNames } from '../../src/workflow/names.js';

describe('workflowNames', () => {
  it('prefixes every name with shop. by default', () => {
    const n = workflowNames();
    expect(n.prefix).toBe(DEFAULT_PREFIX);
    expect(n.topics).toEqual([
      'shop.basket.order-requests',
      'shop.orders',
      'shop.inventory.reservations',
      'shop.inventory.stock',
      'shop.payments',
      'shop.fraud.checks',
      'shop.shipments',
    ]);
    expect(n.topic('orders')).toBe('shop.orders');
    expect(n.group('inventory')).toBe('shop.inventory-service');
    expect(n.dlq('orders')).toBe('shop.dlq.orders');
    expect(n.dlqs).toEqual(SERVICES.map((s) => `shop.dlq.${s}`));
    expect(n.subject('inventory.stock')).toBe('shop.inventory.stock-value');
  });

  it('maps physical topics back to logical ones, and nothing else', () => {
    const n = workflowNames();
    for (const t of TOPIC_NAMES) expect(n.logical(n.topic(t))).toBe(t);
    // a user's own topic of the same logical name is not the workflow's
    expect(n.logical('orders')).toBeUndefined();
    expect(n.logical('shop.dlq.orders')).toBeUndefined();
    expect(n.logical('shop.orders.v2')).toBeUndefined();
    expect(n.isDeadLetter('shop.dlq.payments')).toBe(true);
    expect(n.isDeadLetter('evt.dlq.payments')).toBe(false);
    expect(n.isDeadLetter('shop.payments')).toBe(false);
  });

  it("'' gives exactly evt's names before prefixes", () => {
    const n = workflowNames('');
    expect(n.topics).toEqual([...TOPIC_NAMES]);
    expect(n.group('payments')).toBe('evt-workflow-payments');
    expect(n.dlq('orders')).toBe('evt.dlq.orders');
    expect(n.subject('orders')).toBe('orders-value');
    expect(n.logical('orders')).toBe('orders');
    expect(n.isDeadLetter('evt.dlq.shipping')).toBe(true);
    expect(n.describe()).toMatch(/evt-workflow-<service>/);
  });

  it('takes any legal topic-name prefix', () => {
    const n = workflowNames('acme_2-x.');
    expect(n.topic('payments')).toBe('acme_2-x.payments');
    expect(n.group('fraud')).toBe('acme_2-x.fraud-service');
    expect(n.dlq('fraud')).toBe('acme_2-x.dlq.fraud');
    expect(n.describe()).toBe(
      'topics acme_2-x.*, groups acme_2-x.<service>-service, dead letters acme_2-x.dlq.<service>',
    );
  });

  it('refuses a prefix no topic name can start with', () => {
    for (const bad of ['a b.', 'shop/', 'émile.', 'x:y', 'p'.repeat(240)]) {
      expect(prefixProblem(bad), bad).not.toBeNull();
      expect(() => workflowNames(bad)).toThrow(InvalidPrefixError);
    }
    expect(prefixProblem('a b.')).toMatch(/" " is not allowed/);
    expect(prefixProblem('')).toBeNull();
  });
});
