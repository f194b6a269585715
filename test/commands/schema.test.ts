// `evt schema list|get|register|check|config|delete` against the embedded registry.

import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker/broker.js';
import { startTestBroker } from '../helpers/broker.js';
import { evt } from '../helpers/produce-tail.js';
import { ORDER_V1, ORDER_V2, writeSchemas } from '../helpers/schemas.js';

import avro from 'avsc';

/** the same Avro schema (the registry may store it in canonical form) */
const same = (text: string, schema: unknown) =>
  avro.Type.forSchema(JSON.parse(text))
    .fingerprint()
    .equals(avro.Type.forSchema(schema as avro.Schema).fingerprint());

let broker: RunningBroker;
let files: ReturnType<typeof writeSchemas>;
const schema = (...args: string[]) => evt(['--registry', broker.registryUrl!, 'schema', ...args]);
const schemaJson = (...args: string[]) => evt(['--registry', broker.registryUrl!, '--json', 'schema', ...args]);

beforeAll(async () => {
  broker = await startTestBroker({ registryPort: 0 });
  files = writeSchemas();
});
afterAll(async () => {
  await broker?.close();
});

describe('evt schema', () => {
  it('register prints the id, the same id again for the same schema', async () => {
    const a = await schema('register', 'orders-value', files.v1);
    expect(a.code).toBe(0);
    const id = Number(a.stdout.trim());
    expect(Number.isInteger(id)).toBe(true);
    expect(a.stderr).toContain('registered');
    const b = await schemaJson('register', 'orders-value', files.v1);
    expect(JSON.parse(b.stdout)).toEqual({ subject: 'orders-value', id, version: 1, new: false, schemaType: 'AVRO' });
  });

  it('check: exit 0 for a compatible evolution, 5 for an incompatible one', async () => {
    const ok = await schema('check', 'orders-value', files.v2);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^compatible/);
    const bad = await schema('check', 'orders-value', files.bad);
    expect(bad.code).toBe(5);
    expect(bad.stdout).toMatch(/^incompatible/);
    expect(bad.stdout.trim().split('\n')).toHaveLength(1);
    // registering it is refused too (exit 5)
    const reg = await schema('register', 'orders-value', files.bad);
    expect(reg.code).toBe(5);
    expect(reg.stderr).toContain('not compatible');
  });

  it('get by subject/version and id; list with versions', async () => {
    expect((await schema('register', 'orders-value', files.v2)).code).toBe(0);
    const latest = await schemaJson('get', 'orders-value');
    const l = JSON.parse(latest.stdout);
    expect(l).toMatchObject({ subject: 'orders-value', version: 2 });
    expect(same(l.schema, ORDER_V2)).toBe(true);
    const v1 = await schema('get', 'orders-value', '1');
    expect(same(v1.stdout, ORDER_V1)).toBe(true);
    expect(v1.stdout).toContain('\n  "type"');
    const byId = await schema('get', '--id', String(l.id));
    expect(same(byId.stdout, ORDER_V2)).toBe(true);
    const list = await schemaJson('list');
    expect(JSON.parse(list.stdout)).toEqual([{ subject: 'orders-value', schemaType: 'AVRO', versions: [1, 2] }]);
    expect((await schema('list')).stdout).toContain('orders-value  AVRO      versions 1, 2');
  });

  it('not found: exit 4 with one line', async () => {
    for (const r of [
      await schema('get', 'nope-value'),
      await schema('get', 'orders-value', '9'),
      await schema('get', '--id', '999'),
    ]) {
      expect(r.code).toBe(4);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('config gets and sets the compatibility level', async () => {
    expect((await schema('config')).stdout.trim()).toBe('global: BACKWARD');
    expect((await schema('config', 'orders-value', '--set', 'none')).stdout.trim()).toBe('orders-value: NONE');
    expect(JSON.parse((await schemaJson('config', 'orders-value')).stdout)).toEqual({
      subject: 'orders-value',
      compatibility: 'NONE',
    });
    expect((await schema('check', 'orders-value', files.bad)).code).toBe(0);
    expect((await schema('config', '--set', 'BOGUS')).code).toBe(2);
  });

  it('delete needs --yes, then removes the subject', async () => {
    expect((await schema('delete', 'orders-value')).code).toBe(2);
    const d = await schema('delete', 'orders-value', '--yes');
    expect(d.code).toBe(0);
    expect(d.stderr).toContain('deleted orders-value');
    expect((await schema('get', 'orders-value')).code).toBe(4);
    expect((await schema('delete', 'orders-value', '--permanent', '--yes')).code).toBe(0);
  });

  it('usage: no registry is exit 2; help has examples', async () => {
    const r = await evt(['schema', 'list'], { env: { EVT_REGISTRY: '' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--registry');
    const h = await evt(['schema', 'check', '--help']);
    expect(h.stdout).toContain('Examples:');
  });
});

describe('evt schema: Protobuf and JSON Schema', () => {
  const write = (name: string, text: string) => {
    const p = path.join(files.dir, name);
    fs.writeFileSync(p, text);
    return p;
  };
  const CUSTOMER = 'syntax = "proto3";\npackage acme.crm;\nmessage Customer { string name = 1; }\n';
  const order = (fields: string) =>
    `syntax = "proto3";\npackage acme.shop;\nimport "customer.proto";\nmessage Order {\n  string id = 1;\n  acme.crm.Customer customer = 2;\n${fields}}\n`;

  it('registers a .proto with a reference, gets and lists it with its type, checks evolutions', async () => {
    const customer = write('customer.proto', CUSTOMER);
    const c = await schemaJson('register', 'customer.proto', customer);
    expect(JSON.parse(c.stdout)).toMatchObject({
      subject: 'customer.proto',
      version: 1,
      new: true,
      schemaType: 'PROTOBUF',
    });

    const v1 = write('order.proto', order('  int64 total = 3;\n'));
    // without the reference the import is unknown: bad input, exit 2, the file named
    const noRef = await schema('register', 'porders-value', v1);
    expect(noRef.code).toBe(2);
    expect(noRef.stderr.trim().split('\n')).toEqual([
      expect.stringContaining(`evt: ${v1} is not a valid Protobuf schema`),
    ]);

    const ref = ['--reference', 'customer.proto=customer.proto:latest'];
    const r = await schema('register', 'porders-value', v1, ...ref);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('PROTOBUF');
    const got = await schemaJson('get', 'porders-value');
    expect(JSON.parse(got.stdout)).toMatchObject({
      schemaType: 'PROTOBUF',
      references: [{ name: 'customer.proto', subject: 'customer.proto', version: 1 }],
      schema: order('  int64 total = 3;\n'),
    });
    const human = await schema('get', 'porders-value');
    expect(human.stdout.trim()).toBe(order('  int64 total = 3;\n').trim());
    expect(human.stderr).toContain('PROTOBUF, references customer.proto=customer.proto:1');

    const added = write('order-v2.proto', order('  int64 total = 3;\n  string note = 4;\n'));
    expect((await schema('check', 'porders-value', added, ...ref)).code).toBe(0);
    const changed = write('order-bad.proto', order('  string total = 3;\n'));
    const bad = await schema('check', 'porders-value', changed, ...ref);
    expect(bad.code).toBe(5);
    expect(bad.stdout).toContain('FIELD_SCALAR_KIND_CHANGED');

    const list = JSON.parse((await schemaJson('list')).stdout) as { subject: string; schemaType: string }[];
    expect(list.find((x) => x.subject === 'porders-value')?.schemaType).toBe('PROTOBUF');
    expect((await schema('list')).stdout).toMatch(/porders-value\s+PROTOBUF\s+versions 1/);
  });

  it('get shows a Protobuf schema registered as a base64 descriptor (as Python registers) as .proto text', async () => {
    // what confluent-kafka-python 1.7 POSTs for common.proto (test/fixtures/protobuf/common.proto.desc.b64)
    const b64 = fs.readFileSync(new URL('../fixtures/protobuf/common.proto.desc.b64', import.meta.url), 'utf8').trim();
    const posted = await fetch(`${broker.registryUrl}/subjects/b64-common/versions`, {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      body: JSON.stringify({ schemaType: 'PROTOBUF', schema: b64 }),
    });
    expect(posted.status).toBe(200);
    const shown = await schema('get', 'b64-common');
    expect(shown.code).toBe(0);
    expect(shown.stdout).toBe(
      'syntax = "proto3";\npackage acme.common;\n\nmessage Money {\n  string currency = 1;\n  int64 units = 2;\n}\n',
    );
    expect(shown.stderr).toMatch(
      /^b64-common version 1, id \d+, PROTOBUF \(registered as a FileDescriptorProto, shown as \.proto; --json as stored\)\n$/,
    );
    // --json gives the schema as the registry holds it
    expect(JSON.parse((await schemaJson('get', 'b64-common')).stdout).schema).toBe(b64);
    const id = JSON.parse((await schemaJson('get', 'b64-common')).stdout).id as number;
    expect((await schema('get', '--id', String(id))).stdout).toBe(shown.stdout);
  });

  it('registers a JSON Schema (.json by content), checks an added field and a changed type', async () => {
    const closed = (properties: object) =>
      JSON.stringify({
        $schema: 'http://json-schema.org/draft-07/schema#',
        type: 'object',
        properties,
        additionalProperties: false,
      });
    const v1 = write('payment.json', closed({ id: { type: 'string' }, amount: { type: 'number' } }));
    const r = await schemaJson('register', 'payments-value', v1);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ new: true, schemaType: 'JSON' });
    const ok = write(
      'payment-v2.json',
      closed({ id: { type: 'string' }, amount: { type: 'number' }, note: { type: 'string' } }),
    );
    expect((await schema('check', 'payments-value', ok)).code).toBe(0);
    const bad = write('payment-bad.json', closed({ id: { type: 'string' }, amount: { type: 'string' } }));
    const c = await schemaJson('check', 'payments-value', bad);
    expect(c.code).toBe(5);
    expect(JSON.parse(c.stdout)).toMatchObject({ compatible: false, schemaType: 'JSON' });
    expect(JSON.parse(c.stdout).messages.join()).toContain('TYPE_CHANGED');
    // an Avro record in a .json file is Avro
    const avroJson = write('order.json', JSON.stringify(ORDER_V1));
    expect(JSON.parse((await schemaJson('register', 'avro-json-value', avroJson)).stdout).schemaType).toBe('AVRO');
    // --type overrides: an Avro record is no JSON Schema (its "type" is not one of JSON Schema's)
    const forced = await schema('register', 'forced-value', avroJson, '--type', 'json');
    expect(forced.code).toBe(2);
    expect(forced.stderr).toContain(`evt: ${avroJson} is not a valid JSON Schema: `);
  });

  it('a JSON file that is not a valid Avro schema is exit 2, one line naming the file (issue 20)', async () => {
    const notAvro = write(
      'not-avro.avsc',
      JSON.stringify({ type: 'record', name: 'X', fields: [{ name: 'a', type: 'nosuchtype' }] }),
    );
    for (const cmd of ['register', 'check']) {
      const r = await schema(cmd, 'orders-value', notAvro);
      expect({ cmd, code: r.code }).toEqual({ cmd, code: 2 });
      expect(r.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(new RegExp(`^evt: ${notAvro} is not a valid Avro schema: .*nosuchtype`)),
      ]);
    }
    const notJson = write('not-json.avsc', '{ nope');
    expect((await schema('register', 'orders-value', notJson)).code).toBe(2);
  });

  it('check prints its verdict once, on stdout (issue 20)', async () => {
    expect((await schema('register', 'once-value', files.v1)).code).toBe(0);
    const bad = await schema('check', 'once-value', files.bad);
    expect(bad.code).toBe(5);
    expect(bad.stdout.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toBe('');
  });

  it('a URL that is not a schema registry says so, exit 3 (issue 20)', async () => {
    const server = http.createServer((req, res) => {
      if (req.url?.startsWith('/html')) {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html><body>Welcome</body></html>');
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":"no such path"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const r = await evt(['--registry', url, 'schema', 'list']);
      expect(r.code).toBe(3);
      expect(r.stderr.trim().split('\n')).toEqual([
        `evt: ${url} is not a schema registry (GET /subjects answered 404 Not Found: {"error":"no such path"})`,
      ]);
      const h = await evt(['--registry', `${url}/html`, 'schema', 'get', 'x']);
      expect(h.code).toBe(3);
      expect(h.stderr).toContain('is not a schema registry (GET /subjects/x/versions/latest answered 200 OK: <html>');
    } finally {
      server.close();
    }
  });
});
