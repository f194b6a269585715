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

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
/** set by the scan when a string held a byte >= 0x80 (the bytes must then be checked as UTF-8) */
let sawHighByte = false;

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

// byte classes inside a string: 0 plain, 1 quote, 2 backslash, 3 control character, 4 byte >= 0x80
const STRING_CLASS = new Uint8Array(256);
for (let c = 0; c < 0x20; c++) STRING_CLASS[c] = 3;
STRING_CLASS[QUOTE] = 1;
STRING_CLASS[BACKSLASH] = 2;
for (let c = 0x80; c < 0x100; c++) STRING_CLASS[c] = 4;

/** End of a canonical JSON string starting at b[i] (the quote), or -1. */
function scanString(b: Buffer, i: number): number {
  i++;
  const n = b.length;
  for (;;) {
    let cls = 0;
    while (i < n && (cls = STRING_CLASS[b[i]]) === 0) i++;
    if (i >= n) return -1;
    if (cls === 1) return i + 1;
    if (cls === 4) {
      sawHighByte = true;
      i++;
      continue;
    }
    if (cls === 3) return -1;
    // a backslash
    const e = b[i + 1];
    if (
      e === QUOTE ||
      e === BACKSLASH ||
      e === 0x62 /* b */ ||
      e === 0x66 /* f */ ||
      e === 0x6e /* n */ ||
      e === 0x72 /* r */ ||
      e === 0x74 /* t */
    ) {
      i += 2;
      continue;
    }
    if (e !== 0x75 /* u */) return -1;
    // JSON.stringify writes \u00xx (lower-case hex) for control characters without a short escape
    if (b[i + 2] !== 0x30 || b[i + 3] !== 0x30) return -1;
    const h = b[i + 4];
    const l = b[i + 5];
    if (h !== 0x30 && h !== 0x31) return -1;
    const low = isDigit(l) ? l - 0x30 : l >= 0x61 && l <= 0x66 ? l - 0x61 + 10 : -1;
    if (low < 0) return -1;
    const code = (h - 0x30) * 16 + low;
    if (code === 8 || code === 9 || code === 10 || code === 12 || code === 13) return -1;
    i += 6;
  }
}

/**
 * End of a number that prints back the same, or -1: integers of up to 15 digits, and decimals of up to 15
 * significant digits without trailing zeros, no exponent, and at most 5 zeros after "0." (smaller values
 * print with an exponent); "-0" prints as 0.
 */
function scanNumber(b: Buffer, i: number): number {
  const neg = b[i] === 0x2d;
  if (neg) i++;
  const intStart = i;
  if (b[i] === 0x30) i++;
  else if (b[i] >= 0x31 && b[i] <= 0x39) while (isDigit(b[i])) i++;
  else return -1;
  const intZero = i - intStart === 1 && b[intStart] === 0x30;
  let sig = intZero ? 0 : i - intStart;
  if (b[i] === 0x2e) {
    i++;
    const fracStart = i;
    while (isDigit(b[i])) i++;
    if (i === fracStart || b[i - 1] === 0x30) return -1;
    if (intZero) {
      let zeros = 0;
      while (b[fracStart + zeros] === 0x30) zeros++;
      if (zeros > 5) return -1;
      sig = i - fracStart - zeros;
    } else sig += i - fracStart;
  } else if (intZero && neg) return -1;
  if (b[i] === 0x65 || b[i] === 0x45) return -1;
  if (sig > 15) return -1;
  return i;
}

function sameBytes(b: Buffer, s1: number, s2: number, len: number): boolean {
  for (let k = 0; k < len; k++) if (b[s1 + k] !== b[s2 + k]) return false;
  return true;
}

// the keys of the objects being scanned, as (start, end) pairs: each object's keys from its base on
const keyStack = new Int32Array(8192);
let keyTop = 0;

/** The members of an object, from the first key at b[i]. */
function scanObject(b: Buffer, i: number, depth: number): number {
  const base = keyTop;
  let seen: Set<string> | undefined;
  for (;;) {
    if (b[i] !== QUOTE) return -1;
    const keyEnd = scanString(b, i);
    if (keyEnd < 0) return -1;
    // integer-like keys are reordered by JSON.parse: not sure, bail out
    if (isDigit(b[i + 1])) {
      let allDigits = true;
      for (let k = i + 1; k < keyEnd - 1; k++) if (!isDigit(b[k])) allDigits = false;
      if (allDigits) return -1;
    }
    if (keyTop - base < 64 && keyTop < keyStack.length - 2) {
      const len = keyEnd - i;
      for (let k = base; k < keyTop; k += 2) {
        const s0 = keyStack[k];
        if (keyStack[k + 1] - s0 === len && sameBytes(b, s0, i, len)) return -1;
      }
      keyStack[keyTop++] = i;
      keyStack[keyTop++] = keyEnd;
    } else {
      // many keys: a set instead of comparing with each
      if (!seen) {
        seen = new Set();
        for (let k = base; k < keyTop; k += 2) seen.add(b.toString('latin1', keyStack[k], keyStack[k + 1]));
      }
      const name = b.toString('latin1', i, keyEnd);
      if (seen.has(name)) return -1;
      seen.add(name);
    }
    i = keyEnd;
    if (b[i] !== 0x3a /* : */) return -1;
    i = scanValue(b, i + 1, depth + 1);
    if (i < 0) return -1;
    if (b[i] === 0x2c /* , */) {
      i++;
      continue;
    }
    if (b[i] === 0x7d) return i + 1;
    return -1;
  }
}

