// The record envelope: what `evt tail --json` prints and `evt produce --json` reads back.
//
//   {"topic","partition","offset","timestamp","key","headers":{},"value"}
//
// `key` and header values are UTF-8 strings, or base64 with `"keyEncoding":"base64"` (headers: a
// `"headerEncoding":{"name":"base64"}` entry) when they are binary; `value` is what the value codec made of
// the payload (base64 with `"valueEncoding":"base64"` when binary). A header name that occurs more than
// once has an array of values. Each direction is the exact inverse of the other.

import { isUtf8 } from 'node:buffer';
import type { ConsumedRecord, OutgoingRecord, RecordHeader } from '../client/records.js';
import { isSchemaFormat, type DecodedValue, type ValueCodec } from './value-codec.js';

export interface RecordEnvelope {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: string | null;
  keyEncoding?: 'base64';
  headers: Record<string, string | null | (string | null)[]>;
  headerEncoding?: Record<string, 'base64'>;
  value: unknown;
  valueEncoding?: 'base64';
  /** why the value could not be decoded as asked */
  error?: string;
}

/** Input that cannot become a record; the caller adds where it was (e.g. the line number). */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** A value that does not fit its schema (Avro, Protobuf, JSON Schema): bad input the user must fix, exit 2. */
export class SchemaMismatchError extends InputError {
  override name = 'SchemaMismatchError';
}

/** The input error of a value `codec` could not encode. */
export function encodeError(codec: ValueCodec, message: string): InputError {
  return isSchemaFormat(codec.format) ? new SchemaMismatchError(message) : new InputError(message);
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function text(buf: Buffer | null): { text: string | null; binary: boolean } {
  if (buf === null) return { text: null, binary: false };
  // asked first: a decoder's exception on every binary key or header costs more than the decoding
  if (!isUtf8(buf)) return { text: buf.toString('base64'), binary: true };
  return { text: utf8.decode(buf), binary: false };
}

export function toEnvelope(record: ConsumedRecord, codec: ValueCodec): RecordEnvelope {
  return envelopeWith(record, codec.decode(record.value));
}

/** The envelope of a record whose value is already decoded. */
export function envelopeWith(record: ConsumedRecord, decoded: DecodedValue): RecordEnvelope {
  const key = text(record.key);
  // no prototype: a header may be called __proto__
  const headers = Object.create(null) as RecordEnvelope['headers'];
  let headerEncoding: Record<string, 'base64'> | undefined;
  for (const h of record.headers) {
    const v = text(h.value);
    if (v.binary) (headerEncoding ??= {})[h.key] = 'base64';
    const prev = headers[h.key];
    if (prev === undefined) headers[h.key] = v.text;
    else headers[h.key] = Array.isArray(prev) ? [...prev, v.text] : [prev, v.text];
  }
  const env: RecordEnvelope = {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    timestamp: record.timestamp,
    key: key.text,
    headers,
    value: decoded.value,
  };
  if (key.binary) env.keyEncoding = 'base64';
  if (headerEncoding) env.headerEncoding = headerEncoding;
  if (decoded.encoding) env.valueEncoding = 'base64';
  if (decoded.error) env.error = decoded.error;
  return env;
}

function bytesOf(value: unknown, base64: boolean, what: string): Buffer | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string') throw new InputError(`${what} must be a string or null`);
  return base64 ? Buffer.from(value, 'base64') : Buffer.from(value, 'utf8');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function parseEnvelope(input: unknown, codec: ValueCodec): OutgoingRecord {
  if (!isObject(input)) throw new InputError('expected a JSON object like {"key":...,"value":...,"headers":{...}}');
  // A plain JSON object without "value" is far more likely a value given with --json by mistake than a
  // tombstone: sending it as a null value would lose it silently.
  if (!('value' in input)) {
    throw new InputError(
      'no "value" field: with --json each line is a record envelope {"key":...,"value":...}; to send lines as values, drop --json',
    );
  }
  const { key, headers } = keyAndHeaders(input);
  let value: Buffer | null;
  if (input.value === null || input.value === undefined) value = null;
  else if (input.valueEncoding === 'base64') value = bytesOf(input.value, true, '"value"');
  else {
    try {
      value = codec.encode(input.value);
    } catch (err) {
      throw encodeError(codec, `value: ${(err as Error).message}`);
    }
  }
  const out: OutgoingRecord = { key, value, headers };
  if (input.partition !== undefined && input.partition !== null) {
    if (!Number.isInteger(input.partition) || (input.partition as number) < 0)
      throw new InputError('"partition" must be a whole number >= 0');
    out.partition = input.partition as number;
  }
  if (input.timestamp !== undefined && input.timestamp !== null) {
    const ts = typeof input.timestamp === 'string' ? Date.parse(input.timestamp) : input.timestamp;
    if (typeof ts !== 'number' || !Number.isFinite(ts) || ts < 0)
      throw new InputError('"timestamp" must be epoch milliseconds or an ISO-8601 time');
    out.timestamp = ts;
  }
  return out;
}

/** An envelope's key and headers as bytes (base64 where its encodings say so); throws InputError when malformed. */
export function keyAndHeaders(input: Record<string, unknown>): { key: Buffer | null; headers: RecordHeader[] } {
  const headerEncoding = isObject(input.headerEncoding) ? input.headerEncoding : {};
  const headers: RecordHeader[] = [];
  if (input.headers !== undefined && input.headers !== null) {
    if (!isObject(input.headers)) throw new InputError('"headers" must be an object of name: value');
    for (const [name, v] of Object.entries(input.headers)) {
      const b64 = headerEncoding[name] === 'base64';
      for (const one of Array.isArray(v) ? v : [v])
        headers.push({ key: name, value: bytesOf(one, b64, `header "${name}"`) });
    }
  }
  return { key: bytesOf(input.key, input.keyEncoding === 'base64', '"key"'), headers };
}
