// Protobuf values from plain JSON and back (protobuf-codec.ts) with schemas as the registry holds them
// (protobuf-schema.ts): .proto text with an import and a well-known type, and the base64 FileDescriptorProtos
// confluent-kafka-python registers (test/fixtures/protobuf/*.desc.b64, printed by Python for the same files).

import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { messageOf, protobufBodyDecoder, protobufCodec } from '../../src/codec/protobuf-codec.js';
import { buildProtobufSchema } from '../../src/codec/protobuf-schema.js';
import { CodecError } from '../../src/codec/value-codec.js';
import { frame } from '../../src/codec/wire-format.js';

const fixture = (name: string) => fs.readFileSync(new URL(`../fixtures/protobuf/${name}`, import.meta.url), 'utf8');
const textSchema = () =>
  buildProtobufSchema(fixture('order.proto'), new Map([['common.proto', fixture('common.proto')]]));
const descriptorSchema = () =>
  buildProtobufSchema(
    fixture('order.proto.desc.b64').trim(),
    new Map([['common.proto', fixture('common.proto.desc.b64').trim()]]),
  );

const ORDER = {
  order_id: 'o-1',
  status: 'PLACED',
  items: [
    { sku: 'a', qty: 2 },
    { sku: 'b', qty: 1 },
  ],
  total_cents: '12345678901234567',
  price: { currency: 'EUR', units: '5' },
  placed_at: '2024-01-02T03:04:05.500Z',
  tags: { channel: 'web' },
  blob: 'AAE=',
};

function encoder(schema = textSchema(), message?: string) {
  const { type, path } = messageOf(schema, message, 'order.proto');
  return protobufCodec(schema, type, path, frame(7, Buffer.alloc(0)));
}

function refusal(value: unknown, message?: string): string {
  try {
    encoder(textSchema(), message).encode(value);
  } catch (err) {
    expect(err).toBeInstanceOf(CodecError);
    return (err as Error).message;
  }
  throw new Error(`${JSON.stringify(value)} was encoded`);
}

describe('protobuf schemas', () => {
  it('lists the messages in file order, nested ones by index path, from .proto text and from descriptors', () => {
    const t = textSchema();
    expect(t.topLevel).toEqual(['acme.shop.Order', 'acme.shop.Shipment']);
    expect(t.messageAt([1, 0])).toBe('acme.shop.Shipment.Parcel');
    expect(t.pathOf('Order.Item')).toEqual([0, 0]);
    const d = descriptorSchema();
    expect(d.topLevel).toEqual(['acme.shop.Order', 'acme.shop.Shipment']);
    expect(d.messageAt([0, 0])).toBe('acme.shop.Order.Item');
    expect(d.pathOf('acme.shop.Shipment.Parcel')).toEqual([1, 0]);
  });

  it('map entries count in index paths, as Python and Java count them, from a descriptor and from .proto text', () => {
    // maps.proto: Holder { map<string, int32> counts; message Inner } -- Python writes Inner as [0, 1]
    const d = buildProtobufSchema(fixture('maps.proto.desc.b64').trim(), new Map());
    expect(d.messageAt([0, 0])).toBe('acme.maps.Holder.CountsEntry');
    expect(d.pathOf('Holder.Inner')).toEqual([0, 1]);
    const inner = d.root.lookupType('acme.maps.Holder.Inner');
    const body = Buffer.from(inner.encode(inner.fromObject({ name: 'x' })).finish());
    // Python 1.7's unsigned [0, 1]: 02 00 01; the spec's: 04 00 02
    for (const index of ['020001', '040002'])
      expect(protobufBodyDecoder(d)(Buffer.concat([Buffer.from(index, 'hex'), body]))).toEqual({
        value: { name: 'x' },
      });
    const { type, path } = messageOf(d, 'Holder.Inner', 'maps');
    expect(
      protobufCodec(d, type, path, frame(1, Buffer.alloc(0)))
        .encode({ name: 'x' })
        .subarray(5, 8)
        .toString('hex'),
    ).toBe('040002');
    // the same file as .proto text: the entry type is counted where the map field is declared, as protoc does
    const t = buildProtobufSchema(fixture('maps.proto'), new Map());
    expect(t.messageAt([0, 0])).toBe('acme.maps.Holder.CountsEntry');
    expect(t.pathOf('Holder.Inner')).toEqual([0, 1]);
  });

  it('a schema that does not parse names itself and the problem', () => {
    expect(() => buildProtobufSchema('syntax = "proto3"; message {', new Map(), 'bad.proto')).toThrow(
      /bad\.proto is not a valid Protobuf schema: .*line 1/,
    );
  });
});

