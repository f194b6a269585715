// A JSON Schema as a schema registry holds it: the schema text plus the schemas its `$ref`s name, each under
// the name the `$ref` uses. Compiled with Ajv, the draft chosen by `$schema` (draft-07 when absent; draft-04,
// draft-06, 2019-09 and 2020-12 too). Shared by the registry (a schema that does not compile is refused) and the codec
// (values are validated with the compiled function).

import { createRequire } from 'node:module';
import type { Ajv as AjvCore, AnySchema, AnySchemaObject, ValidateFunction } from 'ajv';

/** One referenced schema: the name `$ref` uses for it and its text. */
export interface JsonSchemaReference {
  name: string;
  schema: string;
}

export class JsonSchemaError extends Error {
  override name = 'JsonSchemaError';
}

export interface CompiledJsonSchema {
  /** the parsed schema */
  schema: AnySchema;
  /** every referenced schema, parsed, by the name its `$ref` uses */
  references: Map<string, AnySchema>;
  validate: ValidateFunction;
}

// Ajv (and its draft) is loaded on the first schema compiled, not with this module
const require = createRequire(import.meta.url);
type AjvClass = new (options: object) => AjvCore;
const load = (path: string): AjvClass => {
  const mod = require(path) as { default: AjvClass };
  return mod.default;
};

function ajvFor(schema: unknown): AjvCore {
  const declared =
    schema !== null && typeof schema === 'object' ? (schema as { $schema?: unknown }).$schema : undefined;
  const draft = typeof declared === 'string' ? declared : '';
  // strict off: schemas carry keywords of their own (Confluent's connect.type, titles of tools), and formats
  // Ajv does not know are not errors; logger off: nothing goes to the console
  const options = { strict: false, allErrors: true, logger: false, validateFormats: false };
  if (draft.includes('2020-12')) return new (load('ajv/dist/2020.js'))(options);
  if (draft.includes('2019-09')) return new (load('ajv/dist/2019.js'))(options);
  // draft-04 (`id`, boolean exclusiveMaximum/exclusiveMinimum): Ajv's own package for it, as Ajv 8 left it out
  if (draft.includes('draft-04')) return new (load('ajv-draft-04'))(options);
  const ajv = new (load('ajv'))(options);
  if (draft.includes('draft-06'))
    ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json') as AnySchemaObject);
  return ajv;
}

function parse(text: string, what: string): AnySchema {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new JsonSchemaError(`${what} is not JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'boolean' && (value === null || typeof value !== 'object' || Array.isArray(value)))
    throw new JsonSchemaError(`${what} is not a JSON Schema: a schema is an object or a boolean`);
  return value;
}

/** Parses and compiles a schema with the schemas it references; throws JsonSchemaError with Ajv's reason. */
export function compileJsonSchema(text: string, references: JsonSchemaReference[] = []): CompiledJsonSchema {
  const schema = parse(text, 'the schema');
  const ajv = ajvFor(schema);
  const refs = new Map<string, AnySchema>();
  try {
    for (const ref of references) {
      const parsed = parse(ref.schema, `reference ${ref.name}`);
      refs.set(ref.name, parsed);
      // under the name the $ref uses; Ajv also knows it by its own $id when it has one
      if (!ajv.getSchema(ref.name)) ajv.addSchema(parsed, ref.name);
    }
    return { schema, references: refs, validate: ajv.compile(schema) };
  } catch (err) {
    if (err instanceof JsonSchemaError) throw err;
    throw new JsonSchemaError((err as Error).message);
  }
}
