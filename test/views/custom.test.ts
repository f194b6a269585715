// Custom view files (src/views/custom.ts): the README's two examples loaded from examples/views/ and run
// against a real SQLite file, the JSON paths, and the errors a view file or an event can cause.

import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from 'better-sqlite3';
import type { ApplyEvent, ViewDefinition, ViewEvent } from '../../src/views/definition.js';
import { evaluatePath, loadViewFile, nodeStripsTypes, parsePath, ViewFileError } from '../../src/views/custom.js';
import { openDatabase } from '../../src/views/store.js';
import { tempDir } from '../helpers/broker.js';

const root = path.resolve(import.meta.dirname, '../..');
const BIG_ORDERS = path.join(root, 'examples/views/big-orders.json');
const CUSTOMER_TOTALS = path.join(root, 'examples/views/customer-totals.js');

type OrderValue = {
  eventType: string;
  orderId: string;
  customerId: string;
  lines: { sku: string; qty: number; unitPrice: number }[];
  total: number;
  currency: string;
  state: string;
  reason: string | null;
  cancelReason: string | null;
  placedAt: number;
  updatedAt: number;
};

const T0 = 1_700_000_000_000;
let offset = 0;

function order(
  eventType: string,
  orderId: string,
  customerId: string,
  state: string,
  total: number,
  skus = ['sku-1'],
  extra: Partial<OrderValue> = {},
): OrderValue {
  return {
    eventType,
    orderId,
    customerId,
    lines: skus.map((sku, i) => ({ sku, qty: i + 1, unitPrice: 500 })),
    total,
    currency: 'EUR',
    state,
    reason: null,
    cancelReason: null,
    placedAt: T0,
    updatedAt: T0 + 1000,
    ...extra,
  };
}

function event(value: unknown, key: string | null, partition = 0, headers: Record<string, string> = {}): ViewEvent {
  const o = offset++;
  return { topic: 'shop.orders', partition, offset: o, timestamp: T0 + o, key, headers, value };
}

const orderEvent = (v: OrderValue, headers: Record<string, string> = {}) => event(v, v.orderId, 0, headers);

let dir: string;
let db: Database;

beforeEach(() => {
  dir = tempDir('evt-views-');
  db = openDatabase(path.join(dir, 'views.db'));
  offset = 0;
});

afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function start(def: ViewDefinition): ApplyEvent {
  def.create(db);
  return def.prepare(db);
}

const rows = (table: string, order = 'key') =>
  db.prepare(`SELECT * FROM "${table}" ORDER BY "${order}"`).all() as Record<string, unknown>[];