describe('protobuf codec', () => {
  it('encodes plain JSON into the wire format and decodes it to ProtoJSON with the .proto names', () => {
    const bytes = encoder().encode(ORDER);
    expect(bytes.subarray(0, 6).toString('hex')).toBe('000000000700');
    for (const schema of [textSchema(), descriptorSchema()]) {
      expect(protobufBodyDecoder(schema)(bytes.subarray(5))).toEqual({ value: ORDER });
    }
  });

  it('takes lowerCamelCase names and 64-bit integers as numbers too; leaves default values out', () => {
    const bytes = encoder().encode({ orderId: 'o-2', totalCents: 12, status: 'STATUS_UNKNOWN', items: [] });
    expect(protobufBodyDecoder(textSchema())(bytes.subarray(5))).toEqual({
      value: { order_id: 'o-2', total_cents: '12' },
    });
  });

  it('--message picks another message; its index array says which', () => {
    const parcel = encoder(textSchema(), 'Shipment.Parcel').encode({ id: 'p-1' });
    expect(parcel.subarray(5, 8).toString('hex')).toBe('040200');
    expect(protobufBodyDecoder(descriptorSchema())(parcel.subarray(5))).toEqual({ value: { id: 'p-1' } });
    expect(() => encoder(textSchema(), 'Nope')).toThrow(
      /order\.proto has no message Nope \(its top-level messages: acme\.shop\.Order, acme\.shop\.Shipment\)/,
    );
  });

  it('decodes the message-index arrays confluent-kafka-python 1.7 writes (unsigned varints)', () => {
    const schema = descriptorSchema();
    const item = schema.root.lookupType('acme.shop.Order.Item');
    const body = Buffer.from(item.encode(item.fromObject({ sku: 'z', qty: 3 })).finish());
    // Order.Item is [0, 0]: 02 00 00 from Python 1.7, 04 00 00 in the spec's form
    expect(protobufBodyDecoder(schema)(Buffer.concat([Buffer.from('020000', 'hex'), body]))).toEqual({
      value: { sku: 'z', qty: 3 },
    });
    expect(protobufBodyDecoder(schema)(Buffer.concat([Buffer.from('040000', 'hex'), body]))).toEqual({
      value: { sku: 'z', qty: 3 },
    });
    const shipment = schema.root.lookupType('acme.shop.Shipment');
    const s = Buffer.from(shipment.encode(shipment.fromObject({ order_id: 'o-1' })).finish());
    expect(protobufBodyDecoder(schema)(Buffer.concat([Buffer.from('0101', 'hex'), s]))).toEqual({
      value: { order_id: 'o-1' },
    });
  });

  it('a body that is not a message of the schema is an error of that value', () => {
    // index [0], then field 1 announcing 7 bytes that are not there
    const d = protobufBodyDecoder(textSchema())(Buffer.from('000a07', 'hex'));
    expect(d.error).toMatch(/not Protobuf acme\.shop\.Order/);
    expect(d.encoding).toBe('base64');
    // an index path naming no message of the file ([5])
    expect(protobufBodyDecoder(textSchema())(Buffer.from('020a0a01', 'hex')).error).toBe(
      'no message of the schema at its message indexes',
    );
  });

  it('refuses what does not fit with the field path and what was expected', () => {
    expect(
      refusal({
        items: [
          { sku: 'a', qty: 1 },
          { sku: 'b', qty: 'two' },
        ],
      }),
    ).toBe('.items[1].qty: expected an integer (int32), got "two"');
    expect(refusal({ order_id: 'o', bogus: 1 })).toBe(
      '.bogus: unknown field (message acme.shop.Order has no field "bogus")',
    );
    expect(refusal({ items: [{ sku: 'a', colour: 'red' }] })).toMatch(/^\.items\[0\]\.colour: unknown field/);
    expect(refusal({ status: 'LOST' })).toBe(
      '.status: expected one of STATUS_UNKNOWN, PLACED, SHIPPED (enum acme.shop.Status), got "LOST"',
    );
    expect(refusal({ total_cents: 1.5 })).toMatch(/^\.total_cents: expected an integer \(int64/);
    expect(refusal({ items: [{ qty: 2 ** 40 }] })).toMatch(/^\.items\[0\]\.qty: .*out of range/);
    expect(refusal({ price: { currency: 5 } })).toBe('.price.currency: expected a string, got 5');
    expect(refusal({ placed_at: 'yesterday' })).toMatch(/^\.placed_at: invalid timestamp/);
    expect(refusal({ items: { sku: 'a' } })).toMatch(/^\.items: expected an array/);
    expect(refusal({ blob: 'not base64!' })).toMatch(/^\.blob: expected base64/);
    expect(refusal([1])).toMatch(/^\(the value\): expected an object \(message acme\.shop\.Order\)/);
    expect(refusal('{"order_id":')).toMatch(/^not JSON/);
  });

  it('without a header: the plain message', () => {
    const schema = textSchema();
    const { type, path } = messageOf(schema, undefined, 'x');
    const plain = protobufCodec(schema, type, path);
    const bytes = plain.encode({ order_id: 'o-9' });
    expect(bytes.toString('hex')).toBe('0a036f2d39');
    expect(plain.decode(bytes)).toEqual({ value: { order_id: 'o-9' } });
  });
});

describe('messages without well-known types (through protobufjs generated converters)', () => {
  const PLAIN = `syntax = "proto3";
package acme.plain;
enum Kind { KIND_UNSPECIFIED = 0; RETAIL = 1; WHOLESALE = 2; }
message Line { string sku = 1; int32 qty = 2; }
message Account {
  string account_id = 1;
  int64 balance = 2;
  uint64 limit = 3;
  sint64 delta = 4;
  Kind kind = 5;
  bytes token = 6;
  map<string, int64> totals = 7;
  repeated Line lines = 8;
  double ratio = 9;
  bool active = 10;
  oneof contact { string email = 11; string phone = 12; }
  Account parent = 13;
}
`;
  const VALUE = {
    account_id: 'a-1',
    balance: '-9007199254740993',
    limit: '18446744073709551615',
    delta: '-5',
    kind: 'WHOLESALE',
    token: 'AAEC/w==',
    totals: { eur: '9007199254740993', usd: '0' },
    lines: [{ sku: 'x', qty: 3 }, { sku: 'y' }],
    ratio: 'NaN',
    active: true,
    phone: '+49 30 1234',
    parent: { account_id: 'root', kind: 'RETAIL' },
  };

  function plainCodec() {
    const schema = buildProtobufSchema(PLAIN, new Map());
    const { type, path } = messageOf(schema, 'Account', 'plain.proto');
    return { type, codec: protobufCodec(schema, type, path) };
  }

  it('writes the same JSON protojson does: 64-bit integers exact as strings, enums by name, bytes as base64', async () => {
    const { type, codec } = plainCodec();
    const body = codec.encode(VALUE);
    const protojson = (await import('protobufjs/ext/protojson.js')).default;
    const reference = protojson.toJson(type, type.decode(body));
    const decoded = codec.decode(body).value;
    expect(decoded).toEqual(reference);
    expect(decoded).toEqual({
      ...VALUE,
      totals: { eur: '9007199254740993', usd: '0' },
      lines: [{ sku: 'x', qty: 3 }, { sku: 'y' }],
    });
  });

  it('refuses the same bad values as through protojson, with their paths', () => {
    const { codec } = plainCodec();
    expect(() => codec.encode({ parent: { balance: 'lots' } })).toThrow(/^\.parent\.balance: expected an integer/);
    expect(() => codec.encode({ lines: [{ sku: 'x', qty: 1.5 }] })).toThrow(/^\.lines\[0\]\.qty: expected an integer/);
    expect(() => codec.encode({ totals: { eur: 'x' } })).toThrow(/^\.totals\.eur: expected an integer/);
  });
});
