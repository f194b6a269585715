// Message formats v0 and v1 on their own: written and read back with every codec they know, the byte layout
// of a v1 message checked field by field, v1 wrappers' relative offsets, CRC-32 (not CRC-32C), and what a
// producer's bad message set gets (the codes Kafka's LogValidator answers).

import { gzipSync } from 'node:zlib';
import { crc32 } from '@node-rs/crc32';
import { describe, expect, it } from 'vitest';
import { messageSetToBatch } from '../../../src/broker/log/up-convert.js';
import { downConvert } from '../../../src/broker/log/down-convert.js';
import { ErrorCode, KafkaError } from '../../../src/protocol/error-codes.js';
import { encodeBatch, encodeBatchAsync } from '../../../src/protocol/records/batch-encoder.js';
import { patchBaseOffset } from '../../../src/broker/log/batch.js';
import { Compression, compressionOf } from '../../../src/protocol/records/batch-layout.js';
import { decodeRecords } from '../../../src/protocol/records/decode.js';
import {
  readMessageSet,
  recordSetMagic,
  writeMessageSet,
  type LegacyRecord,
} from '../../../src/protocol/records/legacy.js';

const records: LegacyRecord[] = Array.from({ length: 5 }, (_, i) => ({
  offset: 10 + i,
  timestamp: 1_700_000_000_000 + i,
  key: i === 2 ? null : Buffer.from(`k${i}`),
  value: i === 3 ? null : Buffer.from(`value ${i} `.repeat(20)),
}));

/** One v0/v1 message at offset 0, with no key, written by hand. */
function message(magic: 0 | 1, attributes: number, value: Buffer): Buffer {
  const body = Buffer.concat([
    Buffer.from([magic, attributes]),
    Buffer.alloc(magic === 1 ? 8 : 0),
    Buffer.from('ffffffff', 'hex'),
    Buffer.alloc(4),
    value,
  ]);
  body.writeInt32BE(value.length, body.length - value.length - 4);
  const head = Buffer.alloc(16);
  head.writeInt32BE(4 + body.length, 8);
  head.writeUInt32BE(crc32(body) >>> 0, 12);
  return Buffer.concat([head, body]);
}

/** A stored batch: the copy with its base offset assigned, as the log keeps it. */
function at(batch: Buffer, baseOffset: number): Buffer {
  const copy = Buffer.from(batch);
  patchBaseOffset(copy, baseOffset);
  return copy;
}

const withoutHeaders = records.map((r) => ({ ...r, headers: [] }));

const codeOf = (fn: () => unknown): number => {
  try {
    fn();
  } catch (err) {
    if (err instanceof KafkaError) return err.code;
    throw err;
  }
  throw new Error('no error');
};

