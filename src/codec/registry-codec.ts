// Values in Confluent's wire format through a schema registry.
//
// Writing (`evt produce --value-format avro|protobuf|json-schema` with a registry): the schema is found once
// before anything is read — by id (--schema-id), by registering a file under the subject (--schema; a .proto
// with the files it imports, as references), or the subject's latest version — and every value is plain JSON
// encoded with it (avro.ts, protobuf-codec.ts, json-schema-codec.ts), framed as magic byte 0 + 4-byte id +
// the body (wire-format.ts).
//
// Reading (`evt tail` with a registry): payloads that start with the magic byte are decoded with the schema
// of their id, whatever its type (Avro, Protobuf with its references, JSON). Lookups are asynchronous,
// decoding is not, so the tail calls `prepare(records)` for each chunk before formatting it: the ids the chunk
// needs are fetched (and cached) then. An id the registry does not know, or a payload that does not decode
// with its schema, is a decode error of that record only.

import type avro from 'avsc';
import { EvtError } from '../common/errors.js';
import { CodecError } from './value-codec.js';
import { avroCodec } from './avro.js';
import { avroJsonWriter, type AvroJsonWriter } from './avro-json.js';
import { RegistryError, parseAvroSchema, type RegistryClient, type RegistrySchema } from './registry-client.js';
import { latestOf, referencedTexts, registerWithImports } from './registry-schemas.js';
import { type DecodedValue, type RegistryAware, type ValueCodec } from './value-codec.js';
import { bodyOf, frame, schemaIdOf } from './wire-format.js';

export interface SchemaChoice {
  subject: string;
  /** use this registered schema */
  schemaId?: number;
  /** register this schema file under the subject first */
  schemaFile?: string;
  /** "--value-format" or "--key-format", for messages */
  flag: string;
  /** the format asked for (Avro when not said) */
  format?: 'avro' | 'protobuf' | 'json-schema';
  /** --message: the Protobuf message (default: the file's first) */
  message?: string;
}

const TYPE_OF_FORMAT = { avro: 'AVRO', protobuf: 'PROTOBUF', 'json-schema': 'JSON' } as const;
const FORMAT_OF_TYPE = { AVRO: 'avro', PROTOBUF: 'protobuf', JSON: 'json-schema' } as const;

/** A registry answer while finding the schema to write with, as what the user sees. */
function registryFailure(err: unknown, choice: SchemaChoice, client: RegistryClient): unknown {
  if (!(err instanceof RegistryError)) return err;
  if (err.status === 409)
    return new EvtError(
      `${choice.schemaFile} is not compatible with subject ${choice.subject} (check with: evt schema check ${choice.subject} ${choice.schemaFile}); nothing was sent`,
    );
  if (err.kind === 'not-found' && choice.schemaId !== undefined)
    return new EvtError(`schema id ${choice.schemaId} is not in the registry ${client.url}`, 'not-found');
  if (err.kind === 'not-found' && choice.schemaFile === undefined) {
    const ext = { avro: 'avsc', protobuf: 'proto', 'json-schema': 'json' }[choice.format ?? 'avro'];
    return new EvtError(
      `subject ${choice.subject} is not in the registry ${client.url}: give --schema <file.${ext}> to register one, --schema-id N, or --subject`,
      'not-found',
    );
  }
  if (choice.schemaFile !== undefined)
    return new EvtError(
      `registering ${choice.schemaFile} under ${choice.subject}: ${err.message}; nothing was sent`,
      err.kind,
    );
  return err;
}

