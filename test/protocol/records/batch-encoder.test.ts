// The batch encoder against the protocol layer's reader and the broker's validation (CRC-32C, lengths,
// counts, timestamps): keys, null keys and values, headers, negative timestamp deltas, gzip, and the
// producer id / epoch / sequence fields; the builder the producer writes records with as they come, in a
// buffer it outgrows or reuses.

import { describe, expect, it } from 'vitest';
import { validateClientBatch } from '../../../src/broker/log/batch.js';
import { Compression, compressionOf, readBatchHeader } from '../../../src/protocol/records/batch-layout.js';
import { decodeRecords } from '../../../src/protocol/records/decode.js';
import {
  BatchBuilder,
  encodeBatch,
  encodeBatchAsync,
  uvarintSize,
  writeUvarint,
  zigzag,
  type BatchRecord,
} from '../../../src/protocol/records/batch-encoder.js';
import { Reader } from '../../../src/protocol/primitives.js';

const records: BatchRecord[] = [
  {
    key: Buffer.from('k1'),
    value: Buffer.from('{"a":1}'),
    headers: [{ key: 'h', value: Buffer.from('v') }],
    timestamp: 1_700_000_000_500,
  },
  { key: null, value: null, headers: [], timestamp: 1_700_000_000_000 },
  {
    key: Buffer.alloc(0),
    value: Buffer.from([0, 255, 1]),
    headers: [
      { key: 'ключ', value: null },
      { key: 'dup', value: Buffer.from('1') },
      { key: 'dup', value: Buffer.from('2') },
    ],
    timestamp: 1_700_000_009_999,
  },
  { key: Buffer.from('big'), value: Buffer.alloc(300_000, 7), headers: [], timestamp: 1_700_000_000_001 },
];

describe('varints', () => {
  it('sizes and writes unsigned varints and zig-zag values the way the reader reads them', () => {
    for (const v of [
      0,
      1,
      63,
      64,
      -1,
      -64,
      -65,
      127,
      128,
      8191,
      8192,
      1 << 20,
      -(1 << 20),
      2 ** 31,
      -(2 ** 31),
      2 ** 40,
      1_700_000_000_000,
    ]) {
      const buf = Buffer.alloc(16);
      const end = writeUvarint(buf, 0, zigzag(v));
      expect(end).toBe(uvarintSize(zigzag(v)));
      expect(new Reader(buf, 0, end).varlong()).toBe(v);
    }
  });
});

describe('encodeBatch', () => {
  for (const compression of ['none', 'gzip'] as const) {
    it(`${compression}: the broker accepts the batch and the reader gets every field back`, async () => {
      const identity = { producerId: 42, producerEpoch: 3, baseSequence: 1000 };
      const batch =
        compression === 'none'
          ? encodeBatch(records, compression, identity)
          : await encodeBatchAsync(records, compression, identity);
      const { header, recordsMaxTimestamp } = validateClientBatch(Buffer.from(batch), { maxMessageBytes: 10_000_000 });
      expect(compressionOf(header.attributes)).toBe(compression === 'none' ? Compression.NONE : Compression.GZIP);
      expect(header).toMatchObject({
        baseOffset: 0,
        partitionLeaderEpoch: -1,
        magic: 2,
        lastOffsetDelta: 3,
        recordsCount: 4,
        producerId: 42,
        producerEpoch: 3,
        baseSequence: 1000,
      });
      expect(header.baseTimestamp).toBe(1_700_000_000_500);
      expect(header.maxTimestamp).toBe(1_700_000_009_999);
      expect(recordsMaxTimestamp).toBe(1_700_000_009_999);
      const back = decodeRecords(batch);
      expect(back.map((r) => r.offset)).toEqual([0, 1, 2, 3]);
      back.forEach((r, i) => {
        expect(r.timestamp).toBe(records[i].timestamp);
        expect(r.key === null ? null : r.key.toString('hex')).toBe(
          records[i].key === null ? null : records[i].key.toString('hex'),
        );
        expect(r.value === null ? null : Buffer.compare(r.value, records[i].value!)).toBe(
          records[i].value === null ? null : 0,
        );
        expect(r.headers).toEqual(records[i].headers);
      });
    });
  }

  it('writes -1 producer fields for a producer that is not idempotent', () => {
    const h = readBatchHeader(encodeBatch(records.slice(0, 1)));
    expect(h).toMatchObject({ producerId: -1, producerEpoch: -1, baseSequence: -1 });
  });

  it('gzip makes repetitive records much smaller', async () => {
    const many: BatchRecord[] = Array.from({ length: 1000 }, (_, i) => ({
      key: null,
      value: Buffer.from(`{"order":${i},"status":"CONFIRMED"}`),
      headers: [],
      timestamp: 1,
    }));
    const plain = encodeBatch(many);
    const packed = await encodeBatchAsync(many, 'gzip');
    expect(packed.length).toBeLessThan(plain.length / 4);
  });
});

describe('BatchBuilder', () => {
  const identity = { producerId: 7, producerEpoch: 1, baseSequence: 5 };

  it('writes the bytes encodeBatch writes, in a buffer it outgrows, values taken as slices', () => {
    // every value is a slice of one input buffer, as the producer takes lines of a file
    const input = Buffer.concat(records.map((r) => r.value ?? Buffer.alloc(0)));
    const small = Buffer.alloc(100);
    const b = new BatchBuilder(small);
    let at = 0;
    for (const r of records) {
      const n = r.value?.length ?? 0;
      b.add(r.key, r.value === null ? null : input, at, at + n, r.headers, r.timestamp);
      at += n;
    }
    expect(b.grown).toBe(true);
    expect(b.finish(identity).equals(encodeBatch(records, 'none', identity))).toBe(true);
    // the buffer it was given is untouched beyond what fitted
    expect(b.buf).not.toBe(small);
  });

  it('a buffer used again for another batch holds only that batch', () => {
    const buf = Buffer.alloc(400_000);
    const first = new BatchBuilder(buf);
    for (const r of records) first.add(r.key, r.value, 0, r.value?.length ?? 0, r.headers, r.timestamp);
    expect(first.grown).toBe(false);
    first.finish();
    const again = new BatchBuilder(buf);
    again.add(Buffer.from('k'), Buffer.from('second'), 0, 6, [], 1_700_000_000_000);
    const batch = again.finish(identity);
    expect(
      batch.equals(
        encodeBatch(
          [{ key: Buffer.from('k'), value: Buffer.from('second'), headers: [], timestamp: 1_700_000_000_000 }],
          'none',
          identity,
        ),
      ),
    ).toBe(true);
    expect(validateClientBatch(Buffer.from(batch), { maxMessageBytes: 1_000_000 }).header.recordsCount).toBe(1);
    expect(decodeRecords(batch).map((r) => r.value!.toString())).toEqual(['second']);
  });

  it('refuses to finish an empty batch', () => {
    expect(() => new BatchBuilder(Buffer.alloc(100)).finish()).toThrow(/at least one record/);
  });
});
