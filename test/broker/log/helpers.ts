// Test helpers for the storage tests: a RecordBatch v2 encoder written straight from the grammar (independent
// of src/broker/log), temp directories, and a decoder of read() results.

import { crc32c } from '@node-rs/crc32';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { iterateRecords, splitBatches } from '../../../src/broker/log/batch.js';

export interface TestRecord {
  key?: string | Buffer | null;
  value?: string | Buffer | null;
  /** absolute timestamp; defaults to the batch's base timestamp */
  timestamp?: number;
  headers?: Record<string, string | null>;
}

export interface BatchOptions {
  baseOffset?: number;
  partitionLeaderEpoch?: number;
  baseTimestamp?: number;
  /** what the header claims; defaults to the real maximum of the records */
  maxTimestamp?: number;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  compression?: 'none' | 'gzip';
  /** extra attribute bits (e.g. 0x20 control, 0x08 LogAppendTime, 5 for a bogus codec) */
  extraAttributes?: number;
  /** override the records count / last offset delta written in the header */
  recordsCount?: number;
  lastOffsetDelta?: number;
  /** override each record's offset delta */
  offsetDeltas?: number[];
}

class Bytes {
  parts: Buffer[] = [];
  uvarint(v: number): this {
    const out: number[] = [];
    while (v >= 0x80) {
      out.push((v % 128) | 0x80);
      v = Math.floor(v / 128);
    }
    out.push(v);
    this.parts.push(Buffer.from(out));
    return this;
  }
  varint(v: number): this {
    return this.uvarint(v >= 0 ? v * 2 : -v * 2 - 1);
  }
  int8(v: number): this {
    const b = Buffer.alloc(1);
    b.writeInt8(v);
    this.parts.push(b);
    return this;
  }
  raw(b: Buffer): this {
    this.parts.push(b);
    return this;
  }
  nullable(b: Buffer | null): this {
    if (b === null) return this.varint(-1);
    return this.varint(b.length).raw(b);
  }
  build(): Buffer {
    return Buffer.concat(this.parts);
  }
}

const asBuf = (v: string | Buffer | null | undefined): Buffer | null =>
  v === null || v === undefined ? null : Buffer.isBuffer(v) ? v : Buffer.from(v);

export function encodeRecord(r: TestRecord, offsetDelta: number, baseTimestamp: number): Buffer {
  const body = new Bytes()
    .int8(0)
    .varint((r.timestamp ?? baseTimestamp) - baseTimestamp)
    .varint(offsetDelta)
    .nullable(asBuf(r.key))
    .nullable(asBuf(r.value === undefined ? '' : r.value));
  const headers = Object.entries(r.headers ?? {});
  body.varint(headers.length);
  for (const [k, v] of headers) body.nullable(Buffer.from(k)).nullable(asBuf(v));
  const b = body.build();
  return new Bytes().varint(b.length).raw(b).build();
}

export function buildBatch(records: TestRecord[], o: BatchOptions = {}): Buffer {
  const baseTimestamp = o.baseTimestamp ?? records[0]?.timestamp ?? 1_700_000_000_000;
  const encoded = Buffer.concat(records.map((r, i) => encodeRecord(r, o.offsetDeltas?.[i] ?? i, baseTimestamp)));
  const payload = o.compression === 'gzip' ? gzipSync(encoded) : encoded;
  const maxTimestamp = o.maxTimestamp ?? Math.max(...records.map((r) => r.timestamp ?? baseTimestamp));
  const header = Buffer.alloc(61);
  header.writeBigInt64BE(BigInt(o.baseOffset ?? 0), 0);
  header.writeInt32BE(61 - 12 + payload.length, 8);
  header.writeInt32BE(o.partitionLeaderEpoch ?? -1, 12);
  header.writeInt8(2, 16);
  header.writeInt16BE((o.compression === 'gzip' ? 1 : 0) | (o.extraAttributes ?? 0), 21);
  header.writeInt32BE(o.lastOffsetDelta ?? records.length - 1, 23);
  header.writeBigInt64BE(BigInt(baseTimestamp), 27);
  header.writeBigInt64BE(BigInt(maxTimestamp), 35);
  header.writeBigInt64BE(BigInt(o.producerId ?? -1), 43);
  header.writeInt16BE(o.producerEpoch ?? -1, 51);
  header.writeInt32BE(o.baseSequence ?? -1, 53);
  header.writeInt32BE(o.recordsCount ?? records.length, 57);
  const batch = Buffer.concat([header, payload]);
  fixCrc(batch);
  return batch;
}

/** Rewrites the CRC after a test edited a batch. */
export function fixCrc(batch: Buffer): Buffer {
  batch.writeUInt32BE(crc32c(batch.subarray(21)), 17);
  return batch;
}

/** `n` batches' worth of simple records: values "v<i>" */
export function values(from: number, count: number, opts: { timestamp?: number; size?: number } = {}): TestRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    key: `k${from + i}`,
    value: opts.size ? `v${from + i}:`.padEnd(opts.size, 'x') : `v${from + i}`,
    timestamp: opts.timestamp,
  }));
}

export interface Decoded {
  offset: number;
  timestamp: number;
  key: string | null;
  value: string | null;
  headers: Record<string, string | null>;
}

/** Every record of a read() result (whole batches expected). */
export function decode(records: Buffer): Decoded[] {
  const out: Decoded[] = [];
  for (const batch of splitBatches(records)) {
    for (const r of iterateRecords(batch)) {
      out.push({
        offset: r.offset,
        timestamp: r.timestamp,
        key: r.key?.toString() ?? null,
        value: r.value?.toString() ?? null,
        headers: Object.fromEntries(r.headers.map((h) => [h.key, h.value?.toString() ?? null])),
      });
    }
  }
  return out;
}

/** the base offsets of the batches of a read() result */
export function batchBases(records: Buffer): number[] {
  return splitBatches(records).map((b) => Number(b.readBigInt64BE(0)));
}

const dirs: string[] = [];

export function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'evt-log-test-'));
  dirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

/** Expects `fn` to throw an error carrying a Kafka error `code`; returns it. */
export function kafkaCode(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'number') return code;
    throw err;
  }
  return undefined;
}
