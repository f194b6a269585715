// Interop with Confluent's own Protobuf and JSON Schema serdes (confluent-kafka-python 1.7, Debian's, with
// python3-protobuf and python3-jsonschema; protoc compiles the test's .proto): what its ProtobufSerializer and
// JSONSerializer write through evt's registry, `evt tail --json` decodes to the same fields (a top-level
// message, the second top-level one and a nested one: the index arrays, in Python 1.7's unsigned form); what
// `evt produce` writes, its ProtobufDeserializer and JSONDeserializer read with the same values; a value that
// breaks the schema is refused with the field named and nothing is sent; `evt trace` finds an entity by a
// field inside a Protobuf value. Skipped (with the reason printed) when the tools are not installed.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker/broker.js';
import { startTestBroker, tempDir } from '../helpers/broker.js';
import { PYTHON, run, toolAvailable } from '../helpers/interop.js';
import { evt, json, readTopic } from '../helpers/produce-tail.js';
import { PROTO_FILES, copyProtoFixtures, sampleOrders } from '../helpers/protobuf.js';

const script = fileURLToPath(new URL('confluent_protobuf_json.py', import.meta.url));
const PACKAGES = 'python3-confluent-kafka python3-protobuf python3-jsonschema protobuf-compiler';
const available =
  toolAvailable(
    'confluent-kafka-python with python3-protobuf and python3-jsonschema',
    [PYTHON, '-c', 'import confluent_kafka.schema_registry.protobuf, confluent_kafka.schema_registry.json_schema'],
    PACKAGES,
  ) && toolAvailable('protoc', ['protoc', '--version'], PACKAGES);

const EVENT_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Event',
  type: 'object',
  properties: {
    id: { type: 'string' },
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: { sku: { type: 'string' }, qty: { type: 'integer' } },
        required: ['sku', 'qty'],
      },
    },
    note: { type: ['string', 'null'] },
  },
  required: ['id'],
};

let broker: RunningBroker;
let dir: string;
const base = () => ['--brokers', broker.bootstrap, '--registry', broker.registryUrl!];