async function writeView(name: string, content: unknown): Promise<string> {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

const validJson = {
  name: 'v',
  topics: ['orders'],
  key: '$.orderId',
  columns: { state: '$.state' },
};

describe('the README JSON example (examples/views/big-orders.json)', () => {
  it('loads as a definition', async () => {
    const def = await loadViewFile(BIG_ORDERS);
    expect(def.name).toBe('big-orders');
    expect(def.topics).toEqual(['shop.orders']);
    expect(def.table).toBe('big-orders');
    expect(def.keyColumn).toBe('key');
    expect(def.tables).toEqual(['big-orders']);
    expect(def.source).toBe(BIG_ORDERS);
    expect(def.description).toContain('removed when cancelled');
  });

  it('keeps the last value per key, columns from paths, only events that pass `where`', async () => {
    const apply = start(await loadViewFile(BIG_ORDERS));
    apply(orderEvent(order('OrderPlaced', 'o-1', 'c-1', 'PLACED', 1000))); // filtered out by where
    expect(rows('big-orders')).toEqual([]);
    apply(
      orderEvent(order('OrderConfirmed', 'o-1', 'c-1', 'CONFIRMED', 1000, ['sku-7', 'sku-2']), {
        'evt-event-id': 'e-1',
      }),
    );
    apply(orderEvent(order('OrderConfirmed', 'o-2', 'c-2', 'CONFIRMED', 250)));
    apply(
      orderEvent(order('OrderShipped', 'o-1', 'c-1', 'SHIPPED', 1000, ['sku-7', 'sku-2']), { 'evt-event-id': 'e-2' }),
    );
    apply(orderEvent(order('OrderRejected', 'o-3', 'c-1', 'REJECTED', 10))); // filtered out

    const all = rows('big-orders');
    expect(all).toEqual([
      {
        key: 'o-1',
        state: 'SHIPPED',
        total: 1000,
        customer: 'c-1',
        first_sku: 'sku-7',
        lines: JSON.stringify([
          { sku: 'sku-7', qty: 1, unitPrice: 500 },
          { sku: 'sku-2', qty: 2, unitPrice: 500 },
        ]),
        event_id: 'e-2',
        _topic: 'shop.orders',
        _partition: 0,
        _offset: 3,
        _timestamp: T0 + 3,
      },
      {
        key: 'o-2',
        state: 'CONFIRMED',
        total: 250,
        customer: 'c-2',
        first_sku: 'sku-1',
        lines: JSON.stringify([{ sku: 'sku-1', qty: 1, unitPrice: 500 }]),
        event_id: null, // no such header
        _topic: 'shop.orders',
        _partition: 0,
        _offset: 2,
        _timestamp: T0 + 2,
      },
    ]);
    // dynamic typing: integers stay integers, JSON is text
    const types = db
      .prepare(
        `SELECT typeof(total) AS total, typeof(lines) AS lines, typeof(first_sku) AS sku FROM "big-orders" WHERE key = 'o-1'`,
      )
      .get();
    expect(types).toEqual({ total: 'integer', lines: 'text', sku: 'text' });
  });

  it('deletes on `deleteOn` (even when `where` would filter the event) and on a tombstone', async () => {
    const apply = start(await loadViewFile(BIG_ORDERS));
    for (const id of ['o-1', 'o-2', 'o-3']) apply(orderEvent(order('OrderConfirmed', id, 'c-1', 'CONFIRMED', 100)));
    apply(
      orderEvent(
        order('OrderCancelled', 'o-2', 'c-1', 'CANCELLED', 100, ['sku-1'], { cancelReason: 'CUSTOMER_REQUEST' }),
      ),
    );
    apply(event(null, 'o-3')); // tombstone
    apply(event(null, 'o-unknown')); // a tombstone for a key the view never had
    expect(rows('big-orders').map((r) => r.key)).toEqual(['o-1']);
  });

  it('an event without the key goes to the errors (the message names the file; the replay adds the position once), the view goes on', async () => {
    const apply = start(await loadViewFile(BIG_ORDERS));
    const bad = { ...order('OrderConfirmed', 'x', 'c-1', 'CONFIRMED', 1), orderId: undefined };
    offset = 41;
    expect(() => apply(event(bad, null, 2))).toThrow(/^big-orders\.json: the key \$\.orderId is missing$/);
    expect(() => apply(event(null, null, 1))).toThrow(/^big-orders\.json: a tombstone without a record key$/);
    apply(orderEvent(order('OrderConfirmed', 'o-9', 'c-1', 'CONFIRMED', 5)));
    expect(rows('big-orders').map((r) => r.key)).toEqual(['o-9']);
  });

  it('is created IF NOT EXISTS (every replay) and resumes on the same rows', async () => {
    const def = await loadViewFile(BIG_ORDERS);
    start(def)(orderEvent(order('OrderConfirmed', 'o-1', 'c-1', 'CONFIRMED', 100)));
    start(def)(orderEvent(order('OrderCompleted', 'o-1', 'c-1', 'COMPLETED', 100)));
    expect(rows('big-orders').map((r) => [r.key, r.state])).toEqual([['o-1', 'COMPLETED']]);
  });
});

describe('the README JS example (examples/views/customer-totals.js)', () => {
  it('keeps a running total per customer from OrderConfirmed events', async () => {
    const def = await loadViewFile(CUSTOMER_TOTALS);
    expect(def).toMatchObject({
      name: 'customer-totals',
      topics: ['shop.orders'],
      table: 'customer-totals',
      keyColumn: 'customer',
      tables: ['customer-totals'],
      source: CUSTOMER_TOTALS,
    });
    const apply = start(def);
    apply(orderEvent(order('OrderPlaced', 'o-1', 'c-1', 'PLACED', 1000))); // not counted
    apply(orderEvent(order('OrderConfirmed', 'o-1', 'c-1', 'CONFIRMED', 1000, ['sku-b'])));
    apply(orderEvent(order('OrderConfirmed', 'o-2', 'c-2', 'CONFIRMED', 250)));
    apply(orderEvent(order('OrderConfirmed', 'o-3', 'c-1', 'CONFIRMED', 1999, ['sku-a', 'sku-b'])));
    apply(orderEvent(order('OrderShipped', 'o-1', 'c-1', 'SHIPPED', 1000))); // not counted
    apply(event(null, 'o-2')); // a tombstone: ignored by this view

    expect(rows('customer-totals', 'customer')).toEqual([
      {
        customer: 'c-1',
        orders: 2,
        total: 2999,
        currency: 'EUR',
        last_order: 'o-3',
        skus: '["sku-a","sku-b"]',
        _topic: 'shop.orders',
        _partition: 0,
        _offset: 3,
        _timestamp: T0 + 3,
      },
      {
        customer: 'c-2',
        orders: 1,
        total: 250,
        currency: 'EUR',
        last_order: 'o-2',
        skus: '["sku-1"]',
        _topic: 'shop.orders',
        _partition: 0,
        _offset: 2,
        _timestamp: T0 + 2,
      },
    ]);
    const cols = db.prepare(`SELECT name, type, pk FROM pragma_table_info('customer-totals')`).all();
    expect(cols).toContainEqual({ name: 'customer', type: 'TEXT', pk: 1 });
    expect(cols).toContainEqual({ name: 'total', type: 'INTEGER', pk: 0 });
    expect(cols).toContainEqual({ name: 'skus', type: 'TEXT', pk: 0 });
  });

  it('an apply that throws names the view file, the line that threw and its message, and leaves nothing behind', async () => {
    const apply = start(await loadViewFile(CUSTOMER_TOTALS));
    offset = 7;
    const noTotal = { ...order('OrderConfirmed', 'o-7', 'c-1', 'CONFIRMED', 0), total: undefined };
    let error: Error | undefined;
    try {
      apply(event(noTotal, 'o-7', 3));
    } catch (e) {
      error = e as Error;
    }
    // no position in the message: the replay gives each error its position once (topic-partition@offset)
    expect(error?.message).toBe('customer-totals.js:18: order o-7 has no total');
    expect(rows('customer-totals', 'customer')).toEqual([]);
    apply(orderEvent(order('OrderConfirmed', 'o-8', 'c-1', 'CONFIRMED', 10)));
    expect(rows('customer-totals', 'customer').map((r) => [r.customer, r.total])).toEqual([['c-1', 10]]);
  });
});

describe('code views', () => {
  const module = (body: string) =>
    `export default {\n  name: 'cv',\n  topics: ['orders'],\n  key: 'id',\n  columns: { id: 'TEXT', n: 'INTEGER', x: 'REAL', doc: 'JSON' },\n${body}\n};\n`;

  it('view.get parses JSON columns, view.delete removes, a half-done apply is rolled back (savepoint)', async () => {
    const file = await writeView(
      'cv.mjs',
      module(`  apply(e, view) {
    if (e.value.op === 'put') view.upsert({ id: e.key, n: e.value.n, x: e.value.n / 2, doc: { n: e.value.n, tags: ['a'] } });
    if (e.value.op === 'del') view.delete(e.key);
    if (e.value.op === 'bump') { const r = view.get(e.key); view.upsert({ ...r, n: r.n + 1, doc: { ...r.doc, bumped: true } }); }
    if (e.value.op === 'half') { view.upsert({ id: e.key, n: 999 }); throw new TypeError('half done'); }
  },`),
    );
    const apply = start(await loadViewFile(file));
    apply(event({ op: 'put', n: 3 }, 'a'));
    apply(event({ op: 'put', n: 5 }, 'b'));
    apply(event({ op: 'bump' }, 'a'));
    apply(event({ op: 'del' }, 'b'));
    expect(() => apply(event({ op: 'half' }, 'a'))).toThrow(/^cv\.mjs:10: TypeError: half done$/);
    expect(rows('cv', 'id')).toEqual([
      {
        id: 'a',
        n: 4,
        x: 1.5,
        doc: '{"n":3,"tags":["a"],"bumped":true}',
        _topic: 'shop.orders',
        _partition: 0,
        _offset: 2,
        _timestamp: T0 + 2,
      },
    ]);
  });

  it('refuses unknown columns in upsert, objects in non-JSON columns and a returned promise, naming the line', async () => {
    const file = await writeView(
      'cv2.mjs',
      module(`  apply(e, view) {
    if (e.value === 'typo') view.upsert({ id: 'k', count: 1 });
    if (e.value === 'object') view.upsert({ id: 'k', n: { a: 1 } });
    if (e.value === 'nokey') view.upsert({ n: 1 });
  },`),
    );
    const apply = start(await loadViewFile(file));
    expect(() => apply(event('typo', 'k'))).toThrow(
      /^cv2\.mjs:7: upsert: no column "count" \(columns: id, n, x, doc\)$/,
    );
    expect(() => apply(event('object', 'k'))).toThrow(
      /^cv2\.mjs:8: column n is INTEGER, not for an object \(declare it JSON\)$/,
    );
    expect(() => apply(event('nokey', 'k'))).toThrow(/^cv2\.mjs:9: the key \(id\) is nothing$/);
    // a plain function that returns a promise cannot be told from a synchronous one until it runs
    const promising = await writeView('cv3.mjs', module('  apply() {\n    return Promise.resolve();\n  },'));
    const applyPromising = start(await loadViewFile(promising));
    expect(() => applyPromising(event('x', 'k'))).toThrow(
      /^cv3\.mjs: apply returned a promise: it must be synchronous \(it runs inside a SQLite transaction\)$/,
    );
  });

  it('accepts CommonJS (module.exports) and a `table` of its own', async () => {
    const file = await writeView(
      'cjs-view.cjs',
      `module.exports = { name: 'cjs-view', table: 'cjs_rows', topics: ['a', 'b'], key: 'k', columns: { v: 'TEXT' }, apply(e, view) { view.upsert({ k: e.key, v: e.value }); } };`,
    );
    const def = await loadViewFile(file);
    expect(def).toMatchObject({
      name: 'cjs-view',
      table: 'cjs_rows',
      keyColumn: 'k',
      topics: ['a', 'b'],
      tables: ['cjs_rows'],
    });
    start(def)(event('hello', 'k1'));
    expect(rows('cjs_rows', 'k').map((r) => [r.k, r.v])).toEqual([['k1', 'hello']]);
  });

  it('validates the default export strictly, naming the file and the field', async () => {
    const cases: [string, string][] = [
      [
        `export default { name: 'x', topics: ['t'], key: 'id', columns: { id: 'TEXT', n: 'INT' }, apply() {} };`,
        'columns.n: a type, one of TEXT, INTEGER, REAL, JSON, not "INT"',
      ],
      [`export default { name: 'x', topics: ['t'], key: 'id', colums: {}, apply() {} };`, 'unknown field "colums"'],
      [
        `export default { name: 'x', topics: ['t'], key: 'id', columns: { n: 'TEXT' } };`,
        'apply: a function (event, view) => void, not nothing',
      ],
      [
        `export default { name: 'x', topics: [], key: 'id', columns: { n: 'TEXT' }, apply() {} };`,
        'topics: a non-empty list of topic names',
      ],
      [
        `export default { name: 'x', topics: ['t'], key: 'id', columns: { _offset: 'TEXT' }, apply() {} };`,
        'columns._offset: the name is taken',
      ],
      [`export const name = 'x';`, 'missing "topics"'], // no default export: the module's exports are the view
    ];
    let i = 0;
    for (const [source, message] of cases) {
      const file = await writeView(`bad${i++}.mjs`, source);
      const err = await loadViewFile(file).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ViewFileError);
      expect((err as Error).message).toContain(`${file}: ${message}`);
    }
  });

  it('a file that does not load names the file', async () => {
    const file = await writeView('throws.mjs', "throw new Error('not today');\n");
    await expect(loadViewFile(file)).rejects.toThrow(`${file}: cannot load the view file: not today`);
  });
});