/** A codec that encodes plain JSON into the wire format with the schema chosen by `choice`. */
export async function registryEncoder(
  client: RegistryClient,
  choice: SchemaChoice,
): Promise<ValueCodec & { schemaId: number }> {
  if ((choice.format ?? 'avro') !== 'avro') return schemaEncoder(client, choice);
  let id: number;
  let type: avro.Type;
  try {
    if (choice.schemaId !== undefined) {
      id = choice.schemaId;
      type = (await client.schemaById(id)).type;
    } else if (choice.schemaFile !== undefined) {
      const { readSchemaFile } = await import('./avro.js');
      const text = readSchemaFile(choice.schemaFile);
      type = parseAvroSchema(text, choice.schemaFile);
      id = await client.register(choice.subject, text);
    } else {
      const latest = await client.version(choice.subject, 'latest');
      id = latest.id;
      type = (await client.schemaById(id)).type;
    }
  } catch (err) {
    throw registryFailure(err, choice, client);
  }
  const inner = avroCodec(type, frame(id, Buffer.alloc(0)));
  return {
    format: 'avro',
    schemaId: id,
    encode: (value) => inner.encode(value),
    decode: (payload) => inner.decode(payload === null ? null : bodyOf(payload)),
  };
}

/** registryEncoder for Protobuf and JSON Schema: the schema's type is the registry's when it is chosen by id. */
async function schemaEncoder(client: RegistryClient, choice: SchemaChoice): Promise<ValueCodec & { schemaId: number }> {
  const format = choice.format ?? 'avro';
  const schemaType = TYPE_OF_FORMAT[format];
  let id: number;
  let found: RegistrySchema;
  // the texts of the schema's imports when read from files (null: fetched through its references)
  let imports: ReadonlyMap<string, string> | null = null;
  try {
    if (choice.schemaId !== undefined) {
      id = choice.schemaId;
      found = await client.getSchemaById(id);
    } else if (choice.schemaFile !== undefined) {
      const { readProtoFiles, readText } = await import('./schema-files.js');
      const files =
        format === 'protobuf'
          ? readProtoFiles(choice.schemaFile)
          : { main: readText(choice.schemaFile, 'JSON Schema'), imports: new Map<string, string>() };
      // checked here, before anything is registered: a schema that does not parse names its file
      await schemaCodec(
        client,
        { schema: files.main, schemaType, references: [] },
        files.imports,
        choice,
        Buffer.alloc(0),
      );
      id = await registerWithImports(client, choice.subject, files.main, files.imports, schemaType);
      // what was just registered is at hand: no need to ask the registry for it and its references again
      found = { schema: files.main, schemaType, references: [] };
      imports = files.imports;
    } else {
      const latest = await latestOf(client, choice.subject);
      id = latest.id;
      found = latest;
    }
  } catch (err) {
    throw registryFailure(err, choice, client);
  }
  if (found.schemaType !== schemaType)
    throw new CodecError(
      `${choice.schemaId !== undefined ? `schema id ${id}` : `subject ${choice.subject}`} is ${found.schemaType}, not ${schemaType}: use ${choice.flag} ${FORMAT_OF_TYPE[found.schemaType]}`,
    );
  const inner = await schemaCodec(client, found, imports, choice, frame(id, Buffer.alloc(0)));
  return {
    format,
    schemaId: id,
    encode: (value) => inner.encode(value),
    decode: (payload) => inner.decode(payload === null ? null : bodyOf(payload)),
  };
}

/** The codec of a registered (or about to be) Protobuf or JSON schema; `imports` when known, else fetched. */
async function schemaCodec(
  client: RegistryClient,
  found: RegistrySchema,
  imports: ReadonlyMap<string, string> | null,
  choice: SchemaChoice,
  header: Buffer,
): Promise<ValueCodec> {
  const refs = imports ?? (await referencedTexts(client, found.references));
  const what = choice.schemaFile ?? `the schema of ${choice.subject}`;
  if (found.schemaType === 'PROTOBUF') {
    const { buildProtobufSchema } = await import('./protobuf-schema.js');
    const { messageOf, protobufCodec } = await import('./protobuf-codec.js');
    const schema = buildProtobufSchema(found.schema, refs, what);
    const { type, path } = messageOf(schema, choice.message, what);
    return protobufCodec(schema, type, path, header);
  }
  const { compileJsonSchema, jsonSchemaCodec } = await import('./json-schema-codec.js');
  return jsonSchemaCodec(compileJsonSchema(found.schema, refs, what), header);
}

type Entry =
  | { type: avro.Type; codec: ValueCodec; json: AvroJsonWriter | null }
  /** Protobuf and JSON Schema: `name` is what schemaName() says (a single message's or the schema's title) */
  | { decodeBody: (body: Buffer) => DecodedValue; name: string | null }
  | { error: string };

