// Kafka's message formats v0 and v1 (the MessageSet before record batches; v1 added the timestamp, KIP-32), as
// old clients send them in Produce v0-v2 and read them in Fetch v0-v3 (Kafka's LegacyRecord):
//
//   offset int64 | messageSize int32 | crc uint32 | magic int8 | attributes int8 | [timestamp int64, v1] |
//   key bytes (int32 length, -1 null) | value bytes (int32 length, -1 null)
//
// The CRC is CRC-32 (IEEE, not the batches' CRC-32C) over magic..end. The attributes' low 3 bits name a codec
// (gzip, snappy, lz4); bit 3 is v1's timestamp type. A compressed message is a wrapper whose value is the
// compressed message set of its inner messages: in v0 the inner offsets are absolute (producers write 0..n-1, the
// broker assigns), in v1 they are relative to the wrapper, whose own offset is that of the last inner message.
// magic sits at byte 16, where a record batch has its magic too: that byte tells the formats apart.

import { crc32 } from '@node-rs/crc32';
import { ErrorCode, KafkaError } from '../error-codes.js';
import { COMPRESSION_NAMES, Compression, NO_TIMESTAMP, readInt64, writeInt64 } from './batch-layout.js';
import { compress, decompress } from './compression.js';

export type LegacyMagic = 0 | 1;

/** offset + messageSize */
const LOG_OVERHEAD = 12;
const CRC = 12;
const MAGIC = 16;
const ATTRIBUTES = 17;
const TIMESTAMP_TYPE_MASK = 0x08;

/** the bytes of a message before its key: log overhead, crc, magic, attributes and (v1) the timestamp */
const headerSize = (magic: LegacyMagic): number => (magic === 0 ? 18 : 26);

export interface LegacyRecord {
  /** as written: absolute in v0 and in uncompressed sets, relative to the wrapper inside a v1 wrapper */
  offset: number;
  /** -1 (NO_TIMESTAMP) in v0 */
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
}

export interface LegacyMessageSet {
  magic: LegacyMagic;
  /** the codec of the compressed wrappers (Compression.NONE when there are none) */
  codec: number;
  /** the records, inner messages of wrappers in place of the wrappers */
  records: LegacyRecord[];
}

function corrupt(message: string): never {
  throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, message);
}

function invalid(message: string): never {
  throw new KafkaError(ErrorCode.INVALID_RECORD, message);
}

/** The magic of the first message or batch of a record set (byte 16 in both layouts), -1 when too short. */
export function recordSetMagic(records: Buffer): number {
  return records.length > MAGIC ? records.readInt8(MAGIC) : -1;
}

function readBytes(buf: Buffer, pos: number, end: number, what: string): { value: Buffer | null; next: number } {
  if (pos + 4 > end) corrupt(`message ${what} length extends past the end of its message`);
  const length = buf.readInt32BE(pos);
  if (length < 0) return { value: null, next: pos + 4 };
  if (pos + 4 + length > end) corrupt(`message ${what} extends past the end of its message`);
  return { value: buf.subarray(pos + 4, pos + 4 + length), next: pos + 4 + length };
}

interface Message {
  offset: number;
  magic: LegacyMagic;
  attributes: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
}

