// Kafka messages described as data, in the shape of Kafka's own JSON message definitions, and one generic
// encoder/decoder driven by those descriptions. Each API is then a description (messages/) plus a handler.
//
// Field names are the camelCase of the names in Kafka's definitions (e.g. `Topics[].PartitionIndex` ->
// `topics[].partitionIndex`), so handlers read like the protocol documentation.

import type { DecodedMessage, Direction, EncodableMessage } from './message-types.js';
import { ProtocolError, Reader, Writer } from './primitives.js';

export type Scalar =
  | 'int8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'float64'
  | 'bool'
  | 'string'
  | 'bytes'
  | 'records'
  | 'uuid';

export interface Field {
  name: string;
  /** a scalar, `[]<scalar>` for an array of scalars, or `[]` with `fields` for an array of structs, or `{}` with `fields` for a struct */
  type: Scalar | `[]${Scalar}` | '[]' | '{}';
  /** Kafka version range: "0+", "3-5", "none" */
  versions: string;
  nullableVersions?: string;
  /** tagged fields (flexible versions only) */
  taggedVersions?: string;
  tag?: number;
  default?: unknown;
  fields?: Field[];
}

export interface ApiSpec {
  apiKey: number;
  name: string;
  /** the versions this broker accepts and advertises */
  minVersion: number;
  maxVersion: number;
  /**
   * the lowest version evt's own client speaks, when the broker serves older ones to old clients only (Produce
   * and Fetch v0-v3 carry message formats v0/v1, which the client neither writes nor reads); minVersion if absent
   */
  clientMinVersion?: number;
  /**
   * the highest version evt's own client speaks, when newer ones change what the client would have to send
   * (Fetch v13 names topics by id, FindCoordinator v4 batches keys) or a broker it is tested against gets them
   * wrong (ListOffsets v4+ in librdkafka's mock cluster); maxVersion if absent
   */
  clientMaxVersion?: number;
  /** "none" or "N+" */
  flexibleVersions: string;
  request: Field[];
  response: Field[];
}

/** A message value as the generic codec sees it. Code outside the codec uses the types message-types.ts derives. */
export type Struct = Record<string, any>;

/**
 * Declares an API's description keeping its literal types (field names, types, version ranges), from which
 * message-types.ts derives the type of each request and response. At run time it returns the description as is.
 */
export function defineApi<const S extends ApiSpec>(spec: S): S {
  return spec;
}

/**
 * Kafka's Uuid.ZERO_UUID: "no topic id" (a request naming a topic by name only, an unknown topic's answer).
 * Frozen in spirit: the decoder hands this one Buffer out as the default of absent uuid fields.
 */
export const ZERO_UUID: Buffer = Buffer.alloc(16);

export function inVersions(range: string | undefined, version: number): boolean {
  if (range === undefined || range === 'none') return false;
  const plus = range.endsWith('+');
  if (plus) return version >= Number(range.slice(0, -1));
  const dash = range.indexOf('-');
  if (dash < 0) return version === Number(range);
  return version >= Number(range.slice(0, dash)) && version <= Number(range.slice(dash + 1));
}

export function isFlexible(spec: ApiSpec, version: number): boolean {
  return inVersions(spec.flexibleVersions, version);
}

// ---------------------------------------------------------------------------------------------- decoding

function readString(r: Reader, flexible: boolean, nullable: boolean): string | null {
  const len = flexible ? r.uvarint() - 1 : r.int16();
  if (len < 0) {
    if (!nullable) throw new ProtocolError('null in a non-nullable string');
    return null;
  }
  return r.bytes(len).toString('utf8');
}

function readBytes(r: Reader, flexible: boolean, nullable: boolean): Buffer | null {
  const len = flexible ? r.uvarint() - 1 : r.int32();
  if (len < 0) {
    if (!nullable) throw new ProtocolError('null in non-nullable bytes');
    return null;
  }
  return r.bytes(len);
}

