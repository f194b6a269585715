// The schema registry's REST API against `startRegistry()` on a free port, over real HTTP.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalSchema, parseAvroSchema } from '../../src/registry/types/avro.js';
import { startRegistry, type RunningRegistry } from '../../src/registry/server.js';
import { call, CT, record, V1, V2_NO_DEFAULT, V2_WITH_DEFAULT } from './helpers.js';

let registry: RunningRegistry;
let base: string;
const api = (method: string, path: string, body?: unknown) => call(base, method, path, body);
const register = (subject: string, schema: string) =>
  api('POST', `/subjects/${encodeURIComponent(subject)}/versions`, { schema });

beforeEach(async () => {
  registry = await startRegistry({ host: '127.0.0.1', port: 0, dataDir: null });
  base = registry.url;
});
afterEach(async () => {
  await registry.close();
});

describe('register and read back', () => {
  it('registers, answers the same id for the same schema, and lists versions', async () => {
    const first = await register('orders-value', V1);
    expect(first.status).toBe(200);
    expect(first.contentType).toBe(CT);
    expect(first.body).toEqual({ id: 1 });

    // same schema, other whitespace and key order: same id, no new version
    const again = await register('orders-value', JSON.stringify(JSON.parse(V1), null, 2));
    expect(again.body).toEqual({ id: 1 });
    const reordered = JSON.stringify({
      fields: [{ type: 'string', name: 'id' }],
      namespace: 'evt.test',
      name: 'R',
      type: 'record',
    });
    expect((await register('orders-value', reordered)).body).toEqual({ id: 1 });
    expect((await api('GET', '/subjects/orders-value/versions')).body).toEqual([1]);

    const second = await register('orders-value', V2_WITH_DEFAULT);
    expect(second.body).toEqual({ id: 2 });
    expect((await api('GET', '/subjects/orders-value/versions')).body).toEqual([1, 2]);
    expect((await api('GET', '/subjects')).body).toEqual(['orders-value']);
  });

  it('shares one global id between subjects for the same schema', async () => {
    expect((await register('a-value', V1)).body).toEqual({ id: 1 });
    expect((await register('b-value', V2_WITH_DEFAULT)).body).toEqual({ id: 2 });
    expect((await register('c-value', V1)).body).toEqual({ id: 1 });
    expect((await api('GET', '/subjects')).body).toEqual(['a-value', 'b-value', 'c-value']);
    expect((await api('GET', '/schemas/ids/1/versions')).body).toEqual([
      { subject: 'a-value', version: 1 },
      { subject: 'c-value', version: 1 },
    ]);
  });

  it('gets by version, latest, id and raw schema', async () => {
    await register('s', V1);
    await register('s', V2_WITH_DEFAULT);
    const v1 = await api('GET', '/subjects/s/versions/1');
    expect(v1.status).toBe(200);
    expect(v1.body).toMatchObject({ subject: 's', version: 1, id: 1 });
    // schemas come back in avsc's canonical form (full names, no whitespace)
    expect(v1.body.schema).toBe(canonicalSchema(parseAvroSchema(V1)));
    expect(JSON.parse(v1.body.schema)).toMatchObject({
      type: 'record',
      name: 'evt.test.R',
      fields: [{ name: 'id', type: 'string' }],
    });
    expect((await api('GET', '/subjects/s/versions/latest')).body).toMatchObject({ subject: 's', version: 2, id: 2 });
    expect((await api('GET', '/subjects/s/versions/-1')).body).toMatchObject({ version: 2 });
    const raw = await api('GET', '/subjects/s/versions/2/schema');
    expect(raw.status).toBe(200);
    expect(raw.text).toBe(canonicalSchema(parseAvroSchema(V2_WITH_DEFAULT)));
    const byId = await api('GET', '/schemas/ids/2');
    expect(byId.status).toBe(200);
    expect(byId.body.schema).toBe(canonicalSchema(parseAvroSchema(V2_WITH_DEFAULT)));
  });

  it('accepts primitive schemas and keeps defaults in the identity', async () => {
    expect((await register('k', '"string"')).body).toEqual({ id: 1 });
    expect((await api('GET', '/schemas/ids/1')).body).toEqual({ schema: '"string"' });
    // a different default is a different schema
    const other = record([
      { name: 'id', type: 'string' },
      { name: 'total', type: 'int', default: 5 },
    ]);
    await register('s', V2_WITH_DEFAULT);
    expect((await register('s', other)).body).toEqual({ id: 3 });
  });

  it('looks a schema up under a subject', async () => {
    await register('s', V1);
    await register('s', V2_WITH_DEFAULT);
    const found = await api('POST', '/subjects/s', { schema: V2_WITH_DEFAULT });
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({ subject: 's', version: 2, id: 2 });
    const missing = await api('POST', '/subjects/s', { schema: record([{ name: 'x', type: 'long' }]) });
    expect(missing.status).toBe(404);
    expect(missing.body.error_code).toBe(40403);
    const noSubject = await api('POST', '/subjects/nope', { schema: V1 });
    expect(noSubject.status).toBe(404);
    expect(noSubject.body.error_code).toBe(40401);
  });
});

