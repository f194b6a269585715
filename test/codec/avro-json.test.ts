// The compiled Avro -> JSON text writer against the general path (avsc's decoding, then JSON.stringify of
// what avroCodec shows): the same bytes for every value it answers, over schemas with unions (unwrapped and
// wrapped), records, arrays, maps, enums, fixed, bytes, logical types, nullable fields, recursion and unicode
// strings; null (the general path) for what it must not vouch for.

import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { avroJsonWriter } from '../../src/codec/avro-json.js';
import { avroCodec } from '../../src/codec/avro.js';
import { LINES_FIELD } from '../helpers/schemas.js';

const forSchema = (schema: unknown) => avro.Type.forSchema(schema as avro.Schema, { wrapUnions: 'auto' });

/** What the general path prints as the value: JSON.stringify of avroCodec's decoded value. */
function general(type: avro.Type, body: Buffer): string {
  const d = avroCodec(type).decode(body);
  if (d.error) throw new Error(d.error);
  return JSON.stringify(d.value);
}

const TEXTS = [
  '',
  'plain',
  'Zoë Müller',
  'quote " backslash \\ slash /',
  'ctl \u0000\u0001\u001f\b\t\n\f\r\u007f',
  '日本語 🎉 \u2028\u2029',
  '\ufeffbom',
];

const schemas: Record<string, { schema: unknown; values: unknown[] }> = {
  'record of every primitive, nullable fields, unions': {
    schema: {
      type: 'record',
      name: 'All',
      namespace: 'evt.test',
      fields: [
        { name: 'n', type: 'null' },
        { name: 'b', type: 'boolean' },
        { name: 'i', type: 'int' },
        { name: 'l', type: 'long' },
        { name: 'f', type: 'float' },
        { name: 'd', type: 'double' },
        { name: 's', type: 'string' },
        { name: 'by', type: 'bytes' },
        { name: 'opt', type: ['null', 'string'], default: null },
        { name: 'num', type: ['null', 'int', 'string'] },
        { name: 'fx', type: { type: 'fixed', name: 'Four', size: 4 } },
        { name: 'e', type: { type: 'enum', name: 'Status', symbols: ['PLACED', 'SHIPPED'] } },
        { name: 'ts', type: { type: 'long', logicalType: 'timestamp-millis' } },
        { name: 'dec', type: { type: 'bytes', logicalType: 'decimal', precision: 6, scale: 2 } },
        { name: 'uuid', type: { type: 'string', logicalType: 'uuid' } },
      ],
    },
    values: [
      ...TEXTS.map((s, k) => ({
        n: null,
        b: k % 2 === 0,
        i: [0, -1, 2147483647, -2147483648, 63, -64, 64][k],
        l: [0, 9007199254740990, -9007199254740990, 1_700_000_000_000, -1, 2 ** 40, 128][k],
        f: [0, 0.1, -1.5, 3.4e38, NaN, Infinity, -0][k],
        d: [0, 0.1, -1e-300, 1e21, NaN, -Infinity, -0][k],
        s,
        by: Buffer.from([0, 0x22, 0x5c, 0x7f, 0x80, 0xff, 10].slice(0, k)),
        opt: k % 3 === 0 ? null : s,
        num: k % 3 === 0 ? null : k % 3 === 1 ? k : s,
        fx: Buffer.from([k, 0x80, 0xff, 0x1f]),
        e: k % 2 ? 'PLACED' : 'SHIPPED',
        ts: 1_700_000_000_000 + k,
        dec: Buffer.from([1, 2, k]),
        uuid: '123e4567-e89b-12d3-a456-426614174000',
      })),
    ],
  },
  'arrays, maps, nested and wrapped unions of records': {
    schema: {
      type: 'record',
      name: 'Order',
      fields: [
        LINES_FIELD,
        { name: 'tags', type: { type: 'map', values: ['null', 'string'] } },
        { name: 'matrix', type: { type: 'array', items: { type: 'array', items: 'long' } } },
        {
          name: 'payment',
          type: [
            'null',
            { type: 'record', name: 'Card', fields: [{ name: 'last4', type: 'string' }] },
            { type: 'record', name: 'Transfer', namespace: 'bank', fields: [{ name: 'iban', type: 'string' }] },
          ],
        },
        { name: 'empty', type: { type: 'record', name: 'Empty', fields: [] } },
      ],
    },
    values: [
      { lines: [], tags: {}, matrix: [], payment: null, empty: {} },
      {
        lines: [
          { sku: 'sku-1', qty: 2, price: 9.99 },
          { sku: 'ä€', qty: -1, price: 25 },
        ],
        tags: { gift: 'yes', 'ünï "q"': null, '': 'empty key', '01': 'not an index' },
        matrix: [[1, 2], [], [3]],
        payment: { Card: { last4: '4242' } },
        empty: {},
      },
      {
        lines: [{ sku: '', qty: 0, price: -0 }],
        tags: { a: 'b' },
        matrix: [[]],
        payment: { 'bank.Transfer': { iban: 'DE00' } },
        empty: {},
      },
    ],
  },
  'recursive record': {
    schema: {
      type: 'record',
      name: 'Node',
      fields: [
        { name: 'v', type: 'string' },
        { name: 'next', type: ['null', 'Node'] },
      ],
    },
    values: [
      { v: 'a', next: { v: 'b', next: { v: 'c', next: null } } },
      { v: '', next: null },
    ],
  },
  'bare types': { schema: ['null', 'string'], values: [null, 'x', 'Zoë'] },
  'a map at the top': { schema: { type: 'map', values: 'int' }, values: [{}, { a: 1, b: 2, c: -3 }] },
};

