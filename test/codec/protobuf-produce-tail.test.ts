// Protobuf and JSON Schema through evt broker's registry: `evt produce` registers the schema (a .proto with
// its import, as references), writes Confluent's wire format, and `evt tail` decodes it back to the same JSON;
// a value that does not fit is exit 2 and sends nothing; --schema-id, --message and keys; without a registry,
// plain messages. (Interop with Confluent's own serializers: test/interop/confluent-protobuf-json.test.ts.)

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker/broker.js';
import { startTestBroker, tempDir } from '../helpers/broker.js';
import { evt, json, readTopic } from '../helpers/produce-tail.js';
import { copyProtoFixtures, sampleOrders } from '../helpers/protobuf.js';

let broker: RunningBroker;
let dir: string;
const base = () => ['--brokers', broker.bootstrap, '--registry', broker.registryUrl!];

beforeAll(async () => {
  broker = await startTestBroker({ registryPort: 0 });
  dir = tempDir('evt-proto-');
  copyProtoFixtures(dir);
  fs.writeFileSync(
    path.join(dir, 'event.json'),
    JSON.stringify({
      $schema: 'http://json-schema.org/draft-07/schema#',
      title: 'Event',
      type: 'object',
      properties: {
        id: { type: 'string' },
        items: { type: 'array', items: { type: 'object', properties: { qty: { type: 'integer' } } } },
      },
      required: ['id'],
    }),
  );
});
afterAll(async () => {
  await broker?.close();
});

const registry = async <T>(p: string): Promise<T> => (await (await fetch(`${broker.registryUrl}${p}`)).json()) as T;

const ORDERS = sampleOrders('o');

async function tailJson(topic: string, extra: string[] = []) {
  const t = await evt([...base(), '--json', 'tail', topic, '--from', 'beginning', '--until', 'end', ...extra]);
  expect(t.code, t.stderr).toBe(0);
  return json(t.stdout);
}

