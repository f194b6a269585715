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

import { ErrorCode, KafkaError } from '../error-codes.js';
import {
  ATTRIBUTES,
  BATCH_HEADER_SIZE,
  Compression,
  NO_TIMESTAMP,
  RECORDS,
  compressionOf,
  hasLogAppendTime,
  readBatchHeader,
} from './batch-layout.js';
import { decompress } from './compression.js';

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

// The varint reader returns the value and leaves the position after it in `at`: no cursor object and no
// allocation per field, as this is the inner loop of every read of records.
let at = 0;

/** zig-zag varint or varlong at `pos` (record varints are small: plain arithmetic, no BigInt) */
function readVarint(p: Buffer, pos: number, end: number): number {
  if (pos >= end) corrupt('record extends past the end of its batch');
  let b = p[pos++];
  let u: number;
  if (b < 0x80) u = b;
  else {
    u = b & 0x7f;
    let mul = 128;
    for (let i = 1; ; i++) {
      if (i >= 10) corrupt('varint too long');
      if (pos >= end) corrupt('record extends past the end of its batch');
      b = p[pos++];
      u += (b & 0x7f) * mul;
      if (b < 0x80) break;
      mul *= 128;
    }
  }
  at = pos;
  return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
}

/** A length-prefixed field at `at` (null for length -1), leaving the position after it in `at`. */
function readField(p: Buffer, end: number, what: string): Buffer | null {
  const length = readVarint(p, at, end);
  if (length < 0) return null;
  const start = at;
  if (start + length > end) corrupt(`record ${what} extends past the end of its record`);
  at = start + length;
  return p.subarray(start, at);
}

/** Whether `iterateRecords` can read this batch's records: every codec Kafka defines (see compression.ts). */
export function canDecodeRecords(attributes: number): boolean {
  return compressionOf(attributes) <= Compression.ZSTD;
}

/**
 * The records section of a batch, decompressed. Uncompressed batches return a slice (no copy); the codec
 * libraries load on first use. An unknown codec, or a library that does not load, is
 * UNSUPPORTED_COMPRESSION_TYPE; data that does not decompress is CORRUPT_MESSAGE.
 */
export function recordsPayload(batch: Buffer, attributes?: number): Buffer {
  if (batch.length < BATCH_HEADER_SIZE) corrupt('batch shorter than its header');
  return decompress(compressionOf(attributes ?? batch.readInt16BE(ATTRIBUTES)), batch.subarray(RECORDS));
}

/**
 * Walks `count` records of an (uncompressed) records payload and returns their largest timestamp, checking
 * on the way that the framing is sound: every record fits, the offset deltas are 0..count-1, and the records
 * fill the payload exactly. Only the length, timestamp delta and offset delta of each record are decoded.
 */
export function maxRecordTimestamp(payload: Buffer, count: number, baseTimestamp: number): number {
  const end = payload.length;
  let max = NO_TIMESTAMP;
  let pos = 0;
  for (let i = 0; i < count; i++) {
    const length = readVarint(payload, pos, end);
    const recordEnd = at + length;
    if (length <= 0 || recordEnd > end) corrupt(`record ${i} has an impossible length ${length}`);
    const ts = baseTimestamp + readVarint(payload, at + 1 /* attributes: unused in v2 */, recordEnd);
    const offsetDelta = readVarint(payload, at, recordEnd);
    if (offsetDelta !== i) {
      throw new KafkaError(ErrorCode.INVALID_RECORD, `record ${i} has offset delta ${offsetDelta}, expected ${i}`);
    }
    if (ts > max) max = ts;
    pos = recordEnd;
  }
  if (pos !== end) {
    throw new KafkaError(ErrorCode.INVALID_RECORD, `the batch holds ${end - pos} bytes beyond its ${count} records`);
  }
  return max;
}

/**
 * A record together with where it was read from. Records of decoded batches parse their headers when first
 * read (a getter): copy one field by field, as a spread (`{ ...record }`) leaves the headers behind.
 */
export interface PartitionRecord extends LogRecord {
  topic: string;
  partition: number;
}

/**
 * Appends the records of one whole batch (as stored: offsets are absolute once the broker has assigned the
 * base offset) whose offsets are in [from, until) to `out`, tagged with `topic` and `partition`; stops at the
 * first record at or past `until`. Works for every codec (recordsPayload); throws
 * UNSUPPORTED_COMPRESSION_TYPE for an unknown one and CORRUPT_MESSAGE for malformed records. Keys, values and
 * header values are slices of the batch (or of its inflated payload).
 */
