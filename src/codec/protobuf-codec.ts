// Protobuf values from plain JSON and back, with a schema (protobuf-schema.ts) and one of its messages.
//
// JSON is protobuf's own JSON mapping (ProtoJSON, protobufjs' protojson extension) with one choice: field
// names as the .proto writes them (order_id), as Confluent's and Python's printers with
// preserving_proto_field_name show them; lowerCamelCase names (orderId) are accepted on input too. 64-bit
// integers are strings, bytes base64, enums by name, Timestamp and Duration as RFC 3339 / "1.5s" strings, and
// fields at their default value are left out, as proto3 JSON printers do.
//
// Encoding is strict: before protojson builds the message, a walk over the value refuses an unknown field
// and a value of the wrong type with its path (`.items[1].qty: expected an integer (int32), got "two"`).

import protobufjs from 'protobufjs';
import protojson from 'protobufjs/ext/protojson.js';
import type { ProtobufSchema } from './protobuf-schema.js';
import { CodecError, jsonInput, shown, type DecodedValue, type ValueCodec } from './value-codec.js';
import { decodeMessageIndexes, encodeMessageIndexes } from './wire-format.js';

// protobufjs computes `fullName` afresh on every read (a walk up the parents): asked once per type
const wellKnownTypes = new WeakMap<protobufjs.Type, boolean>();
function isWellKnown(t: protobufjs.Type): boolean {
  let known = wellKnownTypes.get(t);
  if (known === undefined) wellKnownTypes.set(t, (known = t.fullName.startsWith('.google.protobuf.')));
  return known;
}

const convertibleTypes = new WeakMap<protobufjs.Type, boolean>();
/**
 * Whether a message, and every message inside it, can go through protobufjs' generated converters
 * (`fromObject`/`toObject`, several times faster than protojson's reflection walk): true unless a well-known
 * type (Timestamp, Duration, wrappers, Struct, Any...) is reachable, whose JSON forms only protojson writes.
 */
function convertible(type: protobufjs.Type): boolean {
  const known = convertibleTypes.get(type);
  if (known !== undefined) return known;
  convertibleTypes.set(type, true); // a recursive message meets itself: assume so until a field says otherwise
  let ok = !isWellKnown(type);
  for (const field of type.fieldsArray) {
    if (!ok) break;
    field.resolve();
    if (field.resolvedType instanceof protobufjs.Type) ok = convertible(field.resolvedType);
  }
  convertibleTypes.set(type, ok);
  return ok;
}

/** toObject's options for ProtoJSON's forms: 64-bit integers as strings, enums by name, bytes as base64. */
const PROTO_JSON_FORMS: protobufjs.IConversionOptions = { longs: String, enums: String, bytes: String, json: true };

/**
 * Prepares a schema's root for JSON with the .proto's own field names: protojson writes `jsonName`, so that
 * becomes the name (well-known types keep theirs: their JSON forms are special). Once per root.
 */
function useProtoNames(root: protobufjs.Root): void {
  const marked = root as protobufjs.Root & { evtProtoNames?: boolean };
  if (marked.evtProtoNames) return;
  marked.evtProtoNames = true;
  const visit = (ns: protobufjs.NamespaceBase) => {
    for (const n of ns.nestedArray) {
      if (n instanceof protobufjs.Type && !isWellKnown(n))
        for (const f of n.fieldsArray) (f as { jsonName: string }).jsonName = f.name;
      if (n instanceof protobufjs.Namespace || n instanceof protobufjs.Type) visit(n);
    }
  };
  visit(root);
}