describe('evt produce/tail --value-format protobuf with a registry', () => {
  it('registers the .proto with its import as a reference, writes the wire format, tails it back equal', async () => {
    const input = ORDERS.map((o) => JSON.stringify(o)).join('\n') + '\n';
    const schema = path.join(dir, 'order.proto');
    const p = await evt([...base(), 'produce', 'pb-orders', '--value-format', 'protobuf', '--schema', schema], {
      input,
    });
    expect(p.code, p.stderr).toBe(0);
    const latest = await registry<{ id: number; schemaType: string; references: unknown[] }>(
      '/subjects/pb-orders-value/versions/latest',
    );
    expect(latest.schemaType).toBe('PROTOBUF');
    expect(latest.references).toEqual([{ name: 'common.proto', subject: 'common.proto', version: 1 }]);
    const records = await readTopic(broker, 'pb-orders');
    // magic byte, the id, the message-index array [0] as the single byte 0
    for (const r of records)
      expect(r.value!.subarray(0, 6).toString('hex')).toBe(`00${latest.id.toString(16).padStart(8, '0')}00`);
    const envs = await tailJson('pb-orders');
    expect(envs.map((e) => e.value)).toEqual(ORDERS);
    expect(envs.map((e) => e.valueSchemaId)).toEqual([latest.id, latest.id]);

    // the human format names the schema, as for Avro
    const human = await evt([...base(), 'tail', 'pb-orders', '--from', 'beginning', '--until', 'end']);
    expect(human.stdout).toContain(`[schema ${latest.id} pb-orders-value v1]`);
    expect(human.stdout).toContain('"total_cents": "9007199254740993"');
  });

  it('--message writes another message (its index array), --schema-id reuses the registered schema', async () => {
    const { id } = await registry<{ id: number }>('/subjects/pb-orders-value/versions/latest');
    const p = await evt(
      [
        ...base(),
        'produce',
        'pb-parcels',
        '--value-format',
        'protobuf',
        '--schema-id',
        String(id),
        '--message',
        'Shipment.Parcel',
      ],
      { input: '{"id":"p-1"}\n' },
    );
    expect(p.code, p.stderr).toBe(0);
    const [r] = await readTopic(broker, 'pb-parcels');
    expect(r.value!.subarray(5, 8).toString('hex')).toBe('040200');
    expect((await tailJson('pb-parcels')).map((e) => e.value)).toEqual([{ id: 'p-1' }]);
  });

  it('a value that does not fit: the line, the field path and what was expected; exit 2; nothing sent', async () => {
    const file = path.join(dir, 'bad.ndjson');
    fs.writeFileSync(
      file,
      [
        JSON.stringify(ORDERS[0]),
        '{"order_id":"o-3"}',
        '{"order_id":"o-4","items":[{"sku":"a","qty":1},{"sku":"b","qty":"two"}]}',
      ].join('\n') + '\n',
    );
    const r = await evt([
      ...base(),
      'produce',
      'pb-bad',
      '--value-format',
      'protobuf',
      '--schema',
      path.join(dir, 'order.proto'),
      '--file',
      file,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `evt: line 3 of ${file}: .items[1].qty: expected an integer (int32), got "two"; nothing was sent\n`,
    );
    expect(await readTopic(broker, 'pb-bad').catch(() => [])).toEqual([]);
    const unknown = await evt(
      [...base(), 'produce', 'pb-bad', '--value-format', 'protobuf', '--schema', path.join(dir, 'order.proto')],
      { input: '{"order_id":"o-5","colour":"red"}\n' },
    );
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(
      /^evt: line 1: \.colour: unknown field \(message acme\.shop\.Order has no field "colour"\)/m,
    );
    expect(await readTopic(broker, 'pb-bad').catch(() => [])).toEqual([]);
  });

  it('a schema id of another type is refused before anything is read', async () => {
    const { id } = await registry<{ id: number }>('/subjects/pb-orders-value/versions/latest');
    const r = await evt([
      ...base(),
      'produce',
      'pb-x',
      '{}',
      '--value-format',
      'json-schema',
      '--schema-id',
      String(id),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`evt: schema id ${id} is PROTOBUF, not JSON: use --value-format protobuf\n`);
  });

  it('Protobuf keys: --key-format protobuf --key-schema', async () => {
    const keyProto = path.join(dir, 'key.proto');
    fs.writeFileSync(keyProto, 'syntax = "proto3";\npackage acme.keys;\nmessage OrderKey { string order_id = 1; }\n');
    const p = await evt(
      [
        ...base(),
        'produce',
        'pb-keyed',
        '-K',
        '\t',
        '--key-format',
        'protobuf',
        '--key-schema',
        keyProto,
        '--value-format',
        'protobuf',
        '--schema',
        path.join(dir, 'order.proto'),
      ],
      { input: `{"order_id":"o-1"}\t{"order_id":"o-1"}\n` },
    );
    expect(p.code, p.stderr).toBe(0);
    const [env] = await tailJson('pb-keyed');
    expect(env.key).toEqual({ order_id: 'o-1' });
    expect(env.value).toEqual({ order_id: 'o-1' });
  });
});

describe('evt produce/tail --value-format json-schema with a registry', () => {
  it('registers the schema as JSON, writes magic byte, id and the JSON; tail shows the value', async () => {
    const schema = path.join(dir, 'event.json');
    const values = [{ id: 'e-1', items: [{ qty: 1 }] }, { id: 'e-2' }];
    const p = await evt([...base(), 'produce', 'js-events', '--value-format', 'json-schema', '--schema', schema], {
      input: values.map((v) => JSON.stringify(v)).join('\n') + '\n',
    });
    expect(p.code, p.stderr).toBe(0);
    const latest = await registry<{ id: number; schemaType: string }>('/subjects/js-events-value/versions/latest');
    expect(latest.schemaType).toBe('JSON');
    const [r] = await readTopic(broker, 'js-events');
    expect(r.value!.subarray(5).toString()).toBe(JSON.stringify(values[0]));
    const envs = await tailJson('js-events');
    expect(envs.map((e) => e.value)).toEqual(values);
    expect(envs.map((e) => e.valueSchemaId)).toEqual([latest.id, latest.id]);

    const bad = await evt([...base(), 'produce', 'js-events', '--value-format', 'json-schema'], {
      input: '{"id":"e-3","items":[{"qty":1},{"qty":"two"}]}\n',
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /^evt: line 1: \.items\[1\]\.qty: expected an integer, got "two"; stopped there: nothing was sent$/m,
    );
    expect(await readTopic(broker, 'js-events')).toHaveLength(2);
  });
});

describe('without a registry', () => {
  const env = { EVT_REGISTRY: undefined, EVT_PROFILE: undefined };
  it('--value-format protobuf --schema writes the plain message; json-schema the checked JSON', async () => {
    const b = ['--brokers', broker.bootstrap];
    const p = await evt(
      [
        ...b,
        'produce',
        'plain-pb',
        '{"order_id":"o-9"}',
        '--value-format',
        'protobuf',
        '--schema',
        path.join(dir, 'order.proto'),
      ],
      { env },
    );
    expect(p.code, p.stderr).toBe(0);
    expect((await readTopic(broker, 'plain-pb'))[0].value!.toString('hex')).toBe('0a036f2d39');
    const j = await evt(
      [
        ...b,
        'produce',
        'plain-js',
        '{"id":7}',
        '--value-format',
        'json-schema',
        '--schema',
        path.join(dir, 'event.json'),
      ],
      { env },
    );
    expect(j.code).toBe(2);
    expect(j.stderr).toMatch(/^evt: line 1: \.id: expected a string, got 7/m);
    const none = await evt([...b, 'produce', 'plain-pb', '{}', '--value-format', 'protobuf'], { env });
    expect(none.code).toBe(2);
    expect(none.stderr).toBe(
      'evt: --value-format protobuf needs --schema <file.proto> (or a schema registry: --registry <url>)\n',
    );
  });
});
