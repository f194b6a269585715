// JSON values checked with a JSON Schema (compiled by src/common/json-schema.ts, which the registry shares:
// Ajv, the draft the schema's "$schema" names, draft-07 when it names none, as Confluent's serializers assume;
// formats are not checked, as Python's jsonschema does not by default). Encoding validates and writes the JSON
// text; decoding parses it and does not validate (a reader shows what is there). A value that does not fit
// names its path and what was expected: `.items[1].qty: expected an integer, got "two"`.

import type { ErrorObject, ValidateFunction } from 'ajv';
import { JsonSchemaError, compileJsonSchema as compileShared } from '../common/json-schema.js';
import { CodecError, jsonInput, shown, type DecodedValue, type ValueCodec } from './value-codec.js';

const article = (type: string) => (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`);

/** ".items[1].qty" for Ajv's "/items/1/qty", and the value there. */
function locate(root: unknown, pointer: string): { path: string; value: unknown } {
  let path = '';
  let value = root;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(value)) {
      path += `[${key}]`;
      value = value[Number(key)];
    } else {
      path += `.${key}`;
      value = (value as Record<string, unknown> | null)?.[key];
    }
  }
  return { path, value };
}

/** Ajv's first error as one line: the path and what was expected. */
export function describeJsonSchemaError(e: ErrorObject, value: unknown): string {
  const { path, value: got } = locate(value, e.instancePath);
  const where = path || '(the value)';
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'type': {
      const types = String(p.type).split(',');
      return `${where}: expected ${types.map(article).join(' or ')}, got ${shown(got)}`;
    }
    case 'required':
      return `${path}.${String(p.missingProperty)}: missing (required)`;
    case 'additionalProperties':
      return `${path}.${String(p.additionalProperty)}: not allowed (the schema allows no other properties)`;
    case 'enum':
      return `${where}: expected one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, got ${shown(got)}`;
    case 'const':
      return `${where}: expected ${JSON.stringify(p.allowedValue)}, got ${shown(got)}`;
    default:
      return `${where}: ${e.message ?? e.keyword}, got ${shown(got)}`;
  }
}

/**
 * A compiled JSON Schema, with the schemas it references (`$ref` by name: the references' names, as
 * Confluent's registry gives them).
 */
export function compileJsonSchema(
  text: string,
  references: ReadonlyMap<string, string> = new Map(),
  what = 'the schema',
): ValidateFunction {
  try {
    return compileShared(
      text,
      [...references].map(([name, schema]) => ({ name, schema })),
    ).validate;
  } catch (err) {
    if (err instanceof JsonSchemaError)
      throw new CodecError(
        err.message.startsWith('the schema ')
          ? `${what} ${err.message.slice('the schema '.length)}`
          : `${what} is not a valid JSON Schema: ${err.message}`,
      );
    throw err;
  }
}

/** The codec of a JSON Schema; with `header`, encoded values follow it (the registry's magic byte and id). */
export function jsonSchemaCodec(validate: ValidateFunction, header?: Buffer): ValueCodec {
  return {
    format: 'json-schema',
    encode(value: unknown): Buffer {
      const input = jsonInput(value);
      if (!validate(input)) throw new CodecError(describeJsonSchemaError(validate.errors![0], input));
      const text = Buffer.from(JSON.stringify(input), 'utf8');
      return header ? Buffer.concat([header, text]) : text;
    },
    decode: decodeJsonBody,
  };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A JSON Schema body: parsed, not validated. */
export function decodeJsonBody(body: Buffer | null): DecodedValue {
  if (body === null) return { value: null };
  try {
    return { value: JSON.parse(utf8.decode(body)) };
  } catch (err) {
    return { value: body.toString('base64'), encoding: 'base64', error: `not JSON: ${(err as Error).message}` };
  }
}
