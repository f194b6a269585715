// Protobuf and JSON Schema in the registry's REST API, over real HTTP: register with references, dedup by
// type and references, lookups, referencedby, deletes refused while referenced, types, and compatibility.

import protobuf from 'protobufjs';
import descriptor from 'protobufjs/ext/descriptor.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startRegistry, type RunningRegistry } from '../../src/registry/server.js';
import { call, V1 } from './helpers.js';

let registry: RunningRegistry;
let base: string;
const api = (method: string, path: string, body?: unknown) => call(base, method, path, body);
const register = (subject: string, body: object) =>
  api('POST', `/subjects/${encodeURIComponent(subject)}/versions`, body);
const check = (subject: string, body: object, version = 'latest') =>
  api('POST', `/compatibility/subjects/${encodeURIComponent(subject)}/versions/${version}?verbose=true`, body);

beforeEach(async () => {
  registry = await startRegistry({ host: '127.0.0.1', port: 0, dataDir: null });
  base = registry.url;
});
afterEach(async () => {
  await registry.close();
});

const CUSTOMER_PROTO = `syntax = "proto3";
package acme.crm;
message Customer { string name = 1; }
`;
const ORDER_PROTO = `syntax = "proto3";
package acme.shop;
import "acme/crm/customer.proto";
import "google/protobuf/timestamp.proto";

// an order
message Order {
  string id = 1;
  int64 total = 2;
  acme.crm.Customer customer = 3;
  google.protobuf.Timestamp at = 4;
}
`;
const proto = (fields: string, pkg = 'acme.shop') =>
  `syntax = "proto3";\npackage ${pkg};\nmessage Order {\n${fields}\n}\n`;

/** The same file as a base64 serialized FileDescriptorProto, as Confluent's serializers send it. */
function descriptorOf(text: string, name: string): string {
  const root = new protobuf.Root();
  protobuf.parse(text, root, { keepCase: true });
  const set = root.toDescriptor('proto3');
  const file = set.file.find((f) => (f.package ?? '') === 'acme.shop')!;
  file.name = name;
  file.syntax = 'proto3';
  return Buffer.from(descriptor.FileDescriptorProto.encode(file).finish()).toString('base64');
}