/**
 * Decodes wire-format payloads with their schema from the registry; anything else goes to `fallback` (the
 * codec asked for with --value-format), or is an error when `strict` (--value-format avro without a file).
 */
export class RegistryDecoder implements RegistryAware {
  private readonly entries = new Map<number, Entry>();
  private readonly labels = new Map<string, string>();
  private readonly subjectIds = new Map<string, Promise<Map<number, number>>>();

  constructor(
    private readonly client: RegistryClient,
    private readonly fallback: ValueCodec,
    private readonly strict: boolean,
    /** told once per schema id the registry could not give (tail says so on stderr) */
    private readonly onLookupError?: (id: number, topic: string, error: string) => void,
  ) {}

  /** Fetches the schemas (and subject labels) these records need; never throws. */
  async prepare(records: readonly { topic: string; key: Buffer | null; value: Buffer | null }[]): Promise<void> {
    const wanted = new Map<number, { topic: string; isKey: boolean }>();
    for (const r of records) {
      const v = schemaIdOf(r.value);
      if (v !== null && !this.labels.has(`${v}\u0000${r.topic}\u0000v`))
        wanted.set(v, { topic: r.topic, isKey: false });
      const k = schemaIdOf(r.key);
      if (k !== null && !this.labels.has(`${k}\u0000${r.topic}\u0000k`) && !wanted.has(k))
        wanted.set(k, { topic: r.topic, isKey: true });
    }
    await Promise.all([...wanted].map(([id, at]) => this.load(id, at.topic, at.isKey)));
  }

  private async load(id: number, topic: string, isKey: boolean): Promise<void> {
    if (!this.entries.has(id)) {
      try {
        const found = await this.client.getSchemaById(id);
        if (found.schemaType === 'AVRO') {
          const { type } = await this.client.schemaById(id);
          this.entries.set(id, { type, codec: avroCodec(type), json: avroJsonWriter(type) });
        } else this.entries.set(id, await bodyDecoder(this.client, found));
      } catch (err) {
        const notFound = err instanceof RegistryError && err.kind === 'not-found';
        this.entries.set(id, {
          error: notFound ? `schema id ${id} is not in the registry` : `schema id ${id}: ${(err as Error).message}`,
        });
        this.onLookupError?.(
          id,
          topic,
          notFound ? 'the registry does not know it' : (err as Error).message.split('\n')[0],
        );
      }
    }
    const labelKey = `${id}\u0000${topic}\u0000${isKey ? 'k' : 'v'}`;
    if (!this.labels.has(labelKey)) this.labels.set(labelKey, await this.findLabel(id, topic, isKey).catch(() => ''));
  }

  /** "orders-value v2" for the id: the registry's own answer, else a search of the topic's subject. */
  private async findLabel(id: number, topic: string, isKey: boolean): Promise<string> {
    try {
      const list = await this.client.request<{ subject: string; version: number }[]>(
        'GET',
        `/schemas/ids/${id}/versions`,
      );
      const subject = `${topic}-${isKey ? 'key' : 'value'}`;
      const best = list.find((x) => x.subject === subject) ?? list[0];
      if (best) return `${best.subject} v${best.version}`;
    } catch {
      // not every registry has this endpoint
    }
    const subject = `${topic}-${isKey ? 'key' : 'value'}`;
    let p = this.subjectIds.get(subject);
    if (!p) {
      p = (async () => {
        const out = new Map<number, number>();
        const versions = await this.client.versions(subject);
        for (const v of versions.slice(-20)) {
          const sv = await this.client.version(subject, v);
          out.set(sv.id, sv.version);
        }
        return out;
      })().catch(() => new Map<number, number>());
      this.subjectIds.set(subject, p);
    }
    const version = (await p).get(id);
    return version !== undefined ? `${subject} v${version}` : '';
  }

