// What the codecs need of the registry beyond Avro: a schema by id with its type and references, the texts of
// those references (transitively, by import name), and registering a .proto with the files it imports.
//
// These are plain REST calls through RegistryClient.request (Confluent's API: `schemaType` is absent for
// Avro, `references` for a schema without), so the codecs do not depend on how the client types them.

import { EvtError } from '../common/errors.js';
import { RegistryError, type RegistryClient } from './registry-client.js';

export type SchemaType = 'AVRO' | 'PROTOBUF' | 'JSON';

export interface SchemaReference {
  name: string;
  subject: string;
  version: number;
}

export interface RegisteredSchema {
  schema: string;
  schemaType: SchemaType;
  references: SchemaReference[];
}

interface SchemaAnswer {
  schema: string;
  schemaType?: string;
  references?: SchemaReference[];
}

function registered(r: SchemaAnswer): RegisteredSchema {
  return {
    schema: r.schema,
    schemaType: (r.schemaType ?? 'AVRO') as SchemaType,
    references: Array.isArray(r.references) ? r.references : [],
  };
}

/** The schema with this id, with its type and references. */
export async function schemaOfId(client: RegistryClient, id: number): Promise<RegisteredSchema> {
  return registered(await client.request<SchemaAnswer>('GET', `/schemas/ids/${id}`));
}

/** The latest version of a subject: its id and schema. */
export async function latestOf(client: RegistryClient, subject: string): Promise<RegisteredSchema & { id: number }> {
  const r = await client.request<SchemaAnswer & { id: number }>(
    'GET',
    `/subjects/${encodeURIComponent(subject)}/versions/latest`,
  );
  return { ...registered(r), id: r.id };
}

/** The texts of `references` and of theirs, by name (a reference's name is its import name or $ref). */
export async function referencedTexts(
  client: RegistryClient,
  references: readonly SchemaReference[],
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const visit = async (refs: readonly SchemaReference[]): Promise<void> => {
    for (const ref of refs) {
      if (out.has(ref.name)) continue;
      const r = registered(
        await client.request<SchemaAnswer>(
          'GET',
          `/subjects/${encodeURIComponent(ref.subject)}/versions/${ref.version}`,
        ),
      );
      out.set(ref.name, r.schema);
      await visit(r.references);
    }
  };
  await visit(references);
  return out;
}

/** Registers a schema under a subject (the same id again for an identical one); its id and version. */
async function registerOne(
  client: RegistryClient,
  subject: string,
  body: { schema: string; schemaType: SchemaType; references: SchemaReference[] },
): Promise<{ id: number; version: number }> {
  const path = `/subjects/${encodeURIComponent(subject)}`;
  const { id } = await client.request<{ id: number }>('POST', `${path}/versions`, body);
  const found = await client.request<{ version: number }>('POST', path, body);
  return { id, version: found.version };
}

/**
 * Registers a schema and, first, the files it imports (`imports`: import name -> text, each after its own
 * imports), each under a subject named by its import name, as Confluent's serializers do; well-known
 * google/protobuf files are the registry's own and are not registered. The main schema's id.
 */
export async function registerWithImports(
  client: RegistryClient,
  subject: string,
  main: string,
  imports: ReadonlyMap<string, string>,
  schemaType: SchemaType,
): Promise<number> {
  // (protobufjs only for a Protobuf schema: this module is loaded with every registry-aware command)
  const importsOf = schemaType === 'PROTOBUF' ? (await import('./protobuf-schema.js')).importsOf : () => [];
  const versions = new Map<string, number>();
  const refsOf = (text: string, what: string): SchemaReference[] =>
    schemaType !== 'PROTOBUF'
      ? []
      : importsOf(text, what)
          .filter((name) => versions.has(name))
          .map((name) => ({ name, subject: name, version: versions.get(name)! }));
  for (const [name, text] of imports) {
    try {
      const r = await registerOne(client, name, { schema: text, schemaType, references: refsOf(text, name) });
      versions.set(name, r.version);
    } catch (err) {
      if (err instanceof RegistryError)
        throw new EvtError(`registering the import ${name} under subject ${name}: ${err.message}`, err.kind);
      throw err;
    }
  }
  const { id } = await client.request<{ id: number }>('POST', `/subjects/${encodeURIComponent(subject)}/versions`, {
    schema: main,
    schemaType,
    references: refsOf(main, subject),
  });
  return id;
}