describe('compatibility', () => {
  it('BACKWARD (the default): adding a field with a default is compatible, without one is 409', async () => {
    expect((await api('GET', '/config')).body).toEqual({ compatibilityLevel: 'BACKWARD' });
    await register('s', V1);
    const check = await api('POST', '/compatibility/subjects/s/versions/latest', { schema: V2_WITH_DEFAULT });
    expect(check.body).toEqual({ is_compatible: true });
    const bad = await api('POST', '/compatibility/subjects/s/versions/latest?verbose=true', { schema: V2_NO_DEFAULT });
    expect(bad.body.is_compatible).toBe(false);
    expect(bad.body.messages.join(' ')).toMatch(/total/);

    const rejected = await register('s', V2_NO_DEFAULT);
    expect(rejected.status).toBe(409);
    expect(rejected.body.error_code).toBe(409);
    expect(rejected.body.message).toMatch(/incompatible/);
    expect((await api('GET', '/subjects/s/versions')).body).toEqual([1]);
    expect((await register('s', V2_WITH_DEFAULT)).status).toBe(200);

    // removing a field is backward compatible in Avro: the new reader ignores it
    expect((await register('s', V1)).status).toBe(200);
  });

  it('FORWARD: removing a field without a default is 409, adding one is fine', async () => {
    await register('s', V2_NO_DEFAULT);
    expect((await api('PUT', '/config/s', { compatibility: 'FORWARD' })).body).toEqual({ compatibility: 'FORWARD' });
    const removed = await register('s', V1);
    expect(removed.status).toBe(409);
    expect(removed.body.error_code).toBe(409);
    const added = record([
      { name: 'id', type: 'string' },
      { name: 'total', type: 'int' },
      { name: 'note', type: 'string' },
    ]);
    expect((await register('s', added)).status).toBe(200);
  });

  it('FULL needs both directions; NONE accepts anything', async () => {
    await register('s', V1);
    await api('PUT', '/config/s', { compatibility: 'FULL' });
    expect((await register('s', V2_NO_DEFAULT)).status).toBe(409);
    expect((await register('s', V2_WITH_DEFAULT)).status).toBe(200);
    await api('PUT', '/config/s', { compatibility: 'NONE' });
    expect((await register('s', '"int"')).status).toBe(200);
  });

  it('transitive levels check every version, the others only the latest', async () => {
    // v1 {id}; v2 {id, total=0}; v3 {total=0} (drops id). A reader {id, total} without a default on id
    // reads v2 but not v3... build the 3-version history under NONE, then check a candidate.
    const v3 = record([{ name: 'total', type: 'int', default: 0 }]);
    for (const subject of ['plain', 'transitive']) {
      await api('PUT', `/config/${subject}`, { compatibility: 'NONE' });
      for (const schema of [V1, V2_WITH_DEFAULT, v3]) expect((await register(subject, schema)).status).toBe(200);
    }
    // candidate: {total=0, note=""}: reads v3 (latest) fine; reading v1 also fine (defaults). Use one needing `total` without a default:
    const candidate = record([{ name: 'total', type: 'int' }]);
    // reads v3 and v2 (both have total) but not v1 (no total, no default)
    await api('PUT', '/config/plain', { compatibility: 'BACKWARD' });
    await api('PUT', '/config/transitive', { compatibility: 'BACKWARD_TRANSITIVE' });
    expect((await api('POST', '/compatibility/subjects/plain/versions/latest', { schema: candidate })).body).toEqual({
      is_compatible: true,
    });
    expect(
      (await api('POST', '/compatibility/subjects/transitive/versions/latest', { schema: candidate })).body,
    ).toEqual({ is_compatible: false });
    // a given version is checked against that version only
    expect((await api('POST', '/compatibility/subjects/transitive/versions/1', { schema: candidate })).body).toEqual({
      is_compatible: false,
    });
    expect((await api('POST', '/compatibility/subjects/transitive/versions/2', { schema: candidate })).body).toEqual({
      is_compatible: true,
    });
    expect((await register('plain', candidate)).status).toBe(200);
    const rejected = await register('transitive', candidate);
    expect(rejected.status).toBe(409);
    expect(rejected.body.message).toMatch(/version 1/);
  });
});

