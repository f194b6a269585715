// The codec's view of a Protobuf schema (parsed by src/common/protobuf-schema.ts, which the registry shares):
// messages by full name and by Confluent's message-index path, and the schema's problems as CodecErrors
// naming what was being read. Loaded only when a Protobuf schema is met (protobufjs comes with it).

import {
  ProtobufSchemaError,
  bareName,
  indexesOfMessage,
  messageAtIndexes,
  parseProtobufFile,
  parseProtobufSchema,
} from '../common/protobuf-schema.js';
import type protobuf from 'protobufjs';
import { CodecError } from './value-codec.js';

export interface ProtobufSchema {
  root: protobuf.Root;
  /** the file's top-level messages, full names (no leading dot) in order */
  topLevel: string[];
  /** the full name of the message at this index path, or null */
  messageAt(path: readonly number[]): string | null;
  /** the index path of a message of the file by its full name, or short within the file's package; or null */
  pathOf(name: string): number[] | null;
}

function problem(err: unknown, what: string): unknown {
  return err instanceof ProtobufSchemaError
    ? new CodecError(`${what} is not a valid Protobuf schema: ${err.message}`)
    : err;
}

/** The schema `main` with the texts of its imports (import name -> schema string, transitively). */
export function buildProtobufSchema(
  main: string,
  imports: ReadonlyMap<string, string>,
  what = 'the schema',
): ProtobufSchema {
  let schema;
  try {
    schema = parseProtobufSchema(
      main,
      [...imports].map(([name, text]) => ({ name, schema: text })),
    );
  } catch (err) {
    throw problem(err, what);
  }
  const pathOf = (name: string): number[] | null =>
    indexesOfMessage(schema, name) ??
    (schema.package ? indexesOfMessage(schema, `${schema.package}.${bareName(name)}`) : undefined) ??
    null;
  return {
    root: schema.root,
    topLevel: schema.messages.map((t) => bareName(t.fullName)),
    messageAt: (path) => messageAtIndexes(schema, path) ?? null,
    pathOf,
  };
}

/** The imports of a schema string (.proto text or descriptor), as written. */
export function importsOf(text: string, what: string): string[] {
  try {
    return parseProtobufFile(text, what).imports;
  } catch (err) {
    throw problem(err, what);
  }
}