describe('avroJsonWriter', () => {
  for (const [name, { schema, values }] of Object.entries(schemas)) {
    it(`${name}: the bytes of the general path, for given and random values`, () => {
      const type = forSchema(schema);
      const write = avroJsonWriter(type);
      expect(write).not.toBeNull();
      const all = [...values, ...Array.from({ length: 200 }, () => type.random())];
      for (const v of all) {
        const body = type.toBuffer(v);
        const got = write!(body);
        expect(got, JSON.stringify(v)).not.toBeNull();
        expect(got!.toString('utf8')).toBe(general(type, body));
      }
    });
  }

  it('bodies that are not Avro of the schema (truncated, trailing bytes, bad index, bad length): null', () => {
    const type = forSchema(schemas['arrays, maps, nested and wrapped unions of records'].schema);
    const write = avroJsonWriter(type)!;
    const body = type.toBuffer(schemas['arrays, maps, nested and wrapped unions of records'].values[1]);
    for (let n = 0; n < body.length; n++) expect(write(body.subarray(0, n))).toBeNull();
    expect(write(Buffer.concat([body, Buffer.from([0])]))).toBeNull();
    const e = forSchema({ type: 'enum', name: 'E', symbols: ['A'] });
    expect(avroJsonWriter(e)!(Buffer.from([2]))).toBeNull();
    expect(avroJsonWriter(forSchema(['null', 'int']))!(Buffer.from([4]))).toBeNull();
    expect(avroJsonWriter(forSchema('string'))!(Buffer.from([1]))).toBeNull();
  });

  it('what it must not vouch for: invalid UTF-8, unsafe longs, map keys stringify reorders or drops', () => {
    expect(avroJsonWriter(forSchema('string'))!(Buffer.from([4, 0xc3, 0x28]))).toBeNull();
    const long = forSchema('long');
    // 2^53 + 1 as a zig-zag varint
    const big = Buffer.from([0x82, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20]);
    expect(() => long.fromBuffer(big)).toThrow();
    expect(avroJsonWriter(long)!(big)).toBeNull();
    const map = forSchema({ type: 'map', values: 'int' });
    const write = avroJsonWriter(map)!;
    for (const m of [{ b: 1, 10: 2 }, { ['__proto__']: 1 }]) {
      const body = map.toBuffer(JSON.parse(JSON.stringify(m)));
      expect(write(body)).toBeNull();
    }
    // a duplicate key (two blocks): stringify writes it once
    const dup = Buffer.concat([map.toBuffer({ a: 1 }).subarray(0, -1), map.toBuffer({ a: 2 })]);
    expect(write(dup)).toBeNull();
    expect(general(map, dup)).toBe('{"a":2}');
  });

  it('a logical type avsc was told about, and records with fields called type and data: no writer', () => {
    class Dt extends avro.types.LogicalType {
      override _fromValue(v: number) {
        return new Date(v);
      }
      override _toValue(d: Date) {
        return d.getTime();
      }
    }
    const withLogical = avro.Type.forSchema(
      { type: 'long', logicalType: 'timestamp-millis' },
      { logicalTypes: { 'timestamp-millis': Dt } },
    );
    expect(avroJsonWriter(withLogical)).toBeNull();
    const buffery = forSchema({
      type: 'record',
      name: 'R',
      fields: [
        { name: 'type', type: 'string' },
        { name: 'data', type: 'bytes' },
      ],
    });
    expect(avroJsonWriter(buffery)).toBeNull();
  });
});
