// The records inside a RecordBatch v2. The broker never needs them on the produce or fetch path; they are
// read for two jobs only: recomputing a client batch's max timestamp (a walk that decodes just each record's
// length, timestamp delta and offset delta) and per-record lookups (offset for timestamp, and the rest of evt
// reading logs directly).
//
// Record grammar (Kafka's DefaultRecord), varints zig-zag encoded:
//   length varint | attributes int8 | timestampDelta varlong | offsetDelta varint |
//   keyLength varint | key | valueLength varint | value | headerCount varint |
//   [headerKeyLength varint | headerKey | headerValueLength varint | headerValue]...
// A length of -1 means null (key, value, header value).

import { gunzipSync } from 'node:zlib';
import { ErrorCode, KafkaError } from '../error-codes.js';
import {
  ATTRIBUTES,
  BATCH_HEADER_SIZE,
  COMPRESSION_NAMES,
  Compression,
  NO_TIMESTAMP,
  RECORDS,
  compressionOf,
  hasLogAppendTime,
  readBatchHeader,
  type BatchHeader,
} from './batch-layout.js';

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

export interface LogRecord {
  offset: number;
  timestamp: number;
  /** slices of the batch (or of its decompressed payload): copy them if they must outlive it */
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

function corrupt(message: string): never {
  throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, message);
}

/**
 * A minimal cursor over record bytes. Varints are decoded with plain arithmetic instead of BigInt: record
 * varints are small, and this walk runs once per produced record.
 */
class Cursor {
  constructor(
    readonly buf: Buffer,
    public pos: number,
    public end: number,
  ) {}

  byte(): number {
    if (this.pos >= this.end) corrupt('record extends past the end of its batch');
    return this.buf[this.pos++];
  }

  /** zig-zag varint or varlong */
  varint(): number {
    const buf = this.buf;
    if (this.pos >= this.end) corrupt('record extends past the end of its batch');
    let b = buf[this.pos++];
    let u: number;
    if (b < 0x80) {
      u = b;
    } else {
      u = b & 0x7f;
      let mul = 128;
      for (let i = 1; ; i++) {
        if (i >= 10) corrupt('varint too long');
        if (this.pos >= this.end) corrupt('record extends past the end of its batch');
        b = buf[this.pos++];
        u += (b & 0x7f) * mul;
        if (b < 0x80) break;
        mul *= 128;
      }
    }
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  bytes(n: number): Buffer | null {
    if (n < 0) return null;
    if (this.pos + n > this.end) corrupt('record field extends past the end of its record');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

/** Whether `iterateRecords` can read this batch's records (uncompressed or gzip). */
export function canDecodeRecords(attributes: number): boolean {
  const codec = compressionOf(attributes);
  return codec === Compression.NONE || codec === Compression.GZIP;
}

/**
 * The records section of a batch, decompressed. Uncompressed batches return a slice (no copy); gzip is
 * inflated with node:zlib; snappy, lz4 and zstd are not available without native modules, so they throw
 * UNSUPPORTED_COMPRESSION_TYPE.
 */
export function recordsPayload(batch: Buffer, attributes?: number): Buffer {
  if (batch.length < BATCH_HEADER_SIZE) corrupt('batch shorter than its header');
  const body = batch.subarray(RECORDS);
  const codec = compressionOf(attributes ?? batch.readInt16BE(ATTRIBUTES));
  if (codec === Compression.NONE) return body;
  if (codec === Compression.GZIP) {
    try {
      return gunzipSync(body);
    } catch (err) {
      corrupt(`gzip records do not inflate: ${(err as Error).message}`);
    }
  }
  throw new KafkaError(
    ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
    `records compressed with ${COMPRESSION_NAMES[codec] ?? `codec ${codec}`} cannot be decoded by this broker`,
  );
}

/**
 * Walks `count` records of an (uncompressed) records payload and returns their largest timestamp, checking
 * on the way that the framing is sound: every record fits, the offset deltas are 0..count-1, and the records
 * fill the payload exactly. Only the length, timestamp delta and offset delta of each record are decoded.
 */
export function maxRecordTimestamp(payload: Buffer, count: number, baseTimestamp: number): number {
  const c = new Cursor(payload, 0, payload.length);
  let max = NO_TIMESTAMP;
  for (let i = 0; i < count; i++) {
    const length = c.varint();
    const start = c.pos;
    const end = start + length;
    if (length <= 0 || end > payload.length) corrupt(`record ${i} has an impossible length ${length}`);
    c.end = end;
    c.pos++; // attributes: unused in v2
    const ts = baseTimestamp + c.varint();
    const offsetDelta = c.varint();
    if (offsetDelta !== i) {
      throw new KafkaError(ErrorCode.INVALID_RECORD, `record ${i} has offset delta ${offsetDelta}, expected ${i}`);
    }
    if (ts > max) max = ts;
    c.pos = end;
    c.end = payload.length;
  }
  if (c.pos !== payload.length) {
    throw new KafkaError(ErrorCode.INVALID_RECORD, `the batch holds ${payload.length - c.pos} bytes beyond its ${count} records`);
  }
  return max;
}

function decodeRecord(c: Cursor, h: BatchHeader, logAppendTime: boolean): LogRecord {
  c.byte(); // attributes
  const timestampDelta = c.varint();
  const offsetDelta = c.varint();
  const key = c.bytes(c.varint());
  const value = c.bytes(c.varint());
  const headerCount = c.varint();
  if (headerCount < 0) corrupt(`negative header count ${headerCount}`);
  const headers: RecordHeader[] = [];
  for (let i = 0; i < headerCount; i++) {
    const hk = c.bytes(c.varint());
    if (hk === null) corrupt('null header key');
    headers.push({ key: hk.toString('utf8'), value: c.bytes(c.varint()) });
  }
  return {
    offset: h.baseOffset + offsetDelta,
    // With LogAppendTime every record carries the batch's (broker-set) max timestamp, as consumers read it.
    timestamp: logAppendTime ? h.maxTimestamp : h.baseTimestamp + timestampDelta,
    key,
    value,
    headers,
  };
}

/**
 * The records of one whole batch (as stored: offsets are absolute once the broker has assigned the base
 * offset). Works for uncompressed and gzip batches; throws UNSUPPORTED_COMPRESSION_TYPE for other codecs
 * and CORRUPT_MESSAGE for malformed records.
 */
export function* iterateRecords(batch: Buffer): Generator<LogRecord> {
  if (batch.length < BATCH_HEADER_SIZE) corrupt('batch shorter than its header');
  const h = readBatchHeader(batch);
  const payload = recordsPayload(batch, h.attributes);
  const logAppendTime = hasLogAppendTime(h.attributes);
  const c = new Cursor(payload, 0, payload.length);
  for (let i = 0; i < h.recordsCount; i++) {
    const length = c.varint();
    const start = c.pos;
    const end = start + length;
    if (length <= 0 || end > payload.length) corrupt(`record ${i} has an impossible length ${length}`);
    c.end = end;
    const record = decodeRecord(c, h, logAppendTime);
    c.pos = end;
    c.end = payload.length;
    yield record;
  }
}

/** `iterateRecords` collected into an array. */
export function decodeRecords(batch: Buffer): LogRecord[] {
  return [...iterateRecords(batch)];
}
