// The envelope and the value codecs: every payload survives envelope -> JSON -> envelope -> payload.

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ConsumedRecord } from '../../src/client/records.js';
import { CodecError } from '../../src/codec/value-codec.js';
import { createValueCodec } from '../../src/codec/create-codec.js';
import { InputError, parseEnvelope, toEnvelope } from '../../src/codec/envelope.js';
import { tempDir } from '../helpers/broker.js';

const record = (
  value: Buffer | null,
  key: Buffer | null = Buffer.from('k1'),
  headers: ConsumedRecord['headers'] = [],
): ConsumedRecord => ({
  topic: 't',
  partition: 2,
  offset: 7,
  timestamp: 1700000000000,
  key,
  value,
  headers,
});

describe('auto codec round trip through the envelope', () => {
  const payloads: [string, Buffer | null][] = [
    ['compact JSON object', Buffer.from('{"a":1,"b":[true,null]}')],
    ['JSON array', Buffer.from('[1,2,3]')],
    ['JSON with spaces (kept as text)', Buffer.from('{ "a": 1 }')],
    ['a JSON string literal', Buffer.from('"quoted"')],
    ['a number', Buffer.from('42')],
    ['plain text', Buffer.from('hello world')],
    ['UTF-8 text', Buffer.from('grüße 🌍')],
    ['binary', Buffer.from([0, 255, 1, 128, 10])],
    ['empty', Buffer.alloc(0)],
    ['null (tombstone)', null],
  ];
  for (const [name, payload] of payloads) {
    it(name, async () => {
      const codec = await createValueCodec('auto');
      const env = toEnvelope(record(payload), codec);
      const back = parseEnvelope(JSON.parse(JSON.stringify(env)), codec);
      if (payload === null) expect(back.value).toBeNull();
      else expect(back.value!.equals(payload)).toBe(true);
    });
  }

  it('shows JSON objects as values and binary as base64', async () => {
    const codec = await createValueCodec('auto');
    expect(toEnvelope(record(Buffer.from('{"s":"x"}')), codec).value).toEqual({ s: 'x' });
    const bin = toEnvelope(record(Buffer.from([0, 255])), codec);
    expect(bin).toMatchObject({ value: 'AP8=', valueEncoding: 'base64' });
  });

  it('keeps keys and repeated, null and binary headers', async () => {
    const codec = await createValueCodec('auto');
    const headers = [
      { key: 'a', value: Buffer.from('1') },
      { key: 'a', value: Buffer.from('2') },
      { key: 'n', value: null },
      { key: 'bin', value: Buffer.from([255, 0]) },
    ];
    const env = toEnvelope(record(Buffer.from('v'), Buffer.from([200, 1]), headers), codec);
    expect(env).toMatchObject({
      key: 'yAE=',
      keyEncoding: 'base64',
      headers: { a: ['1', '2'], n: null, bin: '/wA=' },
      headerEncoding: { bin: 'base64' },
    });
    const back = parseEnvelope(JSON.parse(JSON.stringify(env)), codec);
    expect(back.key).toEqual(Buffer.from([200, 1]));
    expect(back.headers).toEqual(headers);
  });
});

describe('parseEnvelope errors', () => {
  it('names what is wrong', async () => {
    const codec = await createValueCodec('auto');
    expect(() => parseEnvelope([1], codec)).toThrow(InputError);
    expect(() => parseEnvelope({ value: 'x', key: 5 }, codec)).toThrow('"key" must be a string or null');
    expect(() => parseEnvelope({ orderId: 'o-1', total: 12 }, codec)).toThrow('no "value" field');
    expect(parseEnvelope({ key: 'k', value: null }, codec).value).toBeNull();
    expect(() => parseEnvelope({ value: 'x', partition: -1 }, codec)).toThrow('"partition" must be a whole number');
    expect(() => parseEnvelope({ value: 'x', headers: [] }, codec)).toThrow('"headers" must be an object');
    expect(() => parseEnvelope({ value: 'x', timestamp: 'yesterday' }, codec)).toThrow('"timestamp"');
    expect(parseEnvelope({ value: 'x', timestamp: '2026-11-22T00:00:00Z', partition: 1 }, codec)).toMatchObject({
      partition: 1,
      timestamp: Date.parse('2026-11-22T00:00:00Z'),
    });
  });
});

describe('json codec', () => {
  it('checks that text is JSON and reports decode errors per record', async () => {
    const codec = await createValueCodec('json');
    expect(codec.encode('{"a":1}').toString()).toBe('{"a":1}');
    expect(codec.encode({ a: 1 }).toString()).toBe('{"a":1}');
    expect(() => codec.encode('{nope')).toThrow(CodecError);
    expect(codec.decode(Buffer.from('not json'))).toMatchObject({
      value: 'not json',
      error: expect.stringMatching(/^not JSON/),
    });
  });
});

describe('avro codec', () => {
  const schema = {
    type: 'record',
    name: 'OrderPlaced',
    fields: [
      { name: 'orderId', type: 'string' },
      { name: 'total', type: 'double' },
      { name: 'note', type: ['null', 'string'], default: null },
      {
        name: 'lines',
        type: {
          type: 'array',
          items: {
            type: 'record',
            name: 'Line',
            fields: [
              { name: 'sku', type: 'string' },
              { name: 'qty', type: 'int' },
            ],
          },
        },
      },
      { name: 'status', type: { type: 'enum', name: 'Status', symbols: ['PLACED', 'CONFIRMED'] } },
    ],
  };
  const file = path.join(tempDir(), 'order.avsc');
  fs.writeFileSync(file, JSON.stringify(schema));

  it('encodes plain JSON (unions included) and decodes it back equal', async () => {
    const codec = await createValueCodec('avro', { schemaFile: file });
    const value = { orderId: 'o-1', total: 12.5, note: 'gift', lines: [{ sku: 'A', qty: 2 }], status: 'PLACED' };
    const bytes = codec.encode(value);
    expect(bytes.length).toBeLessThan(JSON.stringify(value).length);
    expect(codec.decode(bytes)).toEqual({ value });
    const withNull = { ...value, note: null };
    expect(codec.decode(codec.encode(withNull))).toEqual({ value: withNull });
  });

  it('names the field path and the expected type of a value that does not fit', async () => {
    const codec = await createValueCodec('avro', { schemaFile: file });
    const bad = { orderId: 'o-1', total: 'lots', note: null, lines: [], status: 'PLACED' };
    expect(() => codec.encode(bad)).toThrow('total: expected double, got "lots"');
    const badLine = { orderId: 'o-1', total: 1, note: null, lines: [{ sku: 'A', qty: 1.5 }], status: 'PLACED' };
    expect(() => codec.encode(badLine)).toThrow('lines.0.qty: expected int, got 1.5');
    expect(() => codec.encode({ ...badLine, lines: [], status: 'LOST' })).toThrow(
      /status: expected enum Status, got "LOST"/,
    );
  });

  it('reports a payload that is not Avro of the schema as a per-record error', async () => {
    const codec = await createValueCodec('avro', { schemaFile: file });
    expect(codec.decode(Buffer.from([0xff, 0xff, 0xff]))).toMatchObject({
      encoding: 'base64',
      error: expect.stringMatching(/^not Avro/),
    });
  });

  it('needs a schema file, and says which file is unreadable', async () => {
    await expect(createValueCodec('avro')).rejects.toThrow('--value-format avro needs --schema');
    await expect(createValueCodec('avro', { schemaFile: '/no/such.avsc' })).rejects.toThrow(
      'cannot read Avro schema /no/such.avsc',
    );
  });
});
