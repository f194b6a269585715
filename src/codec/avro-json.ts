// Avro binary straight to JSON text: a reader per schema, compiled once (a function per type, walking the
// schema), that writes the bytes JSON.stringify would give for what the general path shows (avsc's decoding,
// unions unwrapped where avsc's "auto" leaves them so, bytes and fixed as strings of code points 0-255), without
// the objects of a decoded value, their serialisation and the string's encoding (most of the time tail spent
// on Avro records).
//
// It answers only when it is sure to match: anything it cannot vouch for (bytes that are not Avro of the
// schema, a string that is not UTF-8, a long beyond 2^53, a map key JSON.stringify would reorder or drop, a
// logical type avsc was told about) makes it answer null, and the caller takes the general path, which says
// what is wrong. test/codec/avro-json.test.ts checks both agree.

import { isUtf8 } from 'node:buffer';
import type avro from 'avsc';
import { putDecimal } from '../common/decimal.js';

/** A compiled reader: the JSON text of an Avro body (as UTF-8 bytes, a view valid until the next call), or null. */
export type AvroJsonWriter = (body: Buffer) => Buffer | null;

interface State {
  buf: Buffer;
  pos: number;
  out: Buffer;
  o: number;
}

/** Reads one value from s.buf at s.pos and writes its JSON at s.o; false when unsure or not valid. */
type Step = (s: State) => boolean;

/** Values larger than this as JSON are left to the general path (a small body can claim a huge array of nulls). */
const MAX_OUT = 64 * 1024 * 1024;

function room(s: State, n: number): boolean {
  if (s.o + n <= s.out.length) return true;
  const size = Math.max(s.out.length * 2, s.o + n);
  if (size > MAX_OUT) return false;
  const bigger = Buffer.allocUnsafe(size);
  s.out.copy(bigger, 0, 0, s.o);
  s.out = bigger;
  return true;
}

/** ASCII text, byte by byte (for the short pieces of JSON this beats a call into the runtime). */
function putAscii(s: State, text: string): boolean {
  const n = text.length;
  if (!room(s, n)) return false;
  const out = s.out;
  let o = s.o;
  for (let i = 0; i < n; i++) out[o++] = text.charCodeAt(i);
  s.o = o;
  return true;
}

function putNumber(s: State, n: number): boolean {
  if (!Number.isSafeInteger(n)) {
    // JSON.stringify writes what String does for finite numbers, null for the others
    return putAscii(s, Number.isFinite(n) ? String(n) : 'null');
  }
  if (!room(s, 17)) return false;
  s.o = putDecimal(s.out, s.o, n);
  return true;
}

/** avsc's Tap.readLong: a zig-zag varint (a float beyond 28 bits, as avsc reads it; avsc refuses longs beyond 2^53 - 2). */
function readLong(s: State): number {
  const buf = s.buf;
  let n = 0;
  let k = 0;
  let b: number;
  let h: number;
  do {
    b = buf[s.pos++];
    h = b & 0x80;
    n |= (b & 0x7f) << k;
    k += 7;
  } while (h && k < 28);
  if (h) {
    let f = n;
    let fk = 268435456;
    do {
      b = buf[s.pos++];
      f += (b & 0x7f) * fk;
      fk *= 128;
    } while (b & 0x80 && s.pos <= buf.length);
    return (f % 2 ? -(f + 1) : f) / 2;
  }
  return (n >> 1) ^ -(n & 1);
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const HEX = '0123456789abcdef';
// JSON.stringify's short escapes
const SHORT: Record<number, number> = {
  0x08: 0x62,
  0x09: 0x74,
  0x0a: 0x6e,
  0x0c: 0x66,
  0x0d: 0x72,
  0x22: 0x22,
  0x5c: 0x5c,
};

/** Code unit c (< 0x80) as JSON.stringify writes it inside a string. */
function putEscapedAscii(out: Buffer, o: number, c: number): number {
  if (c >= 0x20 && c !== QUOTE && c !== BACKSLASH) out[o++] = c;
  else if (SHORT[c] !== undefined) {
    out[o++] = BACKSLASH;
    out[o++] = SHORT[c];
  } else {
    out[o++] = BACKSLASH;
    out[o++] = 0x75;
    out[o++] = 0x30;
    out[o++] = 0x30;
    out[o++] = HEX.charCodeAt(c >> 4);
    out[o++] = HEX.charCodeAt(c & 15);
  }
  return o;
}

/** A string of UTF-8 bytes buf[start, end) as JSON; false when they are not valid UTF-8. */
function putUtf8String(s: State, start: number, end: number): boolean {
  if (!room(s, (end - start) * 6 + 2)) return false;
  const buf = s.buf;
  const out = s.out;
  let o = s.o;
  let high = 0;
  out[o++] = QUOTE;
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c >= 0x80) {
      high = 1;
      out[o++] = c;
    } else o = putEscapedAscii(out, o, c);
  }
  out[o++] = QUOTE;
  // valid UTF-8 has no lone surrogates, the one thing stringify escapes above 0x7f
  if (high && !isUtf8(buf.subarray(start, end))) return false;
  s.o = o;
  return true;
}