/** The messages of a set, CRC-checked; `inner` is the set inside a wrapper (a nested wrapper is refused). */
function readMessages(buf: Buffer, inner: boolean): Message[] {
  const out: Message[] = [];
  let pos = 0;
  while (pos < buf.length) {
    if (buf.length - pos < LOG_OVERHEAD + 6) corrupt(`${buf.length - pos} trailing bytes after the last message`);
    const size = buf.readInt32BE(pos + 8);
    const end = pos + LOG_OVERHEAD + size;
    const magic = buf.readInt8(pos + MAGIC);
    if (magic !== 0 && magic !== 1) corrupt(`message magic ${magic} in a message set`);
    if (size < headerSize(magic) - LOG_OVERHEAD + 8 || end > buf.length) {
      corrupt(`message at byte ${pos} declares ${size} bytes, ${buf.length - pos - LOG_OVERHEAD} present`);
    }
    const stored = buf.readUInt32BE(pos + CRC);
    const computed = crc32(buf.subarray(pos + MAGIC, end)) >>> 0;
    if (stored !== computed) corrupt(`message CRC mismatch (stored ${stored}, computed ${computed})`);
    const attributes = buf.readInt8(pos + ATTRIBUTES);
    if (inner && (attributes & 0x07) !== Compression.NONE) invalid('a compressed message inside a compressed message');
    const timestamp = magic === 0 ? NO_TIMESTAMP : readInt64(buf, pos + 18);
    const key = readBytes(buf, pos + headerSize(magic), end, 'key');
    const value = readBytes(buf, key.next, end, 'value');
    if (value.next !== end) corrupt(`message at byte ${pos} has ${end - value.next} bytes after its value`);
    out.push({ offset: readInt64(buf, pos), magic, attributes, timestamp, key: key.value, value: value.value });
    pos = end;
  }
  return out;
}

/**
 * Reads a produced message set: every message CRC-checked, wrappers decompressed (gzip, snappy, lz4; zstd never
 * existed in these formats), all of one magic. Throws CORRUPT_MESSAGE or INVALID_RECORD as Kafka's LogValidator.
 */
export function readMessageSet(buf: Buffer): LegacyMessageSet {
  const messages = readMessages(buf, false);
  if (messages.length === 0) invalid('the message set holds no message');
  const magic = messages[0].magic;
  let codec: number = Compression.NONE;
  const records: LegacyRecord[] = [];
  for (const m of messages) {
    if (m.magic !== magic) invalid(`messages of magic ${magic} and ${m.magic} in one message set`);
    const c = m.attributes & 0x07;
    if (c === Compression.NONE) {
      records.push(m);
      continue;
    }
    if (c > Compression.LZ4)
      throw new KafkaError(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, `codec ${c} in message v${magic}`);
    if (!m.value) invalid('a compressed message without a value');
    codec = c;
    const inner = readMessages(
      decompress(c, c === Compression.LZ4 && magic === 0 ? fixLz4Checksum(m.value) : m.value),
      true,
    );
    if (inner.length === 0) invalid('a compressed message holding no message');
    for (const r of inner) {
      if (r.magic !== magic) invalid(`an inner message of magic ${r.magic} in a wrapper of magic ${magic}`);
      records.push(r);
    }
  }
  return { magic, codec, records };
}

export interface WriteOptions {
  magic: LegacyMagic;
  /** Compression.NONE, GZIP, SNAPPY or LZ4 */
  codec: number;
  /** v1: LogAppendTime, whose time is then `logAppendTime` for every message */
  logAppendTime: number | null;
}

/** Writes one message at `pos` of `buf` (sized by messageSize), returning the position after it. */
function writeMessage(buf: Buffer, pos: number, m: Message): number {
  const start = pos;
  writeInt64(buf, pos, m.offset);
  buf.writeInt8(m.magic, pos + MAGIC);
  buf.writeInt8(m.attributes, pos + ATTRIBUTES);
  if (m.magic === 1) writeInt64(buf, pos + 18, m.timestamp);
  pos += headerSize(m.magic);
  for (const field of [m.key, m.value]) {
    buf.writeInt32BE(field === null ? -1 : field.length, pos);
    pos += 4;
    if (field) pos += field.copy(buf, pos);
  }
  buf.writeInt32BE(pos - start - LOG_OVERHEAD, start + 8);
  buf.writeUInt32BE(crc32(buf.subarray(start + MAGIC, pos)) >>> 0, start + CRC);
  return pos;
}

const messageSize = (m: Message): number => headerSize(m.magic) + 8 + (m.key?.length ?? 0) + (m.value?.length ?? 0);

