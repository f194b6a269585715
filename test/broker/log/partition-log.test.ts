import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStorage, type Storage } from '../../../src/broker/log/files.js';
import { PartitionLog, type PartitionLogConfig } from '../../../src/broker/log/partition-log.js';
import { readBatchHeader, batchCrcMatches, splitBatches } from '../../../src/broker/log/batch.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import {
  batchBases,
  buildBatch,
  decode,
  kafkaCode,
  removeTempDirs,
  tempDir,
  values,
  type TestRecord,
} from './helpers.js';

afterEach(removeTempDirs);

const T = 1_700_000_000_000;

/** Appends batches of `perBatch` records; returns the base offsets. */
function fill(
  log: PartitionLog,
  batches: number,
  perBatch: number,
  opts: { size?: number; timestamp?: (i: number) => number; now?: number } = {},
): number[] {
  const bases: number[] = [];
  for (let i = 0; i < batches; i++) {
    const from = log.highWatermark;
    const recs = values(from, perBatch, { size: opts.size, timestamp: opts.timestamp?.(i) ?? T + i });
    bases.push(log.append(buildBatch(recs), { now: opts.now ?? T }).baseOffset);
  }
  return bases;
}

/** Reads everything from `from` to the high watermark, batch by batch as a consumer would. */
function readAll(log: PartitionLog, from = log.logStartOffset, maxBytes = 1 << 20) {
  const out = [];
  let offset = from;
  while (offset < log.highWatermark) {
    const r = log.read(offset, maxBytes);
    const recs = decode(r.records).filter((x) => x.offset >= offset);
    expect(recs.length).toBeGreaterThan(0);
    out.push(...recs);
    offset = recs[recs.length - 1].offset + 1;
  }
  return out;
}

function expectSequential(recs: { offset: number; value: string | null }[], from: number, to: number): void {
  expect(recs.map((r) => r.offset)).toEqual(Array.from({ length: to - from }, (_, i) => from + i));
  for (const r of recs) expect(r.value?.startsWith(`v${r.offset}`)).toBe(true);
}

const kinds: Array<[string, () => { dir: string; storage?: Storage }]> = [
  ['on disk', () => ({ dir: tempDir() })],
  ['in memory', () => ({ dir: '/mem/t-0', storage: new MemoryStorage() })],
];