const INT_RANGES: Record<string, [bigint, bigint]> = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  sint32: [-(2n ** 31n), 2n ** 31n - 1n],
  sfixed32: [-(2n ** 31n), 2n ** 31n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  fixed32: [0n, 2n ** 32n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  sint64: [-(2n ** 63n), 2n ** 63n - 1n],
  sfixed64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
  fixed64: [0n, 2n ** 64n - 1n],
};

/** Why a scalar value does not fit its type, or null when it does. */
function scalarMismatch(type: string, v: unknown): string | null {
  const range = INT_RANGES[type];
  if (range) {
    const ok = (typeof v === 'number' && Number.isInteger(v)) || (typeof v === 'string' && /^-?\d+$/.test(v.trim()));
    const what = `an integer (${type}${type.endsWith('64') ? ', a number or a string of digits' : ''})`;
    if (!ok) return `expected ${what}, got ${shown(v)}`;
    const n = BigInt(typeof v === 'number' ? v : v.trim());
    return n < range[0] || n > range[1] ? `expected ${what}, got ${shown(v)}: out of range` : null;
  }
  switch (type) {
    case 'double':
    case 'float':
      return typeof v === 'number' ||
        (typeof v === 'string' && /^(NaN|-?Infinity|[-+]?\d+(\.\d*)?([eE][-+]?\d+)?)$/.test(v))
        ? null
        : `expected a number (${type}), got ${shown(v)}`;
    case 'bool':
      return typeof v === 'boolean' ? null : `expected true or false (bool), got ${shown(v)}`;
    case 'string':
      return typeof v === 'string' ? null : `expected a string, got ${shown(v)}`;
    case 'bytes':
      return typeof v === 'string' && /^[A-Za-z0-9+/_-]*={0,2}$/.test(v)
        ? null
        : `expected base64 text (bytes), got ${shown(v)}`;
  }
  return null;
}

/**
 * The value checked against `type`, field names made the .proto's (lowerCamelCase ones mapped back): throws
 * CodecError at the first thing that does not fit, with its path.
 */
function checked(type: protobufjs.Type, value: unknown, path: string): unknown {
  const where = path || '(the value)';
  if (isWellKnown(type)) {
    // their JSON forms (a Timestamp's "2024-01-02T03:04:05Z") are protojson's to judge
    try {
      protojson.fromJson(type, value);
    } catch (err) {
      throw new CodecError(`${where}: ${(err as Error).message.replace(/^[.\w]+: /, '')}`);
    }
    return value;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new CodecError(`${where}: expected an object (message ${type.fullName.slice(1)}), got ${shown(value)}`);
  const out: Record<string, unknown> = {};
  let oneofs: Map<string, string> | undefined; // few messages have one: made when a field is in one
  const input = value as Record<string, unknown>;
  for (const key in input) {
    const v = input[key];
    const field =
      type.fields[key] ?? type.fieldsArray.find((f) => f.name !== key && protobufjs.util.camelCase(f.name) === key);
    const at = `${path}.${key}`;
    if (!field) throw new CodecError(`${at}: unknown field (message ${type.fullName.slice(1)} has no field "${key}")`);
    if (v === null) continue;
    field.resolve();
    if (field.partOf) {
      oneofs ??= new Map();
      const other = oneofs.get(field.partOf.name);
      if (other) throw new CodecError(`${at}: ${other} is set too, and both are in oneof ${field.partOf.name}`);
      oneofs.set(field.partOf.name, field.name);
    }
    if (field instanceof protobufjs.MapField) {
      if (typeof v !== 'object' || Array.isArray(v))
        throw new CodecError(`${at}: expected an object (map), got ${shown(v)}`);
      const m: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v as Record<string, unknown>)) {
        const keyWrong =
          field.keyType === 'string'
            ? null
            : field.keyType === 'bool'
              ? k === 'true' || k === 'false'
                ? null
                : 'expected true or false'
              : scalarMismatch(field.keyType, k);
        if (keyWrong) throw new CodecError(`${at}: key ${JSON.stringify(k)}: ${keyWrong}`);
        m[k] = single(field, item, `${at}.${k}`);
      }
      out[field.name] = m;
    } else if (field.repeated) {
      if (!Array.isArray(v)) throw new CodecError(`${at}: expected an array (repeated ${field.type}), got ${shown(v)}`);
      out[field.name] = v.map((item, i) => single(field, item, `${at}[${i}]`));
    } else out[field.name] = single(field, v, at);
  }
  return out;
}

function single(field: protobufjs.Field, v: unknown, at: string): unknown {
  const t = field.resolvedType;
  if (t instanceof protobufjs.Type) return checked(t, v, at);
  if (t instanceof protobufjs.Enum) {
    const ok = (typeof v === 'string' && v in t.values) || (typeof v === 'number' && Number.isInteger(v));
    if (!ok)
      throw new CodecError(
        `${at}: expected one of ${Object.keys(t.values).join(', ')} (enum ${t.fullName.slice(1)}), got ${shown(v)}`,
      );
    return v;
  }
  const wrong = scalarMismatch(field.type, v);
  if (wrong) throw new CodecError(`${at}: ${wrong}`);
  return v;
}

