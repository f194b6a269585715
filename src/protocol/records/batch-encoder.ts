// Encoding records into one RecordBatch v2 (the layout in batch-layout.ts), as a
// producer sends it: base offset 0, partition leader epoch -1, CRC-32C over attributes..end, the records section
// optionally compressed (any of Kafka's codecs, compression.ts), and the producer id / epoch / base sequence of an idempotent producer.
//
// Each record (Kafka's DefaultRecord), varints zig-zag encoded:
//   length varint | attributes int8 (0) | timestampDelta varlong | offsetDelta varint |
//   keyLength varint | key | valueLength varint | value | headerCount varint |
//   [headerKeyLength varint | headerKey | headerValueLength varint | headerValue]...
// A length of -1 is null. Sizes are computed first so that the batch is written into one buffer, once.

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

/**
 * Records as columns, the form the producer gathers them in (no object per record): the value of record i
 * is values[i].subarray(valueStarts[i], valueEnds[i]), or null when values[i] is null.
 */
export class RecordColumns {
  count = 0;
  keys: (Buffer | null)[] = [];
  values: (Buffer | null)[] = [];
  valueStarts: number[] = [];
  valueEnds: number[] = [];
  headers: RecordHeader[][] = [];
  timestamps: number[] = [];

  add(
    key: Buffer | null,
    value: Buffer | null,
    start: number,
    end: number,
    headers: RecordHeader[],
    timestamp: number,
  ): void {
    this.keys.push(key);
    this.values.push(value);
    this.valueStarts.push(start);
    this.valueEnds.push(end);
    this.headers.push(headers);
    this.timestamps.push(timestamp);
    this.count++;
  }

  static of(records: readonly BatchRecord[]): RecordColumns {
    const c = new RecordColumns();
    for (const r of records) c.add(r.key, r.value, 0, r.value?.length ?? 0, r.headers, r.timestamp);
    return c;
  }
}

const NO_HEADERS: RecordHeader[] = [];

/** bytes of a record's body (everything after its length varint) */
function recordBodySize(c: RecordColumns, i: number, timestampDelta: number): number {
  let size = 1 + uvarintSize(zigzag(timestampDelta)) + uvarintSize(i * 2);
  const key = c.keys[i];
  size += key === null ? 1 : uvarintSize(key.length * 2) + key.length;
  if (c.values[i] === null) size += 1;
  else {
    const n = c.valueEnds[i] - c.valueStarts[i];
    size += uvarintSize(n * 2) + n;
  }
  const headers = c.headers[i] ?? NO_HEADERS;
  size += uvarintSize(headers.length * 2);
  for (let j = 0; j < headers.length; j++) {
    const h = headers[j];
    const kl = Buffer.byteLength(h.key, 'utf8');
    size += uvarintSize(kl * 2) + kl;
    size += h.value === null ? 1 : uvarintSize(h.value.length * 2) + h.value.length;
  }
  return size;
}

/**
 * The records section of a batch, written at `headroom` bytes into the returned buffer (so that an
 * uncompressed batch gets its header written in front without a copy).
 */
export function encodeRecords(
  records: readonly BatchRecord[] | RecordColumns,
  baseTimestamp: number,
  headroom = 0,
): Buffer {
  const c = records instanceof RecordColumns ? records : RecordColumns.of(records);
  const n = c.count;
  const bodySizes = new Array<number>(n);
  let total = headroom;
  for (let i = 0; i < n; i++) {
    const body = recordBodySize(c, i, c.timestamps[i] - baseTimestamp);
    bodySizes[i] = body;
    total += uvarintSize(body * 2) + body;
  }
  const buf = Buffer.allocUnsafe(total);
  let pos = headroom;
  for (let i = 0; i < n; i++) {
    pos = writeUvarint(buf, pos, bodySizes[i] * 2);
    buf[pos++] = 0;
    pos = writeUvarint(buf, pos, zigzag(c.timestamps[i] - baseTimestamp));
    pos = writeUvarint(buf, pos, i * 2);
    const key = c.keys[i];
    if (key === null) buf[pos++] = 1;
    else {
      pos = writeUvarint(buf, pos, key.length * 2);
      pos += key.copy(buf, pos);
    }
    const value = c.values[i];
    if (value === null) buf[pos++] = 1;
    else {
      const start = c.valueStarts[i];
      const end = c.valueEnds[i];
      pos = writeUvarint(buf, pos, (end - start) * 2);
      pos += value.copy(buf, pos, start, end);
    }
    const headers = c.headers[i] ?? NO_HEADERS;
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
  }
  return buf;
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

function timestamps(c: RecordColumns): { base: number; max: number } {
  if (c.count === 0) throw new Error('a record batch needs at least one record');
  const ts = c.timestamps;
  const base = ts[0];
  let max = base;
  for (let i = 1; i < c.count; i++) if (ts[i] > max) max = ts[i];
  return { base, max };
}

const columns = (records: readonly BatchRecord[] | RecordColumns) =>
  records instanceof RecordColumns ? records : RecordColumns.of(records);

/**
 * One batch of the records, on the calling thread: uncompressed, or gzip (tests and tools); the producer's
 * compressed batches go through encodeBatchAsync, which every codec supports.
 */
export function encodeBatch(
  records: readonly BatchRecord[] | RecordColumns,
  compression: 'none' | 'gzip' = 'none',
  identity: ProducerIdentity = NO_PRODUCER,
): Buffer {
  const c = columns(records);
  const ts = timestamps(c);
  const fields = { count: c.count, baseTimestamp: ts.base, maxTimestamp: ts.max, identity };
  if (compression === 'none') {
    return writeHeader(encodeRecords(c, ts.base, BATCH_HEADER_SIZE), { ...fields, compression: Compression.NONE });
  }
  const packed = gzipSync(encodeRecords(c, ts.base));
  return writeHeader(withHeaderRoom(packed), { ...fields, compression: Compression.GZIP });
}

/** As encodeBatch, with any codec; gzip, lz4 and zstd (on Node 22.15+) compress off the event loop. */
export async function encodeBatchAsync(
  records: readonly BatchRecord[] | RecordColumns,
  compression: CompressionName = 'none',
  identity: ProducerIdentity = NO_PRODUCER,
): Promise<Buffer> {
  if (compression === 'none') return encodeBatch(records, compression, identity);
  const c = columns(records);
  const ts = timestamps(c);
  const packed = await compress(compression, encodeRecords(c, ts.base));
  return writeHeader(withHeaderRoom(packed), {
    count: c.count,
    baseTimestamp: ts.base,
    maxTimestamp: ts.max,
    identity,
    compression: compressionId(compression),
  });
}

function withHeaderRoom(payload: Buffer): Buffer {
  const batch = Buffer.allocUnsafe(BATCH_HEADER_SIZE + payload.length);
  payload.copy(batch, BATCH_HEADER_SIZE);
  return batch;
}