describe('schema types', () => {
  it('lists the three types', async () => {
    expect((await api('GET', '/schemas/types')).body).toEqual(['JSON', 'PROTOBUF', 'AVRO']);
  });

  it('registers Protobuf with an imported file as a reference, and answers its type and references', async () => {
    expect(
      (await register('acme/crm/customer.proto', { schemaType: 'PROTOBUF', schema: CUSTOMER_PROTO })).body,
    ).toEqual({
      id: 1,
    });
    const refs = [{ name: 'acme/crm/customer.proto', subject: 'acme/crm/customer.proto', version: 1 }];
    // google/protobuf/timestamp.proto is a well-known type: no reference needed
    const order = await register('orders-value', { schemaType: 'PROTOBUF', schema: ORDER_PROTO, references: refs });
    expect(order.status).toBe(200);
    expect(order.body).toEqual({ id: 2 });

    expect((await api('GET', '/schemas/ids/2')).body).toEqual({
      schemaType: 'PROTOBUF',
      references: refs,
      schema: ORDER_PROTO,
    });
    expect((await api('GET', '/subjects/orders-value/versions/1')).body).toEqual({
      subject: 'orders-value',
      version: 1,
      id: 2,
      schemaType: 'PROTOBUF',
      references: refs,
      schema: ORDER_PROTO,
    });
    // Avro answers carry no schemaType, as Confluent's
    await register('avro-value', { schema: V1 });
    expect(Object.keys((await api('GET', '/schemas/ids/3')).body)).toEqual(['schema']);

    expect((await api('GET', '/subjects/acme%2Fcrm%2Fcustomer.proto/versions/1/referencedby')).body).toEqual([2]);
    expect((await api('GET', '/subjects/orders-value/versions/1/referencedby')).body).toEqual([]);
    expect((await api('GET', '/schemas/ids/2/versions')).body).toEqual([{ subject: 'orders-value', version: 1 }]);
  });

  it('refuses an import without reference, a reference to nothing and a schema that does not parse (42201)', async () => {
    const noRef = await register('o', { schemaType: 'PROTOBUF', schema: ORDER_PROTO });
    expect([noRef.status, noRef.body.error_code]).toEqual([422, 42201]);
    expect(noRef.body.message).toContain('acme/crm/customer.proto');

    const missing = await register('o', {
      schemaType: 'PROTOBUF',
      schema: ORDER_PROTO,
      references: [{ name: 'acme/crm/customer.proto', subject: 'nope', version: 1 }],
    });
    expect([missing.status, missing.body.error_code]).toEqual([422, 42201]);
    expect(missing.body.message).toContain('No schema reference found for subject "nope" and version 1');

    const bad = await register('o', {
      schemaType: 'PROTOBUF',
      schema: 'syntax = "proto3";\nmessage X {\n  strin g a = 1;\n}',
    });
    expect([bad.status, bad.body.error_code]).toEqual([422, 42201]);
    expect(bad.body.message).toMatch(/line 3/);

    const badJson = await register('j', {
      schemaType: 'JSON',
      schema: '{"type":"object","properties":{"a":{"type":7}}}',
    });
    expect([badJson.status, badJson.body.error_code]).toEqual([422, 42201]);
    expect(badJson.body.message).toMatch(/type/);
    expect((await api('GET', '/subjects')).body).toEqual([]);
  });

  it('accepts a base64 FileDescriptorProto and dedups it with the same file as text', async () => {
    const text = proto('  string id = 1;\n  int64 total = 2;');
    const b64 = descriptorOf(text, 'order.proto');
    expect((await register('a', { schemaType: 'PROTOBUF', schema: b64 })).body).toEqual({ id: 1 });
    // the same file as .proto text (other layout, a comment): the same schema
    expect((await register('a', { schemaType: 'PROTOBUF', schema: `// x\n${text}` })).body).toEqual({ id: 1 });
    expect((await api('GET', '/subjects/a/versions')).body).toEqual([1]);
    const found = await api('POST', '/subjects/a', { schemaType: 'PROTOBUF', schema: text });
    expect(found.body).toMatchObject({ subject: 'a', version: 1, id: 1, schemaType: 'PROTOBUF' });
  });

  it('keeps the same text under another type, or with other references, apart', async () => {
    const schema = '{"type":"string"}';
    expect((await register('a', { schema })).body).toEqual({ id: 1 });
    expect((await register('b', { schemaType: 'JSON', schema })).body).toEqual({ id: 2 });
    const lookupAvro = await api('POST', '/subjects/b', { schema });
    expect([lookupAvro.status, lookupAvro.body.error_code]).toEqual([404, 40403]);

    await register('d1', { schemaType: 'JSON', schema: '{"type":"string"}' });
    await register('d2', { schemaType: 'JSON', schema: '{"type":"string"}' });
    const main = '{"type":"object","properties":{"x":{"$ref":"d.json"}}}';
    const r1 = await register('m1', {
      schemaType: 'JSON',
      schema: main,
      references: [{ name: 'd.json', subject: 'd1', version: 1 }],
    });
    const r2 = await register('m2', {
      schemaType: 'JSON',
      schema: main,
      references: [{ name: 'd.json', subject: 'd2', version: 1 }],
    });
    expect(r1.body.id).not.toBe(r2.body.id);
  });

  it('registers JSON Schema with a $ref to another subject, and refuses to delete what is referenced (42206)', async () => {
    const customer = JSON.stringify({ type: 'object', properties: { name: { type: 'string' } } });
    await register('customer', { schemaType: 'JSON', schema: customer });
    const order = JSON.stringify({
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: { id: { type: 'string' }, customer: { $ref: 'customer.json' } },
    });
    const refs = [{ name: 'customer.json', subject: 'customer', version: 1 }];
    expect((await register('orders-value', { schemaType: 'JSON', schema: order, references: refs })).body).toEqual({
      id: 2,
    });

    const del = await api('DELETE', '/subjects/customer/versions/1');
    expect([del.status, del.body.error_code]).toEqual([422, 42206]);
    expect(del.body.message).toBe(
      'One or more references exist to the schema {magic=1,keytype=SCHEMA,subject=customer,version=1}.',
    );
    const delSubject = await api('DELETE', '/subjects/customer');
    expect(delSubject.body.error_code).toBe(42206);
    // once the referrer is gone, it can go
    expect((await api('DELETE', '/subjects/orders-value')).status).toBe(200);
    expect((await api('DELETE', '/subjects/customer/versions/1')).body).toBe(1);
  });

  it('accepts draft 2020-12 and rejects a draft it does not know', async () => {
    const s2020 = JSON.stringify({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      $defs: { n: { type: 'integer' } },
      properties: { n: { $ref: '#/$defs/n' } },
    });
    expect((await register('a', { schemaType: 'JSON', schema: s2020 })).status).toBe(200);
    const bad = await register('b', {
      schemaType: 'JSON',
      schema: JSON.stringify({ $schema: 'http://example.com/nope#' }),
    });
    expect(bad.body.error_code).toBe(42201);
  });

  it('persists types and references, and an old Avro-only file loads unchanged', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'evt-registry-'));
    try {
      const old = {
        format: 1,
        nextId: 2,
        global: 'BACKWARD',
        schemas: [{ id: 1, schema: '"string"' }],
        subjects: [{ subject: 's', versions: [{ version: 1, id: 1, deleted: false }] }],
        configs: [],
      };
      fs.writeFileSync(path.join(dir, 'registry.json'), JSON.stringify(old));
      let r = await startRegistry({ port: 0, dataDir: dir });
      expect((await call(r.url, 'GET', '/schemas/ids/1')).body).toEqual({ schema: '"string"' });
      expect((await call(r.url, 'POST', '/subjects/s/versions', { schema: '"string"' })).body).toEqual({ id: 1 });
      await call(r.url, 'POST', '/subjects/c/versions', { schemaType: 'PROTOBUF', schema: CUSTOMER_PROTO });
      const refs = [{ name: 'acme/crm/customer.proto', subject: 'c', version: 1 }];
      const o = await call(r.url, 'POST', '/subjects/o/versions', {
        schemaType: 'PROTOBUF',
        schema: ORDER_PROTO,
        references: refs,
      });
      await r.close();
      r = await startRegistry({ port: 0, dataDir: dir });
      expect((await call(r.url, 'GET', `/schemas/ids/${o.body.id}`)).body).toMatchObject({
        schemaType: 'PROTOBUF',
        references: refs,
      });
      // dedup survives the restart
      const again = await call(r.url, 'POST', '/subjects/o/versions', {
        schemaType: 'PROTOBUF',
        schema: ORDER_PROTO,
        references: refs,
      });
      expect(again.body).toEqual(o.body);
      await r.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Protobuf compatibility', () => {
  const V1P = proto('  string id = 1;\n  int64 total = 2;');
  const body = (schema: string) => ({ schemaType: 'PROTOBUF', schema });

  it('an added field is compatible, a changed field type is not (BACKWARD)', async () => {
    await register('p', body(V1P));
    const added = await check('p', body(proto('  string id = 1;\n  int64 total = 2;\n  string note = 3;')));
    expect(added.body).toEqual({ is_compatible: true, messages: [] });
    const changed = await check('p', body(proto('  string id = 1;\n  string total = 2;')));
    expect(changed.body.is_compatible).toBe(false);
    expect(changed.body.messages.join()).toContain('FIELD_SCALAR_KIND_CHANGED');
    expect(changed.body.messages.join()).toContain("'#/Order/2'");
    // registering it is refused with 409
    const reg = await register('p', body(proto('  string id = 1;\n  string total = 2;')));
    expect(reg.status).toBe(409);
  });

  it('follows the wire-compatible groups, field numbers, packages, messages and required', async () => {
    await api('PUT', '/config/p', { compatibility: 'FULL' });
    await register('p', body(proto('  int32 n = 1;\n  string s = 2;\n  sint32 z = 3;\n  fixed32 f = 4;')));
    const cases: [string, boolean, string?][] = [
      [proto('  int64 n = 1;\n  bytes s = 2;\n  sint64 z = 3;\n  sfixed32 f = 4;'), true],
      [proto('  bool n = 1;\n  string s = 2;\n  sint32 z = 3;\n  fixed32 f = 4;'), true],
      [
        proto('  sint32 n = 1;\n  string s = 2;\n  sint32 z = 3;\n  fixed32 f = 4;'),
        false,
        'FIELD_SCALAR_KIND_CHANGED',
      ],
      [proto('  int32 n = 1;\n  string s = 2;\n  sint32 z = 3;\n  fixed64 f = 4;'), false, 'FIELD_SCALAR_KIND_CHANGED'],
      // a field renumbered: number 2 removed and 5 added, both compatible on their own; the name is not the key
      [proto('  int32 n = 1;\n  string s = 5;\n  sint32 z = 3;\n  fixed32 f = 4;'), true],
      // but a number reused for another type is not
      [proto('  int32 n = 1;\n  double s = 2;\n  sint32 z = 3;\n  fixed32 f = 4;'), false, 'FIELD_SCALAR_KIND_CHANGED'],
      [
        proto('  int32 n = 1;\n  string s = 2;\n  sint32 z = 3;\n  fixed32 f = 4;', 'acme.other'),
        false,
        'PACKAGE_CHANGED',
      ],
      [
        proto('  int32 n = 1;\n  Sub s = 2;\n  sint32 z = 3;\n  fixed32 f = 4;\n}\nmessage Sub {\n  int32 a = 1;'),
        false,
        'FIELD_KIND_CHANGED',
      ],
      ['syntax = "proto3";\npackage acme.shop;\nmessage Other { int32 n = 1; }\n', false, 'MESSAGE_REMOVED'],
    ];
    for (const [schema, ok, why] of cases) {
      const r = await check('p', body(schema));
      expect({ schema, ok: r.body.is_compatible }).toEqual({ schema, ok });
      if (why) expect(r.body.messages.join()).toContain(why);
    }
  });

  it('proto2: adding or removing a required field is incompatible; oneofs as Confluent', async () => {
    const p2 = (fields: string) => `syntax = "proto2";\npackage acme.shop;\nmessage Order {\n${fields}\n}\n`;
    await register('r', body(p2('  optional string id = 1;')));
    expect(
      (await check('r', body(p2('  optional string id = 1;\n  required int32 n = 2;')))).body.messages.join(),
    ).toContain('REQUIRED_FIELD_ADDED');
    expect((await check('r', body(p2('  optional string id = 1;\n  optional int32 n = 2;')))).body.is_compatible).toBe(
      true,
    );

    await register('o', body(proto('  string a = 1;\n  string b = 2;')));
    const merged = await check('o', body(proto('  oneof x {\n    string a = 1;\n    string b = 2;\n  }')));
    expect(merged.body.messages.join()).toContain('MULTIPLE_FIELDS_MOVED_TO_ONEOF');
  });

  it('compares with each level: FORWARD, the transitive forms and NONE', async () => {
    const v1 = proto('  string id = 1;');
    const v2 = proto('  string id = 1;\n  int64 total = 2;');
    const v3 = proto('  string id = 1;\n  string total = 2;');
    await api('PUT', '/config/lv', { compatibility: 'NONE' });
    await register('lv', body(v1));
    await register('lv', body(v2)); // compatible anyway
    await api('PUT', '/config/lv', { compatibility: 'BACKWARD' });
    expect((await check('lv', body(v3))).body.is_compatible).toBe(false);
    await api('PUT', '/config/lv', { compatibility: 'FORWARD' });
    expect((await check('lv', body(v3))).body.is_compatible).toBe(false);
    // against version 1 only (no field 2 there): compatible
    expect((await check('lv', body(v3), '1')).body.is_compatible).toBe(true);
    await api('PUT', '/config/lv', { compatibility: 'FORWARD_TRANSITIVE' });
    expect((await check('lv', body(v3))).body.is_compatible).toBe(false);
    await api('PUT', '/config/lv', { compatibility: 'NONE' });
    expect((await check('lv', body(v3))).body.is_compatible).toBe(true);
    // another type in the subject is incompatible at any level but NONE
    await api('PUT', '/config/lv', { compatibility: 'FULL_TRANSITIVE' });
    const other = await check('lv', { schemaType: 'JSON', schema: '{"type":"object"}' });
    expect(other.body.messages.join()).toContain('different schema type');
  });
});

