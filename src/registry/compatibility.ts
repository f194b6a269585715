// The compatibility levels of the registry, for every schema type: BACKWARD (the new schema reads data
// written with the previous ones), FORWARD (the previous ones read data written with the new one), FULL
// (both); the non-transitive levels look at the latest version only. The per-type check is the provider's.

import { PROVIDERS, type ParsedSchema, type SchemaType } from './types/index.js';

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

/** A parsed schema with its type. */
export interface TypedSchema {
  schemaType: SchemaType;
  parsed: ParsedSchema;
}

export interface PreviousSchema extends TypedSchema {
  version: number;
}

/**
 * Checks `candidate` against the previous versions of a subject (oldest first) at `level`. Returns the
 * reasons it is incompatible (empty when compatible).
 */
export function checkCompatibility(
  candidate: TypedSchema,
  previous: PreviousSchema[],
  level: CompatibilityLevel,
): string[] {
  if (level === 'NONE' || previous.length === 0) return [];
  const against = level.endsWith('_TRANSITIVE') ? previous : previous.slice(-1);
  const backward = level.startsWith('BACKWARD') || level.startsWith('FULL');
  const forward = level.startsWith('FORWARD') || level.startsWith('FULL');
  const provider = PROVIDERS[candidate.schemaType];
  const messages: string[] = [];
  for (const old of [...against].reverse()) {
    if (old.schemaType !== candidate.schemaType) {
      messages.push(`Incompatible because of different schema type: version ${old.version} is ${old.schemaType}`);
      continue;
    }
    if (backward)
      for (const why of provider.backward(old.parsed, candidate.parsed))
        messages.push(`the new schema cannot read data written with version ${old.version} (${level}): ${why}`);
    if (forward)
      for (const why of provider.backward(candidate.parsed, old.parsed))
        messages.push(`version ${old.version} cannot read data written with the new schema (${level}): ${why}`);
  }
  return messages;
}
