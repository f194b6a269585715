// Whether JSON bytes are exactly what JSON.stringify would write for what they parse to, decided by scanning
// the bytes rather than parsing and serialising them. `auto` (value-codec.ts) shows a payload as a JSON value
// only then, and tail's fast NDJSON path (cli/tail/fast-json.ts) copies such payloads as they are.

import { isUtf8 } from 'node:buffer';

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
 * What `auto` makes of a payload that starts like a JSON object or array, as far as a scan can tell: 'json'
 * when it is canonical (auto shows the value it parses to), 'text' when it is not a container or provably
 * cannot round-trip (auto shows it as text, if it is UTF-8), 'unsure' when only a parse and serialisation can
 * say. The one place the two scans are combined, for auto itself and for tail's paths that skip the envelope.
 */
export function jsonVerdict(b: Buffer): 'json' | 'text' | 'unsure' {
  if (b.length === 0 || (b[0] !== 0x7b && b[0] !== 0x5b) || isProvablyNotCanonical(b)) return 'text';
  return isCanonicalJsonContainer(b) ? 'json' : 'unsure';
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

const NEWLINE = 0x0a;
const SPACE = 0x20;

/**
 * JSON.stringify(JSON.parse(text), null, 2) for bytes isCanonicalJsonContainer accepted, written straight from
 * the bytes (a canonical text has no whitespace, so every `{ [ , : } ]` outside strings is structure), with
 * `indent` more spaces at the start of every line after the first. The human format of tail prints values so,
 * and parsing and serialising each was most of its time.
 */
export function prettyCanonicalJson(b: Buffer, indent = 0): string {
  const n = b.length;
  let out = scratch;
  let pos = 0;
  let depth = indent;
  /** room for k more bytes */
  const room = (k: number) => {
    if (pos + k <= out.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(out.length * 2, pos + k));
    out.copy(bigger, 0, 0, pos);
    out = scratch = bigger;
  };
  const newline = () => {
    room(depth + 1);
    out[pos++] = NEWLINE;
    // byte by byte: Buffer's fill and copy cost more in their checks than a few bytes take to move
    for (let k = 0; k < depth; k++) out[pos++] = SPACE;
  };
  for (let i = 0; i < n; i++) {
    const c = b[i];
    if (c === QUOTE) {
      // the bytes are canonical: the scan that accepted them finds the string's end again
      const end = scanString(b, i);
      room(end - i);
      for (let k = i; k < end; k++) out[pos++] = b[k];
      i = end - 1;
      continue;
    }
    room(2);
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      const close = b[i + 1];
      out[pos++] = c;
      if (close === 0x7d || close === 0x5d) {
        out[pos++] = close;
        i++;
      } else {
        depth += 2;
        newline();
      }
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth -= 2;
      newline();
      out[pos++] = c;
    } else if (c === 0x2c /* , */) {
      out[pos++] = c;
      newline();
    } else if (c === 0x3a /* : */) {
      out[pos++] = c;
      out[pos++] = SPACE;
    } else out[pos++] = c;
  }
  return out.toString('utf8', 0, pos);
}

/** the pretty printer's output space, grown as needed and kept (a string is made of it each time) */
let scratch = Buffer.allocUnsafe(64 * 1024);