describe('config', () => {
  it('gets and sets the global and per-subject levels; the subject level overrides the global one', async () => {
    expect((await api('PUT', '/config', { compatibility: 'NONE' })).body).toEqual({ compatibility: 'NONE' });
    expect((await api('GET', '/config')).body).toEqual({ compatibilityLevel: 'NONE' });
    await register('s', V1);
    expect((await register('s', V2_NO_DEFAULT)).status).toBe(200); // NONE globally

    const none = await api('GET', '/config/s');
    expect(none.status).toBe(404);
    expect(none.body.error_code).toBe(40408);
    expect((await api('GET', '/config/s?defaultToGlobal=true')).body).toEqual({ compatibilityLevel: 'NONE' });

    // compatibilityLevel is accepted as well as compatibility
    expect((await api('PUT', '/config/s', { compatibilityLevel: 'FORWARD_TRANSITIVE' })).body).toEqual({
      compatibility: 'FORWARD_TRANSITIVE',
    });
    expect((await api('GET', '/config/s')).body).toEqual({ compatibilityLevel: 'FORWARD_TRANSITIVE' });
    // FORWARD: version 2 {id, total} cannot read records without `id`
    const onlyTotal = record([{ name: 'total', type: 'int' }]);
    expect((await register('s', onlyTotal)).status).toBe(409);

    expect((await api('DELETE', '/config/s')).body).toEqual({ compatibilityLevel: 'FORWARD_TRANSITIVE' });
    expect((await api('GET', '/config/s?defaultToGlobal=true')).body).toEqual({ compatibilityLevel: 'NONE' });
    expect((await register('s', onlyTotal)).status).toBe(200);
  });

  it('rejects unknown levels with 42203', async () => {
    for (const body of [{ compatibility: 'SIDEWAYS' }, { compatibility: 3 }, {}, [], 'FULL']) {
      const res = await api('PUT', '/config', body);
      expect(res.status).toBe(422);
      expect(res.body.error_code).toBe(42203);
    }
    expect((await api('PUT', '/config/s', { compatibility: 'backward' })).body.error_code).toBe(42203);
  });
});

describe('delete', () => {
  it('soft deletes a subject, then permanently', async () => {
    await register('s', V1);
    await register('s', V2_WITH_DEFAULT);
    const perm = await api('DELETE', '/subjects/s?permanent=true');
    expect(perm.status).toBe(404);
    expect(perm.body.error_code).toBe(40405);

    expect((await api('DELETE', '/subjects/s')).body).toEqual([1, 2]);
    expect((await api('GET', '/subjects')).body).toEqual([]);
    expect((await api('GET', '/subjects?deleted=true')).body).toEqual(['s']);
    expect((await api('GET', '/subjects/s/versions')).body.error_code).toBe(40401);
    expect((await api('GET', '/subjects/s/versions/1?deleted=true')).body).toMatchObject({ version: 1, id: 1 });
    // ids stay readable after a soft delete (consumers of old records)
    expect((await api('GET', '/schemas/ids/1')).status).toBe(200);
    expect((await api('DELETE', '/subjects/s')).body.error_code).toBe(40404);

    expect((await api('DELETE', '/subjects/s?permanent=true')).body).toEqual([1, 2]);
    expect((await api('GET', '/subjects?deleted=true')).body).toEqual([]);
    expect((await api('GET', '/schemas/ids/1')).body.error_code).toBe(40403);
    expect((await api('DELETE', '/subjects/s')).body.error_code).toBe(40401);

    // registering again starts a new history; the schema keeps its id
    expect((await register('s', V1)).body).toEqual({ id: 1 });
    expect((await api('GET', '/subjects/s/versions')).body).toEqual([1]);
  });

  it('deletes one version, soft then permanent', async () => {
    await register('s', V1);
    await register('s', V2_WITH_DEFAULT);
    expect((await api('DELETE', '/subjects/s/versions/2?permanent=true')).body.error_code).toBe(40407);
    expect((await api('DELETE', '/subjects/s/versions/latest')).body).toBe(2);
    expect((await api('GET', '/subjects/s/versions')).body).toEqual([1]);
    expect((await api('GET', '/subjects/s/versions/latest')).body).toMatchObject({ version: 1 });
    expect((await api('DELETE', '/subjects/s/versions/2')).body.error_code).toBe(40406);
    expect((await api('DELETE', '/subjects/s/versions/2?permanent=true')).body).toBe(2);
    expect((await api('GET', '/subjects/s/versions/2?deleted=true')).body.error_code).toBe(40402);
    // versions are not reused while the subject has history
    expect(
      (await register('s', V2_NO_DEFAULT.replace('"total"', '"other"').replace('}]}', ',"default":1}]}'))).status,
    ).toBe(200);
    expect((await api('GET', '/subjects/s/versions')).body).toEqual([1, 2]);
  });
});

