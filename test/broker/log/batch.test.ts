import { crc32c } from '@node-rs/crc32';
import { describe, expect, it } from 'vitest';
import {
  batchCrcMatches,
  decodeRecords,
  finalizeClientBatch,
  patchBaseOffset,
  readBatchHeader,
  singleBatch,
  splitBatches,
  validateClientBatch,
} from '../../../src/broker/log/batch.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { buildBatch, fixCrc, kafkaCode } from './helpers.js';

const limits = { maxMessageBytes: 1048588 };
const T = 1_700_000_000_000;

describe('RecordBatch v2 validation', () => {
  const valid = () =>
    buildBatch([
      { key: 'a', value: 'one', timestamp: T, headers: { h: 'x' } },
      { key: null, value: 'two', timestamp: T + 5 },
    ]);

  it('accepts a hand-built valid batch and parses its header', () => {
    const batch = valid();
    const v = validateClientBatch(batch, limits);
    expect(v.header).toMatchObject({
      baseOffset: 0,
      batchLength: batch.length - 12,
      magic: 2,
      lastOffsetDelta: 1,
      baseTimestamp: T,
      maxTimestamp: T + 5,
      producerId: -1,
      producerEpoch: -1,
      baseSequence: -1,
      recordsCount: 2,
    });
    expect(v.header.crc).toBe(crc32c(batch.subarray(21)));
    expect(v.recordsMaxTimestamp).toBe(T + 5);
  });

  it('decodes the records of a batch', () => {
    expect(
      decodeRecords(valid()).map((r) => ({
        ...r,
        key: r.key?.toString() ?? null,
        value: r.value?.toString(),
        headers: r.headers.map((h) => [h.key, h.value?.toString()]),
      })),
    ).toEqual([
      { offset: 0, timestamp: T, key: 'a', value: 'one', headers: [['h', 'x']] },
      { offset: 1, timestamp: T + 5, key: null, value: 'two', headers: [] },
    ]);
  });

  it('rejects each corruption with its Kafka error code', () => {
    const cases: Array<[string, (b: Buffer) => Buffer, number]> = [
      ['non-zero base offset', (b) => (b.writeBigInt64BE(5n, 0), b), ErrorCode.INVALID_RECORD],
      ['length field off by one', (b) => (b.writeInt32BE(b.readInt32BE(8) + 1, 8), b), ErrorCode.CORRUPT_MESSAGE],
      ['magic 1', (b) => (b.writeInt8(1, 16), b), ErrorCode.CORRUPT_MESSAGE],
      ['flipped record byte (CRC)', (b) => ((b[b.length - 3] ^= 0xff), b), ErrorCode.CORRUPT_MESSAGE],
      ['wrong stored CRC', (b) => (b.writeUInt32BE((b.readUInt32BE(17) + 1) >>> 0, 17), b), ErrorCode.CORRUPT_MESSAGE],
      ['control bit', (b) => fixCrc((b.writeInt16BE(b.readInt16BE(21) | 0x20, 21), b)), ErrorCode.INVALID_RECORD],
      ['compression codec 5', (b) => fixCrc((b.writeInt16BE(5, 21), b)), ErrorCode.UNSUPPORTED_COMPRESSION_TYPE],
      ['lastOffsetDelta != count - 1', (b) => fixCrc((b.writeInt32BE(5, 23), b)), ErrorCode.INVALID_RECORD],
      ['zero records', (b) => fixCrc((b.writeInt32BE(0, 57), b.writeInt32BE(-1, 23), b)), ErrorCode.INVALID_RECORD],
      ['truncated to its header', (b) => b.subarray(0, 40), ErrorCode.CORRUPT_MESSAGE],
    ];
    for (const [what, corrupt, code] of cases) {
      expect(
        kafkaCode(() => validateClientBatch(corrupt(valid()), limits)),
        what,
      ).toBe(code);
    }
  });

  it('rejects records whose framing disagrees with the header', () => {
    // count says 3 but only 2 records are there: the walk runs off the end
    const short = fixCrc(
      (() => {
        const b = buildBatch([{ value: 'a' }, { value: 'b' }], { recordsCount: 3, lastOffsetDelta: 2 });
        return b;
      })(),
    );
    expect(kafkaCode(() => validateClientBatch(short, limits))).toBe(ErrorCode.CORRUPT_MESSAGE);
    // offset deltas must be 0..n-1
    const badDeltas = buildBatch([{ value: 'a' }, { value: 'b' }], { offsetDeltas: [0, 7] });
    expect(kafkaCode(() => validateClientBatch(badDeltas, limits))).toBe(ErrorCode.INVALID_RECORD);
    // a count lower than the records present leaves bytes over
    const extra = buildBatch([{ value: 'a' }, { value: 'b' }], { recordsCount: 1, lastOffsetDelta: 0 });
    expect(kafkaCode(() => validateClientBatch(extra, limits))).toBe(ErrorCode.INVALID_RECORD);
  });

  it('rejects a batch larger than max.message.bytes', () => {
    const big = buildBatch([{ value: 'x'.repeat(2000) }]);
    expect(kafkaCode(() => validateClientBatch(big, { maxMessageBytes: 1000 }))).toBe(ErrorCode.MESSAGE_TOO_LARGE);
  });

  it('rejects an idempotent batch without a sequence', () => {
    const b = buildBatch([{ value: 'a' }], { producerId: 7, producerEpoch: 0, baseSequence: -1 });
    expect(kafkaCode(() => validateClientBatch(b, limits))).toBe(ErrorCode.INVALID_RECORD);
  });
});

