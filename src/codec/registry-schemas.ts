// What the Protobuf and JSON Schema codecs need of the registry beyond the client's calls: the texts of a
// schema's references as a map by name, and registering a .proto with the files it imports.

import { EvtError } from '../common/errors.js';
import {
  RegistryError,
  type RegistryClient,
  type RegistrySchema,
  type SchemaReference,
  type SchemaType,
} from './registry-client.js';

/** The texts of `references` and of theirs, by name (a reference's name is its import name or $ref). */
export async function referencedTexts(
  client: RegistryClient,
  references: SchemaReference[],
): Promise<Map<string, string>> {
  return new Map((await client.referencedSchemas(references)).map((r) => [r.name, r.schema]));
}

/** The latest version of a subject: its id, schema, type and references. */
export async function latestOf(client: RegistryClient, subject: string): Promise<RegistrySchema & { id: number }> {
  const v = await client.version(subject, 'latest');
  return { id: v.id, schema: v.schema, schemaType: v.schemaType ?? 'AVRO', references: v.references ?? [] };
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
    importsOf(text, what)
      .filter((name) => versions.has(name))
      .map((name) => ({ name, subject: name, version: versions.get(name)! }));
  for (const [name, text] of imports) {
    const options = { schemaType, references: refsOf(text, name) };
    try {
      await client.register(name, text, options);
      const found = await client.lookup(name, text, options);
      if (!found) throw new EvtError(`the registry does not find the import ${name} it just registered`);
      versions.set(name, found.version);
    } catch (err) {
      if (err instanceof RegistryError)
        throw new EvtError(`registering the import ${name} under subject ${name}: ${err.message}`, err.kind);
      throw err;
    }
  }
  return client.register(subject, main, { schemaType, references: refsOf(main, subject) });
}