describe('code views: checked when loaded', () => {
  const viewWith = (apply: string) =>
    `// a view\nexport default {\n  name: 'cv',\n  topics: ['orders'],\n  key: 'id',\n  columns: { id: 'TEXT', n: 'INTEGER' },\n${apply}\n};\n`;
  const refusal = async (name: string, source: string) => {
    const file = await writeView(name, source);
    const err = await loadViewFile(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ViewFileError);
    return { file, message: (err as Error).message };
  };
  const ASYNC = 'apply is async; it must be synchronous (it runs inside a SQLite transaction)';

  it('an async apply is refused with the file and the line of apply, before any event', async () => {
    for (const [i, apply, line] of [
      [0, '  async apply(event, view) {\n    view.upsert({ id: event.key });\n  },', 7],
      [1, '  apply: async function (event) {},', 7],
      [2, "  description: 'd',\n  apply: async (event) => {},", 8],
    ] as const) {
      const { file, message } = await refusal(`async${i}.mjs`, viewWith(apply));
      expect(message).toBe(`${file}:${line}: ${ASYNC}`);
    }
  });

  it('an async apply defined elsewhere in the file is found where it is defined', async () => {
    const source = `async function fold(event, view) {\n  view.upsert({ id: event.key });\n}\n${viewWith('  apply: fold,')}`;
    const { file, message } = await refusal('elsewhere.mjs', source);
    expect(message).toBe(`${file}:1: ${ASYNC}`);
  });

  it('CommonJS and generator functions too', async () => {
    const cjs = await refusal(
      'async.cjs',
      `module.exports = {\n  name: 'cv',\n  topics: ['t'],\n  key: 'id',\n  columns: { n: 'TEXT' },\n  async apply() {},\n};\n`,
    );
    expect(cjs.message).toBe(`${cjs.file}:6: ${ASYNC}`);
    const gen = await refusal('gen.mjs', viewWith('  *apply(event) {},'));
    expect(gen.message).toBe(
      `${gen.file}:7: apply is a generator function; it must be a plain function (event, view) => void`,
    );
  });

  it('a syntax error names the file, line and column', async () => {
    const esm = await refusal('broken.mjs', viewWith('  apply(event, view) {\n    const n = ;\n  },'));
    expect(esm.message).toBe(`${esm.file}:8:15: SyntaxError: Unexpected token ';'`);
    const cjs = await refusal(
      'broken.cjs',
      `module.exports = {\n  name: 'x',\n  apply() {\n    return 1 +* 2;\n  },\n};\n`,
    );
    expect(cjs.message).toBe(`${cjs.file}:4:15: SyntaxError: Unexpected token '*'`);
    const unfinished = await refusal('unfinished.mjs', 'export default {');
    expect(unfinished.message).toBe(`${unfinished.file}:1:17: SyntaxError: Unexpected end of input`);
  });
});

