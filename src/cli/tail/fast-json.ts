// A fast path for `evt tail --json` with the auto value format: the NDJSON line of a record written straight
// from its bytes, without building the envelope, parsing the value and serialising it twice.
//
// It must print exactly what formatJson(toEnvelope(record, autoCodec)) prints, and it only answers when it is
// sure: a value that is a JSON object or array is copied as it is when a scan proves that
// JSON.stringify(JSON.parse(text)) would give back the same text (no whitespace, canonical numbers and string
// escapes, no duplicate or integer-like keys, whose order JSON.parse would change). Anything it is not sure
// about (non-canonical JSON, binary keys or values, a byte order mark, unusual headers) returns undefined and
// the caller takes the general path. test/cli/tail/fast-json.test.ts checks both agree.

import { isUtf8 } from 'node:buffer';
import type { ConsumedRecord } from '../../client/records.js';
import { jsonVerdict } from '../../codec/canonical-json.js';
import { putDecimal } from '../../common/decimal.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function hasBom(b: Buffer): boolean {
  return b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf;
}

const ASCII = (text: string) => Buffer.from(text, 'latin1');
const AFTER_OFFSET = ASCII(',"timestamp":');
const AFTER_TIMESTAMP_NO_KEY = ASCII(',"key":null,"headers":');
const AFTER_TIMESTAMP = ASCII(',"key":');
const HEADERS = ASCII(',"headers":');
const NO_HEADERS_VALUE = ASCII('{},"value":');
const VALUE = ASCII(',"value":');
const NULL_END = ASCII('null}\n');
const END = ASCII('}\n');
const BASE64_END = ASCII(',"valueEncoding":"base64"}\n');
const SCHEMA_ID = ASCII(',"valueSchemaId":');

/** Copies src into out at pos (a few bytes one by one: cheaper than a call into the runtime). */
function put(out: Buffer, pos: number, src: Buffer): number {
  const n = src.length;
  if (n < 8) {
    for (let i = 0; i < n; i++) out[pos + i] = src[i];
  } else out.set(src, pos);
  return pos + n;
}

const putInt = putDecimal;

// what JSON.stringify writes for each byte of valid UTF-8 inside a string: 0 the byte itself, 1 a short
// escape (\" \\ \b \t \n \f \r), 2 \u00xx
const ESCAPE_CLASS = new Uint8Array(256);
const SHORT_ESCAPE = new Uint8Array(256);
for (let c = 0; c < 0x20; c++) ESCAPE_CLASS[c] = 2;
for (const [c, e] of [
  [QUOTE, QUOTE],
  [BACKSLASH, BACKSLASH],
  [0x08, 0x62],
  [0x09, 0x74],
  [0x0a, 0x6e],
  [0x0c, 0x66],
  [0x0d, 0x72],
]) {
  ESCAPE_CLASS[c] = 1;
  SHORT_ESCAPE[c] = e;
}
const HEX = Buffer.from('0123456789abcdef', 'latin1');

/**
 * A text payload as a JSON string at pos: the bytes JSON.stringify(text) gives, escaped byte by byte (valid
 * UTF-8 holds no lone surrogates, the one thing stringify escapes above 0x7f; a byte loop here beats
 * toString + JSON.stringify + write by 3x), or -1 when it is not UTF-8 or starts with a byte order mark (the
 * general path decides what those show as). out has 6 bytes per byte of b free.
 */
function putText(out: Buffer, pos: number, b: Buffer): number {
  if (hasBom(b)) return -1;
  let high = 0;
  const n = b.length;
  out[pos++] = QUOTE;
  for (let i = 0; i < n; i++) {
    const c = b[i];
    const cls = ESCAPE_CLASS[c];
    if (cls === 0) {
      high |= c;
      out[pos++] = c;
    } else if (cls === 1) {
      out[pos++] = BACKSLASH;
      out[pos++] = SHORT_ESCAPE[c];
    } else {
      out[pos++] = BACKSLASH;
      out[pos++] = 0x75;
      out[pos++] = 0x30;
      out[pos++] = 0x30;
      out[pos++] = HEX[c >> 4];
      out[pos++] = HEX[c & 15];
    }
  }
  out[pos++] = QUOTE;
  if (high >= 0x80 && !isUtf8(b)) return -1;
  return pos;
}

/**
 * Writes NDJSON lines of records into buffers: the bytes formatJson(toEnvelope(record, autoCodec)) + "\n"
 * would give, without building either.
 */
export class FastJsonEncoder {
  private prefixes = new Map<string, Buffer[]>();
  private lastTimestamp = NaN;
  /** `,"timestamp":<digits>` of the last timestamp, and the same followed by `,"key":null,"headers":{},"value":` */
  private timestampPart = Buffer.alloc(0);
  private timestampNoKeyPart = Buffer.alloc(0);
  private readonly scratch = Buffer.alloc(32);