  /** The decoded payload, with its schema id when it was in the wire format. */
  decode(payload: Buffer | null, isKey = false): DecodedValue {
    const id = schemaIdOf(payload);
    if (id === null || payload === null) {
      if (isKey || !this.strict || payload === null) return isKey ? { value: null } : this.fallback.decode(payload);
      return {
        value: payload.toString('base64'),
        encoding: 'base64',
        error: 'not in the schema registry wire format (no magic byte 0 and schema id)',
      };
    }
    const entry = this.entries.get(id);
    if (!entry)
      return {
        value: payload.toString('base64'),
        encoding: 'base64',
        error: `schema id ${id} was not looked up`,
        schemaId: id,
      };
    if ('error' in entry)
      return { value: payload.toString('base64'), encoding: 'base64', error: entry.error, schemaId: id };
    // the codec's answer is a fresh object: completed in place, as this runs once per record read
    const decoded = 'codec' in entry ? entry.codec.decode(bodyOf(payload)) : entry.decodeBody(bodyOf(payload));
    if (decoded.error) decoded.error = `schema id ${id}: ${decoded.error}`;
    decoded.schemaId = id;
    return decoded;
  }

  jsonOf(id: number, payload: Buffer): Buffer | null {
    const entry = this.entries.get(id);
    return entry && 'json' in entry && entry.json ? entry.json(bodyOf(payload)) : null;
  }

  /** "orders-value v2", or "" when not known. */
  label(id: number, topic: string, isKey: boolean): string {
    return this.labels.get(`${id}\u0000${topic}\u0000${isKey ? 'k' : 'v'}`) ?? '';
  }

  schemaName(id: number): string | null {
    const entry = this.entries.get(id);
    if (!entry || 'error' in entry) return null;
    return 'type' in entry ? (entry.type.name ?? null) : entry.name;
  }

  /** A value codec whose decode goes through this decoder (and carries it for the tail's formatter). */
  codec(): ValueCodec {
    return {
      format: this.fallback.format,
      encode: (value) => this.fallback.encode(value),
      decode: (payload) => this.decode(payload),
      registry: this,
    };
  }
}

/**
 * How the bodies of a Protobuf or JSON Schema id are read: Protobuf with the schema and its references (the
 * message named by each payload's index array), JSON parsed as it is (no validation on read).
 */
async function bodyDecoder(
  client: RegistryClient,
  found: RegistrySchema,
): Promise<{ decodeBody: (body: Buffer) => DecodedValue; name: string | null }> {
  if (found.schemaType === 'JSON') {
    const { decodeJsonBody } = await import('./json-schema-codec.js');
    let title: unknown;
    try {
      title = (JSON.parse(found.schema) as { title?: unknown }).title;
    } catch {
      // the registry holds what it validated; a name is only a nicety
    }
    return { decodeBody: decodeJsonBody, name: typeof title === 'string' ? title : null };
  }
  if (found.schemaType !== 'PROTOBUF') throw new EvtError(`its type ${String(found.schemaType)} is not one evt reads`);
  const { buildProtobufSchema } = await import('./protobuf-schema.js');
  const { protobufBodyDecoder } = await import('./protobuf-codec.js');
  const schema = buildProtobufSchema(found.schema, await referencedTexts(client, found.references));
  // a file of one message names its records; with several, each record may be another
  return { decodeBody: protobufBodyDecoder(schema), name: schema.topLevel.length === 1 ? schema.topLevel[0] : null };
}

/**
 * The decoder of commands that read whatever the topics hold (replay, trace): Avro, Protobuf and JSON
 * Schema through the registry when one is configured (flags, environment or profile), JSON or text otherwise.
 */
export async function autoDecoder(
  env: NodeJS.ProcessEnv,
  globals: import('../client/profiles.js').ConnectionFlags,
  cwd: string,
): Promise<ValueCodec> {
  const { registryFromOptions } = await import('./registry-client.js');
  return decoderFor(await registryFromOptions(env, globals, cwd));
}

/** Registry-framed values through `registry` when there is one (values not in its wire format are read as JSON or text), else JSON or text. */
export async function decoderFor(registry: RegistryClient | null): Promise<ValueCodec> {
  const { createValueCodec } = await import('./create-codec.js');
  const auto = await createValueCodec('auto');
  return registry ? new RegistryDecoder(registry, auto, false).codec() : auto;
}