export function decodeBatchInto(
  batch: Buffer,
  topic: string,
  partition: number,
  from: number,
  until: number,
  out: PartitionRecord[],
  match?: RecordMatch,
): void {
  if (batch.length < BATCH_HEADER_SIZE) corrupt('batch shorter than its header');
  const h = readBatchHeader(batch);
  // With LogAppendTime every record carries the batch's (broker-set) max timestamp, as consumers read it.
  const logAppendTime = hasLogAppendTime(h.attributes) ? h.maxTimestamp : -1;
  const p = recordsPayload(batch, h.attributes);
  const end = p.length;
  // a search for bytes starts with one scan of the whole payload: most batches do not hold them at all
  const needles = match?.contains?.length ? new Needles(p, match.contains) : null;
  if (needles && !needles.any() && !match!.key && !match!.header && !match!.sampleKey) return;
  let pos = 0;
  for (let i = 0; i < h.recordsCount; i++) {
    const recordStart = pos;
    const length = readVarint(p, pos, end);
    const recordEnd = at + length;
    if (length <= 0 || recordEnd > end) corrupt(`record ${i} has an impossible length ${length}`);
    const timestampDelta = readVarint(p, at + 1 /* attributes: unused in v2 */, recordEnd);
    const offset = h.baseOffset + readVarint(p, at, recordEnd);
    if (offset < from || offset >= until) {
      if (offset >= until) return;
      pos = recordEnd;
      continue;
    }
    if (match) {
      const fieldsAt = at;
      if (!(needles?.within(recordStart, recordEnd) || matches(match, p, recordEnd))) {
        pos = recordEnd;
        continue;
      }
      at = fieldsAt;
    }
    const key = readField(p, recordEnd, 'key');
    const value = readField(p, recordEnd, 'value');
    const headerCount = readVarint(p, at, recordEnd);
    const headersAt = at;
    if (headerCount !== 0) {
      if (headerCount < 0) corrupt(`negative header count ${headerCount}`);
      // only walked here, to check the framing: most readers look at one header or none, so they are
      // materialized when first read
      for (let n = 0; n < headerCount; n++) {
        if (skipField(p, recordEnd, 'header key') < 0) corrupt('null header key');
        skipField(p, recordEnd, 'header value');
      }
    }
    if (at !== recordEnd) corrupt(`record ${i} is ${length} bytes long but its fields take ${length + at - recordEnd}`);
    const timestamp = logAppendTime >= 0 ? logAppendTime : h.baseTimestamp + timestampDelta;
    out.push(
      new DecodedRecord(
        topic,
        partition,
        offset,
        timestamp,
        key,
        value,
        headerCount === 0 ? null : p,
        headersAt,
        headerCount,
        recordEnd,
      ),
    );
    pos = recordEnd;
  }
}

/**
 * Which records a reader keeps; the others are walked over without being materialized, which is what makes
 * a search by key (`evt trace`) read at several hundred thousand records a second.
 */
export interface RecordMatch {
  /** records whose key is exactly these bytes */
  key?: Uint8Array;
  /** or that carry this header with exactly this value */
  header?: { name: Uint8Array; value: Uint8Array };
  /** sees the key of every record walked over: a sample to check how the partition is keyed */
  sampleKey?(key: Buffer): void;
  /**
   * or whose bytes (key, value or headers) contain any of these: a coarse filter for a search whose exact test
   * (a JSON field, a header) runs on the few records that pass
   */
  contains?: readonly Uint8Array[];
}

/** Where byte strings occur in a payload, asked record by record in increasing positions. */
class Needles {
  /** per needle, its next occurrence at or after the position last asked (Infinity: no more) */
  private readonly next: number[];

  constructor(
    private readonly p: Buffer,
    private readonly needles: readonly Uint8Array[],
  ) {
    this.next = needles.map((n) => this.find(n, 0));
  }

  private find(n: Uint8Array, from: number): number {
    const i = this.p.indexOf(n, from);
    return i < 0 ? Infinity : i;
  }

  any(): boolean {
    return this.next.some((i) => i !== Infinity);
  }

  /** Whether a needle lies wholly inside [start, end); positions asked must not decrease. */
  within(start: number, end: number): boolean {
    let found = false;
    for (let k = 0; k < this.needles.length; k++) {
      const n = this.needles[k];
      if (this.next[k] < start) this.next[k] = this.find(n, start);
      while (this.next[k] < end && this.next[k] + n.length > end) this.next[k] = this.find(n, this.next[k] + 1);
      if (this.next[k] + n.length <= end) found = true;
    }
    return found;
  }
}

/** Whether the record whose fields start at `at` matches; leaves `at` anywhere. */
function matches(m: RecordMatch, p: Buffer, recordEnd: number): boolean {
  const keyLength = readVarint(p, at, recordEnd);
  const keyStart = at;
  if (keyLength >= 0) {
    if (keyStart + keyLength > recordEnd) corrupt('record key extends past the end of its record');
    if (m.sampleKey) m.sampleKey(p.subarray(keyStart, keyStart + keyLength));
    if (m.key && bytesAt(p, keyStart, keyLength, m.key)) return true;
    at = keyStart + keyLength;
  }
  if (!m.header) return false;
  skipField(p, recordEnd, 'value');
  const headerCount = readVarint(p, at, recordEnd);
  for (let n = 0; n < headerCount; n++) {
    const nameLength = readVarint(p, at, recordEnd);
    const nameStart = at;
    at += Math.max(0, nameLength);
    const valueLength = readVarint(p, at, recordEnd);
    const valueStart = at;
    at += Math.max(0, valueLength);
    if (at > recordEnd) corrupt('record header extends past the end of its record');
    if (bytesAt(p, nameStart, nameLength, m.header.name) && bytesAt(p, valueStart, valueLength, m.header.value))
      return true;
  }
  return false;
}