  /** Bytes that are enough for write() (a record whose headers need more makes write() answer -2). */
  static room(r: ConsumedRecord): number {
    return 160 + r.topic.length * 6 + (r.key?.length ?? 0) * 6 + (r.value?.length ?? 0) * 6;
  }

  private prefix(topic: string, partition: number): Buffer {
    let list = this.prefixes.get(topic);
    if (!list) this.prefixes.set(topic, (list = []));
    return (list[partition] ??= Buffer.from(
      `{"topic":${JSON.stringify(topic)},"partition":${partition},"offset":`,
      'utf8',
    ));
  }

  /**
   * The line of `r` (with its newline) into `out` from `pos`, which has room(r) bytes free: the position
   * after it, -1 when the record needs the general path, -2 when its headers need more room.
   */
  write(r: ConsumedRecord, out: Buffer, pos: number): number {
    return this.writeWith(r, out, pos, null, 0);
  }

  /**
   * As write, with the value given as JSON text decoded from schema `schemaId` (the registry's; the line then
   * says the id after the value). `out` has room(r) + json.length bytes free.
   */
  writeWith(r: ConsumedRecord, out: Buffer, pos: number, json: Buffer | null, schemaId: number): number {
    pos = put(out, pos, this.prefix(r.topic, r.partition));
    pos = putInt(out, pos, r.offset);
    // records of a batch often share their timestamp: its part of the line is kept
    if (r.timestamp !== this.lastTimestamp) {
      this.lastTimestamp = r.timestamp;
      const digits = this.scratch.subarray(0, putInt(this.scratch, 0, r.timestamp));
      this.timestampPart = Buffer.concat([AFTER_OFFSET, digits]);
      this.timestampNoKeyPart = Buffer.concat([AFTER_OFFSET, digits, AFTER_TIMESTAMP_NO_KEY, NO_HEADERS_VALUE]);
    }
    if (r.key === null && r.headers.length === 0) pos = put(out, pos, this.timestampNoKeyPart);
    else {
      pos = put(out, pos, this.timestampPart);
      if (r.key === null) pos = put(out, pos, AFTER_TIMESTAMP_NO_KEY);
      else {
        pos = put(out, pos, AFTER_TIMESTAMP);
        pos = putText(out, pos, r.key);
        if (pos < 0) return -1;
        pos = put(out, pos, HEADERS);
      }
      if (r.headers.length === 0) pos = put(out, pos, NO_HEADERS_VALUE);
      else {
        const json = headersJson(r);
        if (json === undefined) return -1;
        if (json.length * 3 + 64 + (r.value?.length ?? 0) * 6 > out.length - pos) return -2;
        pos += out.write(json, pos, 'utf8');
        pos = put(out, pos, VALUE);
      }
    }
    if (json !== null) {
      pos = put(out, pos, json);
      pos = put(out, pos, SCHEMA_ID);
      pos = putInt(out, pos, schemaId);
      return put(out, pos, END);
    }
    const v = r.value;
    if (v === null) return put(out, pos, NULL_END);
    const verdict = jsonVerdict(v);
    if (verdict === 'unsure') return -1;
    if (verdict === 'json') pos = put(out, pos, v);
    else {
      const start = pos;
      pos = putText(out, pos, v);
      if (pos < 0) {
        if (hasBom(v)) return -1;
        // not UTF-8: auto shows the bytes as base64, and the envelope says so after the value
        pos = start;
        out[pos++] = QUOTE;
        pos += out.write(v.toString('base64'), pos, 'latin1');
        out[pos++] = QUOTE;
        return put(out, pos, BASE64_END);
      }
    }
    return put(out, pos, END);
  }
}

/** The headers object of the envelope as JSON, or undefined when unsure (binary values, odd names). */
function headersJson(r: ConsumedRecord): string | undefined {
  const obj = Object.create(null) as Record<string, string | null | (string | null)[]>;
  for (const h of r.headers) {
    if (h.key === '__proto__' || /^\d/.test(h.key)) return undefined;
    let v: string | null = null;
    if (h.value !== null) {
      if (hasBom(h.value) || !isUtf8(h.value)) return undefined;
      v = h.value.toString('utf8');
    }
    const prev = obj[h.key];
    if (prev === undefined) obj[h.key] = v;
    else obj[h.key] = Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return JSON.stringify(obj);
}

const shared = new FastJsonEncoder();

/** The NDJSON line of a record (without the newline), or undefined: take the general path. */
export function fastJsonLine(r: ConsumedRecord): string | undefined {
  const out = Buffer.alloc(
    FastJsonEncoder.room(r) +
      64 * r.headers.length +
      r.headers.reduce((n, h) => n + 6 * (h.key.length + (h.value?.length ?? 0)), 0),
  );
  const end = shared.write(r, out, 0);
  return end < 0 ? undefined : out.toString('utf8', 0, end - 1);
}
