// What the registry needs of a schema type (Avro, Protobuf, JSON Schema): parse a schema with the schemas it
// references, the canonical form that identifies it, and the backward check the compatibility levels are
// built from (FORWARD is the backward check the other way round). One module per type implements it, so the
// store and the routes never switch on the type.

export const SCHEMA_TYPES = ['JSON', 'PROTOBUF', 'AVRO'] as const;
export type SchemaType = (typeof SCHEMA_TYPES)[number];

export function isSchemaType(value: unknown): value is SchemaType {
  return typeof value === 'string' && (SCHEMA_TYPES as readonly string[]).includes(value);
}

/** A reference as the API takes it: the name the schema uses (an import, a `$ref`), and the subject-version it means. */
export interface SchemaReference {
  name: string;
  subject: string;
  version: number;
}

/** A referenced schema, resolved: the name the referring schema knows it by, and its text. */
export interface ResolvedReference {
  name: string;
  schema: string;
}

export interface ParsedSchema {
  /** equal for two schemas that are the same (whitespace, key order, comments and the form do not count) */
  readonly canonical: string;
}

export interface SchemaProvider<P extends ParsedSchema = ParsedSchema> {
  /**
   * Parses and validates a schema; `references` are all the schemas it needs, its references' own ones
   * included. Throws the registry's 42201 when it is not a valid schema.
   */
  parse(text: string, references: ResolvedReference[]): P;
  /** Why data written with `previous` cannot be read with `candidate` (empty when it can). */
  backward(previous: P, candidate: P): string[];
}
