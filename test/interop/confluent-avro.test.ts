// Interop with Confluent's own Avro serde: confluent-kafka-python's AvroConsumer decodes records that evt
// produced through evt's registry, and evt decodes records that AvroProducer produced with a schema it
// registered itself. Skipped (with the reason printed) when the Debian packages are not installed.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker/broker.js';
import { startTestBroker } from '../helpers/broker.js';
import { PYTHON, run, toolAvailable } from '../helpers/interop.js';
import { evt, json } from '../helpers/produce-tail.js';
import { writeSchemas } from '../helpers/schemas.js';

const script = fileURLToPath(new URL('confluent_avro.py', import.meta.url));
const available = toolAvailable('confluent-kafka-python with python3-avro and python3-requests', [
  PYTHON,
  '-c',
  'import confluent_kafka.avro, avro, requests',
]);
let broker: RunningBroker;

beforeAll(async () => {
  if (available) broker = await startTestBroker({ registryPort: 0 });
});
afterAll(async () => {
  await broker?.close();
});

async function python(...args: string[]) {
  const r = await run(PYTHON, [script, ...args], { timeoutMs: 90_000 });
  expect(r.status, `confluent_avro.py ${args[0]} failed: ${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

describe.skipIf(!available)('confluent_kafka.avro interop', () => {
  it("AvroConsumer decodes records evt produced through evt's registry", async () => {
    const files = writeSchemas();
    const orders = Array.from({ length: 5 }, (_, i) => ({
      id: `o-${i}`,
      total: i * 10,
      note: i % 2 ? null : `note ${i}`,
      customer: { name: `c${i}` },
    }));
    const file = path.join(files.dir, 'orders.ndjson');
    fs.writeFileSync(file, orders.map((o, i) => `o-${i}\t${JSON.stringify(o)}`).join('\n') + '\n');
    const p = await evt([
      '--brokers',
      broker.bootstrap,
      '--registry',
      broker.registryUrl!,
      'produce',
      'avro-orders',
      '--file',
      file,
      '-K',
      '\t',
      '--value-format',
      'avro',
      '--schema',
      files.v1,
      '--key-format',
      'avro',
      '--key-schema',
      files.key,
    ]);
    expect(p.code, p.stderr).toBe(0);
    const out = await python('consume', broker.bootstrap, broker.registryUrl!, 'avro-orders', String(orders.length));
    expect(out.errors).toEqual([]);
    const got = (out.received as { key: string; value: (typeof orders)[number] }[]).sort((a, b) =>
      a.key.localeCompare(b.key),
    );
    expect(got.map((r) => r.key)).toEqual(orders.map((o) => o.id));
    expect(got.map((r) => r.value)).toEqual(orders);
  });

  it('evt decodes records AvroProducer produced with a schema it registered itself', async () => {
    const n = 4;
    const out = await python('produce', broker.bootstrap, broker.registryUrl!, 'py-payments', String(n));
    expect(out.errors).toEqual([]);
    expect(out.delivered).toBe(n);
    const subjects = await (await fetch(`${broker.registryUrl}/subjects`)).json();
    expect(subjects).toEqual(expect.arrayContaining(['py-payments-value', 'py-payments-key']));
    const latest = await (await fetch(`${broker.registryUrl}/subjects/py-payments-value/versions/latest`)).json();
    const t = await evt([
      '--brokers',
      broker.bootstrap,
      '--registry',
      broker.registryUrl!,
      '--json',
      'tail',
      'py-payments',
      '--from',
      'beginning',
    ]);
    expect(t.code, t.stderr).toBe(0);
    const envs = json(t.stdout).sort((a, b) => String(a.key).localeCompare(String(b.key)));
    expect(envs.map((e) => e.error)).toEqual(Array(n).fill(undefined));
    expect(envs.map((e) => e.valueSchemaId)).toEqual(Array(n).fill(latest.id));
    expect(envs.map((e) => e.key)).toEqual(Array.from({ length: n }, (_, i) => `p-${i}`));
    expect(envs.map((e) => e.value)).toEqual(
      Array.from({ length: n }, (_, i) => ({ id: `p-${i}`, amount: i + 0.5, memo: i % 2 ? null : `memo ${i}` })),
    );
    const human = await evt([
      '--brokers',
      broker.bootstrap,
      '--registry',
      broker.registryUrl!,
      'tail',
      'py-payments',
      '--from',
      'beginning',
    ]);
    expect(human.stdout).toContain(`[schema ${latest.id} py-payments-value v1]`);
  });
});
