// Schemas and helpers shared by the schema registry tests.

import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from './broker.js';

export const ORDER_V1 = {
  type: 'record',
  name: 'Order',
  namespace: 'evt.test',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'total', type: 'int' },
    { name: 'note', type: ['null', 'string'], default: null },
    { name: 'customer', type: { type: 'record', name: 'Customer', fields: [{ name: 'name', type: 'string' }] } },
  ],
};

/** an order's lines: an array of records (the Avro reading tests' nested shape) */
export const LINES_FIELD = {
  name: 'lines',
  type: {
    type: 'array',
    items: {
      type: 'record',
      name: 'Line',
      fields: [
        { name: 'sku', type: 'string' },
        { name: 'qty', type: 'int' },
        { name: 'price', type: 'double' },
      ],
    },
  },
};

/** adds a field with a default: BACKWARD-compatible */
export const ORDER_V2 = {
  ...ORDER_V1,
  fields: [...ORDER_V1.fields, { name: 'currency', type: 'string', default: 'EUR' }],
};

/** adds a field without a default: not BACKWARD-compatible */
export const ORDER_BAD = { ...ORDER_V1, fields: [...ORDER_V1.fields, { name: 'required', type: 'long' }] };

export function writeSchemas(): { dir: string; v1: string; v2: string; bad: string; key: string } {
  const dir = tempDir('evt-schema-');
  const file = (name: string, schema: unknown) => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, JSON.stringify(schema, null, 2));
    return p;
  };
  return {
    dir,
    v1: file('order-v1.avsc', ORDER_V1),
    v2: file('order-v2.avsc', ORDER_V2),
    bad: file('order-bad.avsc', ORDER_BAD),
    key: file('key.avsc', 'string'),
  };
}
