// Avro through the schema registry: produce plain JSON, tail it back as JSON; the wire format on the topic;
// bad values send nothing; unknown schema ids are per-record errors.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker/broker.js';
import { startTestBroker } from '../helpers/broker.js';
import { evt, json, readTopic } from '../helpers/produce-tail.js';
import { writeSchemas } from '../helpers/schemas.js';

let broker: RunningBroker;
let files: ReturnType<typeof writeSchemas>;
const base = () => ['--brokers', broker.bootstrap, '--registry', broker.registryUrl!];

beforeAll(async () => {
  broker = await startTestBroker({ registryPort: 0 });
  files = writeSchemas();
});
afterAll(async () => {
  await broker?.close();
});

const orders = [
  { id: 'o-1', total: 12, note: null, customer: { name: 'Ada' } },
  { id: 'o-2', total: 30, note: 'gift wrap', customer: { name: 'Bob' } },
];

describe('evt produce/tail --value-format avro with a registry', () => {
  it('produces plain JSON as Avro in the wire format and tails it back equal', async () => {
    const input = orders.map((o) => JSON.stringify(o)).join('\n') + '\n';
    const p = await evt(
      [...base(), 'produce', 'orders', '--value-format', 'avro', '--schema', files.v1, '--key', 'k1'],
      { input },
    );
    expect(p.stderr).toContain('produced 2 records');
    expect(p.code).toBe(0);

    const reg = await (await fetch(`${broker.registryUrl}/subjects/orders-value/versions/latest`)).json();
    const records = await readTopic(broker, 'orders');
    expect(records).toHaveLength(2);
    for (const r of records) {
      expect(r.value![0]).toBe(0);
      expect(r.value!.readUInt32BE(1)).toBe(reg.id);
    }

    const t = await evt([...base(), '--json', 'tail', 'orders', '--from', 'beginning']);
    expect(t.code).toBe(0);
    const envs = json(t.stdout);
    expect(envs.map((e) => e.value)).toEqual(orders);
    expect(envs.every((e) => e.valueSchemaId === reg.id && e.error === undefined)).toBe(true);

    const human = await evt([...base(), 'tail', 'orders', '--from', 'beginning']);
    expect(human.stdout).toContain(`[schema ${reg.id} orders-value v1]`);
    expect(human.stdout).toContain('gift wrap');

    // the latest version of the subject is used when no schema is given
    const again = await evt([...base(), 'produce', 'orders', JSON.stringify(orders[0]), '--value-format', 'avro']);
    expect(again.code).toBe(0);
    // and an existing id
    const byId = await evt([
      ...base(),
      'produce',
      'orders',
      JSON.stringify(orders[1]),
      '--value-format',
      'avro',
      '--schema-id',
      String(reg.id),
    ]);
    expect(byId.code).toBe(0);
    expect((await readTopic(broker, 'orders')).map((r) => r.value!.readUInt32BE(1))).toEqual([
      reg.id,
      reg.id,
      reg.id,
      reg.id,
    ]);
  });

  it('a value that does not fit names the field and type, and nothing is sent', async () => {
    const lines =
      [JSON.stringify(orders[0]), JSON.stringify({ ...orders[1], customer: { name: 7 } })].join('\n') + '\n';
    const fs = await import('node:fs');
    const path = await import('node:path');
    const file = path.join(files.dir, 'bad.ndjson');
    fs.writeFileSync(file, lines);
    const r = await evt([
      ...base(),
      'produce',
      'bad-orders',
      '--value-format',
      'avro',
      '--schema',
      files.v1,
      '--file',
      file,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/line 2 .*customer\.name: expected string, got 7.*nothing was sent/);
    const single = await evt([
      ...base(),
      'produce',
      'bad-orders',
      '{"id":"x","customer":{"name":"a"}}',
      '--value-format',
      'avro',
      '--schema',
      files.v1,
    ]);
    expect(single.code).toBe(2);
    expect(single.stderr).toMatch(/total: expected int/);
    expect(single.stderr).toContain('nothing was sent');
    expect(await readTopic(broker, 'bad-orders').catch(() => [])).toHaveLength(0);
  });

  it('an unknown schema id is a per-record decode error; other records still decode', async () => {
    const kafka = (await import('../helpers/broker.js')).kafkaFor(broker);
    const producer = kafka.producer();
    await producer.connect();
    const reg = await (await fetch(`${broker.registryUrl}/subjects/orders-value/versions/latest`)).json();
    const ok = await evt([
      ...base(),
      'produce',
      'mixed',
      JSON.stringify(orders[0]),
      '--value-format',
      'avro',
      '--schema-id',
      String(reg.id),
    ]);
    expect(ok.code).toBe(0);
    const unknown = Buffer.from([0, 0, 0, 0x7f, 0x7f, 1, 2, 3]);
    const truncated = Buffer.from([0, 0, 0, 0, reg.id, 0x02]);
    await producer.send({
      topic: 'mixed',
      messages: [{ value: unknown }, { value: truncated }, { value: 'plain text' }, { value: '{"a":1}' }],
    });
    await producer.disconnect();
    const t = await evt([...base(), '--json', 'tail', 'mixed', '--from', 'beginning']);
    expect(t.code).toBe(0);
    const envs = json(t.stdout);
    expect(envs).toHaveLength(5);
    expect(envs.filter((e) => e.valueSchemaId !== undefined).map((e) => e.value)).toEqual([orders[0]]);
    const unknownEnv = envs.find((e) => String(e.error).includes('32639'));
    expect(unknownEnv?.error).toBe('schema id 32639 is not in the registry');
    expect(unknownEnv?.valueEncoding).toBe('base64');
    expect(envs.find((e) => String(e.error).includes('not Avro of this schema'))).toBeDefined();
    const plain = envs.find((e) => e.value === 'plain text');
    expect(plain?.error).toBeUndefined();
    expect(plain?.valueSchemaId).toBeUndefined();
    expect(envs.find((e) => JSON.stringify(e.value) === '{"a":1}')).toBeDefined();
  });

  it('keys: --key-format avro through <topic>-key, tailed back with keySchemaId', async () => {
    const p = await evt([
      ...base(),
      'produce',
      'keyed',
      JSON.stringify(orders[0]),
      '--value-format',
      'avro',
      '--schema',
      files.v1,
      '--key-format',
      'avro',
      '--key-schema',
      files.key,
      '--key',
      'o-1',
    ]);
    expect(p.code).toBe(0);
    const [rec] = await readTopic(broker, 'keyed');
    expect(rec.key![0]).toBe(0);
    const t = await evt([...base(), '--json', 'tail', 'keyed', '--from', 'beginning']);
    const [env] = json(t.stdout);
    expect(env.key).toBe('o-1');
    expect(typeof env.keySchemaId).toBe('number');
    expect(env.value).toEqual(orders[0]);
  });

  it('tail --json | produce --json stays faithful for non-Avro topics with a registry configured', async () => {
    const input = ['{"a":1}', 'text', '{"b": 2}'].join('\n') + '\n';
    expect((await evt([...base(), 'produce', 'plain', '--key', 'k'], { input })).code).toBe(0);
    const t = await evt([...base(), '--json', 'tail', 'plain', '--from', 'beginning']);
    expect(json(t.stdout).every((e) => e.valueSchemaId === undefined)).toBe(true);
    expect((await evt([...base(), '--json', 'produce', 'plain-copy'], { input: t.stdout })).code).toBe(0);
    const a = await readTopic(broker, 'plain');
    const b = await readTopic(broker, 'plain-copy');
    expect(b.map((r) => r.value!.toString())).toEqual(a.map((r) => r.value!.toString()));
  });

  it('an unreachable registry is one line and exit 3', async () => {
    const r = await evt([
      '--brokers',
      broker.bootstrap,
      '--registry',
      'http://127.0.0.1:1',
      'produce',
      'x',
      '{}',
      '--value-format',
      'avro',
    ]);
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('unreachable');
  });
});