function writeMessages(messages: Message[]): Buffer {
  let total = 0;
  for (const m of messages) total += messageSize(m);
  const buf = Buffer.allocUnsafe(total);
  let pos = 0;
  for (const m of messages) pos = writeMessage(buf, pos, m);
  return buf;
}

/**
 * Writes records (absolute offsets, ascending) as a message set of `magic`: one message each, or, with a codec,
 * one wrapper holding them all (v1: relative inner offsets, the wrapper at the last offset with the largest
 * timestamp), as Kafka's down-conversion writes them for old consumers.
 */
export async function writeMessageSet(records: readonly LegacyRecord[], options: WriteOptions): Promise<Buffer> {
  const { magic, codec, logAppendTime } = options;
  const typeBit = magic === 1 && logAppendTime !== null ? TIMESTAMP_TYPE_MASK : 0;
  const timestampOf = (r: LegacyRecord) => (magic === 0 ? NO_TIMESTAMP : (logAppendTime ?? r.timestamp));
  const messages = (relativeTo: number | null): Message[] =>
    records.map((r) => ({
      offset: relativeTo === null ? r.offset : r.offset - relativeTo,
      magic,
      attributes: typeBit,
      timestamp: timestampOf(r),
      key: r.key,
      value: r.value,
    }));
  if (codec === Compression.NONE || records.length === 0) return writeMessages(messages(null));
  const first = records[0].offset;
  const last = records[records.length - 1].offset;
  const inner = writeMessages(messages(magic === 1 ? first : null));
  const name = COMPRESSION_NAMES[codec];
  if (name === 'none' || name === 'zstd')
    throw new KafkaError(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, `${name} in message v${magic}`);
  let maxTimestamp = NO_TIMESTAMP;
  for (const r of records) maxTimestamp = Math.max(maxTimestamp, timestampOf(r));
  const wrapper: Message = {
    offset: last,
    magic,
    attributes: codec | typeBit,
    timestamp: maxTimestamp,
    key: null,
    value: await compress(name, inner),
  };
  return writeMessages([wrapper]);
}

/**
 * Kafka before 0.10 (and librdkafka writing message v0) computed the LZ4 frame's header checksum over the magic
 * number too (KAFKA-3160); frame decoders that check it refuse such frames. The checksum is rewritten as the
 * frame format defines it, which leaves a correct one unchanged.
 */
function fixLz4Checksum(frame: Buffer): Buffer {
  if (frame.length < 7 || frame.readUInt32LE(0) !== 0x184d2204) return frame;
  const flags = frame[4];
  const descriptorEnd = 4 + 2 + (flags & 0x08 ? 8 : 0) + (flags & 0x01 ? 4 : 0);
  if (frame.length <= descriptorEnd) return frame;
  const fixed = Buffer.from(frame);
  fixed[descriptorEnd] = (xxh32(frame.subarray(4, descriptorEnd)) >>> 8) & 0xff;
  return fixed;
}

const P1 = 2654435761;
const P2 = 2246822519;
const P3 = 3266489917;
const P4 = 668265263;
const P5 = 374761393;
const rotl = (x: number, r: number) => ((x << r) | (x >>> (32 - r))) >>> 0;
const mul = (a: number, b: number) => Math.imul(a, b) >>> 0;

/** xxHash32 with seed 0 of a short input (a frame descriptor: under 16 bytes, so no stripes). */
function xxh32(data: Uint8Array): number {
  let h = (P5 + data.length) >>> 0;
  let i = 0;
  for (; i + 4 <= data.length; i += 4) {
    const k = (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24)) >>> 0;
    h = mul(rotl((h + mul(k, P3)) >>> 0, 17), P4);
  }
  for (; i < data.length; i++) h = mul(rotl((h + mul(data[i], P5)) >>> 0, 11), P1);
  h = mul(h ^ (h >>> 15), P2);
  h = mul(h ^ (h >>> 13), P3);
  return (h ^ (h >>> 16)) >>> 0;
}
