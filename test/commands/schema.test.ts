// `evt schema list|get|register|check|config|delete` against the embedded registry.

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
    expect(JSON.parse(b.stdout)).toEqual({ subject: 'orders-value', id, version: 1, new: false });
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
    expect(JSON.parse(list.stdout)).toEqual([{ subject: 'orders-value', versions: [1, 2] }]);
    expect((await schema('list')).stdout).toContain('orders-value  versions 1, 2');
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