/** Bytes as a string of code points 0-255 (latin1), as JSON. */
function putLatin1String(s: State, start: number, end: number): boolean {
  if (!room(s, (end - start) * 6 + 2)) return false;
  const buf = s.buf;
  const out = s.out;
  let o = s.o;
  out[o++] = QUOTE;
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c >= 0x80) {
      // U+0080..U+00FF in UTF-8
      out[o++] = 0xc0 | (c >> 6);
      out[o++] = 0x80 | (c & 0x3f);
    } else o = putEscapedAscii(out, o, c);
  }
  out[o++] = QUOTE;
  s.o = o;
  return true;
}

/** A length-prefixed run of bytes: its start, or -1 when the length does not fit the body. */
function lengthPrefixed(s: State): number {
  const n = readLong(s);
  const start = s.pos;
  if (!(n >= 0) || start + n > s.buf.length) return -1;
  s.pos = start + n;
  return start;
}

/** Avro's block-encoded items (arrays, maps): calls item for each; false when one fails or the blocks are bad. */
function blocks(s: State, item: (first: boolean) => boolean): boolean {
  let first = true;
  for (;;) {
    let n = readLong(s);
    if (s.pos > s.buf.length) return false;
    if (n === 0) return true;
    if (n < 0) {
      n = -n;
      readLong(s); // the block's size in bytes
    }
    for (let i = 0; i < n; i++) {
      if (!item(first) || s.pos > s.buf.length) return false;
      first = false;
    }
  }
}

// an array index (as a string), which JSON.stringify writes before the other keys of an object
const INTEGER_LIKE = /^(0|[1-9]\d*)$/;

