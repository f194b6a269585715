// Avro schemas of the registry: parsing (avsc), the canonical form that identifies a schema, and the
// compatibility levels checked with avsc's resolver (`reader.createResolver(writer)` succeeds when data
// written with `writer` can be read with `reader`).

import avro from 'avsc';
import { invalidSchema } from './errors.js';

export const COMPATIBILITY_LEVELS = [
  'NONE',
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
] as const;
export type CompatibilityLevel = (typeof COMPATIBILITY_LEVELS)[number];
export const DEFAULT_COMPATIBILITY: CompatibilityLevel = 'BACKWARD';

export function isCompatibilityLevel(value: unknown): value is CompatibilityLevel {
  return typeof value === 'string' && (COMPATIBILITY_LEVELS as readonly string[]).includes(value);
}

/** Parses a schema given as a JSON string (as in the API's `schema` field); throws 42201 when it is not valid Avro. */
export function parseAvroSchema(text: unknown): avro.Type {
  if (typeof text !== 'string') throw invalidSchema('the "schema" field must be a string holding the schema as JSON');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw invalidSchema(`not JSON: ${(err as Error).message}`);
  }
  if (json === null || (typeof json !== 'string' && typeof json !== 'object')) {
    throw invalidSchema('a schema is a JSON string, object or array');
  }
  try {
    // a fresh registry each time: named types of one schema never leak into another
    return avro.Type.forSchema(json as avro.Schema, { registry: {} });
  } catch (err) {
    throw invalidSchema(err instanceof RangeError ? 'schema too deeply nested' : (err as Error).message);
  }
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

export interface PreviousSchema {
  version: number;
  type: avro.Type;
}

/**
 * Checks `candidate` against the previous versions of a subject (oldest first) at `level`: the non-transitive
 * levels look at the latest version only. Returns the reasons it is incompatible (empty when compatible).
 */
export function checkCompatibility(
  candidate: avro.Type,
  previous: PreviousSchema[],
  level: CompatibilityLevel,
): string[] {
  if (level === 'NONE' || previous.length === 0) return [];
  const against = level.endsWith('_TRANSITIVE') ? previous : previous.slice(-1);
  const backward = level.startsWith('BACKWARD') || level.startsWith('FULL');
  const forward = level.startsWith('FORWARD') || level.startsWith('FULL');
  const messages: string[] = [];
  for (const { version, type } of [...against].reverse()) {
    if (backward) {
      const why = cannotRead(candidate, type);
      if (why) messages.push(`the new schema cannot read data written with version ${version} (${level}): ${why}`);
    }
    if (forward) {
      const why = cannotRead(type, candidate);
      if (why) messages.push(`version ${version} cannot read data written with the new schema (${level}): ${why}`);
    }
  }
  return messages;
}