function readScalar(r: Reader, type: Scalar, flexible: boolean, nullable: boolean): unknown {
  switch (type) {
    case 'int8':
      return r.int8();
    case 'int16':
      return r.int16();
    case 'uint16':
      return r.uint16();
    case 'int32':
      return r.int32();
    case 'uint32':
      return r.uint32();
    case 'int64':
      return r.int64();
    case 'float64':
      return r.float64();
    case 'bool':
      return r.bool();
    case 'string':
      return readString(r, flexible, nullable);
    case 'bytes':
      return readBytes(r, flexible, nullable);
    case 'records':
      return readBytes(r, flexible, true);
    case 'uuid':
      return r.uuid();
  }
}

function readArrayLength(r: Reader, flexible: boolean): number {
  const n = flexible ? r.uvarint() - 1 : r.int32();
  // A length that cannot fit in what is left is garbage; refuse before allocating anything.
  if (n > r.remaining) throw new ProtocolError(`array length ${n} exceeds the ${r.remaining} bytes left`);
  return n;
}

function readField(r: Reader, field: Field, version: number, flexible: boolean): unknown {
  const nullable = inVersions(field.nullableVersions, version);
  if (field.type === '{}') return decodeStruct(r, field.fields!, version, flexible);
  if (field.type.startsWith('[]')) {
    const n = readArrayLength(r, flexible);
    if (n < 0) {
      if (!nullable) throw new ProtocolError(`null array ${field.name}`);
      return null;
    }
    const out = new Array(n);
    if (field.type === '[]') {
      for (let i = 0; i < n; i++) out[i] = decodeStruct(r, field.fields!, version, flexible);
    } else {
      const t = field.type.slice(2) as Scalar;
      for (let i = 0; i < n; i++) out[i] = readScalar(r, t, flexible, false);
    }
    return out;
  }
  return readScalar(r, field.type as Scalar, flexible, nullable);
}

function defaultValue(field: Field, version: number): unknown {
  if (field.default !== undefined) return field.default;
  if (inVersions(field.nullableVersions, version)) return null;
  if (field.type.startsWith('[]')) return [];
  switch (field.type) {
    case 'bool':
      return false;
    case 'string':
      return '';
    case 'bytes':
    case 'records':
      return Buffer.alloc(0);
    case 'uuid':
      return Buffer.alloc(16);
    case '{}':
      return {};
    default:
      return 0;
  }
}

export function decodeStruct(r: Reader, fields: Field[], version: number, flexible: boolean): Struct {
  const out: Struct = {};
  for (const field of fields) {
    if (flexible && field.tag !== undefined) {
      out[field.name] = defaultValue(field, version);
      continue;
    }
    out[field.name] = inVersions(field.versions, version)
      ? readField(r, field, version, flexible)
      : defaultValue(field, version);
  }
  if (flexible) readTaggedFields(r, fields, version, out);
  return out;
}

function readTaggedFields(r: Reader, fields: Field[], version: number, out: Struct): void {
  const count = r.uvarint();
  for (let i = 0; i < count; i++) {
    const tag = r.uvarint();
    const size = r.uvarint();
    const field = fields.find((f) => f.tag === tag && inVersions(f.taggedVersions, version));
    if (!field) {
      r.bytes(size); // unknown tags are skipped, as the protocol requires
      continue;
    }
    const sub = new Reader(r.buf, r.offset, r.offset + size);
    out[field.name] = readField(sub, field, version, true);
    r.bytes(size);
  }
}

// ---------------------------------------------------------------------------------------------- encoding

function writeString(w: Writer, v: string | null, flexible: boolean): void {
  if (v === null || v === undefined) {
    if (flexible) w.uvarint(0);
    else w.int16(-1);
    return;
  }
  const b = Buffer.from(v, 'utf8');
  if (flexible) w.uvarint(b.length + 1);
  else w.int16(b.length);
  w.raw(b);
}

function writeBytes(w: Writer, v: Buffer | null, flexible: boolean): void {
  if (v === null || v === undefined) {
    if (flexible) w.uvarint(0);
    else w.int32(-1);
    return;
  }
  if (flexible) w.uvarint(v.length + 1);
  else w.int32(v.length);
  w.raw(v);
}

