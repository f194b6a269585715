// Encoding records into one RecordBatch v2 (the layout in batch-layout.ts), as a
// producer sends it: base offset 0, partition leader epoch -1, CRC-32C over attributes..end, the records section
// optionally compressed (any of Kafka's codecs, compression.ts), and the producer id / epoch / base sequence of an idempotent producer.
//
// Each record (Kafka's DefaultRecord), varints zig-zag encoded:
//   length varint | attributes int8 (0) | timestampDelta varlong | offsetDelta varint |
//   keyLength varint | key | valueLength varint | value | headerCount varint |
//   [headerKeyLength varint | headerKey | headerValueLength varint | headerValue]...
// A length of -1 is null. Each record is written into the batch's buffer as it is added (BatchBuilder).

import { crc32c } from '../../common/crc32c.js';
import { gzipSync } from 'node:zlib';
import {
  ATTRIBUTES,
  BASE_SEQUENCE,
  BASE_TIMESTAMP,
  BATCH_HEADER_SIZE,
  BATCH_LENGTH,
  Compression,
  CRC,
  CRC_START,
  CURRENT_MAGIC,
  LAST_OFFSET_DELTA,
  LOG_OVERHEAD,
  MAGIC,
  MAX_TIMESTAMP,
  PARTITION_LEADER_EPOCH,
  PRODUCER_EPOCH,
  PRODUCER_ID,
  RECORDS_COUNT,
  writeInt64,
} from './batch-layout.js';
import { compress, compressionId, type CompressionName } from './compression.js';
import type { RecordHeader } from './decode.js';

export type { CompressionName };

export interface BatchRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
  /** epoch ms */
  timestamp: number;
}

export interface ProducerIdentity {
  /** -1 for a producer that is not idempotent */
  producerId: number;
  producerEpoch: number;
  /** the sequence of the batch's first record, -1 without idempotence */
  baseSequence: number;
}

export const NO_PRODUCER: ProducerIdentity = { producerId: -1, producerEpoch: -1, baseSequence: -1 };

export function zigzag(v: number): number {
  return v >= 0 ? v * 2 : -v * 2 - 1;
}

export function uvarintSize(u: number): number {
  if (u < 0x80) return 1;
  if (u < 0x4000) return 2;
  if (u < 0x200000) return 3;
  if (u < 0x10000000) return 4;
  let n = 4;
  u = Math.floor(u / 0x10000000);
  while (u > 0) {
    n++;
    u = Math.floor(u / 128);
  }
  return n;
}

export function writeUvarint(buf: Buffer, pos: number, u: number): number {
  while (u >= 0x80) {
    buf[pos++] = (u & 0x7f) | 0x80;
    u = Math.floor(u / 128);
  }
  buf[pos++] = u;
  return pos;
}

const NO_HEADERS: RecordHeader[] = [];

/**
 * A batch written as its records come: each record goes straight into the batch's buffer (after room for the
 * header), so no object per record is kept and no second pass copies them. The buffer is the caller's (the
 * producer hands out reused ones: a fresh megabyte per batch cost more in page faults than the copy); a
 * record that does not fit moves the batch to a larger buffer, which `grown` then says.
 */
export class BatchBuilder {
  count = 0;
  baseTimestamp = 0;
  maxTimestamp = 0;
  /** the batch outgrew the buffer it was given (which the caller may then reuse at once) */
  grown = false;
  private pos = BATCH_HEADER_SIZE;

  constructor(public buf: Buffer) {}

  /** Appends a record whose value is value[start, end) (null: a null value). */
  add(
    key: Buffer | null,
    value: Buffer | null,
    start: number,
    end: number,
    headers: readonly RecordHeader[],
    timestamp: number,
  ): void {
    if (this.count === 0) this.baseTimestamp = this.maxTimestamp = timestamp;
    else if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp;
    const delta = zigzag(timestamp - this.baseTimestamp);
    const offsetDelta = this.count * 2;
    let body = 1 + uvarintSize(delta) + uvarintSize(offsetDelta);
    body += key === null ? 1 : uvarintSize(key.length * 2) + key.length;
    body += value === null ? 1 : uvarintSize((end - start) * 2) + end - start;
    body += uvarintSize(headers.length * 2);
    for (let j = 0; j < headers.length; j++) {
      const h = headers[j];
      const kl = Buffer.byteLength(h.key, 'utf8');
      body += uvarintSize(kl * 2) + kl + (h.value === null ? 1 : uvarintSize(h.value.length * 2) + h.value.length);
    }
    let pos = this.pos;
    if (pos + 5 + body > this.buf.length) this.grow(pos + 5 + body);
    const buf = this.buf;
    pos = writeUvarint(buf, pos, body * 2);
    buf[pos++] = 0;
    pos = writeUvarint(buf, pos, delta);
    pos = writeUvarint(buf, pos, offsetDelta);
    if (key === null) buf[pos++] = 1;
    else {
      pos = writeUvarint(buf, pos, key.length * 2);
      pos += key.copy(buf, pos);
    }
    if (value === null) buf[pos++] = 1;
    else {
      pos = writeUvarint(buf, pos, (end - start) * 2);
      pos += value.copy(buf, pos, start, end);
    }
    pos = writeUvarint(buf, pos, headers.length * 2);
    for (let j = 0; j < headers.length; j++) {
      const h = headers[j];
      const kl = Buffer.byteLength(h.key, 'utf8');
      pos = writeUvarint(buf, pos, kl * 2);
      pos += buf.write(h.key, pos, kl, 'utf8');
      if (h.value === null) buf[pos++] = 1;
      else {
        pos = writeUvarint(buf, pos, h.value.length * 2);
        pos += h.value.copy(buf, pos);
      }
    }
    this.pos = pos;
    this.count++;
  }