describe('errors', () => {
  it('answers Confluent error codes for unknown subjects, versions and ids', async () => {
    await register('s', V1);
    const cases: [string, string, number, number][] = [
      ['GET', '/subjects/nope/versions', 404, 40401],
      ['GET', '/subjects/nope/versions/1', 404, 40401],
      ['GET', '/subjects/s/versions/7', 404, 40402],
      ['GET', '/subjects/s/versions/0', 422, 42202],
      ['GET', '/subjects/s/versions/abc', 422, 42202],
      ['GET', '/subjects/s/versions/99999999999', 422, 42202],
      ['GET', '/schemas/ids/99', 404, 40403],
      ['GET', '/schemas/ids/x', 404, 40403],
      ['DELETE', '/subjects/nope', 404, 40401],
      ['GET', '/nothing/here', 404, 404],
      ['PATCH', '/subjects', 405, 405],
    ];
    for (const [method, path, status, code] of cases) {
      const res = await api(method, path);
      expect({ path, status: res.status, code: res.body?.error_code }).toEqual({ path, status, code });
      expect(typeof res.body.message).toBe('string');
      expect(res.contentType).toBe(CT);
    }
  });

  it('rejects invalid schemas, unknown schema types and missing references with 42201', async () => {
    const bodies: unknown[] = [
      { schema: 'not json' },
      { schema: '{"type":"record","name":"R"}' },
      { schema: '{"type":"nosuchtype"}' },
      { schema: '"/etc/passwd"' },
      { schema: '42' },
      { schema: { type: 'record' } },
      { schema: record([{ name: 'n', type: 'int', default: 'x' }]) },
      { schema: '{"type":"string"}', schemaType: 'PROTOBUF' },
      { schema: '{"type":12}', schemaType: 'JSON' },
      { schema: '{"type":"object"}', schemaType: 'XML' },
      { schema: V1, references: [{ name: 'x', subject: 'y', version: 1 }] },
      {},
      [],
      'string',
    ];
    for (const body of bodies) {
      const res = await api('POST', '/subjects/s/versions', body);
      expect({ body, status: res.status, code: res.body?.error_code }).toEqual({ body, status: 422, code: 42201 });
    }
    expect((await api('GET', '/subjects')).body).toEqual([]);
    // a schema with an explicit AVRO type and empty references is fine
    expect(
      (await api('POST', '/subjects/s/versions', { schema: V1, schemaType: 'AVRO', references: [] })).body,
    ).toEqual({ id: 1 });
  });

  it('answers garbage without crashing', async () => {
    const bad = await call(base, 'POST', '/subjects/s/versions', undefined, '{"schema": ');
    expect(bad.status).toBe(400);
    expect(bad.body.error_code).toBe(400);
    expect(bad.body.message).toMatch(/JSON/);
    expect((await call(base, 'POST', '/subjects/s/versions', undefined, '')).status).toBe(400);
    expect((await call(base, 'POST', '/subjects/s/versions', undefined, '\u0000\u00ff')).status).toBe(400);
    expect((await api('GET', '/subjects/%E0%A4%A')).status).toBe(404);

    // a too deeply nested schema is an invalid schema, not a stack overflow
    const depth = 50_000;
    const deep = '{"type":"array","items":'.repeat(depth) + '"int"' + '}'.repeat(depth);
    const nested = await api('POST', '/subjects/s/versions', { schema: deep });
    expect([400, 422]).toContain(nested.status);

    // bodies over 16 MiB: 413
    const huge = await call(base, 'POST', '/subjects/s/versions', undefined, 'x'.repeat(17 * 1024 * 1024));
    expect(huge.status).toBe(413);
    expect(huge.body.error_code).toBe(413);

    // still serving
    expect((await register('s', V1)).body).toEqual({ id: 1 });
  });

  it('accepts subjects with slashes and unusual names', async () => {
    for (const subject of ['a/b', '__proto__', 'constructor', 'ünïcödé']) {
      expect((await register(subject, V1)).body).toEqual({ id: 1 });
      expect((await api('GET', `/subjects/${encodeURIComponent(subject)}/versions`)).body).toEqual([1]);
    }
    expect((await api('GET', '/subjects')).body).toHaveLength(4);
  });
});