beforeAll(async () => {
  if (!available) return;
  broker = await startTestBroker({ registryPort: 0 });
  dir = tempDir('evt-pb-interop-');
  copyProtoFixtures(dir);
  fs.writeFileSync(path.join(dir, 'event.json'), JSON.stringify(EVENT_SCHEMA));
  const protoc = await run('protoc', [`-I${dir}`, `--python_out=${dir}`, ...PROTO_FILES], {
    timeoutMs: 60_000,
  });
  expect(protoc.status, protoc.stderr).toBe(0);
});
afterAll(async () => {
  await broker?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function python(...args: string[]) {
  const r = await run(PYTHON, [script, ...args], { timeoutMs: 90_000 });
  expect(r.status, `confluent_protobuf_json.py ${args[0]} failed: ${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as {
    values?: unknown[];
    received?: unknown[];
    delivered?: number;
    errors: string[];
  };
}

async function tailValues(topic: string) {
  const t = await evt([...base(), '--json', 'tail', topic, '--from', 'beginning', '--until', 'end']);
  expect(t.code, t.stderr).toBe(0);
  const envs = json(t.stdout);
  expect(envs.map((e) => e.error)).toEqual(envs.map(() => undefined));
  return envs;
}

/** evt produce of plain JSON values (one a line on stdin) or of a --file, with a schema of the test's */
function produce(
  topic: string,
  format: 'protobuf' | 'json-schema',
  schema: string,
  input: { values?: unknown[]; file?: string },
  ...extra: string[]
) {
  const args = [...base(), 'produce', topic, '--value-format', format, '--schema', path.join(dir, schema), ...extra];
  if (input.file) return evt([...args, '--file', input.file]);
  return evt(args, { input: input.values!.map((v) => JSON.stringify(v)).join('\n') + '\n' });
}

describe.skipIf(!available)("Confluent's Protobuf and JSON Schema serdes (confluent-kafka-python 1.7)", () => {
  // the message-index array Python 1.7 writes (unsigned varints): [0] as 00, [1] as 01 01, [0, 0] as 02 00 00
  const INDEXES: Record<string, string> = { Order: '00', Shipment: '0101', 'Order.Item': '020000' };
  for (const message of ['Order', 'Shipment', 'Order.Item'])
    it(`evt tail --json decodes what ProtobufSerializer(${message}) wrote through evt's registry`, async () => {
      const topic = `py-pb-${message.replace('.', '-').toLowerCase()}`;
      const out = await python('pb-produce', broker.bootstrap, broker.registryUrl!, topic, message, dir);
      expect(out.errors).toEqual([]);
      expect(out.delivered).toBe(out.values!.length);
      const raw = await readTopic(broker, topic);
      for (const r of raw)
        expect(r.value!.subarray(5, 5 + INDEXES[message].length / 2).toString('hex')).toBe(INDEXES[message]);
      const envs = await tailValues(topic);
      expect(envs.map((e) => e.value)).toEqual(out.values);
      const latest = (await (await fetch(`${broker.registryUrl}/subjects/${topic}-value/versions/latest`)).json()) as {
        id: number;
        schemaType: string;
      };
      expect(latest.schemaType).toBe('PROTOBUF');
      expect(envs.map((e) => e.valueSchemaId)).toEqual(envs.map(() => latest.id));
    });

  it('evt tail --value-format protobuf --schema decodes plain messages Python wrote with no registry', async () => {
    for (const message of ['Order', 'Shipment']) {
      const topic = `py-pb-raw-${message.toLowerCase()}`;
      const out = await python('pb-produce-raw', broker.bootstrap, topic, message, dir);
      expect(out.errors).toEqual([]);
      const t = await evt([
        ...['--brokers', broker.bootstrap, '--json', 'tail', topic, '--from', 'beginning', '--until', 'end'],
        ...['--value-format', 'protobuf', '--schema', path.join(dir, 'order.proto'), '--message', message],
      ]);
      expect(t.code, t.stderr).toBe(0);
      expect(json(t.stdout).map((e) => e.value)).toEqual(out.values);
    }
  });

  it('ProtobufDeserializer reads what evt produced, with the same values', async () => {
    const orders = sampleOrders('evt');
    const p = await produce(
      'evt-pb-orders',
      'protobuf',
      'order.proto',
      { values: orders },
      '--message',
      'acme.shop.Order',
    );
    expect(p.code, p.stderr).toBe(0);
    const out = await python('pb-consume', broker.bootstrap, 'evt-pb-orders', String(orders.length), dir);
    expect(out.errors).toEqual([]);
    expect(out.received).toEqual(orders);
  });

  it('evt tail --json decodes what JSONSerializer wrote; JSONDeserializer reads what evt produced', async () => {
    const schema = path.join(dir, 'event.json');
    const out = await python('json-produce', broker.bootstrap, broker.registryUrl!, 'py-json', schema);
    expect(out.errors).toEqual([]);
    expect((await tailValues('py-json')).map((e) => e.value)).toEqual(out.values);

    const values = [{ id: 'evt-e1', items: [{ sku: 'z', qty: 3 }], note: null }, { id: 'evt-e2' }];
    const p = await produce('evt-json', 'json-schema', 'event.json', { values });
    expect(p.code, p.stderr).toBe(0);
    const read = await python('json-consume', broker.bootstrap, 'evt-json', String(values.length), schema);
    expect(read.errors).toEqual([]);
    expect(read.received).toEqual(values);
  });

  it('a value that breaks the schema is refused with the field named, and nothing is sent', async () => {
    const file = path.join(dir, 'bad.ndjson');
    fs.writeFileSync(file, '{"order_id":"b-1"}\n{"order_id":"b-2","items":[{"sku":"a","qty":"two"}]}\n');
    const r = await produce('evt-pb-bad', 'protobuf', 'order.proto', { file });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `evt: line 2 of ${file}: .items[0].qty: expected an integer (int32), got "two"; nothing was sent\n`,
    );
    const j = await produce('evt-json-bad', 'json-schema', 'event.json', { file });
    expect(j.code).toBe(2);
    expect(j.stderr).toBe(`evt: line 1 of ${file}: .id: missing (required) (and 1 more bad line); nothing was sent\n`);
    expect(await readTopic(broker, 'evt-pb-bad').catch(() => [])).toEqual([]);
    expect(await readTopic(broker, 'evt-json-bad').catch(() => [])).toEqual([]);
  });

  it('evt trace finds an entity by a field inside a Protobuf value Python wrote', async () => {
    const t = await evt([...base(), '--json', 'trace', 'py-1', '--no-flow']);
    expect(t.code, t.stderr).toBe(0);
    const trace = JSON.parse(t.stdout) as { events: { topic: string; value: unknown; matchedBy?: unknown }[] };
    const topics = trace.events.map((e) => e.topic).sort();
    // the Order and the Shipment carry order_id "py-1"
    expect(topics).toEqual(['py-pb-order', 'py-pb-shipment']);
  });
});