describe('JSON Schema compatibility', () => {
  const obj = (properties: object, extra: object = {}) => ({
    schemaType: 'JSON',
    schema: JSON.stringify({ type: 'object', properties, ...extra }),
  });

  it('an added optional field is compatible in a closed content model, a changed field type is not', async () => {
    const closed = { additionalProperties: false };
    await register('j', obj({ id: { type: 'string' } }, closed));
    const added = await check('j', obj({ id: { type: 'string' }, note: { type: 'string' } }, closed));
    expect(added.body).toEqual({ is_compatible: true, messages: [] });
    const changed = await check('j', obj({ id: { type: 'integer' } }, closed));
    expect(changed.body.is_compatible).toBe(false);
    expect(changed.body.messages.join()).toContain('TYPE_CHANGED');
    expect(changed.body.messages.join()).toContain("'#/properties/id'");
  });

  it('open and closed content models decide about added and removed properties (BACKWARD)', async () => {
    await register('open', obj({ id: { type: 'string' }, n: { type: 'number' } }));
    // added to an open model: old data may hold anything under that name (Confluent's strict rule)
    expect(
      (
        await check('open', obj({ id: { type: 'string' }, n: { type: 'number' }, x: { type: 'string' } }))
      ).body.messages.join(),
    ).toContain('OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL');
    // removed from an open model: compatible
    expect((await check('open', obj({ id: { type: 'string' } }))).body.is_compatible).toBe(true);

    await register('closed', obj({ id: { type: 'string' }, n: { type: 'number' } }, { additionalProperties: false }));
    expect(
      (await check('closed', obj({ id: { type: 'string' } }, { additionalProperties: false }))).body.messages.join(),
    ).toContain('PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL');
    // required without a default: incompatible; with one: fine
    const req = await check(
      'closed',
      obj(
        { id: { type: 'string' }, n: { type: 'number' }, r: { type: 'string' } },
        { additionalProperties: false, required: ['r'] },
      ),
    );
    expect(req.body.messages.join()).toContain('REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL');
    const withDefault = await check(
      'closed',
      obj(
        { id: { type: 'string' }, n: { type: 'number' }, r: { type: 'string', default: '' } },
        { additionalProperties: false, required: ['r'] },
      ),
    );
    expect(withDefault.body.is_compatible).toBe(true);
  });

  it('types, enums, ranges and required', async () => {
    await register('t', obj({ n: { type: 'integer', maximum: 10 }, e: { enum: ['a', 'b'] }, s: { type: 'string' } }));
    const cases: [object, boolean, string?][] = [
      [{ n: { type: 'number', maximum: 10 }, e: { enum: ['a', 'b'] }, s: { type: 'string' } }, true],
      [{ n: { type: 'integer', maximum: 20 }, e: { enum: ['a', 'b', 'c'] }, s: { type: 'string' } }, true],
      [
        { n: { type: 'integer', maximum: 5 }, e: { enum: ['a', 'b'] }, s: { type: 'string' } },
        false,
        'MAXIMUM_DECREASED',
      ],
      [
        { n: { type: 'integer', maximum: 10 }, e: { enum: ['a'] }, s: { type: 'string' } },
        false,
        'ENUM_ARRAY_NARROWED',
      ],
      [{ n: { type: 'integer', maximum: 10 }, e: { enum: ['a', 'b'] }, s: { type: ['string', 'null'] } }, true],
      [
        { n: { type: 'integer', maximum: 10 }, e: { enum: ['a', 'b'] }, s: { type: 'string', maxLength: 3 } },
        false,
        'MAX_LENGTH_ADDED',
      ],
    ];
    for (const [properties, ok, why] of cases) {
      const r = await check('t', obj(properties));
      expect({ properties, ok: r.body.is_compatible }).toEqual({ properties, ok });
      if (why) expect(r.body.messages.join()).toContain(why);
    }
    const required = await check(
      't',
      obj({ n: { type: 'integer', maximum: 10 }, e: { enum: ['a', 'b'] }, s: { type: 'string' } }, { required: ['s'] }),
    );
    expect(required.body.messages.join()).toContain('REQUIRED_ATTRIBUTE_ADDED');
  });

  it('draft-04: accepted, and its boolean exclusive bounds compared as later drafts write them', async () => {
    const draft04 = (level: object) => ({
      schemaType: 'JSON',
      schema: JSON.stringify({
        $schema: 'http://json-schema.org/draft-04/schema#',
        type: 'object',
        properties: { level: { type: 'number', ...level } },
      }),
    });
    expect((await register('d4', draft04({ maximum: 10 }))).status).toBe(200);
    // the same bound made exclusive excludes 10, which old data may hold
    const exclusive = await check('d4', draft04({ maximum: 10, exclusiveMaximum: true }));
    expect(exclusive.body.is_compatible).toBe(false);
    expect(exclusive.body.messages.join()).toContain('EXCLUSIVE_MAXIMUM_ADDED');
    expect((await check('d4', draft04({ maximum: 20 }))).body).toEqual({ is_compatible: true, messages: [] });
    expect((await check('d4', draft04({ maximum: 10, exclusiveMaximum: false }))).body).toEqual({
      is_compatible: true,
      messages: [],
    });
  });

  it('FORWARD swaps the sides: a property removed from a closed model is fine, one added is not', async () => {
    await api('PUT', '/config/f', { compatibility: 'FORWARD' });
    await register('f', obj({ id: { type: 'string' }, n: { type: 'number' } }, { additionalProperties: false }));
    expect(
      (await check('f', obj({ id: { type: 'string' } }, { additionalProperties: false }))).body.is_compatible,
    ).toBe(true);
    expect(
      (
        await check(
          'f',
          obj(
            { id: { type: 'string' }, n: { type: 'number' }, x: { type: 'string' } },
            { additionalProperties: false },
          ),
        )
      ).body.is_compatible,
    ).toBe(false);
  });
});