function scanValue(b: Buffer, i: number, depth: number): number {
  if (depth > 64) return -1;
  const c = b[i];
  if (c === 0x7b /* { */) {
    i++;
    if (b[i] === 0x7d) return i + 1;
    const base = keyTop;
    const end = scanObject(b, i, depth);
    keyTop = base;
    return end;
  }
  if (c === 0x5b /* [ */) {
    i++;
    if (b[i] === 0x5d) return i + 1;
    for (;;) {
      i = scanValue(b, i, depth + 1);
      if (i < 0) return -1;
      if (b[i] === 0x2c) {
        i++;
        continue;
      }
      if (b[i] === 0x5d) return i + 1;
      return -1;
    }
  }
  if (c === QUOTE) return scanString(b, i);
  if (c === 0x74) return b[i + 1] === 0x72 && b[i + 2] === 0x75 && b[i + 3] === 0x65 ? i + 4 : -1; // true
  if (c === 0x66) return b[i + 1] === 0x61 && b[i + 2] === 0x6c && b[i + 3] === 0x73 && b[i + 4] === 0x65 ? i + 5 : -1; // false
  if (c === 0x6e) return b[i + 1] === 0x75 && b[i + 2] === 0x6c && b[i + 3] === 0x6c ? i + 4 : -1; // null
  if (c === 0x2d || isDigit(c)) return scanNumber(b, i);
  return -1;
}

/** True when the bytes are a JSON object or array exactly as JSON.stringify would write what they parse to. */
export function isCanonicalJsonContainer(b: Buffer): boolean {
  if (b.length < 2 || (b[0] !== 0x7b && b[0] !== 0x5b)) return false;
  sawHighByte = false;
  keyTop = 0;
  if (scanValue(b, 0, 0) !== b.length) return false;
  return !sawHighByte || isUtf8(b);
}

/**
 * True when the bytes hold something JSON.stringify never writes, so that whatever they parse to (if they parse
 * at all) cannot serialise back to them, and auto shows them as text. Proving this is one pass with no parse,
 * where the general path parses, serialises and compares. It answers for JSON as other libraries write it:
 * Python's json.dumps (spaces after `,` and `:`, `\u00e9` escapes), pretty printers (newlines, indents), Java's
 * doubles (`25.0`, `1.0E10`). False means unsure, not canonical: the caller asks isCanonicalJsonContainer.
 */
export function isProvablyNotCanonical(b: Buffer): boolean {
  const n = b.length;
  let i = 0;
  while (i < n) {
    const c = b[i];
    if (c === QUOTE) {
      // inside a string: only an escape can be one JSON.stringify never writes
      i++;
      while (i < n) {
        const d = b[i];
        if (d === QUOTE) break;
        if (d !== BACKSLASH) {
          i++;
          continue;
        }
        const e = b[i + 1];
        // stringify escapes with \u only control characters (\u00xx) and lone surrogates (\udxxx), lower-case
        if (e === 0x75 /* u */) {
          const h1 = b[i + 2];
          const control = h1 === 0x30 && b[i + 3] === 0x30 && (b[i + 4] === 0x30 || b[i + 4] === 0x31);
          if (!control && h1 !== 0x64 /* d */) return true;
        } else if (e === 0x2f /* / */) return true;
        i += 2;
      }
      i++;
      continue;
    }
    // outside strings: whitespace, an upper-case exponent, or a fraction ending in 0 (stringify writes 25, not 25.0)
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x45 /* E */) return true;
    if (c === 0x30 && i > 0 && !isDigit(b[i + 1])) {
      let j = i - 1;
      while (j >= 0 && b[j] === 0x30) j--;
      while (j >= 0 && isDigit(b[j])) j--;
      if (j >= 0 && b[j] === 0x2e /* . */) return true;
    }
    i++;
  }
  return false;
}

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

/** Copies src into out at pos (a few bytes one by one: cheaper than a call into the runtime). */
function put(out: Buffer, pos: number, src: Buffer): number {
  const n = src.length;
  if (n < 8) {
    for (let i = 0; i < n; i++) out[pos + i] = src[i];
  } else out.set(src, pos);
  return pos + n;
}

const DIGITS = new Uint8Array(20);

/** A safe integer in decimal at pos. */
function putInt(out: Buffer, pos: number, n: number): number {
  if (n < 0) {
    out[pos++] = 0x2d;
    n = -n;
  }
  let i = 20;
  do {
    const q = Math.floor(n / 10);
    DIGITS[--i] = 0x30 + (n - q * 10);
    n = q;
  } while (n > 0);
  while (i < 20) out[pos++] = DIGITS[i++];
  return pos;
}

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
    const v = r.value;
    if (v === null) return put(out, pos, NULL_END);
    if ((v[0] === 0x7b || v[0] === 0x5b) && !isProvablyNotCanonical(v)) {
      if (!isCanonicalJsonContainer(v)) return -1;
      pos = put(out, pos, v);
    } else {
      pos = putText(out, pos, v);
      if (pos < 0) return -1;
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
