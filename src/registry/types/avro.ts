// Avro schemas of the registry: parsing (avsc), the canonical form that identifies a schema, and the backward
// check with avsc's resolver (`reader.createResolver(writer)` succeeds when data written with `writer` can be
// read with `reader`). References are named types of other subjects, defined before the schema.

import avro from 'avsc';
import { invalidSchema } from '../errors.js';
import type { ParsedSchema, ResolvedReference, SchemaProvider } from './provider.js';

export interface ParsedAvro extends ParsedSchema {
  type: avro.Type;
}

function json(text: string): avro.Schema {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw invalidSchema(`not JSON: ${(err as Error).message}`);
  }
  if (value === null || (typeof value !== 'string' && typeof value !== 'object')) {
    throw invalidSchema('a schema is a JSON string, object or array');
  }
  return value as avro.Schema;
}

function forSchema(schema: avro.Schema, registry: Record<string, avro.Type>): avro.Type {
  try {
    return avro.Type.forSchema(schema, { registry });
  } catch (err) {
    throw invalidSchema(err instanceof RangeError ? 'schema too deeply nested' : (err as Error).message);
  }
}

/** Parses a schema given as a JSON string (as in the API's `schema` field); throws 42201 when it is not valid Avro. */
export function parseAvroSchema(text: string, references: ResolvedReference[] = []): avro.Type {
  // a fresh registry each time: named types of one schema never leak into another
  const registry: Record<string, avro.Type> = {};
  for (const ref of references) forSchema(json(ref.schema), registry);
  return forSchema(json(text), registry);
}

/** The form that identifies a schema: whitespace and key order do not matter; names, defaults, docs and custom attributes do. */
export function canonicalSchema(type: avro.Type): string {
  return JSON.stringify(type.schema({ exportAttrs: true }));
}

/** Why `reader` cannot read data written with `writer`, or undefined when it can. */
export function cannotRead(reader: avro.Type, writer: avro.Type): string | undefined {
  try {
    reader.createResolver(writer);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

export const avroProvider: SchemaProvider<ParsedAvro> = {
  parse(text, references) {
    const type = parseAvroSchema(text, references);
    return { type, canonical: canonicalSchema(type) };
  },
  backward(previous, candidate) {
    const why = cannotRead(candidate.type, previous.type);
    return why ? [why] : [];
  },
};
