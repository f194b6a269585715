// A schema file for `evt schema register|check`: its type (from --type, else the file's extension and, for
// .json, its content), its --reference options, and a check before anything is sent: a file that is not a
// schema of its type is bad input (exit 2), one line naming the file and the problem.

import fs from 'node:fs';
import path from 'node:path';
import { compileJsonSchema } from '../common/json-schema.js';
import { parseProtobufSchema } from '../common/protobuf-schema.js';
import { parseAvroSchema, type SchemaReference, type SchemaType } from '../codec/registry-client.js';
import { CliError, ExitCode, usageError } from './errors.js';

export const SCHEMA_TYPE_NAMES: Record<string, SchemaType> = { avro: 'AVRO', protobuf: 'PROTOBUF', json: 'JSON' };

export function parseSchemaType(value: string): SchemaType {
  const type = SCHEMA_TYPE_NAMES[value.toLowerCase()];
  if (!type) throw usageError(`--type: "${value}" is not one of avro, protobuf, json`);
  return type;
}

/**
 * The type of a file without --type: .proto is Protobuf, .avsc Avro; a .json file is Avro when it is a
 * record, enum or fixed (or a union, or a bare type name), and a JSON Schema otherwise ($schema, properties,
 * type object...). Any other extension is read as Avro, as before.
 */
export function schemaTypeOf(file: string, text: string): SchemaType {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.proto') return 'PROTOBUF';
  if (ext !== '.json') return 'AVRO';
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'JSON'; // reported by the check below
  }
  if (typeof value === 'string' || Array.isArray(value)) return 'AVRO';
  const type = (value as { type?: unknown } | null)?.type;
  return type === 'record' || type === 'enum' || type === 'fixed' ? 'AVRO' : 'JSON';
}

/** `name=subject:version` (version a number or latest). */
export function parseReference(value: string): { name: string; subject: string; version: number | 'latest' } {
  const m = /^([^=]+)=(.+):([0-9]+|latest)$/.exec(value);
  if (!m)
    throw usageError(`--reference: "${value}" is not name=subject:version (e.g. customer.proto=customer-value:1)`);
  return { name: m[1], subject: m[2], version: m[3] === 'latest' ? 'latest' : Number(m[3]) };
}

export function readSchemaText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new CliError(
      `cannot read ${file}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`,
      e.code === 'ENOENT' ? ExitCode.NOT_FOUND : ExitCode.USAGE,
    );
  }
}

/** Checks a schema with the schemas its references name; a problem is a usage error naming the file. */
export function checkSchemaFile(
  file: string,
  text: string,
  type: SchemaType,
  referenced: { name: string; schema: string }[],
  references: SchemaReference[],
): void {
  const bad = (why: string) => usageError(`${file} is not a valid ${TYPE_WORDS[type]}: ${why}`);
  try {
    if (type === 'PROTOBUF') parseProtobufSchema(text, referenced);
    else if (type === 'JSON') compileJsonSchema(text, referenced);
    else if (references.length === 0) parseAvroSchema(text, file);
  } catch (err) {
    throw bad((err as Error).message.replace(`${file} is not a valid Avro schema: `, ''));
  }
}

const TYPE_WORDS: Record<SchemaType, string> = {
  AVRO: 'Avro schema',
  PROTOBUF: 'Protobuf schema',
  JSON: 'JSON Schema',
};
