// A client of a Confluent-compatible schema registry (REST, JSON) over node:http(s): base URL, basic auth,
// TLS (an https registry uses the connection's CA, client certificate and key: the profile's "tls" or
// EVT_TLS_CA/CERT/KEY), a timeout per request, and caches (id -> schema, subject + schema -> id).
//
// Errors are EvtErrors, of kind unreachable (the registry did not answer), not-found (subject, version or
// schema: 40401/40402/40403), expectation (an incompatible schema: 409) or failure (an invalid schema: 42201).
// A server that answers but is no schema registry (HTML, or errors without Confluent's error_code) is
// unreachable too: there is no registry at that address.

import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { createRequire } from 'node:module';
import type avro from 'avsc';
import type { RegistrySettings } from '../client/profiles.js';
import { EvtError, type FailureKind } from '../common/errors.js';
import { formatDuration } from '../common/time.js';

export type SchemaType = 'AVRO' | 'PROTOBUF' | 'JSON';

/** A schema reference as the registry API has it: the name the schema uses (an import, a `$ref`) and what it means. */
export interface SchemaReference {
  name: string;
  subject: string;
  version: number;
}

/** A schema as the registry answers it (schemaType AVRO when the answer has none, as Confluent's clients read it). */
export interface RegistrySchema {
  schema: string;
  schemaType: SchemaType;
  references: SchemaReference[];
}

/** How a schema is registered, looked up or checked: its type (default AVRO) and references. */
export interface SchemaOptions {
  schemaType?: SchemaType;
  references?: SchemaReference[];
}

export interface SubjectVersion {
  subject: string;
  version: number;
  id: number;
  schema: string;
  schemaType?: SchemaType;
  references?: SchemaReference[];
}

/** The request body for a schema: schemaType and references only when they say something (Avro stays as before). */
function schemaBody(schema: string, options: SchemaOptions = {}): Record<string, unknown> {
  const body: Record<string, unknown> = { schema };
  if (options.schemaType && options.schemaType !== 'AVRO') body.schemaType = options.schemaType;
  if (options.references && options.references.length > 0) body.references = options.references;
  return body;
}

function typed(r: { schema: string; schemaType?: string; references?: SchemaReference[] }): RegistrySchema {
  return {
    schema: r.schema,
    schemaType: (r.schemaType as SchemaType | undefined) ?? 'AVRO',
    references: Array.isArray(r.references) ? r.references : [],
  };
}

/** An error answer of the registry: the HTTP status and Confluent's error_code. */
export class RegistryError extends EvtError {
  constructor(
    message: string,
    kind: FailureKind,
    readonly status: number,
    readonly errorCode: number | undefined,
  ) {
    super(message, kind);
    this.name = 'RegistryError';
  }
}

// avsc (about 25 ms to load, with node:crypto and node:zlib) is required on the first schema parsed, not with
// this module: `evt produce` and `evt tail` load the client to see whether a registry is configured at all.
const require = createRequire(import.meta.url);
let avsc: typeof avro | undefined;
const loadAvsc = (): typeof avro => (avsc ??= require('avsc') as typeof avro);

const NOT_FOUND_CODES = new Set([40401, 40402, 40403]);

/** The schema text in canonical-ish form for cache keys: parsed and re-serialised when it is JSON. */
function normalise(schema: string): string {
  try {
    return JSON.stringify(JSON.parse(schema));
  } catch {
    return schema;
  }
}

export function parseAvroSchema(schema: string, what: string): avro.Type {
  let parsed: unknown;
  try {
    parsed = JSON.parse(schema);
  } catch {
    // a bare primitive name, e.g. string
    parsed = schema;
  }
  try {
    return loadAvsc().Type.forSchema(parsed as avro.Schema, { wrapUnions: 'auto' });
  } catch (err) {
    throw new EvtError(`${what} is not a valid Avro schema: ${(err as Error).message}`);
  }
}

export class RegistryClient {
  private readonly auth: string | undefined;
  private readonly byId = new Map<number, Promise<{ schema: string; type: avro.Type }>>();
  private readonly infoById = new Map<number, Promise<RegistrySchema>>();
  private readonly idBySubjectSchema = new Map<string, number>();

  constructor(readonly settings: RegistrySettings) {
    if (settings.username !== undefined) {
      this.auth = 'Basic ' + Buffer.from(`${settings.username}:${settings.password ?? ''}`, 'utf8').toString('base64');
    }
  }

  get url(): string {
    return this.settings.url;
  }

