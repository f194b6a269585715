// The registry's REST routes, Confluent Schema Registry's core API: a request (method, path segments,
// query, parsed JSON body) in, a status and a JSON value (or a raw schema) out.

import { RegistryError, invalidVersion } from './errors.js';
import type { RegistryStore, SchemaInput, VersionRef } from './store.js';
import { isSchemaType, SCHEMA_TYPES, type SchemaReference } from './types/index.js';

export interface RegistryRequest {
  method: string;
  /** decoded path segments: `/subjects/a%2Fb/versions` → ['subjects', 'a/b', 'versions'] */
  segments: string[];
  query: URLSearchParams;
  /** the parsed JSON body (undefined when there is none) */
  body: unknown;
}

export interface RegistryResponse {
  status: number;
  /** a JSON value, or a string sent as it is (the raw schema) */
  body: unknown;
  raw?: boolean;
}

const ok = (body: unknown): RegistryResponse => ({ status: 200, body });

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const notFound = () => new HttpError(404, 'HTTP 404 Not Found');
const methodNotAllowed = () => new HttpError(405, 'HTTP 405 Method Not Allowed');

export function parseVersion(text: string): VersionRef {
  if (text === 'latest' || text === '-1') return 'latest';
  if (!/^[0-9]{1,10}$/.test(text)) throw invalidVersion(text);
  const n = Number(text);
  if (n < 1 || n > 2 ** 31 - 1) throw invalidVersion(text);
  return n;
}

function flag(query: URLSearchParams, name: string): boolean {
  return query.get(name)?.toLowerCase() === 'true';
}

function bodyObject(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new RegistryError(42201, 'Invalid schema: the request body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

function referencesField(value: unknown): SchemaReference[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new RegistryError(42201, 'Invalid schema: "references" must be an array');
  return value.map((r: unknown) => {
    const o = (r ?? {}) as Record<string, unknown>;
    const version = o.version === 'latest' ? -1 : o.version;
    if (
      typeof o.name !== 'string' ||
      typeof o.subject !== 'string' ||
      typeof version !== 'number' ||
      !Number.isInteger(version) ||
      (version < 1 && version !== -1)
    ) {
      throw new RegistryError(42201, `Invalid schema: Invalid reference: ${JSON.stringify(r)}`);
    }
    return { name: o.name, subject: o.subject, version };
  });
}

/** The schema of a register/lookup/compatibility body: its text, type (AVRO when absent) and references. */
function schemaField(body: unknown): SchemaInput {
  const o = bodyObject(body);
  const schemaType = o.schemaType ?? 'AVRO';
  if (!isSchemaType(schemaType)) {
    throw new RegistryError(
      42201,
      `Invalid schema: schemaType ${JSON.stringify(schemaType)} is not one of ${SCHEMA_TYPES.join(', ')}`,
    );
  }
  if (o.schema === undefined) throw new RegistryError(42201, 'Invalid schema: the request body has no "schema" field');
  if (typeof o.schema !== 'string')
    throw new RegistryError(42201, 'Invalid schema: the "schema" field must be a string holding the schema');
  return { schema: o.schema, schemaType, references: referencesField(o.references) };
}

function levelField(body: unknown): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined; // answered 42203
  const o = body as Record<string, unknown>;
  return o.compatibility ?? o.compatibilityLevel;
}

function schemaId(text: string): number {
  if (!/^[0-9]{1,10}$/.test(text)) throw new RegistryError(40403, 'Schema not found.');
  return Number(text);
}

export function route(store: RegistryStore, req: RegistryRequest): RegistryResponse {
  const { method, segments: s, query } = req;
  const [head] = s;
  const is = (m: string): true => {
    if (method !== m) throw methodNotAllowed();
    return true;
  };

  if (s.length === 0) {
    is('GET');
    return ok({});
  }

  if (head === 'subjects') {
    if (s.length === 1) return is('GET') && ok(store.listSubjects(flag(query, 'deleted')));
    const subject = s[1];
    if (s.length === 2) {
      if (method === 'POST') {
        const found = store.lookup(subject, schemaField(req.body));
        return ok(found);
      }
      if (method === 'DELETE') return ok(store.deleteSubject(subject, flag(query, 'permanent')));
      throw methodNotAllowed();
    }
    if (s[2] !== 'versions') throw notFound();
    if (s.length === 3) {
      if (method === 'GET') return ok(store.listVersions(subject, flag(query, 'deleted')));
      if (method === 'POST') return ok(store.register(subject, schemaField(req.body)));
      throw methodNotAllowed();
    }
    const version = parseVersion(s[3]);
    if (s.length === 4) {
      if (method === 'GET') return ok(store.getVersion(subject, version, flag(query, 'deleted')));
      if (method === 'DELETE') return ok(store.deleteVersion(subject, version, flag(query, 'permanent')));
      throw methodNotAllowed();
    }
    if (s.length === 5 && s[4] === 'schema') {
      is('GET');
      return { status: 200, body: store.getVersion(subject, version, flag(query, 'deleted')).schema, raw: true };
    }
    if (s.length === 5 && s[4] === 'referencedby') return is('GET') && ok(store.referencedBy(subject, version));
    throw notFound();
  }

  if (head === 'schemas') {
    if (s.length === 2 && s[1] === 'types') return is('GET') && ok([...SCHEMA_TYPES]);
    if (s[1] !== 'ids' || s.length < 3) throw notFound();
    const id = schemaId(s[2]);
    if (s.length === 3) return is('GET') && ok(store.getSchemaById(id));
    if (s.length === 4 && s[3] === 'schema') {
      is('GET');
      return { status: 200, body: store.getSchemaById(id).schema, raw: true };
    }
    if (s.length === 4 && s[3] === 'versions') return is('GET') && ok(store.versionsOfId(id));
    if (s.length === 4 && s[3] === 'subjects')
      return is('GET') && ok([...new Set(store.versionsOfId(id).map((v) => v.subject))]);
    throw notFound();
  }

  if (head === 'compatibility') {
    if (s[1] !== 'subjects' || s[3] !== 'versions' || s.length < 4 || s.length > 5) throw notFound();
    is('POST');
    const version = s.length === 5 ? parseVersion(s[4]) : 'latest';
    const messages = store.testCompatibility(s[2], version, schemaField(req.body));
    const result: { is_compatible: boolean; messages?: string[] } = { is_compatible: messages.length === 0 };
    if (flag(query, 'verbose')) result.messages = messages;
    return ok(result);
  }

  if (head === 'config') {
    if (s.length === 1) {
      if (method === 'GET') return ok({ compatibilityLevel: store.getGlobalCompatibility() });
      if (method === 'PUT') return ok({ compatibility: store.setGlobalCompatibility(levelField(req.body)) });
      if (method === 'DELETE') return ok({ compatibilityLevel: store.resetGlobalCompatibility() });
      throw methodNotAllowed();
    }
    if (s.length !== 2) throw notFound();
    const subject = s[1];
    if (method === 'GET')
      return ok({ compatibilityLevel: store.getSubjectCompatibility(subject, flag(query, 'defaultToGlobal')) });
    if (method === 'PUT') return ok({ compatibility: store.setSubjectCompatibility(subject, levelField(req.body)) });
    if (method === 'DELETE') return ok({ compatibilityLevel: store.deleteSubjectCompatibility(subject) });
    throw methodNotAllowed();
  }

  if (head === 'mode' && s.length <= 2) {
    is('GET');
    return ok({ mode: 'READWRITE' });
  }

  throw notFound();
}
