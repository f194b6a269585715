import { expect, it } from 'vitest';
import type { ConsumedRecord } from '../../src/client/records.js';
import { createValueCodec } from '../../src/codec/create-codec.js';
import { toEnvelope } from '../../src/codec/envelope.js';
import { buildFilter } from '../../src/cli/record-filter.js';
import { formatHuman, formatJson } from '../../src/cli/record-format.js';

const rec = (value: unknown, key = 'order-1', headers: Record<string, string> = {}): [ConsumedRecord, unknown] => [
  {
    topic: 'orders',
    partition: 1,
    offset: 5,
    timestamp: Date.parse('2026-11-22T10:00:00.000Z'),
    key: Buffer.from(key),
    value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
    headers: Object.entries(headers).map(([k, v]) => ({ key: k, value: Buffer.from(v) })),
  },
  value,
];

it('filters by key, regex on the value, header and JSON fields, all together', () => {
  const order = { status: 'CONFIRMED', total: 120.5, customer: { id: 'c-9' }, lines: [{ sku: 'SKU-1', qty: 2 }] };
  const m = (opts: Parameters<typeof buildFilter>[0], r = rec(order, 'order-1', { 'evt-producer': 'orders' })) =>
    buildFilter(opts)!(...r);
  expect(buildFilter({})).toBeUndefined();
  expect(m({ key: 'order-1' })).toBe(true);
  expect(m({ key: 'order-2' })).toBe(false);
  expect(m({ grep: 'CONF(IRMED)?' })).toBe(true);
  expect(m({ grep: '^REJECTED' })).toBe(false);
  expect(m({ headers: ['evt-producer=orders'] })).toBe(true);
  expect(m({ headers: ['evt-producer=payments'] })).toBe(false);
  expect(m({ headers: ['evt-producer'] })).toBe(true);
  expect(m({ headers: ['traceparent'] })).toBe(false);
  expect(m({ where: ['status=CONFIRMED'] })).toBe(true);
  expect(m({ where: ['status!=CONFIRMED'] })).toBe(false);
  expect(m({ where: ['total>100'] })).toBe(true);
  expect(m({ where: ['total>=120.5'] })).toBe(true);
  expect(m({ where: ['total<100'] })).toBe(false);
  expect(m({ where: ['customer.id=c-9'] })).toBe(true);
  expect(m({ where: ['lines.0.sku=SKU-1'] })).toBe(true);
  expect(m({ where: ['lines[0].qty>=2'] })).toBe(true);
  expect(m({ where: ['status~^CONF'] })).toBe(true);
  expect(m({ where: ['missing=x'] })).toBe(false);
  expect(m({ where: ['missing!=x'] })).toBe(true);
  expect(m({ key: 'order-1', where: ['status=CONFIRMED', 'total>1000'] })).toBe(false);
  // a text value has no fields
  expect(m({ where: ['status=CONFIRMED'] }, rec('status=CONFIRMED'))).toBe(false);
});

it('rejects malformed filters with usage errors', () => {
  expect(() => buildFilter({ where: ['=x'] })).toThrow(/--where: "=x" is not <path><op><value>/);
  expect(() => buildFilter({ where: ['total'] })).toThrow(/--where/);
  expect(() => buildFilter({ grep: '(' })).toThrow(/--grep: invalid regular expression/);
  expect(() => buildFilter({ headers: ['=v'] })).toThrow(/--header/);
});

it('refuses mistyped --where operators instead of matching nothing', () => {
  const refused = (expr: string) => {
    try {
      buildFilter({ where: [expr] });
    } catch (err) {
      expect((err as { exitCode?: number }).exitCode).toBe(2);
      return (err as Error).message;
    }
    return 'accepted';
  };
  expect(refused('total>>5')).toBe(
    '--where: "total>>5" has no operator ">>" (ops: = != > >= < <= ~; quote a value that starts with one: total>"=5")',
  );
  expect(refused('total=>5')).toMatch(/^--where: "total=>5" has no operator "=>"/);
  expect(refused('total==5')).toMatch(/^--where: "total==5" has no operator "=="/);
  expect(refused('total<')).toBe('--where: "total<" has nothing to compare with after "<" (e.g. total>100)');
  // a quoted value may start with an operator character; a regex may be anything
  expect(refused('note="=5"')).toBe('accepted');
  expect(refused('note~>=')).toBe('accepted');
  const m = (w: string) => buildFilter({ where: [w] })!(...rec({ note: '=5', total: 3 }));
  expect(m('note="=5"')).toBe(true);
  expect(m('total>=3')).toBe(true);
});

it('formats records as JSON and human text', async () => {
  const codec = await createValueCodec('auto');
  const [r] = rec({ status: 'PLACED' }, 'order-1', { 'evt-event-type': 'OrderPlaced' });
  const env = toEnvelope(r, codec);
  expect(JSON.parse(formatJson(env))).toEqual({
    topic: 'orders',
    partition: 1,
    offset: 5,
    timestamp: Date.parse('2026-11-22T10:00:00.000Z'),
    key: 'order-1',
    headers: { 'evt-event-type': 'OrderPlaced' },
    value: { status: 'PLACED' },
  });
  expect(formatHuman(env, { color: false })).toBe(
    '2026-11-22T10:00:00.000Z orders/1@5 key=order-1 [evt-event-type=OrderPlaced]\n  {\n    "status": "PLACED"\n  }',
  );
  expect(formatHuman(env, { color: true })).toContain('\u001b[');
});