describe('splitting produce record sets', () => {
  it('returns the single batch', () => {
    const b = buildBatch([{ value: 'a' }]);
    expect(singleBatch(b).equals(b)).toBe(true);
  });

  it('refuses two batches, trailing garbage and an empty set', () => {
    const a = buildBatch([{ value: 'a' }]);
    const b = buildBatch([{ value: 'b' }]);
    expect(splitBatches(Buffer.concat([a, b]))).toHaveLength(2);
    expect(kafkaCode(() => singleBatch(Buffer.concat([a, b])))).toBe(ErrorCode.INVALID_RECORD);
    expect(kafkaCode(() => singleBatch(Buffer.concat([a, Buffer.from([1, 2, 3])])))).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(kafkaCode(() => singleBatch(Buffer.concat([a, b.subarray(0, b.length - 2)])))).toBe(
      ErrorCode.CORRUPT_MESSAGE,
    );
    expect(kafkaCode(() => singleBatch(Buffer.alloc(0)))).toBe(ErrorCode.INVALID_RECORD);
  });
});

describe('max timestamp fix-up and offset patching', () => {
  it('replaces a wrong client max timestamp (kafkajs lexicographic sort) and recomputes the CRC', () => {
    // kafkajs sorts timestamps as strings: of 999 and 1000 it takes "999" as the max
    const b = buildBatch(
      [
        { value: 'a', timestamp: 1000 },
        { value: 'b', timestamp: 999 },
      ],
      { maxTimestamp: 999 },
    );
    const v = validateClientBatch(b, limits);
    expect(v.header.maxTimestamp).toBe(999);
    expect(v.recordsMaxTimestamp).toBe(1000);
    const fin = finalizeClientBatch(b, v, { now: 5 });
    expect(fin).toEqual({ maxTimestamp: 1000, logAppendTime: -1 });
    expect(readBatchHeader(b).maxTimestamp).toBe(1000);
    expect(batchCrcMatches(b)).toBe(true);
  });

  it('reads gzip records to fix the max timestamp', () => {
    const b = buildBatch(
      [
        { value: 'a', timestamp: T + 9 },
        { value: 'b', timestamp: T },
      ],
      { compression: 'gzip', maxTimestamp: T },
    );
    const v = validateClientBatch(b, limits);
    expect(v.recordsMaxTimestamp).toBe(T + 9);
    finalizeClientBatch(b, v, { now: 0 });
    expect(readBatchHeader(b).maxTimestamp).toBe(T + 9);
    expect(batchCrcMatches(b)).toBe(true);
    expect(decodeRecords(b).map((r) => [r.offset, r.timestamp, r.value?.toString()])).toEqual([
      [0, T + 9, 'a'],
      [1, T, 'b'],
    ]);
  });

  it('stamps LogAppendTime batches with the broker clock', () => {
    const b = buildBatch([
      { value: 'a', timestamp: 10 },
      { value: 'b', timestamp: 20 },
    ]);
    const v = validateClientBatch(b, limits);
    expect(finalizeClientBatch(b, v, { now: 12345, timestampType: 'LogAppendTime' })).toEqual({
      maxTimestamp: 12345,
      logAppendTime: 12345,
    });
    expect(readBatchHeader(b).attributes & 0x08).toBe(0x08);
    expect(batchCrcMatches(b)).toBe(true);
    expect(decodeRecords(b).map((r) => r.timestamp)).toEqual([12345, 12345]);
  });

  it('leaves a correct batch byte for byte unchanged', () => {
    const b = buildBatch([
      { value: 'a', timestamp: 1 },
      { value: 'b', timestamp: 2 },
    ]);
    const copy = Buffer.from(b);
    finalizeClientBatch(b, validateClientBatch(b, limits), { now: 0 });
    expect(b.equals(copy)).toBe(true);
  });

  it('patches base offset and leader epoch without breaking the CRC', () => {
    const b = buildBatch([{ value: 'a' }, { value: 'b' }], { partitionLeaderEpoch: -1 });
    patchBaseOffset(b, 2 ** 40 + 3);
    const h = readBatchHeader(b);
    expect(h.baseOffset).toBe(2 ** 40 + 3);
    expect(h.partitionLeaderEpoch).toBe(0);
    expect(batchCrcMatches(b)).toBe(true);
    expect(decodeRecords(b).map((r) => r.offset)).toEqual([2 ** 40 + 3, 2 ** 40 + 4]);
  });
});