describe('message sets v0 and v1', () => {
  for (const magic of [0, 1] as const) {
    for (const codec of [Compression.NONE, Compression.GZIP, Compression.SNAPPY, Compression.LZ4]) {
      it(`v${magic}, codec ${codec}: written and read back`, async () => {
        const set = await writeMessageSet(records, { magic, codec, logAppendTime: null });
        expect(recordSetMagic(set)).toBe(magic);
        const read = readMessageSet(set);
        expect(read.magic).toBe(magic);
        expect(read.codec).toBe(codec);
        expect(read.records.map((r) => [r.key, r.value])).toEqual(records.map((r) => [r.key, r.value]));
        expect(read.records.map((r) => r.timestamp)).toEqual(records.map((r) => (magic === 0 ? -1 : r.timestamp)));
        // v1 wrappers hold relative offsets (the wrapper is at the last one); v0 ones absolute offsets
        const offsets = records.map((r) => r.offset - (magic === 1 && codec !== Compression.NONE ? 10 : 0));
        expect(read.records.map((r) => r.offset)).toEqual(offsets);
        if (codec !== Compression.NONE) expect(set.readBigInt64BE(0)).toBe(14n);
      });
    }
  }

  it('a v1 message, byte by byte: offset, size, CRC-32 over magic..end, magic, attributes, timestamp, key, value', async () => {
    const set = await writeMessageSet(
      [{ offset: 7, timestamp: 1234, key: Buffer.from('k'), value: Buffer.from('vv') }],
      {
        magic: 1,
        codec: Compression.NONE,
        logAppendTime: null,
      },
    );
    const body = Buffer.concat([
      Buffer.from([1, 0]), // magic, attributes
      Buffer.from('00000000000004d2', 'hex'), // timestamp 1234
      Buffer.from('00000001', 'hex'),
      Buffer.from('k'),
      Buffer.from('00000002', 'hex'),
      Buffer.from('vv'),
    ]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body) >>> 0);
    const size = Buffer.alloc(4);
    size.writeInt32BE(4 + body.length);
    expect(set).toEqual(Buffer.concat([Buffer.from('0000000000000007', 'hex'), size, crc, body]));
  });

  it('LogAppendTime: the type bit set and the broker time on every v1 message', async () => {
    const set = await writeMessageSet(records, { magic: 1, codec: Compression.GZIP, logAppendTime: 42 });
    expect(set.readInt8(17) & 0x08).toBe(0x08);
    expect(readMessageSet(set).records.map((r) => r.timestamp)).toEqual([42, 42, 42, 42, 42]);
  });

  it('refuses a CRC mismatch, a truncated message, mixed magics and a wrapper inside a wrapper', async () => {
    const set = await writeMessageSet(records, { magic: 1, codec: Compression.NONE, logAppendTime: null });
    const flipped = Buffer.from(set);
    flipped[set.length - 1] ^= 1;
    expect(codeOf(() => readMessageSet(flipped))).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(codeOf(() => readMessageSet(set.subarray(0, set.length - 3)))).toBe(ErrorCode.CORRUPT_MESSAGE);
    const v0 = await writeMessageSet(records.slice(0, 1), { magic: 0, codec: Compression.NONE, logAppendTime: null });
    expect(codeOf(() => readMessageSet(Buffer.concat([set, v0])))).toBe(ErrorCode.INVALID_RECORD);
    const wrapper = await writeMessageSet(records, { magic: 1, codec: Compression.GZIP, logAppendTime: null });
    expect(codeOf(() => readMessageSet(message(1, Compression.GZIP, gzipSync(wrapper))))).toBe(
      ErrorCode.INVALID_RECORD,
    );
  });

  it("reads message v0 lz4 frames written with Kafka 0.9's header checksum (KAFKA-3160)", async () => {
    const set = await writeMessageSet(records, { magic: 0, codec: Compression.LZ4, logAppendTime: null });
    // the wrapper's value is an LZ4 frame: magic(4) FLG BD [content size] HC; 0.9 summed the magic number too
    const valueAt = 12 + 4 + 2 + 4 + 4; // log overhead, crc, magic+attributes, null key length, value length
    const frame = Buffer.from(set.subarray(valueAt));
    const flags = frame[4];
    const hcAt = 6 + (flags & 0x08 ? 8 : 0);
    frame[hcAt] ^= 0x5a; // a checksum the frame format does not accept
    const broken = Buffer.concat([set.subarray(0, valueAt), frame]);
    broken.writeUInt32BE(crc32(broken.subarray(16)) >>> 0, 12);
    expect(readMessageSet(broken).records.map((r) => r.value)).toEqual(records.map((r) => r.value));
  });
});

describe('conversions', () => {
  it('up: a v1 gzip message set becomes one gzip record batch v2 with the same keys, values and timestamps', async () => {
    const set = await writeMessageSet(records, { magic: 1, codec: Compression.GZIP, logAppendTime: null });
    const batch = await messageSetToBatch(set);
    expect(compressionOf(batch.readInt16BE(21))).toBe(Compression.GZIP);
    const back = decodeRecords(batch);
    expect(back.map((r) => [r.offset, r.timestamp, r.key, r.value])).toEqual(
      records.map((r, i) => [i, r.timestamp, r.key, r.value]),
    );
  });

  it('down: batches from an offset inside the first one, each in its own codec; control batches dropped; zstd refused', async () => {
    const plain = encodeBatch(records.map((r) => ({ ...r, headers: [{ key: 'h', value: Buffer.from('x') }] })));
    const gzip = encodeBatch(withoutHeaders, 'gzip');
    const stored = Buffer.concat([at(plain, 100), at(gzip, 105)]);
    const v1 = readMessageSet(await downConvert(stored, 1, 102));
    expect(v1.magic).toBe(1);
    expect(v1.codec).toBe(Compression.GZIP);
    // the plain batch's records are absolute; the gzip wrapper's are relative to 105
    expect(v1.records.map((r) => r.offset)).toEqual([102, 103, 104, 0, 1, 2, 3, 4]);
    expect(v1.records.map((r) => r.value)).toEqual([...records.slice(2), ...records].map((r) => r.value));
    // a compressed batch is not cut at the fetch offset (as in Kafka): its reader skips what it did not ask for
    expect(readMessageSet(await downConvert(at(gzip, 105), 1, 107)).records).toHaveLength(5);
    const control = Buffer.from(plain);
    control.writeInt16BE(0x20 | 0x10, 21);
    expect((await downConvert(at(control, 0), 0, 0)).length).toBe(0);
    const zstd = await encodeBatchAsync(withoutHeaders, 'zstd');
    await expect(downConvert(zstd, 1, 0)).rejects.toMatchObject({ code: ErrorCode.UNSUPPORTED_COMPRESSION_TYPE });
  });
});