describe('.ts view files', () => {
  it(
    nodeStripsTypes()
      ? 'are loaded (this Node strips types)'
      : 'are refused on a Node without type stripping, suggesting .js or .json',
    async () => {
      const file = await writeView(
        'typed.ts',
        `const view: { name: string } & Record<string, unknown> = { name: 'typed', topics: ['orders'], key: 'id', columns: { v: 'TEXT' }, apply() {} };\nexport default view;\n`,
      );
      if (nodeStripsTypes()) {
        expect((await loadViewFile(file)).name).toBe('typed');
      } else {
        const err = await loadViewFile(file).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ViewFileError);
        expect((err as Error).message).toBe(
          `${file}: TypeScript view files need a Node that strips types (22.18 or later, or 22.6 with --experimental-strip-types); ` +
            `this is Node ${process.versions.node}: write the view as .js (or .mjs) or .json instead`,
        );
      }
    },
  );

  it('this Node 20 test run has no type stripping', () => {
    if (Number(process.versions.node.split('.')[0]) < 22) expect(nodeStripsTypes()).toBe(false);
  });
});

describe('JSON view files: validation', () => {
  const cases: [string, unknown, string][] = [
    [
      'unknown field',
      { ...validJson, colums: {} },
      'unknown field "colums" (the fields are name, description, topics, key, columns, where, deleteOn)',
    ],
    ['missing name', { ...validJson, name: undefined }, 'missing "name"'],
    [
      'bad name',
      { ...validJson, name: 'big orders' },
      'name: letters, digits, - and _, starting with a letter (at most 64), not "big orders"',
    ],
    ['missing topics', { ...validJson, topics: undefined }, 'missing "topics"'],
    ['empty topics', { ...validJson, topics: [] }, 'topics: a non-empty list of topic names, not a list'],
    ['missing key', { ...validJson, key: undefined }, 'missing "key"'],
    [
      'bad key path',
      { ...validJson, key: 'orderId' },
      'key: bad path "orderId": a path starts with $ (the value), $key or $headers.<name>',
    ],
    ['missing columns', { ...validJson, columns: undefined }, 'missing "columns"'],
    ['no columns', { ...validJson, columns: {} }, 'columns: at least one column'],
    [
      'column not an identifier',
      { ...validJson, columns: { 'first sku': '$.lines[0].sku' } },
      'columns: "first sku" is not a column name',
    ],
    ['column taken', { ...validJson, columns: { Key: '$.x' } }, 'columns.Key: the name is taken'],
    [
      'bad column path',
      { ...validJson, columns: { first_sku: '$.lines[x].sku' } },
      'columns.first_sku: bad path "$.lines[x].sku" at "[x].sku": expected .field, [index], [*] or [\'field\']',
    ],
    ['unterminated quote', { ...validJson, columns: { a: "$['a" } }, `columns.a: bad path "$['a"`],
    ['path not a string', { ...validJson, columns: { a: 3 } }, 'columns.a: a path is a string like "$.orderId", not 3'],
    [
      'bad header path',
      { ...validJson, columns: { a: '$headers' } },
      'columns.a: bad path "$headers": a header is $headers.<name>',
    ],
    [
      'where with an object',
      { ...validJson, where: { '$.a': { gt: 1 } } },
      'where["$.a"]: compare with a string, number, boolean or null (or a list of them), not an object',
    ],
    ['where bad path', { ...validJson, where: { '.a': 1 } }, 'where: bad path ".a"'],
    ['empty deleteOn', { ...validJson, deleteOn: {} }, 'deleteOn: at least one condition'],
    ['not an object', [validJson], 'a view file holds one JSON object, not a list'],
  ];
  for (const [title, spec, message] of cases) {
    it(title, async () => {
      const file = await writeView('bad.json', spec);
      const err = await loadViewFile(file).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ViewFileError);
      expect((err as Error).message).toContain(`${file}: ${message}`);
    });
  }

  it('invalid JSON, a missing file, another extension', async () => {
    const file = await writeView('broken.json', '{"name": ');
    await expect(loadViewFile(file)).rejects.toThrow(`${file}: not valid JSON:`);
    await expect(loadViewFile(path.join(dir, 'nope.json'))).rejects.toThrow(
      `${path.join(dir, 'nope.json')}: view file not found`,
    );
    const yaml = await writeView('v.yaml', 'name: v');
    await expect(loadViewFile(yaml)).rejects.toThrow(
      `${yaml}: a view file is .json, .js, .mjs, .cjs or .ts, not ".yaml"`,
    );
  });

  it('a table left by another version of the file: a clear message, not "no such column"', async () => {
    const v1 = await writeView('v.json', validJson);
    start(await loadViewFile(v1));
    const v2 = await writeView('v2.json', { ...validJson, columns: { state: '$.state', total: '$.total' } });
    const def = await loadViewFile(v2);
    def.create(db);
    expect(() => def.prepare(db)).toThrow(
      'the table v has the columns (key, state, _topic, _partition, _offset, _timestamp) but the view file defines (key, state, total, _topic, _partition, _offset, _timestamp): replay with --rebuild',
    );
  });
});