describe.each(kinds)('PartitionLog %s', (_kind, where) => {
  const open = (config: Partial<PartitionLogConfig> = {}) => PartitionLog.open({ ...where(), config });

  it('appends and reads across segment rolls', () => {
    const log = open({ segmentBytes: 1024 });
    const bases = fill(log, 12, 3, { size: 80 });
    expect(bases).toEqual(Array.from({ length: 12 }, (_, i) => i * 3));
    expect(log.highWatermark).toBe(36);
    const segs = log.segmentInfos();
    expect(segs.length).toBeGreaterThan(3);
    for (let i = 1; i < segs.length; i++) expect(segs[i].baseOffset).toBe(segs[i - 1].nextOffset);
    for (const s of segs) expect(s.sizeBytes).toBeLessThanOrEqual(1024);
    expect(segs.at(-1)!.active).toBe(true);
    expect(log.sizeBytes).toBe(segs.reduce((a, s) => a + s.sizeBytes, 0));
    expectSequential(readAll(log), 0, 36);
    // stored batches carry their offsets, epoch 0 and a valid CRC
    const r = log.read(0, 1 << 20);
    for (const b of splitBatches(r.records)) {
      expect(batchCrcMatches(b)).toBe(true);
      expect(readBatchHeader(b).partitionLeaderEpoch).toBe(0);
    }
    // one read never crosses a segment
    expect(batchBases(r.records).at(-1)! + 3).toBeLessThanOrEqual(segs[0].nextOffset);
    log.close();
  });

  it('serves the whole batch containing a mid-batch offset, whole batches within maxBytes, at least one', () => {
    const log = open();
    fill(log, 5, 4);
    const sizes = splitBatches(log.read(0, 1 << 20).records).map((b) => b.length);
    expect(batchBases(log.read(0, 1).records)).toEqual([0]);
    expect(batchBases(log.read(6, 1).records)).toEqual([4]);
    expect(batchBases(log.read(7, sizes[1] + sizes[2]).records)).toEqual([4, 8]);
    expect(batchBases(log.read(7, sizes[1] + sizes[2] + sizes[3] - 1).records)).toEqual([4, 8]);
    expect(batchBases(log.read(7, sizes[1] + sizes[2] + sizes[3]).records)).toEqual([4, 8, 12]);
    expect(batchBases(log.read(19, 1 << 20).records)).toEqual([16]);
    const r = log.read(5, 1 << 20);
    expect(batchBases(r.records)).toEqual([4, 8, 12, 16]);
    expect(r.highWatermark).toBe(20);
    expect(r.logStartOffset).toBe(0);
    log.close();
  });

  it('returns an empty record set at the high watermark and OFFSET_OUT_OF_RANGE outside the log', () => {
    const log = open();
    expect(log.read(0, 100).records.length).toBe(0);
    fill(log, 2, 2);
    const atEnd = log.read(4, 100);
    expect(atEnd.records.length).toBe(0);
    expect(atEnd.highWatermark).toBe(4);
    expect(kafkaCode(() => log.read(5, 100))).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    expect(kafkaCode(() => log.read(-1, 100))).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    log.deleteRecordsBefore(3);
    expect(kafkaCode(() => log.read(2, 100))).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    expect(batchBases(log.read(3, 100).records)).toEqual([2]);
    log.close();
  });

  it('finds the earliest offset at or after a timestamp', () => {
    const log = open({ segmentBytes: 300 });
    const batch = (ts: number[]) =>
      buildBatch(ts.map((t, i) => ({ value: `v${log.highWatermark + i}`, timestamp: t })));
    log.append(batch([100, 300]), { now: 0 }); // 0, 1
    log.append(batch([200, 250]), { now: 0 }); // 2, 3: older than the batch before
    log.append(batch([400]), { now: 0 }); // 4
    log.append(batch([350, 500]), { now: 0 }); // 5, 6
    expect(log.segmentInfos().length).toBeGreaterThan(1);
    expect(log.offsetForTimestamp(50)).toEqual({ offset: 0, timestamp: 100 });
    expect(log.offsetForTimestamp(100)).toEqual({ offset: 0, timestamp: 100 });
    expect(log.offsetForTimestamp(200)).toEqual({ offset: 1, timestamp: 300 });
    expect(log.offsetForTimestamp(301)).toEqual({ offset: 4, timestamp: 400 });
    expect(log.offsetForTimestamp(401)).toEqual({ offset: 6, timestamp: 500 });
    expect(log.offsetForTimestamp(501)).toBeNull();
    log.deleteRecordsBefore(1);
    expect(log.offsetForTimestamp(50)).toEqual({ offset: 1, timestamp: 300 });
    log.close();
  });

  it('deleteRecordsBefore moves the log start and deletes whole segments below it', () => {
    const log = open({ segmentBytes: 400 });
    fill(log, 9, 2, { size: 60 });
    const segs = log.segmentInfos();
    expect(segs.length).toBeGreaterThan(2);
    const target = segs[1].baseOffset + 1;
    expect(log.deleteRecordsBefore(target)).toBe(target);
    expect(log.logStartOffset).toBe(target);
    expect(log.segmentInfos()[0].baseOffset).toBe(segs[1].baseOffset);
    expect(kafkaCode(() => log.read(target - 1, 100))).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    // a lower target changes nothing
    expect(log.deleteRecordsBefore(2)).toBe(target);
    expect(kafkaCode(() => log.deleteRecordsBefore(log.highWatermark + 1))).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    // everything: a new empty segment at the high watermark, appends continue there
    const hwm = log.highWatermark;
    expect(log.deleteRecordsBefore(-1)).toBe(hwm);
    expect(log.segmentInfos()).toEqual([
      { baseOffset: hwm, nextOffset: hwm, sizeBytes: 0, maxTimestamp: -1, active: true },
    ]);
    expect(log.read(hwm, 100).records.length).toBe(0);
    expect(log.append(buildBatch(values(hwm, 1)), { now: T }).baseOffset).toBe(hwm);
    expect(log.append(buildBatch(values(hwm + 1, 1)), { now: T })).toEqual({
      baseOffset: hwm + 1,
      logStartOffset: hwm,
      logAppendTime: -1,
      duplicate: false,
    });
    log.close();
  });

  it('applies time and size retention to sealed segments only', () => {
    const log = open({ segmentBytes: 200 });
    // one batch per segment (each batch is bigger than half a segment), timestamps T, T+1000, ...
    fill(log, 5, 1, { size: 120, timestamp: (i) => T + i * 1000 });
    const segs = log.segmentInfos();
    expect(segs.map((s) => s.maxTimestamp)).toEqual([T, T + 1000, T + 2000, T + 3000, T + 4000]);
    // older than now - retention: T and T+1000
    expect(log.applyRetention(T + 2500, 1000, -1)).toBe(2);
    expect(log.logStartOffset).toBe(2);
    expect(log.segmentInfos()[0].baseOffset).toBe(2);
    // size: keep at least 2 segments' worth
    const each = segs[2].sizeBytes;
    expect(log.applyRetention(T, -1, 2 * each)).toBe(1);
    expect(log.logStartOffset).toBe(3);
    // everything expired, but the active segment stays
    expect(log.applyRetention(T + 10 ** 9, 0, 0)).toBe(1);
    expect(log.segmentInfos().map((s) => s.baseOffset)).toEqual([4]);
    expect(log.logStartOffset).toBe(4);
    expect(decode(log.read(4, 1000).records).map((r) => r.value?.slice(0, 3))).toEqual(['v4:']);
    log.close();
  });

  it('rolls a segment after segment.ms', () => {
    const log = open({ segmentMs: 1000 });
    log.append(buildBatch(values(0, 1)), { now: T });
    log.append(buildBatch(values(1, 1)), { now: T + 1000 });
    expect(log.segmentInfos().length).toBe(1);
    log.append(buildBatch(values(2, 1)), { now: T + 1001 });
    expect(log.segmentInfos().map((s) => s.baseOffset)).toEqual([0, 2]);
    log.close();
  });

  it('rejects a batch over max.message.bytes and corrupt input without changing the log', () => {
    const log = open({ maxMessageBytes: 200 });
    expect(kafkaCode(() => log.append(buildBatch(values(0, 1, { size: 300 }))))).toBe(ErrorCode.MESSAGE_TOO_LARGE);
    const bad = buildBatch(values(0, 2));
    bad[bad.length - 1] ^= 1;
    expect(kafkaCode(() => log.append(bad))).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(kafkaCode(() => log.append(buildBatch(values(0, 1)), { acks: 2 }))).toBe(ErrorCode.INVALID_REQUIRED_ACKS);
    expect(log.highWatermark).toBe(0);
    expect(log.sizeBytes).toBe(0);
    log.close();
  });

  it('stores the record max timestamp, not the client one', () => {
    const log = open();
    log.append(
      buildBatch(
        [
          { value: 'a', timestamp: 1000 },
          { value: 'b', timestamp: 999 },
        ],
        { maxTimestamp: 999 },
      ),
      { now: 0 },
    );
    const [b] = splitBatches(log.read(0, 1000).records);
    expect(readBatchHeader(b).maxTimestamp).toBe(1000);
    expect(batchCrcMatches(b)).toBe(true);
    expect(log.offsetForTimestamp(1000)).toEqual({ offset: 0, timestamp: 1000 });
    log.close();
  });

  it('stamps LogAppendTime topics with the broker time', () => {
    const log = open({ timestampType: 'LogAppendTime' });
    const r = log.append(buildBatch([{ value: 'a', timestamp: 5 }]), { now: T });
    expect(r.logAppendTime).toBe(T);
    expect(decode(log.read(0, 1000).records)[0].timestamp).toBe(T);
    log.close();
  });
});