function compile(type: avro.Type, seen: Map<avro.Type, Step>): Step | null {
  const known = seen.get(type);
  if (known) return known;
  const t = type as avro.Type & { typeName: string };
  switch (t.typeName) {
    case 'null':
      return (s) => putAscii(s, 'null');
    case 'boolean':
      // as avsc reads it: any byte but 0 is true
      return (s) => putAscii(s, s.buf[s.pos++] ? 'true' : 'false');
    case 'int':
      return (s) => putNumber(s, readLong(s));
    case 'long':
      return (s) => {
        const n = readLong(s);
        // avsc refuses these ("potential precision loss"): the general path says so
        return n >= -9007199254740990 && n <= 9007199254740990 && putNumber(s, n);
      };
    case 'float':
      return (s) => {
        if (s.pos + 4 > s.buf.length) return false;
        const n = s.buf.readFloatLE(s.pos);
        s.pos += 4;
        return putNumber(s, n);
      };
    case 'double':
      return (s) => {
        if (s.pos + 8 > s.buf.length) return false;
        const n = s.buf.readDoubleLE(s.pos);
        s.pos += 8;
        return putNumber(s, n);
      };
    case 'string':
      return (s) => {
        const start = lengthPrefixed(s);
        return start >= 0 && putUtf8String(s, start, s.pos);
      };
    case 'bytes':
      return (s) => {
        const start = lengthPrefixed(s);
        return start >= 0 && putLatin1String(s, start, s.pos);
      };
    case 'fixed': {
      const size = (type as avro.types.FixedType).size;
      return (s) => {
        const start = s.pos;
        if (start + size > s.buf.length) return false;
        s.pos += size;
        return putLatin1String(s, start, s.pos);
      };
    }
    case 'enum': {
      const symbols = (type as avro.types.EnumType).symbols.map((x) => JSON.stringify(x));
      return (s) => {
        const symbol = symbols[readLong(s)];
        return symbol !== undefined && putAscii(s, symbol);
      };
    }
    case 'array': {
      let item: Step | null = null;
      const step: Step = (s) =>
        putAscii(s, '[') && blocks(s, (first) => (first || putAscii(s, ',')) && item!(s)) && putAscii(s, ']');
      seen.set(type, step);
      item = compile((type as avro.types.ArrayType).itemsType, seen);
      return item && step;
    }
    case 'map': {
      let value: Step | null = null;
      const step: Step = (s) => {
        // keys JSON.stringify would move (array indexes), drop (__proto__, which sets the prototype) or
        // write once (duplicates): the general path
        const keys = new Set<string>();
        return (
          putAscii(s, '{') &&
          blocks(s, (first) => {
            const start = lengthPrefixed(s);
            if (start < 0) return false;
            const key = s.buf.toString('utf8', start, s.pos);
            if (key === '__proto__' || INTEGER_LIKE.test(key) || keys.has(key)) return false;
            keys.add(key);
            return (first || putAscii(s, ',')) && putUtf8String(s, start, s.pos) && putAscii(s, ':') && value!(s);
          }) &&
          putAscii(s, '}')
        );
      };
      seen.set(type, step);
      value = compile((type as unknown as { valuesType: avro.Type }).valuesType, seen);
      return value && step;
    }
    case 'record':
    case 'error': {
      const fields = (type as avro.types.RecordType).fields;
      const steps: (Step | null)[] = [];
      const names = fields.map((f, i) => (i === 0 ? '{' : ',') + JSON.stringify(f.name) + ':');
      const step: Step = (s) => {
        for (let i = 0; i < steps.length; i++) if (!putAscii(s, names[i]) || !steps[i]!(s)) return false;
        return putAscii(s, steps.length === 0 ? '{}' : '}');
      };
      seen.set(type, step);
      for (const f of fields) {
        const c = compile(f.type, seen);
        if (!c) return null;
        steps.push(c);
      }
      return step;
    }
    case 'union:unwrapped':
    case 'union:wrapped': {
      const branches = (type as unknown as { types: avro.Type[] }).types;
      const wrapped = t.typeName === 'union:wrapped';
      const steps: (Step | null)[] = [];
      // a wrapped branch is {"<branch name>": value}; its null branch is null
      const opens = branches.map((b) => (wrapped ? `{${JSON.stringify(b.branchName)}:` : ''));
      const step: Step = (s) => {
        const i = readLong(s);
        const branch = steps[i];
        if (branch === undefined) return false;
        if (!wrapped || (branches[i] as avro.Type & { typeName: string }).typeName === 'null') return branch!(s);
        return putAscii(s, opens[i]) && branch!(s) && putAscii(s, '}');
      };
      seen.set(type, step);
      for (const b of branches) {
        const c = compile(b, seen);
        if (!c) return null;
        steps.push(c);
      }
      return step;
    }
    default:
      // logical types avsc was given, and anything else: the general path
      return null;
  }
}

/**
 * The writer of a schema, or null when it cannot have one (see the top). `hasBytes`: the general path turns
 * every {type: "Buffer", data: [...]} object into a string (that is how it finds bytes), so a record with
 * fields of those names is left to it.
 */
export function avroJsonWriter(type: avro.Type): AvroJsonWriter | null {
  const text = JSON.stringify(type.schema());
  if (/"name":"type"/.test(text) && /"name":"data"/.test(text)) return null;
  const root = compile(type, new Map());
  if (!root) return null;
  const s: State = { buf: Buffer.alloc(0), pos: 0, out: Buffer.allocUnsafe(64 * 1024), o: 0 };
  return (body) => {
    s.buf = body;
    s.pos = 0;
    s.o = 0;
    // a body read past its end, or not to its end (avsc's "trailing data"), is not a value of the schema
    if (!root(s) || s.pos !== body.length) return null;
    return s.out.subarray(0, s.o);
  };
}