describe('JSON views: paths, where, key sources', () => {
  it('evaluates $, .field, [n], quoted fields, $key and $headers', () => {
    const e: ViewEvent = {
      topic: 't',
      partition: 0,
      offset: 0,
      timestamp: 0,
      key: 'k-1',
      headers: { 'evt-event-id': 'e-9', 'x y': 'z' },
      value: { a: { 'b c': [10, { "it's": 'yes' }] }, n: null },
    };
    const at = (p: string) => evaluatePath(parsePath(p), e);
    expect(at('$')).toEqual(e.value);
    expect(at("$.a['b c'][0]")).toBe(10);
    expect(at(`$.a["b c"][1]['it\\'s']`)).toBe('yes');
    expect(at('$.a.missing.deeper')).toBeUndefined();
    expect(at('$.a[0]')).toBeUndefined(); // not an array
    expect(at("$.a['b c'][5]")).toBeUndefined();
    expect(at('$.n')).toBeNull();
    expect(at('$key')).toBe('k-1');
    expect(at('$headers.evt-event-id')).toBe('e-9');
    expect(at("$headers['x y']")).toBe('z');
    expect(at('$headers.absent')).toBeUndefined();
    expect(at('$.a.toString')).toBeUndefined(); // own fields only
  });

  it('keys by $key, where on several paths and a list, booleans and floats stored as SQLite values', async () => {
    const file = await writeView('flags.json', {
      name: 'flags',
      topics: ['orders'],
      key: '$key',
      columns: { on: '$.on', ratio: '$.ratio', big: '$.big', source: '$headers.source', raw: '$' },
      where: { '$.kind': ['flag', 'toggle'], '$headers.source': 'ui' },
    });
    const apply = start(await loadViewFile(file));
    apply(event({ kind: 'flag', on: true, ratio: 0.25, big: 2 ** 60 }, 'f1', 0, { source: 'ui' }));
    apply(event({ kind: 'toggle', on: false, ratio: 1 }, 'f2', 0, { source: 'ui' }));
    apply(event({ kind: 'flag', on: true }, 'f3', 0, { source: 'api' })); // header does not match
    apply(event({ kind: 'other', on: true }, 'f4', 0, { source: 'ui' })); // kind does not match
    expect(rows('flags').map((r) => [r.key, r.on, r.ratio, r.big, r.source])).toEqual([
      ['f1', 1, 0.25, 2 ** 60, 'ui'],
      ['f2', 0, 1, null, 'ui'],
    ]);
    expect(JSON.parse(rows('flags')[0].raw as string)).toEqual({ kind: 'flag', on: true, ratio: 0.25, big: 2 ** 60 });
  });
});