function writeScalar(w: Writer, type: Scalar, v: any, flexible: boolean): void {
  switch (type) {
    case 'int8':
      w.int8(v ?? 0);
      return;
    case 'int16':
      w.int16(v ?? 0);
      return;
    case 'uint16':
      w.uint16(v ?? 0);
      return;
    case 'int32':
      w.int32(v ?? 0);
      return;
    case 'uint32':
      w.uint32(v ?? 0);
      return;
    case 'int64':
      w.int64(v ?? 0);
      return;
    case 'float64':
      w.float64(v ?? 0);
      return;
    case 'bool':
      w.bool(!!v);
      return;
    case 'string':
      writeString(w, v, flexible);
      return;
    case 'bytes':
      writeBytes(w, v, flexible);
      return;
    case 'records':
      // An absent record set is written as an empty one: librdkafka rejects a null (-1) MessageSetSize.
      writeBytes(w, v ?? Buffer.alloc(0), flexible);
      return;
    case 'uuid':
      w.raw(v ?? Buffer.alloc(16));
      return;
  }
}

function writeField(w: Writer, field: Field, v: any, version: number, flexible: boolean): void {
  if (field.type === '{}') {
    encodeStruct(w, field.fields!, v ?? {}, version, flexible);
    return;
  }
  if (field.type.startsWith('[]')) {
    if (v === null || v === undefined) {
      if (inVersions(field.nullableVersions, version) && v === null) {
        if (flexible) w.uvarint(0);
        else w.int32(-1);
        return;
      }
      v = [];
    }
    if (flexible) w.uvarint(v.length + 1);
    else w.int32(v.length);
    if (field.type === '[]') {
      for (const item of v) encodeStruct(w, field.fields!, item, version, flexible);
    } else {
      const t = field.type.slice(2) as Scalar;
      for (const item of v) writeScalar(w, t, item, flexible);
    }
    return;
  }
  let value = v;
  if (value === undefined) value = defaultValue(field, version);
  // A null for a field that is not nullable in this version is written as empty: a -1 length there is a
  // protocol error for the client.
  if (value === null && !inVersions(field.nullableVersions, version)) {
    if (field.type === 'string') value = '';
    else if (field.type === 'bytes') value = Buffer.alloc(0);
  }
  writeScalar(w, field.type as Scalar, value, flexible);
}

/**
 * A tagged field is written only when it says something: as Kafka does, not when absent or equal to its
 * scalar default (a null cluster id, a -1 epoch), so that a decoded message re-encodes to the same bytes.
 */
function isTagDefault(field: Field, value: unknown): boolean {
  if (value === undefined) return true;
  if (field.default === undefined || (typeof value === 'object' && value !== null)) return false;
  return value === field.default;
}

export function encodeStruct(w: Writer, fields: Field[], obj: Struct, version: number, flexible: boolean): void {
  const tagged: Field[] = [];
  for (const field of fields) {
    if (flexible && field.tag !== undefined) {
      if (inVersions(field.taggedVersions, version) && !isTagDefault(field, obj[field.name])) tagged.push(field);
      continue;
    }
    if (!inVersions(field.versions, version)) continue;
    writeField(w, field, obj[field.name], version, flexible);
  }
  if (!flexible) return;
  tagged.sort((a, b) => a.tag! - b.tag!);
  w.uvarint(tagged.length);
  for (const field of tagged) {
    const sub = new Writer(64);
    writeField(sub, field, obj[field.name], version, true);
    const body = sub.toBuffer();
    w.uvarint(field.tag!);
    w.uvarint(body.length);
    w.raw(body);
  }
}

// ------------------------------------------------------------------------------------- typed messages

/**
 * Decodes one request or response body of `spec`. This is where the codec's generic value takes the type that
 * message-types.ts derives from the same description. The compiler cannot relate the two; the tests do:
 * test/protocol/message-types.test.ts pins the derivation, roundtrip.test.ts and the byte fixtures the values.
 */
export function decodeMessage<S extends ApiSpec, D extends Direction>(
  r: Reader,
  spec: S,
  direction: D,
  version: number,
): DecodedMessage<S, D> {
  return decodeStruct(r, spec[direction], version, isFlexible(spec, version)) as DecodedMessage<S, D>;
}

/** Encodes one request or response body of `spec`. */
export function encodeMessage<S extends ApiSpec, D extends Direction>(
  w: Writer,
  spec: S,
  direction: D,
  message: EncodableMessage<S, D>,
  version: number,
): void {
  encodeStruct(w, spec[direction], message, version, isFlexible(spec, version));
}
