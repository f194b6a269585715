// Avro values from plain JSON and back, with a schema file (.avsc). Unions take plain JSON wherever the
// branch is unambiguous (avsc's "auto" union wrapping); a value that does not fit names the field path and
// the type that was expected.

import fs from 'node:fs';
import avro from 'avsc';
import { CodecError, jsonInput, type DecodedValue, type ValueCodec } from './value-codec.js';

/** The text of a schema file, checked to be JSON. */
export function readSchemaFile(schemaFile: string): string {
  let text: string;
  try {
    text = fs.readFileSync(schemaFile, 'utf8');
    JSON.parse(text);
  } catch (err) {
    throw new CodecError(`cannot read Avro schema ${schemaFile}: ${(err as Error).message}`);
  }
  return text;
}

export function loadAvroType(schemaFile: string): avro.Type {
  let schema: unknown;
  try {
    schema = JSON.parse(fs.readFileSync(schemaFile, 'utf8'));
  } catch (err) {
    throw new CodecError(`cannot read Avro schema ${schemaFile}: ${(err as Error).message}`);
  }
  try {
    return avro.Type.forSchema(schema as avro.Schema, { wrapUnions: 'auto' });
  } catch (err) {
    throw new CodecError(`invalid Avro schema ${schemaFile}: ${(err as Error).message}`);
  }
}

function typeName(type: avro.Type): string {
  const schema = type.schema() as unknown;
  if (typeof schema === 'string') return schema;
  const s = schema as { type?: unknown; name?: string };
  if (Array.isArray(schema))
    return `union ${JSON.stringify(schema.map((b) => (typeof b === 'string' ? b : (b as { type: string }).type)))}`;
  return s.name ? `${String(s.type)} ${s.name}` : String(s.type);
}

/** The first place where `value` does not fit `type`, as "field.path: expected <type>, got <value>". */
function describeMismatch(type: avro.Type, value: unknown): string {
  let first: string | undefined;
  type.isValid(value, {
    errorHook: (path: string[], got: unknown, expected: avro.Type) => {
      if (first) return;
      const where = path.length ? path.join('.') : '(the value)';
      const shown = got === undefined ? 'nothing (missing field)' : JSON.stringify(got);
      first = `${where}: expected ${typeName(expected)}, got ${shown && shown.length > 60 ? shown.slice(0, 57) + '...' : shown}`;
    },
  });
  return first ?? 'does not match the schema';
}

/**
 * A decoded Avro value as plain JSON: unambiguous unions stay unwrapped (as they were given to encode), and
 * bytes/fixed become strings of code points 0-255, as in Avro's own JSON encoding.
 */
function toPlainJson(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (_key, v: { type?: unknown; data?: unknown } | null) =>
      v && typeof v === 'object' && v.type === 'Buffer' && Array.isArray(v.data)
        ? Buffer.from(v.data as number[]).toString('latin1')
        : v,
    ),
  );
}

/**
 * The codec of a schema. `header`: bytes every encoded value starts with (the registry's wire format header),
 * written with the value into one buffer rather than framed after.
 */
export function avroCodec(type: avro.Type, header?: Buffer): ValueCodec {
  const head = header?.length ?? 0;
  // values are written here, then copied out at their size (as avsc's toBuffer does with its own)
  let scratch = Buffer.allocUnsafe(64 * 1024);
  header?.copy(scratch);
  // Only bytes and fixed need converting; a schema without them decodes straight to plain JSON values (the
  // JSON round trip is most of the cost of decoding otherwise).
  const schemaText = JSON.stringify(type.schema());
  const hasBytes = schemaText.includes('"bytes"') || schemaText.includes('"fixed"');
  const plain = hasBytes ? toPlainJson : (v: unknown) => v;
  return {
    format: 'avro',
    encode(value: unknown): Buffer {
      const input = jsonInput(value);
      let avroValue = input;
      // JSON strings become Buffers for bytes/fixed fields; without such fields the copy is not needed
      if (hasBytes) {
        try {
          avroValue = type.clone(input, { coerceBuffers: true });
        } catch {
          throw new CodecError(describeMismatch(type, input));
        }
      }
      // toBuffer checks every value it writes and throws on the first that does not fit; the full check
      // (isValid) then runs only to name what is wrong
      let end: number;
      try {
        end = type.encode(avroValue, scratch, head);
        if (end < 0) {
          // too small by -end bytes: a larger one for this value and the next
          const bigger = Buffer.allocUnsafe(2 * (scratch.length - end));
          scratch.copy(bigger, 0, 0, head);
          scratch = bigger;
          end = type.encode(avroValue, scratch, head);
        }
      } catch {
        throw new CodecError(describeMismatch(type, avroValue));
      }
      return Buffer.from(scratch.subarray(0, end));
    },
    decode(payload: Buffer | null): DecodedValue {
      if (payload === null) return { value: null };
      try {
        const decoded: unknown = type.fromBuffer(payload);
        return { value: plain(decoded) };
      } catch (err) {
        return {
          value: payload.toString('base64'),
          encoding: 'base64',
          error: `not Avro of this schema: ${(err as Error).message}`,
        };
      }
    },
  };
}

export function avroCodecFromFile(schemaFile: string): ValueCodec {
  return avroCodec(loadAvroType(schemaFile));
}