function bytesAt(p: Buffer, start: number, length: number, want: Uint8Array): boolean {
  if (length !== want.length) return false;
  for (let i = 0; i < length; i++) if (p[start + i] !== want[i]) return false;
  return true;
}

/** Skips a length-prefixed field at `at`, returning its length (-1 for null). */
function skipField(p: Buffer, end: number, what: string): number {
  const length = readVarint(p, at, end);
  if (length > 0) {
    if (at + length > end) corrupt(`record ${what} extends past the end of its record`);
    at += length;
  }
  return length;
}

/**
 * A record of a decoded batch. Its headers are parsed from the batch when first read (the framing was
 * checked when the record was decoded): decoding six header names and values per record was most of the
 * cost of reading records that nobody asked the headers of.
 */
class DecodedRecord implements PartitionRecord {
  private parsed: RecordHeader[] | null = null;

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly offset: number,
    readonly timestamp: number,
    readonly key: Buffer | null,
    readonly value: Buffer | null,
    private readonly payload: Buffer | null,
    private readonly headersAt: number,
    private readonly headerCount: number,
    private readonly recordEnd: number,
  ) {}

  get headers(): RecordHeader[] {
    if (this.parsed) return this.parsed;
    if (!this.payload) return (this.parsed = []);
    const headers: RecordHeader[] = [];
    at = this.headersAt;
    for (let n = 0; n < this.headerCount; n++) {
      const keyLength = readVarint(this.payload, at, this.recordEnd);
      const key = this.payload.toString('utf8', at, (at += keyLength));
      headers.push({ key, value: readField(this.payload, this.recordEnd, 'header value') });
    }
    return (this.parsed = headers);
  }

  set headers(headers: RecordHeader[]) {
    this.parsed = headers;
  }

  /** as a plain record would serialize */
  toJSON(): PartitionRecord {
    const { topic, partition, offset, timestamp, key, value, headers } = this;
    return { topic, partition, offset, timestamp, key, value, headers };
  }
}

/** The records of one whole batch (see decodeBatchInto), without a topic or partition of their own. */
export function decodeRecords(batch: Buffer): LogRecord[] {
  const out: PartitionRecord[] = [];
  decodeBatchInto(batch, '', -1, -Infinity, Infinity, out);
  return out.map(({ offset, timestamp, key, value, headers }) => ({ offset, timestamp, key, value, headers }));
}

/** `decodeRecords`, one at a time. */
export function* iterateRecords(batch: Buffer): Generator<LogRecord> {
  yield* decodeRecords(batch);
}

/** Where one record lies in an (uncompressed) records payload, for rewriting a batch with fewer records. */
export interface RecordSpan {
  /** the record's bytes, its length varint included: payload[start, end) */
  start: number;
  end: number;
  timestampDelta: number;
  offsetDelta: number;
  /** where the fields after the offset delta start (key length onwards): copied as they are */
  fieldsStart: number;
  /** the key is payload[keyStart, keyStart + keyLength); keyLength -1 for a record without key */
  keyStart: number;
  keyLength: number;
  /** a null value: a tombstone */
  nullValue: boolean;
}

/**
 * The spans of `count` records of a records payload (the compactor's view: where each key is, whether the
 * value is null, and where each record is, so that kept records are copied, not re-encoded). No slice is
 * made per record: a clean walks millions of them. CORRUPT_MESSAGE for bad framing.
 */
export function recordSpans(payload: Buffer, count: number): RecordSpan[] {
  const end = payload.length;
  const out: RecordSpan[] = [];
  let pos = 0;
  for (let i = 0; i < count; i++) {
    const length = readVarint(payload, pos, end);
    const recordEnd = at + length;
    if (length <= 0 || recordEnd > end) corrupt(`record ${i} has an impossible length ${length}`);
    const timestampDelta = readVarint(payload, at + 1 /* attributes: unused in v2 */, recordEnd);
    const offsetDelta = readVarint(payload, at, recordEnd);
    const fieldsStart = at;
    const keyLength = skipField(payload, recordEnd, 'key');
    const keyStart = keyLength < 0 ? at : at - keyLength;
    const valueLength = readVarint(payload, at, recordEnd);
    out.push({
      start: pos,
      end: recordEnd,
      timestampDelta,
      offsetDelta,
      fieldsStart,
      keyStart,
      keyLength,
      nullValue: valueLength < 0,
    });
    pos = recordEnd;
  }
  return out;
}

/** The index of the first record without a key in a records payload, or -1 (compacted topics refuse them). */
export function firstRecordWithoutKey(payload: Buffer, count: number): number {
  return recordSpans(payload, count).findIndex((r) => r.keyLength < 0);
}