  private tlsOptions(): https.RequestOptions {
    const t = this.settings.tls;
    if (!t) return {};
    const read = (f?: string) => (f ? fs.readFileSync(f) : undefined);
    return { ca: read(t.ca), cert: read(t.cert), key: read(t.key), rejectUnauthorized: t.rejectUnauthorized ?? true };
  }

  /** One HTTP exchange, bounded by the timeout (a TimeoutError when it passes). */
  private send(method: string, path: string, headers: Record<string, string>, body?: string) {
    const url = new URL(this.settings.url + path);
    const lib = url.protocol === 'https:' ? https : http;
    return new Promise<{ status: number; statusText: string; ok: boolean; text: string }>((resolve, reject) => {
      const req = lib.request(url, { method, headers, ...this.tlsOptions() }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          resolve({
            status,
            statusText: res.statusMessage ?? '',
            ok: status >= 200 && status < 300,
            text: Buffer.concat(chunks).toString('utf8'),
          });
        });
        res.on('error', reject);
      });
      req.setTimeout(this.settings.timeoutMs, () =>
        req.destroy(Object.assign(new Error('timeout'), { name: 'TimeoutError' })),
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  /** One request; the parsed JSON answer, or a RegistryError (of kind unreachable when nothing answered). */
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/vnd.schemaregistry.v1+json, application/json' };
    if (body !== undefined) headers['content-type'] = 'application/vnd.schemaregistry.v1+json';
    if (this.auth) headers.authorization = this.auth;
    let res: { status: number; statusText: string; ok: boolean; text: string };
    try {
      res = await this.send(method, path, headers, body === undefined ? undefined : JSON.stringify(body));
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const why =
        e.name === 'TimeoutError'
          ? `no answer within ${formatDuration(this.settings.timeoutMs)}`
          : (e.code ?? e.message);
      throw new EvtError(
        `schema registry ${this.settings.url} (from ${this.settings.source}) is unreachable: ${why}`,
        'unreachable',
      );
    }
    const text = res.text;
    let json: unknown = undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: reported below when the status is an error
    }
    const b = (json ?? {}) as { error_code?: unknown; message?: string };
    const code = typeof b.error_code === 'number' ? b.error_code : undefined;
    const credentials = res.status === 401 || res.status === 403;
    // a registry answers JSON, its errors with an error_code: anything else is some other server
    if ((!res.ok && code === undefined && !credentials) || (res.ok && text !== '' && json === undefined)) {
      const body = text.replace(/\s+/g, ' ').trim();
      const what = body ? `: ${body.length > 80 ? body.slice(0, 80) + '...' : body}` : '';
      throw new RegistryError(
        `${this.settings.url} is not a schema registry (${method} ${path} answered ${res.status} ${res.statusText}${what})`,
        'unreachable',
        res.status,
        undefined,
      );
    }
    if (!res.ok) {
      const message = b.message ?? (text.trim().slice(0, 200) || res.statusText);
      let kind: FailureKind = 'failure';
      if (res.status === 404 || (code !== undefined && NOT_FOUND_CODES.has(code))) kind = 'not-found';
      else if (res.status === 409 || code === 409) kind = 'expectation';
      const auth = credentials ? ' (check the registry credentials: registryAuth / EVT_REGISTRY_AUTH)' : '';
      throw new RegistryError(`schema registry: ${message}${auth}`, kind, res.status, code);
    }
    return json as T;
  }

  private static enc(s: string): string {
    return encodeURIComponent(s);
  }

  /** The schema with this id, with its type and references (cached; a failed lookup is not cached). */
  getSchemaById(id: number): Promise<RegistrySchema> {
    let p = this.infoById.get(id);
    if (!p) {
      p = this.request<{ schema: string; schemaType?: string; references?: SchemaReference[] }>(
        'GET',
        `/schemas/ids/${id}`,
      ).then(typed);
      p.catch(() => this.infoById.delete(id));
      this.infoById.set(id, p);
    }
    return p;
  }

  /** The Avro schema with this id, parsed (cached; a failed lookup is not cached). */
  schemaById(id: number): Promise<{ schema: string; type: avro.Type }> {
    let p = this.byId.get(id);
    if (!p) {
      p = this.getSchemaById(id).then((r) => {
        if (r.schemaType !== 'AVRO') throw new EvtError(`schema ${id} is ${r.schemaType}, not Avro`);
        return { schema: r.schema, type: parseAvroSchema(r.schema, `schema ${id}`) };
      });
      p.catch(() => this.byId.delete(id));
      this.byId.set(id, p);
    }
    return p;
  }

  /**
   * The schemas a list of references needs, their own references first (each once), by the name the
   * referring schema uses: what parsing a Protobuf or JSON schema with imports or $refs takes.
   */
  async referencedSchemas(
    references: SchemaReference[],
    seen = new Set<string>(),
  ): Promise<{ name: string; schema: string }[]> {
    const out: { name: string; schema: string }[] = [];
    for (const ref of references) {
      const key = `${ref.subject}\u0000${ref.version}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const v = await this.version(ref.subject, ref.version);
      out.push(...(await this.referencedSchemas(v.references ?? [], seen)), { name: ref.name, schema: v.schema });
    }
    return out;
  }

  /** Registers a schema under a subject (the same id again for an identical schema). */
  async register(subject: string, schema: string, options: SchemaOptions = {}): Promise<number> {
    const key = `${subject}\u0000${options.schemaType ?? 'AVRO'}\u0000${JSON.stringify(options.references ?? [])}\u0000${normalise(schema)}`;
    const known = this.idBySubjectSchema.get(key);
    if (known !== undefined) return known;
    const r = await this.request<{ id: number }>(
      'POST',
      `/subjects/${RegistryClient.enc(subject)}/versions`,
      schemaBody(schema, options),
    );
    this.idBySubjectSchema.set(key, r.id);
    return r.id;
  }

  /** The version of a subject holding this schema, or null when it is not registered there. */
  async lookup(subject: string, schema: string, options: SchemaOptions = {}): Promise<SubjectVersion | null> {
    try {
      return await this.request<SubjectVersion>(
        'POST',
        `/subjects/${RegistryClient.enc(subject)}`,
        schemaBody(schema, options),
      );
    } catch (err) {
      if (err instanceof RegistryError && err.kind === 'not-found') return null;
      throw err;
    }
  }

  /** The schema types the registry serves (a registry older than Confluent 5.5 serves AVRO only and has no such route). */
  types(): Promise<string[]> {
    return this.request<string[]>('GET', '/schemas/types');
  }

  /** The ids of the schemas that reference this subject-version. */
  referencedBy(subject: string, version: number | 'latest'): Promise<number[]> {
    return this.request<number[]>('GET', `/subjects/${RegistryClient.enc(subject)}/versions/${version}/referencedby`);
  }

  subjects(): Promise<string[]> {
    return this.request<string[]>('GET', '/subjects');
  }

  versions(subject: string): Promise<number[]> {
    return this.request<number[]>('GET', `/subjects/${RegistryClient.enc(subject)}/versions`);
  }

  version(subject: string, version: number | 'latest'): Promise<SubjectVersion> {
    return this.request<SubjectVersion>('GET', `/subjects/${RegistryClient.enc(subject)}/versions/${version}`);
  }

  async compatible(
    subject: string,
    schema: string,
    version: number | 'latest' = 'latest',
    options: SchemaOptions = {},
  ): Promise<{ compatible: boolean; messages: string[] }> {
    const r = await this.request<{ is_compatible: boolean; messages?: string[] }>(
      'POST',
      `/compatibility/subjects/${RegistryClient.enc(subject)}/versions/${version}?verbose=true`,
      schemaBody(schema, options),
    );
    return { compatible: r.is_compatible, messages: Array.isArray(r.messages) ? r.messages.map(String) : [] };
  }

  async getConfig(subject?: string): Promise<string> {
    const path = subject === undefined ? '/config' : `/config/${RegistryClient.enc(subject)}`;
    const r = await this.request<{ compatibilityLevel?: string; compatibility?: string }>('GET', path);
    return r.compatibilityLevel ?? r.compatibility ?? 'unknown';
  }

  async setConfig(level: string, subject?: string): Promise<string> {
    const path = subject === undefined ? '/config' : `/config/${RegistryClient.enc(subject)}`;
    const r = await this.request<{ compatibility?: string; compatibilityLevel?: string }>('PUT', path, {
      compatibility: level,
    });
    return r.compatibility ?? r.compatibilityLevel ?? level;
  }

  deleteSubject(subject: string, permanent: boolean): Promise<number[]> {
    return this.request<number[]>(
      'DELETE',
      `/subjects/${RegistryClient.enc(subject)}${permanent ? '?permanent=true' : ''}`,
    );
  }
}

/** The registry configured by --registry / EVT_REGISTRY / the profile, or null. */
export async function registryFromOptions(
  env: NodeJS.ProcessEnv,
  globals: import('../client/profiles.js').ConnectionFlags,
  cwd: string,
): Promise<RegistryClient | null> {
  const { resolveRegistry } = await import('../client/profiles.js');
  const settings = resolveRegistry(globals, env, cwd);
  return settings ? new RegistryClient(settings) : null;
}