describe('on-disk layout and recovery', () => {
  const logFile = (dir: string, base: number, suffix = '.log') =>
    path.join(dir, String(base).padStart(20, '0') + suffix);

  it('writes Kafka-style segment, offset index and time index files', () => {
    const dir = tempDir();
    const log = PartitionLog.open({ dir, config: { segmentBytes: 8000, indexIntervalBytes: 1000 } });
    fill(log, 30, 2, { size: 150, timestamp: (i) => T + (i % 7) * 10 });
    const segs = log.segmentInfos();
    log.close();
    expect(segs.length).toBeGreaterThan(1);
    const names = fs.readdirSync(dir).sort();
    expect(names).toContain('00000000000000000000.log');
    expect(names).toContain('00000000000000000000.index');
    expect(names).toContain('00000000000000000000.timeindex');
    expect(names).toContain('clean-shutdown');
    for (const s of segs) {
      const data = fs.readFileSync(logFile(dir, s.baseOffset));
      expect(data.length).toBe(s.sizeBytes);
      const index = fs.readFileSync(logFile(dir, s.baseOffset, '.index'));
      expect(index.length % 8).toBe(0);
      expect(index.length / 8).toBeGreaterThan(2);
      for (let at = 0; at < index.length; at += 8) {
        const rel = index.readInt32BE(at);
        const pos = index.readInt32BE(at + 4);
        const h = readBatchHeader(data, pos);
        expect(h.baseOffset + h.lastOffsetDelta).toBe(s.baseOffset + rel);
      }
      const time = fs.readFileSync(logFile(dir, s.baseOffset, '.timeindex'));
      expect(time.length % 12).toBe(0);
      let prev = -1;
      for (let at = 0; at < time.length; at += 12) {
        const ts = Number(time.readBigInt64BE(at));
        expect(ts).toBeGreaterThan(prev);
        prev = ts;
      }
      if (!s.active) expect(prev).toBe(s.maxTimestamp);
    }
  });

  /** a log with several segments, left without close() as a crashed broker would leave it */
  function crashedLog(dir: string) {
    const log = PartitionLog.open({ dir, config: { segmentBytes: 600 } });
    fill(log, 10, 2, { size: 100 });
    return {
      segs: log.segmentInfos(),
      hwm: log.highWatermark,
      lastBatch: log.read(log.highWatermark - 1, 1 << 20).records,
    };
  }

  it('truncates a torn last batch; earlier batches are served and appends continue', () => {
    const dir = tempDir();
    const { segs, hwm, lastBatch } = crashedLog(dir);
    expect(segs.length).toBeGreaterThan(2);
    const file = logFile(dir, segs.at(-1)!.baseOffset);
    fs.truncateSync(file, fs.statSync(file).size - 10);

    const log = PartitionLog.open({ dir, config: { segmentBytes: 600 } });
    expect(log.recovery.cleanShutdown).toBe(false);
    expect(log.recovery.truncatedBytes).toBe(lastBatch.length - 10);
    expect(log.highWatermark).toBe(hwm - 2);
    expectSequential(readAll(log), 0, hwm - 2);
    expect(log.append(buildBatch(values(hwm - 2, 2)), { now: T }).baseOffset).toBe(hwm - 2);
    expectSequential(readAll(log), 0, hwm);
    log.close();
  });

  it('truncates a tail torn inside a batch header', () => {
    const dir = tempDir();
    const { segs, hwm } = crashedLog(dir);
    const file = logFile(dir, segs.at(-1)!.baseOffset);
    fs.appendFileSync(file, Buffer.alloc(30, 7));
    const log = PartitionLog.open({ dir, config: { segmentBytes: 600 } });
    expect(log.recovery.truncatedBytes).toBe(30);
    expect(log.recovery.problem).toMatch(/torn batch header/);
    expect(log.highWatermark).toBe(hwm);
    expectSequential(readAll(log), 0, hwm);
    log.close();
  });

  it('truncates at a batch whose CRC does not match', () => {
    const dir = tempDir();
    const { segs, hwm, lastBatch } = crashedLog(dir);
    const file = logFile(dir, segs.at(-1)!.baseOffset);
    const data = fs.readFileSync(file);
    data[data.length - lastBatch.length + 70] ^= 0x40;
    fs.writeFileSync(file, data);

    const log = PartitionLog.open({ dir, config: { segmentBytes: 600 } });
    expect(log.recovery.problem).toMatch(/CRC/);
    expect(log.highWatermark).toBe(hwm - 2);
    expect(fs.statSync(file).size).toBe(data.length - lastBatch.length);
    expectSequential(readAll(log), 0, hwm - 2);
    log.append(buildBatch(values(hwm - 2, 1)), { now: T });
    expect(log.highWatermark).toBe(hwm - 1);
    log.close();
  });

  it('drops the segments after a corrupt sealed segment', () => {
    const dir = tempDir();
    const { segs } = crashedLog(dir);
    const victim = segs[1];
    const file = logFile(dir, victim.baseOffset);
    const data = fs.readFileSync(file);
    data[data.length - 5] ^= 0xff; // in its last batch
    fs.writeFileSync(file, data);

    const log = PartitionLog.open({ dir, config: { segmentBytes: 600 } });
    expect(log.recovery.droppedSegments).toBe(segs.length - 2);
    const after = log.segmentInfos();
    expect(after.map((s) => s.baseOffset)).toEqual([segs[0].baseOffset, victim.baseOffset]);
    expect(log.highWatermark).toBe(victim.nextOffset - 2);
    for (const s of segs.slice(2)) expect(fs.existsSync(logFile(dir, s.baseOffset))).toBe(false);
    expectSequential(readAll(log), 0, log.highWatermark);
    const next = log.highWatermark;
    expect(log.append(buildBatch(values(next, 1)), { now: T }).baseOffset).toBe(next);
    log.close();
  });

  it('an unclean restart without damage keeps everything', () => {
    const dir = tempDir();
    const { segs, hwm } = crashedLog(dir);
    const log = PartitionLog.open({ dir, config: { segmentBytes: 600 } });
    expect(log.recovery).toMatchObject({ cleanShutdown: false, truncatedBytes: 0, droppedSegments: 0 });
    expect(log.recovery.scannedSegments).toBe(segs.length);
    expect(log.highWatermark).toBe(hwm);
    expectSequential(readAll(log), 0, hwm);
    log.close();
  });

  it('a clean restart trusts sealed segments and keeps everything', () => {
    const dir = tempDir();
    const log = PartitionLog.open({ dir, config: { segmentBytes: 600 } });
    fill(log, 10, 2, { size: 100, timestamp: (i) => T + i * 100 });
    log.deleteRecordsBefore(3);
    const before = { segs: log.segmentInfos(), hwm: log.highWatermark };
    log.close();

    const again = PartitionLog.open({ dir, config: { segmentBytes: 600 } });
    expect(again.recovery).toMatchObject({ cleanShutdown: true, scannedSegments: 1, truncatedBytes: 0 });
    expect(fs.existsSync(path.join(dir, 'clean-shutdown'))).toBe(false);
    expect(again.segmentInfos()).toEqual(before.segs);
    expect(again.highWatermark).toBe(before.hwm);
    expect(again.logStartOffset).toBe(3);
    expectSequential(readAll(again), 3, before.hwm);
    expect(again.offsetForTimestamp(T + 450)).toEqual({ offset: 10, timestamp: T + 500 });
    again.append(buildBatch(values(before.hwm, 1)), { now: T });
    expect(again.highWatermark).toBe(before.hwm + 1);
    again.close();
  });

  it('scans a sealed segment whose index files are damaged, even after a clean shutdown', () => {
    const dir = tempDir();
    const log = PartitionLog.open({ dir, config: { segmentBytes: 600 } });
    fill(log, 10, 2, { size: 100 });
    const segs = log.segmentInfos();
    log.close();
    fs.writeFileSync(logFile(dir, segs[0].baseOffset, '.timeindex'), Buffer.alloc(5));
    const again = PartitionLog.open({ dir, config: { segmentBytes: 600 } });
    expect(again.recovery.scannedSegments).toBe(2);
    expect(again.segmentInfos()).toEqual(segs);
    expectSequential(readAll(again), 0, again.highWatermark);
    again.close();
  });

  it('keeps the log start offset across an unclean restart', () => {
    const dir = tempDir();
    const log = PartitionLog.open({ dir });
    fill(log, 3, 2);
    log.deleteRecordsBefore(3);
    const again = PartitionLog.open({ dir });
    expect(again.logStartOffset).toBe(3);
    expect(again.highWatermark).toBe(6);
    again.close();
  });

  it('keeps fsync=always appends durable and flushes on demand', () => {
    const dir = tempDir();
    const log = PartitionLog.open({ dir, fsync: 'always', config: { segmentBytes: 500 } });
    fill(log, 6, 2, { size: 100 });
    expect(log.needsFlush).toBe(true);
    log.flush();
    expect(log.needsFlush).toBe(false);
    const meta = JSON.parse(fs.readFileSync(path.join(dir, 'partition.json'), 'utf8'));
    expect(meta.recoveryPoint).toBe(log.segmentInfos().at(-1)!.baseOffset);
    // a crash now: the sealed segments below the recovery point are not scanned again
    const again = PartitionLog.open({ dir, config: { segmentBytes: 500 } });
    expect(again.recovery.cleanShutdown).toBe(false);
    expect(again.recovery.scannedSegments).toBe(1);
    expectSequential(readAll(again), 0, 12);
    again.close();
  });
});

describe('record helpers used by tests', () => {
  it('round-trip headers and null values', () => {
    const log = PartitionLog.open({ dir: '/m/x-0', storage: new MemoryStorage() });
    const recs: TestRecord[] = [{ key: 'k', value: null, headers: { a: '1', b: null } }];
    log.append(buildBatch(recs));
    expect(decode(log.read(0, 100).records)[0]).toMatchObject({ key: 'k', value: null, headers: { a: '1', b: null } });
    log.close();
  });
});