  private grow(needed: number): void {
    const bigger = Buffer.allocUnsafeSlow(Math.max(needed, this.buf.length * 2));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
    this.grown = true;
  }

  /** The records section as written so far (a view of the buffer: compress it before the buffer is reused). */
  records(): Buffer {
    return this.buf.subarray(BATCH_HEADER_SIZE, this.pos);
  }

  /** The uncompressed batch: its header and CRC written in front of the records (a view of the buffer). */
  finish(identity: ProducerIdentity = NO_PRODUCER): Buffer {
    if (this.count === 0) throw new Error('a record batch needs at least one record');
    return writeHeader(this.buf.subarray(0, this.pos), this.fields(Compression.NONE, identity));
  }

  /** The header fields of this batch with `compression`. */
  fields(compression: number, identity: ProducerIdentity): HeaderFields {
    return {
      count: this.count,
      baseTimestamp: this.baseTimestamp,
      maxTimestamp: this.maxTimestamp,
      compression,
      identity,
    };
  }
}

/** A builder of the records, in a buffer of about their size. */
function build(records: readonly BatchRecord[]): BatchBuilder {
  let estimate = BATCH_HEADER_SIZE;
  for (const r of records) estimate += 32 + (r.key?.length ?? 0) + (r.value?.length ?? 0) + 64 * r.headers.length;
  const b = new BatchBuilder(Buffer.allocUnsafe(estimate));
  for (const r of records) b.add(r.key, r.value, 0, r.value?.length ?? 0, r.headers ?? NO_HEADERS, r.timestamp);
  return b;
}

interface HeaderFields {
  count: number;
  baseTimestamp: number;
  maxTimestamp: number;
  compression: number;
  identity: ProducerIdentity;
}

/** Fills the 61-byte header of `batch` (whose records section is in place) and its CRC. */
function writeHeader(batch: Buffer, f: HeaderFields): Buffer {
  writeInt64(batch, 0, 0);
  batch.writeInt32BE(batch.length - LOG_OVERHEAD, BATCH_LENGTH);
  batch.writeInt32BE(-1, PARTITION_LEADER_EPOCH);
  batch.writeInt8(CURRENT_MAGIC, MAGIC);
  batch.writeInt16BE(f.compression, ATTRIBUTES);
  batch.writeInt32BE(f.count - 1, LAST_OFFSET_DELTA);
  writeInt64(batch, BASE_TIMESTAMP, f.baseTimestamp);
  writeInt64(batch, MAX_TIMESTAMP, f.maxTimestamp);
  writeInt64(batch, PRODUCER_ID, f.identity.producerId);
  batch.writeInt16BE(f.identity.producerEpoch, PRODUCER_EPOCH);
  batch.writeInt32BE(f.identity.baseSequence, BASE_SEQUENCE);
  batch.writeInt32BE(f.count, RECORDS_COUNT);
  batch.writeUInt32BE(crc32c(batch.subarray(CRC_START)) >>> 0, CRC);
  return batch;
}

/**
 * One batch of the records, on the calling thread: uncompressed, or gzip (tests and tools); the producer's
 * compressed batches go through compressBatch, which every codec supports.
 */
export function encodeBatch(
  records: readonly BatchRecord[],
  compression: 'none' | 'gzip' = 'none',
  identity: ProducerIdentity = NO_PRODUCER,
): Buffer {
  const b = build(records);
  if (compression === 'none') return b.finish(identity);
  if (b.count === 0) throw new Error('a record batch needs at least one record');
  return writeHeader(withHeaderRoom(gzipSync(b.records())), b.fields(Compression.GZIP, identity));
}

/** As encodeBatch, with any codec; gzip, lz4 and zstd (on Node 22.15+) compress off the event loop. */
export async function encodeBatchAsync(
  records: readonly BatchRecord[],
  compression: CompressionName = 'none',
  identity: ProducerIdentity = NO_PRODUCER,
): Promise<Buffer> {
  const b = build(records);
  if (compression === 'none') return b.finish(identity);
  return compressBatch(b, compression, identity);
}

/**
 * The batch of a builder, its records compressed with `compression` into a new buffer (the builder's may be
 * reused once this resolves).
 */
export async function compressBatch(
  b: BatchBuilder,
  compression: Exclude<CompressionName, 'none'>,
  identity: ProducerIdentity,
): Promise<Buffer> {
  if (b.count === 0) throw new Error('a record batch needs at least one record');
  const packed = await compress(compression, b.records());
  return writeHeader(withHeaderRoom(packed), b.fields(compressionId(compression), identity));
}

function withHeaderRoom(payload: Buffer): Buffer {
  const batch = Buffer.allocUnsafe(BATCH_HEADER_SIZE + payload.length);
  payload.copy(batch, BATCH_HEADER_SIZE);
  return batch;
}