/** The message of a schema: by name (full, or short within the file's package), else the file's first. */
export function messageOf(
  schema: ProtobufSchema,
  name: string | undefined,
  what: string,
): { type: protobufjs.Type; path: number[] } {
  const full = name === undefined ? schema.topLevel[0] : schema.messageAt(schema.pathOf(name) ?? [-1]);
  if (!full) {
    const known = schema.topLevel.join(', ') || 'none';
    throw new CodecError(
      name === undefined
        ? `${what} has no message`
        : `${what} has no message ${name} (its top-level messages: ${known})`,
    );
  }
  const type = schema.root.lookup(full);
  if (!(type instanceof protobufjs.Type)) throw new CodecError(`${what}: ${full} is not a message`);
  return { type, path: schema.pathOf(full)! };
}

/** A message as ProtoJSON with the .proto's field names. */
function toJson(type: protobufjs.Type, body: Uint8Array): unknown {
  const message = type.decode(body);
  return convertible(type) ? type.toObject(message, PROTO_JSON_FORMS) : protojson.toJson(type, message);
}

/**
 * The codec of one message of a schema. With `header` (the registry's magic byte and id), encoded values are
 * framed: header, the message-index array, the message; without, the plain message.
 */
export function protobufCodec(
  schema: ProtobufSchema,
  type: protobufjs.Type,
  path: number[],
  header?: Buffer,
): ValueCodec {
  useProtoNames(schema.root);
  const prefix = header ? Buffer.concat([header, encodeMessageIndexes(path)]) : Buffer.alloc(0);
  return {
    format: 'protobuf',
    encode(value: unknown): Buffer {
      const input = jsonInput(value);
      const normalised = checked(type, input, '');
      let message: protobufjs.Message;
      try {
        message = convertible(type)
          ? type.fromObject(normalised as Record<string, unknown>)
          : protojson.fromJson(type, normalised);
      } catch (err) {
        throw new CodecError((err as Error).message);
      }
      const body = type.encode(message).finish();
      return Buffer.concat([prefix, body]);
    },
    decode(payload: Buffer | null): DecodedValue {
      if (payload === null) return { value: null };
      try {
        return { value: toJson(type, payload) };
      } catch (err) {
        return {
          value: payload.toString('base64'),
          encoding: 'base64',
          error: `not Protobuf ${type.fullName.slice(1)}: ${(err as Error).message}`,
        };
      }
    },
  };
}

/**
 * Decodes wire-format bodies (after the magic byte and id) of a schema: the message-index array read as the
 * spec's zigzag varints, or as the unsigned ones confluent-kafka-python up to 1.7 wrote, whichever names a
 * message of the file that the rest decodes as.
 */
export function protobufBodyDecoder(schema: ProtobufSchema): (body: Buffer) => DecodedValue {
  useProtoNames(schema.root);
  const types = new Map<string, protobufjs.Type>();
  const typeAt = (path: number[]) => {
    const name = schema.messageAt(path);
    if (!name) return null;
    let t = types.get(name);
    if (!t) {
      // a map's entry type has an index but is no message of protobufjs' reflection: nothing to decode as
      const found = schema.root.lookup(name);
      if (!(found instanceof protobufjs.Type)) return null;
      types.set(name, (t = found));
    }
    return t;
  };
  return (body) => {
    let why = 'no message of the schema at its message indexes';
    for (const encoding of ['zigzag', 'unsigned'] as const) {
      const read = decodeMessageIndexes(body, encoding);
      const type = read && typeAt(read.path);
      if (!read || !type) continue;
      // a message's first byte is a tag, whose field number is at least 1: a byte below 8 says this reading
      // ended inside the index array (protobufjs would skip a field 0 rather than refuse it)
      if (read.end < body.length && body[read.end] < 8) continue;
      try {
        return { value: toJson(type, body.subarray(read.end)) };
      } catch (err) {
        why = `not Protobuf ${type.fullName.slice(1)}: ${(err as Error).message}`;
      }
    }
    return { value: body.toString('base64'), encoding: 'base64', error: why };
  };
}
