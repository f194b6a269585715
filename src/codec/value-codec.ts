// Turning record payloads into values people read and write, and back.
//
// `auto` (what tail uses by default) shows a payload as a JSON value only when it is a JSON object or array
// that serialises back to the very same bytes; anything else is a UTF-8 string, and what is not valid
// UTF-8 is base64. That makes `evt tail --json | evt produce --json` byte-faithful: every envelope value
// encodes back to exactly the payload it came from.

import { isUtf8 } from 'node:buffer';
import { jsonVerdict } from './canonical-json.js';

export type ValueFormat = 'auto' | 'string' | 'json' | 'avro' | 'protobuf' | 'json-schema';
export const VALUE_FORMATS: readonly ValueFormat[] = ['auto', 'string', 'json', 'avro', 'protobuf', 'json-schema'];

/** The formats that encode values with a schema. */
export const isSchemaFormat = (f: ValueFormat): boolean => f === 'avro' || f === 'protobuf' || f === 'json-schema';

export interface DecodedValue {
  value: unknown;
  /** set when `value` is the base64 of a binary payload */
  encoding?: 'base64';
  /** why the payload could not be decoded in the requested format (value then holds it as auto would) */
  error?: string;
  /** the schema registry id of a payload in Confluent's wire format (registry-codec.ts) */
  schemaId?: number;
}

/** What the tail needs of a registry-backed codec (registry-codec.ts): async schema lookups before decoding. */
export interface RegistryAware {
  /** fetches the schemas these records need (never throws; failures become per-record decode errors) */
  prepare(records: readonly { topic: string; key: Buffer | null; value: Buffer | null }[]): Promise<void>;
  decode(payload: Buffer | null, isKey?: boolean): DecodedValue;
  /** "orders-value v2" for a schema id seen on this topic, or "" */
  label(id: number, topic: string, isKey: boolean): string;
  /** the full name of a looked-up schema's record type (`com.acme.OrderPlaced`), or null */
  schemaName(id: number): string | null;
  /**
   * The JSON text (UTF-8, a view valid until the next call) of a wire-format payload of a looked-up schema,
   * as decode() then JSON.stringify would show its value; null when the caller must take that path.
   */
  jsonOf(id: number, payload: Buffer): Buffer | null;
}

export interface ValueCodec {
  readonly format: ValueFormat;
  /** a payload from a value given by the user: a string, or any JSON value */
  encode(value: unknown): Buffer;
  decode(payload: Buffer | null): DecodedValue;
  /** set when payloads in the schema registry wire format are decoded through a registry */
  readonly registry?: RegistryAware;
}

/** A value that cannot be encoded; the message names what is wrong (for Avro, the field path and type). */
export class CodecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CodecError';
  }
}

/** A value given to a schema codec: a line of text is JSON text, parsed; anything else is the value itself. */
export function jsonInput(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch (err) {
    throw new CodecError(`not JSON: ${(err as Error).message}`);
  }
}

/** A value as an error message quotes it: JSON, cut at 60 characters. */
export function shown(v: unknown): string {
  const s = v === undefined ? 'nothing' : JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decodeAuto(payload: Buffer): DecodedValue {
  // asked first: a decoder's exception on every binary payload cost more than the decoding
  if (!isUtf8(payload)) return { value: payload.toString('base64'), encoding: 'base64' };
  const text = utf8.decode(payload);
  // the scans answer most payloads without the parse and the serialisation that decide the rest: JSON that
  // cannot round-trip (as Python or Java write it) is text, JSON that provably does is parsed once
  const verdict = jsonVerdict(payload);
  if (verdict === 'json') return { value: JSON.parse(text) as unknown };
  if (verdict === 'unsure') {
    try {
      const parsed: unknown = JSON.parse(text);
      if (JSON.stringify(parsed) === text) return { value: parsed };
    } catch {
      // not JSON: a string
    }
  }
  return { value: text };
}

/** What a value given as text or JSON means as payload bytes: strings as UTF-8, anything else as JSON. */
function encodeLoose(value: unknown): Buffer {
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (Buffer.isBuffer(value)) return value;
  return Buffer.from(JSON.stringify(value), 'utf8');
}

export const autoCodec: ValueCodec = {
  format: 'auto',
  encode: encodeLoose,
  decode: (payload) => (payload === null ? { value: null } : decodeAuto(payload)),
};

export const stringCodec: ValueCodec = {
  format: 'string',
  encode: encodeLoose,
  decode: (payload) => {
    if (payload === null) return { value: null };
    try {
      return { value: utf8.decode(payload) };
    } catch {
      return { value: payload.toString('base64'), encoding: 'base64', error: 'not valid UTF-8' };
    }
  },
};

export const jsonCodec: ValueCodec = {
  format: 'json',
  encode: (value) => {
    if (typeof value === 'string') {
      // a line of text given with --value-format json must itself be JSON
      try {
        JSON.parse(value);
      } catch (err) {
        throw new CodecError(`not JSON: ${(err as Error).message}`);
      }
      return Buffer.from(value, 'utf8');
    }
    return Buffer.from(JSON.stringify(value), 'utf8');
  },
  decode: (payload) => {
    if (payload === null) return { value: null };
    try {
      return { value: JSON.parse(utf8.decode(payload)) };
    } catch (err) {
      return { ...decodeAuto(payload), error: `not JSON: ${(err as Error).message}` };
    }
  },
};
