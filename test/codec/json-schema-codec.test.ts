// JSON values checked with a JSON Schema (Ajv): draft-07 by default, 2020-12 when the schema says so; a value
// that does not fit names its path and what was expected; decoding parses without checking.

import { describe, expect, it } from 'vitest';
import { compileJsonSchema, decodeJsonBody, jsonSchemaCodec } from '../../src/codec/json-schema-codec.js';
import { CodecError } from '../../src/codec/value-codec.js';

const ORDER = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    status: { enum: ['PLACED', 'SHIPPED'] },
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: { sku: { type: 'string' }, qty: { type: 'integer', minimum: 1 } },
        required: ['sku', 'qty'],
        additionalProperties: false,
      },
    },
  },
  required: ['id'],
};

const codec = (schema: object = ORDER) => jsonSchemaCodec(compileJsonSchema(JSON.stringify(schema)));

function refusal(value: unknown, schema?: object): string {
  try {
    codec(schema).encode(value);
  } catch (err) {
    expect(err).toBeInstanceOf(CodecError);
    return (err as Error).message;
  }
  throw new Error(`${JSON.stringify(value)} was accepted`);
}

describe('json-schema codec', () => {
  it('writes the value as JSON text when it fits; reads any JSON back', () => {
    const v = { id: 'o-1', status: 'PLACED', items: [{ sku: 'a', qty: 2 }] };
    expect(codec().encode(JSON.stringify(v)).toString()).toBe(JSON.stringify(v));
    expect(decodeJsonBody(Buffer.from('{"anything":[1]}'))).toEqual({ value: { anything: [1] } });
    expect(decodeJsonBody(Buffer.from('{"x"')).error).toMatch(/^not JSON/);
  });

  it('names the path and what was expected', () => {
    expect(
      refusal({
        id: 'o',
        items: [
          { sku: 'a', qty: 1 },
          { sku: 'b', qty: 'two' },
        ],
      }),
    ).toBe('.items[1].qty: expected an integer, got "two"');
    expect(refusal({ items: [] })).toBe('.id: missing (required)');
    expect(refusal({ id: 'o', items: [{ sku: 'a', qty: 1, colour: 'red' }] })).toBe(
      '.items[0].colour: not allowed (the schema allows no other properties)',
    );
    expect(refusal({ id: 'o', status: 'LOST' })).toBe('.status: expected one of "PLACED", "SHIPPED", got "LOST"');
    expect(refusal({ id: 'o', items: [{ sku: 'a', qty: 0 }] })).toBe('.items[0].qty: must be >= 1, got 0');
    expect(refusal(7)).toBe('(the value): expected an object, got 7');
  });

  it("2020-12 schemas (prefixItems); formats are not checked (as Python's jsonschema by default)", () => {
    const schema = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: {
        pair: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'number' }] },
        at: { type: 'string', format: 'date-time' },
      },
    };
    expect(
      codec(schema)
        .encode({ pair: ['a', 1] })
        .toString(),
    ).toBe('{"pair":["a",1]}');
    expect(refusal({ pair: [1, 1] }, schema)).toBe('.pair[0]: expected a string, got 1');
    expect(codec(schema).encode({ at: 'soon' }).toString()).toBe('{"at":"soon"}');
  });

  it('draft-04 schemas: an exclusive bound is a boolean beside the bound, as that draft writes it', () => {
    const schema = {
      $schema: 'http://json-schema.org/draft-04/schema#',
      id: 'http://acme.example/reading.json',
      type: 'object',
      properties: { level: { type: 'number', minimum: 0, maximum: 10, exclusiveMaximum: true } },
      required: ['level'],
    };
    expect(codec(schema).encode({ level: 9.5 }).toString()).toBe('{"level":9.5}');
    expect(codec(schema).encode({ level: 0 }).toString()).toBe('{"level":0}');
    expect(refusal({ level: 10 }, schema)).toBe('.level: must be < 10, got 10');
    expect(refusal({}, schema)).toBe('.level: missing (required)');
  });

  it('a schema that is not one names the problem', () => {
    expect(() => compileJsonSchema('{"type":"nope"}', new Map(), 's.json')).toThrow(
      /s\.json is not a valid JSON Schema/,
    );
    expect(() => compileJsonSchema('{', new Map(), 's.json')).toThrow(/s\.json is not JSON/);
  });

  it('$ref to a referenced schema by its name', () => {
    const v = compileJsonSchema(
      JSON.stringify({ type: 'object', properties: { money: { $ref: 'money.json' } } }),
      new Map([['money.json', JSON.stringify({ type: 'object', properties: { units: { type: 'integer' } } })]]),
    );
    expect(() => jsonSchemaCodec(v).encode({ money: { units: 'x' } })).toThrow(
      '.money.units: expected an integer, got "x"',
    );
  });
});
