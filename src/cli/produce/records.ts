// From a line of input to a record: a plain value (sent as it is; with --value-format json it must be JSON,
// with avro it is JSON encoded with the schema), optionally "key<sep>value" with --key-separator, or with
// --json the record envelope `evt tail --json` prints. --key, --header and --partition apply to every
// record (on envelopes they override what the envelope says). Blank lines are skipped.

import type { OutgoingRecord, RecordHeader } from '../../client/records.js';
import { CodecError, isSchemaFormat, type ValueCodec } from '../../codec/value-codec.js';
import { InputError, SchemaMismatchError, encodeError, parseEnvelope } from '../../codec/envelope.js';

export interface RecordInputOptions {
  /** lines are record envelopes */
  json: boolean;
  codec: ValueCodec;
  key?: Buffer;
  headers: RecordHeader[];
  partition?: number;
  keySeparator?: Buffer;
  /** ignore the partition of envelopes (let the partitioner choose) */
  repartition: boolean;
  /** keys (from --key-separator or envelopes) are encoded with this (--key-format avro); --key is encoded up front */
  keyCodec?: ValueCodec;
}

/**
 * A key given as text, encoded with a key codec: JSON text as that value, and anything else (or JSON that
 * does not fit) as the string it is, so that --key o-1 works for a string key schema.
 */
export function encodeKeyText(codec: ValueCodec, text: string): Buffer {
  let parsedOk = true;
  try {
    JSON.parse(text);
  } catch {
    parsedOk = false;
  }
  if (parsedOk) {
    try {
      return codec.encode(text);
    } catch (err) {
      if (!(err instanceof CodecError)) throw err;
      try {
        return codec.encode(JSON.stringify(text));
      } catch {
        throw new SchemaMismatchError(`key: ${err.message}`);
      }
    }
  }
  try {
    return codec.encode(JSON.stringify(text));
  } catch (err) {
    if (err instanceof CodecError) throw new SchemaMismatchError(`key: ${err.message}`);
    throw err;
  }
}

/** Turns one line into a record; null for a blank line; throws InputError saying what is wrong. */
export type LineParser = (line: Buffer) => OutgoingRecord | null;

/** Whether data[start, end) is empty or only spaces and tabs. */
export function isBlank(data: Buffer, start = 0, end = data.length): boolean {
  for (let i = start; i < end; i++) {
    const c = data[i];
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}

/**
 * Whether every line is simply the value, sent as its bytes (with the same key, headers and partition for
 * all): the producer then takes the lines as slices of the input, without a record object per line.
 */
export function isRawValueInput(o: RecordInputOptions): boolean {
  return isValueOnlyInput(o) && (o.codec.format === 'auto' || o.codec.format === 'string');
}

/** Whether each line gives only the value (key, headers and partition are the same for every record). */
export function isValueOnlyInput(o: RecordInputOptions): boolean {
  return !o.json && o.keySeparator === undefined;
}

/** Whether a line can be refused at all (with none of these, every line is a valid plain value). */
export function canRefuseLines(o: RecordInputOptions): boolean {
  return (
    o.json ||
    o.keySeparator !== undefined ||
    o.codec.format === 'json' ||
    isSchemaFormat(o.codec.format) ||
    o.keyCodec !== undefined
  );
}

function valueEncoder(codec: ValueCodec): (bytes: Buffer) => Buffer {
  // plain text goes as the bytes it is (no decoding and re-encoding); json is checked, avro encoded
  if (codec.format === 'auto' || codec.format === 'string') return (bytes) => bytes;
  return (bytes) => {
    try {
      return codec.encode(bytes.toString('utf8'));
    } catch (err) {
      if (err instanceof CodecError) throw encodeError(codec, err.message);
      throw err;
    }
  };
}

export function lineParser(o: RecordInputOptions): LineParser {
  const headers = o.headers;
  if (o.json) {
    return (line) => {
      if (isBlank(line)) return null;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line.toString('utf8'));
      } catch (err) {
        throw new InputError(`not a JSON record envelope: ${(err as Error).message}`);
      }
      const keyCodec = o.keyCodec;
      if (keyCodec && parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) && o.key === undefined) {
        const env = parsed as Record<string, unknown>;
        if (env.key !== null && env.key !== undefined && env.keyEncoding !== 'base64') {
          let bytes: Buffer;
          try {
            bytes = typeof env.key === 'string' ? encodeKeyText(keyCodec, env.key) : keyCodec.encode(env.key);
          } catch (err) {
            if (err instanceof CodecError) throw new SchemaMismatchError(`key: ${err.message}`);
            throw err;
          }
          parsed = { ...env, key: bytes.toString('base64'), keyEncoding: 'base64' };
        }
      }
      const record = parseEnvelope(parsed, o.codec);
      if (o.key !== undefined) record.key = o.key;
      if (headers.length > 0) record.headers = [...record.headers, ...headers];
      if (o.partition !== undefined) record.partition = o.partition;
      else if (o.repartition) delete record.partition;
      return record;
    };
  }
  const encode = valueEncoder(o.codec);
  const sep = o.keySeparator;
  const fixedKey = o.key ?? null;
  const partition = o.partition;
  return (line) => {
    if (line.length === 0 || isBlank(line)) return null;
    let key = fixedKey;
    let valueBytes = line;
    if (sep !== undefined) {
      const at = line.indexOf(sep);
      if (at < 0) throw new InputError(`no key separator "${sep.toString()}" (expected key${sep.toString()}value)`);
      key = o.keyCodec ? encodeKeyText(o.keyCodec, line.subarray(0, at).toString('utf8')) : line.subarray(0, at);
      valueBytes = line.subarray(at + sep.length);
    }
    const record: OutgoingRecord = { key, value: encode(valueBytes), headers };
    if (partition !== undefined) record.partition = partition;
    return record;
  };
}
