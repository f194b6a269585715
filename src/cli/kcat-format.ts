// `evt tail --format '<template>'`: kcat's -f templates, byte for byte as kcat (format.c) prints them.
//
//   %t topic   %p partition   %o offset   %T timestamp (ms)   %% a percent sign
//   %k key     %K key length (-1 for none)          %s value   %S value length (-1 for null)
//   %R the value length as a 4-byte big-endian integer (-1 for null)
//   %h headers: name=value,name2=value2 (a null header value as NULL; a value up to its first NUL byte)
//   escapes in the text between tokens: \n \t \r, \xNN (hex), \NNN (a byte: decimal, or octal with a 0)
//
// %s and %k are the payload's bytes as they are (binary stays binary, as kcat writes it), except values a
// codec turned into something to read (Avro, or the schema registry's wire format), which are their JSON.
// An unknown token or a lone % at the end is a usage error, as in kcat, instead of passing silently.

import type { ConsumedRecord } from '../client/records.js';
import type { RecordEnvelope } from '../codec/envelope.js';
import { usageError } from './errors.js';

/** The envelope with the registry's schema ids, when the line formatter decoded through one. */
export type DecodedEnvelope = RecordEnvelope & {
  valueSchemaId?: number;
  keySchemaId?: number;
  /** the value's JSON text when the formatter wrote it from the payload (value is then not set) */
  valueJson?: Buffer;
};

export type Part = (r: ConsumedRecord, env: DecodedEnvelope) => Buffer;

export const KCAT_TOKENS = 't p o T k K s S R h %';

const EMPTY = Buffer.alloc(0);
const PERCENT = Buffer.from('%');

function number(n: number): Buffer {
  return Buffer.from(String(n), 'latin1');
}

function lengthOf(b: Buffer | null): number {
  return b === null ? -1 : b.length;
}

function headers(r: ConsumedRecord): Buffer {
  const out: Buffer[] = [];
  r.headers.forEach((h, i) => {
    out.push(Buffer.from(`${i > 0 ? ',' : ''}${h.key}=`, 'utf8'));
    if (h.value === null) out.push(Buffer.from('NULL'));
    else {
      // kcat prints header values as C strings (printf "%.*s"): up to the first NUL byte
      const nul = h.value.indexOf(0);
      out.push(nul < 0 ? h.value : h.value.subarray(0, nul));
    }
  });
  return Buffer.concat(out);
}

function decodedText(value: unknown): Buffer {
  if (value === null || value === undefined) return EMPTY;
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8');
}

/**
 * The value as %s prints it: its bytes, unless the codec decoded it (Avro, registry) into another value; a
 * payload that failed to decode, or came out as base64, is printed as the bytes it is.
 */
function valueBytes(decodesValues: boolean): Part {
  if (!decodesValues) return (r) => r.value ?? EMPTY;
  return (r, env) =>
    env.error || env.valueEncoding || r.value === null ? (r.value ?? EMPTY) : (env.valueJson ?? decodedText(env.value));
}

function keyBytes(r: ConsumedRecord, env: DecodedEnvelope): Buffer {
  return env.keySchemaId !== undefined ? decodedText(env.key) : (r.key ?? EMPTY);
}

function token(c: string, decodesValues: boolean): Part | undefined {
  switch (c) {
    case 't':
      return (r) => Buffer.from(r.topic, 'utf8');
    case 'p':
      return (r) => number(r.partition);
    case 'o':
      return (r) => number(r.offset);
    case 'T':
      return (r) => number(r.timestamp);
    case 'k':
      return keyBytes;
    case 'K':
      return (r) => number(lengthOf(r.key));
    case 's':
      return valueBytes(decodesValues);
    case 'S':
      return (r) => number(lengthOf(r.value));
    case 'R':
      return (r) => {
        const b = Buffer.alloc(4);
        b.writeInt32BE(lengthOf(r.value));
        return b;
      };
    case 'h':
      return headers;
    default:
      return undefined;
  }
}

/** kcat's escapes in literal text: \n \t \r, \xNN, \NNN (strtoul base 0: octal after a 0), else the character. */
export function unescapeLiteral(text: string): Buffer {
  const out: number[] = [];
  const bytes = Buffer.from(text, 'utf8');
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c !== 0x5c /* \ */ || i + 1 >= bytes.length) {
      out.push(c);
      continue;
    }
    const n = String.fromCharCode(bytes[++i]);
    if (n === 't') out.push(9);
    else if (n === 'n') out.push(10);
    else if (n === 'r') out.push(13);
    else {
      const hex = n === 'x';
      if (hex) i++;
      const rest = bytes.subarray(i).toString('latin1');
      const m = hex ? /^[0-9][0-9a-fA-F]*/.exec(rest) : /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(rest);
      if (m) {
        const digits = m[0];
        const v = hex
          ? parseInt(digits, 16)
          : /^0[xX]/.test(digits)
            ? parseInt(digits.slice(2), 16)
            : digits.startsWith('0')
              ? parseInt(digits, 8)
              : parseInt(digits, 10);
        out.push(v & 0xff);
        i += digits.length - 1;
      } else if (i < bytes.length) out.push(bytes[i]);
    }
  }
  return Buffer.from(out);
}

/**
 * Compiles a template; throws a usage error for an unknown token. `decodesValues`: the value codec turns
 * payloads into other values (Avro, a schema registry), which %s then prints as JSON.
 */
export function compileTemplate(
  template: string,
  decodesValues = false,
): (r: ConsumedRecord, env: DecodedEnvelope) => Buffer {
  const parts = templateParts(template, decodesValues);
  if (parts.length === 1) return parts[0];
  return (r, env) => Buffer.concat(parts.map((p) => p(r, env)));
}

/** The pieces a template prints one after the other (for callers that copy them straight to their output). */
export function templateParts(template: string, decodesValues = false): Part[] {
  const parts: Part[] = [];
  let literal = '';
  const flush = () => {
    if (!literal) return;
    const bytes = unescapeLiteral(literal);
    parts.push(() => bytes);
    literal = '';
  };
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c !== '%') {
      literal += c;
      continue;
    }
    const next = template[i + 1];
    if (next === undefined)
      throw usageError(`--format: the template ends with a lone % (kcat's tokens: ${KCAT_TOKENS})`);
    i++;
    flush();
    if (next === '%') {
      // kept apart from the text around it, as kcat does: escapes never span it
      parts.push(() => PERCENT);
      continue;
    }
    const part = token(next, decodesValues);
    if (!part)
      throw usageError(`--format: unknown token %${next} (kcat's tokens: %${KCAT_TOKENS.split(' ').join(' %')})`);
    parts.push(part);
  }
  flush();
  return parts;
}
