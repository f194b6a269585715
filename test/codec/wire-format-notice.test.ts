// evt tail on values in the schema registry wire format it cannot decode: with no registry configured, or
// with one that does not give the schema, it says so once on stderr (the schema id and what to do) instead of
// printing undecoded bytes unexplained; the records are still printed, stdout keeps only data.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker/broker.js';
import { kafkaFor, startTestBroker } from '../helpers/broker.js';
import { evt, evtProcess, json, lines } from '../helpers/produce-tail.js';
import { writeSchemas } from '../helpers/schemas.js';

let broker: RunningBroker;
let schemaId = 0;
// no registry from this process's environment: the test decides
const env = { EVT_REGISTRY: undefined, EVT_PROFILE: undefined };

beforeAll(async () => {
  broker = await startTestBroker({ registryPort: 0 });
  const files = writeSchemas();
  const input =
    [
      '{"id":"o-1","total":12,"note":null,"customer":{"name":"Ada"}}',
      '{"id":"o-2","total":30,"note":"gift","customer":{"name":"Bob"}}',
    ].join('\n') + '\n';
  const p = await evt(
    [
      '--brokers',
      broker.bootstrap,
      '--registry',
      broker.registryUrl!,
      'produce',
      'avro-orders',
      '--value-format',
      'avro',
      '--schema',
      files.v1,
    ],
    { input, env },
  );
  expect(p.code).toBe(0);
  schemaId = (
    (await (await fetch(`${broker.registryUrl}/subjects/avro-orders-value/versions/latest`)).json()) as { id: number }
  ).id;
});
afterAll(async () => {
  await broker?.close();
});

describe('evt tail on wire-format values it cannot decode', () => {
  it('without a registry: one line on stderr naming the schema id and --registry / EVT_REGISTRY; the records still print', async () => {
    const t = await evt(['--brokers', broker.bootstrap, '--json', 'tail', 'avro-orders', '--from', 'beginning'], {
      env,
    });
    expect(t.code).toBe(0);
    expect(json(t.stdout)).toHaveLength(2);
    const err = lines(t.stderr);
    expect(err).toHaveLength(1);
    expect(err[0]).toContain(`schema id ${schemaId}`);
    expect(err[0]).toContain('avro-orders');
    expect(err[0]).toMatch(/no registry is configured/);
    expect(err[0]).toContain('--registry URL');
    expect(err[0]).toContain('EVT_REGISTRY');
    // the default read (the last 10) says it too
    const last = await evt(['--brokers', broker.bootstrap, 'tail', 'avro-orders'], { env });
    expect(last.code).toBe(0);
    expect(lines(last.stderr)).toEqual(err);
  });

  it('with a registry that cannot give the schema: one line saying it could not be fetched, and from where', async () => {
    const t = await evt(
      [
        '--brokers',
        broker.bootstrap,
        '--registry',
        'http://127.0.0.1:1',
        '--json',
        'tail',
        'avro-orders',
        '--from',
        'beginning',
      ],
      { env },
    );
    expect(t.code).toBe(0);
    const envs = json(t.stdout);
    expect(envs).toHaveLength(2);
    expect(envs.every((e) => String(e.error).includes(`schema id ${schemaId}`))).toBe(true);
    const err = lines(t.stderr);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(
      new RegExp(
        `schema id ${schemaId} \\(records of avro-orders\\) could not be fetched from the registry http://127\\.0\\.0\\.1:1: `,
      ),
    );
    expect(err[0]).toContain('--registry URL');
  });

  it('plain values say nothing; a registry that has the schema decodes and says nothing', async () => {
    expect((await evt(['--brokers', broker.bootstrap, 'produce', 'plain-notice', '{"a":1}'], { env })).code).toBe(0);
    const plain = await evt(['--brokers', broker.bootstrap, 'tail', 'plain-notice'], { env });
    expect(plain.code).toBe(0);
    expect(plain.stderr).toBe('');
    const decoded = await evt(
      [
        '--brokers',
        broker.bootstrap,
        '--registry',
        broker.registryUrl!,
        '--json',
        'tail',
        'avro-orders',
        '--from',
        'beginning',
      ],
      { env },
    );
    expect(decoded.stderr).toBe('');
    expect(json(decoded.stdout).map((e) => (e.value as { id: string }).id)).toEqual(['o-1', 'o-2']);
  });

  it('a large read formatted on worker threads says it once too', async () => {
    const kafka = kafkaFor(broker);
    const producer = kafka.producer();
    await producer.connect();
    const value = Buffer.from([0, 0, 0, 0, schemaId, 0x06, 0x6f, 0x2d, 0x31, 0x18, 0x00, 0x06, 0x41, 0x64, 0x61]);
    for (let i = 0; i < 6; i++)
      await producer.send({ topic: 'avro-many', messages: Array.from({ length: 10_000 }, () => ({ value })) });
    await producer.disconnect();
    // spawned: the worker threads run the build's format-worker.js, which a run from the sources has not
    const t = await evtProcess(
      ['--brokers', broker.bootstrap, '--verbose', '--json', 'tail', 'avro-many', '--from', 'beginning'],
      { env: { ...env, EVT_WORKERS: '2' } },
    );
    expect(t.code).toBe(0);
    expect(lines(t.stdout)).toHaveLength(60_000);
    // --verbose (to see that workers formatted the records) adds lines of its own
    const err = lines(t.stderr).filter((l) => l.includes('wire format'));
    expect(t.stderr, 'the read went through the worker threads').toMatch(/on 2 worker threads/);
    expect(err).toHaveLength(1);
    expect(err[0]).toContain(`schema id ${schemaId}`);
  }, 60_000);
});
