// The codecs on their own: xerial framing as Java writes it (several 32 KiB blocks) and plain snappy, each
// codec through a whole batch (encode, the broker's validation with its max-timestamp fix-up, decode), and
// what happens to data that does not decompress and to a codec id Kafka does not define.

import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { finalizeClientBatch, validateClientBatch } from '../../../src/broker/log/batch.js';
import type { ConsumedRecord } from '../../../src/client/records.js';
import { encodeBatchAsync, type BatchRecord } from '../../../src/client/wire/batch-encoder.js';
import { decodeRecordSet, type SkippedBatch } from '../../../src/client/wire/reader.js';
import { ErrorCode, KafkaError } from '../../../src/protocol/error-codes.js';
import {
  ATTRIBUTES,
  COMPRESSION_NAMES,
  CRC,
  CRC_START,
  RECORDS,
  compressionOf,
} from '../../../src/protocol/records/batch-layout.js';
import { compress, decompress } from '../../../src/protocol/records/compression.js';
import { decodeRecords } from '../../../src/protocol/records/decode.js';
import { isXerialFramed } from '../../../src/protocol/records/xerial-snappy.js';
import { crc32c } from '@node-rs/crc32';

const require = createRequire(import.meta.url);
const snappy = require('snappy') as typeof import('snappy');

const payload = Buffer.from(
  Array.from({ length: 4000 }, (_, i) => JSON.stringify({ orderId: `o-${i}`, total: i % 97 })).join('\n'),
);

describe('snappy framing', () => {
  it('writes xerial framing in 32 KiB blocks, as Java does, and reads it back', async () => {
    expect(payload.length).toBeGreaterThan(3 * 32 * 1024);
    const framed = await compress('snappy', payload);
    expect(framed.subarray(0, 16).toString('hex')).toBe('82534e415050590000000001' + '00000001');
    expect(isXerialFramed(framed)).toBe(true);
    // each block decodes on its own with plain snappy, and together they are the payload
    const blocks: Buffer[] = [];
    for (let pos = 16; pos < framed.length;) {
      const n = framed.readInt32BE(pos);
      blocks.push(snappy.uncompressSync(framed.subarray(pos + 4, pos + 4 + n), { asBuffer: true }) as Buffer);
      pos += 4 + n;
    }
    expect(blocks.length).toBe(Math.ceil(payload.length / (32 * 1024)));
    expect(Buffer.concat(blocks).equals(payload)).toBe(true);
    expect(decompress(2, framed).equals(payload)).toBe(true);
  });

  it('reads plain (unframed) snappy, as other clients write it', () => {
    expect(decompress(2, snappy.compressSync(payload)).equals(payload)).toBe(true);
  });
});

const records: BatchRecord[] = [3, 9, 1, 7].map((n) => ({
  key: Buffer.from(`k${n}`),
  value: Buffer.from(JSON.stringify({ n, pad: 'x'.repeat(200) })),
  headers: [{ key: 'h', value: Buffer.from(String(n)) }],
  // out of order: the broker has to find the largest
  timestamp: 1_700_000_000_000 + n * 1000,
}));

describe('a batch with each codec', () => {
  for (const codec of ['gzip', 'snappy', 'lz4', 'zstd'] as const) {
    it(`${codec}: encoded, validated by the broker (CRC, counts, max timestamp), decoded`, async () => {
      const batch = await encodeBatchAsync(records, codec);
      expect(COMPRESSION_NAMES[compressionOf(batch.readInt16BE(ATTRIBUTES))]).toBe(codec);
      // a client that got the max timestamp wrong (kafkajs sorts them as strings): the broker fixes it
      batch.writeBigInt64BE(1_700_000_001_000n, 35);
      batch.writeUInt32BE(crc32c(batch.subarray(CRC_START)) >>> 0, CRC);
      const v = validateClientBatch(batch, { maxMessageBytes: 1_000_000 });
      expect(v.recordsMaxTimestamp).toBe(1_700_000_009_000);
      expect(finalizeClientBatch(batch, v, { now: 0 }).maxTimestamp).toBe(1_700_000_009_000);
      const back = decodeRecords(batch);
      expect(back.map((r) => r.key!.toString())).toEqual(['k3', 'k9', 'k1', 'k7']);
      expect(back.map((r) => r.timestamp)).toEqual(records.map((r) => r.timestamp));
      expect(back.map((r) => r.headers[0].value!.toString())).toEqual(['3', '9', '1', '7']);
    });

    it(`${codec}: records that do not decompress are CORRUPT_MESSAGE, naming the codec`, async () => {
      const batch = await encodeBatchAsync(records, codec);
      batch.fill(0x5a, RECORDS, RECORDS + 8); // the stream's magic and header
      batch.writeUInt32BE(crc32c(batch.subarray(CRC_START)) >>> 0, CRC);
      let err: unknown;
      try {
        validateClientBatch(batch, { maxMessageBytes: 1_000_000 });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(KafkaError);
      expect((err as KafkaError).code).toBe(ErrorCode.CORRUPT_MESSAGE);
      expect((err as KafkaError).message).toMatch(new RegExp(`^${codec} records do not decompress: .`));
    });
  }
});

describe('a codec Kafka does not define', () => {
  it('the broker refuses it and the reader skips the batch, saying why', async () => {
    const batch = await encodeBatchAsync(records, 'gzip');
    batch.writeInt16BE(6, ATTRIBUTES);
    batch.writeUInt32BE(crc32c(batch.subarray(CRC_START)) >>> 0, CRC);
    expect(() => validateClientBatch(batch, { maxMessageBytes: 1_000_000 })).toThrow('unknown compression codec 6');
    const skipped: SkippedBatch[] = [];
    const out: ConsumedRecord[] = [];
    decodeRecordSet(batch, 0, 't', 0, 0, Infinity, out, 100, (s) => skipped.push(s));
    expect(out).toEqual([]);
    expect(skipped).toEqual([
      {
        topic: 't',
        partition: 0,
        offset: 0,
        lastOffset: 3,
        reason: 'records compressed with an unknown codec (6) cannot be decoded by evt',
      },
    ]);
  });
});
