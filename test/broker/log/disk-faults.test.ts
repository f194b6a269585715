// Failed writes below a partition log, injected through its Storage seam (a real disk under it): an append that
// fails half-way, or whose fsync fails, leaves the files at their last good size and the offsets and producer
// state where they were; a roll that fails leaves the active segment open. The end-to-end test on a real full
// disk is disk-full.test.ts.

import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DiskHealth } from '../../../src/broker/log/disk-health.js';
import { DiskStorage, type LogFile, type Storage } from '../../../src/broker/log/files.js';
import { PartitionLog } from '../../../src/broker/log/partition-log.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { buildBatch, decode, kafkaCode, removeTempDirs, tempDir } from './helpers.js';

afterEach(removeTempDirs);

const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
const eio = () => Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });

/** Real files; while `fail` names a kind of file, its appends write half their bytes and throw, its fsyncs throw. */
class FaultyStorage extends DiskStorage implements Storage {
  fail: { suffix: string; op: 'append' | 'sync' } | null = null;

  override openFile(file: string, options?: { truncate?: boolean }): LogFile {
    const real = super.openFile(file, options);
    const armed = (op: 'append' | 'sync') => this.fail?.op === op && file.endsWith(this.fail.suffix);
    return {
      path: real.path,
      get size() {
        return real.size;
      },
      mtimeMs: () => real.mtimeMs(),
      append(data: Buffer) {
        if (!armed('append')) return real.append(data);
        real.append(data.subarray(0, data.length >> 1)); // the worst case: part of it reached the file
        throw enospc();
      },
      read: (position, length) => real.read(position, length),
      readInto: (target, targetOffset, length, position) => real.readInto(target, targetOffset, length, position),
      truncate: (size) => real.truncate(size),
      sync() {
        if (armed('sync')) throw eio();
        real.sync();
      },
      syncAsync: () => (armed('sync') ? Promise.reject(eio()) : real.syncAsync()),
      close: () => real.close(),
    };
  }
}

const batch = (v: string) => buildBatch([{ value: v }]);
const idempotent = (seq: number) =>
  buildBatch([{ value: `s${seq}` }], { producerId: 7, producerEpoch: 0, baseSequence: seq });
const logBytes = (dir: string) => fs.statSync(path.join(dir, '00000000000000000000.log')).size;
const valuesIn = (log: PartitionLog) => decode(log.read(0, 1 << 20).records).map((r) => r.value);

/** Arms `fail`, checks the append is refused and leaves the log file and the offsets as they were, disarms. */
function expectRefused(log: PartitionLog, dir: string, storage: FaultyStorage, fail: FaultyStorage['fail']): void {
  const good = logBytes(dir);
  const hwm = log.highWatermark;
  storage.fail = fail;
  expect(kafkaCode(() => log.append(batch('refused')))).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
  storage.fail = null;
  expect(logBytes(dir)).toBe(good);
  expect(log.highWatermark).toBe(hwm);
}

describe('a failed append is cut back', () => {
  it('half a batch written, then ENOSPC: the file returns to its last good size and nothing moves', () => {
    const dir = tempDir();
    const storage = new FaultyStorage();
    const failures: string[] = [];
    const health = { failed: (unit: string) => failures.push(unit), succeeded: () => {} };
    const log = PartitionLog.open({ dir, storage, health, name: 't-0' });
    log.append(batch('a'));
    log.append(batch('b'));
    expectRefused(log, dir, storage, { suffix: '.log', op: 'append' });
    expect(valuesIn(log)).toEqual(['a', 'b']);
    expect(failures).toEqual(['t-0']);
    expect(log.append(batch('c')).baseOffset).toBe(2);
    log.close();
    const reopened = PartitionLog.open({ dir });
    expect(reopened.recovery.truncatedBytes).toBe(0);
    expect(decode(reopened.read(0, 1 << 20).records).map((r) => [r.offset, r.value])).toEqual([
      [0, 'a'],
      [1, 'b'],
      [2, 'c'],
    ]);
    reopened.close();
  });

  it('with --fsync always, a failed fsync takes the written batch back out', () => {
    const dir = tempDir();
    const storage = new FaultyStorage();
    const log = PartitionLog.open({ dir, storage, fsync: 'always' });
    log.append(batch('a'));
    expectRefused(log, dir, storage, { suffix: '.log', op: 'sync' });
    expect(log.append(batch('b')).baseOffset).toBe(1);
    expect(valuesIn(log)).toEqual(['a', 'b']);
    log.close();
  });

  it('an idempotent producer: its sequence does not advance, its next batch is a storage error, its retry goes in once', () => {
    const storage = new FaultyStorage();
    const log = PartitionLog.open({ dir: tempDir(), storage });
    log.append(idempotent(0));
    storage.fail = { suffix: '.log', op: 'append' };
    expect(kafkaCode(() => log.append(idempotent(1)))).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    storage.fail = null;
    // batch 2 was in flight behind batch 1: the gap is the failed write, not a lost batch
    expect(kafkaCode(() => log.append(idempotent(2)))).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    expect(log.append(idempotent(1))).toMatchObject({ baseOffset: 1, duplicate: false });
    expect(log.append(idempotent(2))).toMatchObject({ baseOffset: 2, duplicate: false });
    expect(log.append(idempotent(1))).toMatchObject({ baseOffset: 1, duplicate: true });
    // once written again, a real gap is what it is
    expect(kafkaCode(() => log.append(idempotent(9)))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(valuesIn(log)).toEqual(['s0', 's1', 's2']);
    log.close();
  });

  it('a roll whose seal cannot write the index leaves the active segment open, and rolls later', () => {
    const dir = tempDir();
    const storage = new FaultyStorage();
    // every batch is past index.interval.bytes: the sparse index has entries to write at the seal
    const log = PartitionLog.open({ dir, storage, config: { segmentBytes: 400, indexIntervalBytes: 1 } });
    log.append(batch('a'.repeat(100)));
    log.append(batch('b'.repeat(100)));
    const before = log.segmentInfos();
    storage.fail = { suffix: '.index', op: 'append' };
    expect(kafkaCode(() => log.append(batch('c'.repeat(100))))).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    expect(log.segmentInfos()).toEqual(before);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.log'))).toEqual(['00000000000000000000.log']);
    storage.fail = null;
    expect(log.append(batch('c'.repeat(100))).baseOffset).toBe(2);
    expect(log.segmentInfos().map((s) => s.baseOffset)).toEqual([0, 2]);
    log.close();
    const reopened = PartitionLog.open({ dir });
    expect(decode(reopened.read(0, 1 << 20).records).map((r) => r.offset)).toEqual([0, 1]);
    expect(decode(reopened.read(2, 1 << 20).records).map((r) => r.offset)).toEqual([2]);
    reopened.close();
  });
});

describe('DiskHealth', () => {
  it('says the first failure of an episode and its end, once each', () => {
    const lines: string[] = [];
    const h = new DiskHealth('/data', (m) => lines.push(m));
    const err = Object.assign(enospc(), { path: '/data/t-0/00000000000000000000.log' });
    h.failed('t-0', err);
    h.failed('t-0', err);
    h.failed('groups.log', enospc());
    expect(lines).toEqual([
      'data dir /data: cannot write /data/t-0/00000000000000000000.log: no space left on device (ENOSPC); produce ' +
        'requests get KAFKA_STORAGE_ERROR and commits NOT_COORDINATOR until writes work again (reads go on, ' +
        'nothing refused is stored)',
    ]);
    // a small write fitting does not end it: t-0 failed after groups.log last did
    h.failed('t-0', err);
    h.succeeded('groups.log');
    h.succeeded('t-1');
    expect(h.degraded).toBe(true);
    h.succeeded('t-0');
    expect(h.degraded).toBe(false);
    expect(lines[1]).toMatch(/^data dir \/data: writes succeed again \(4 refused in \d+\.\d s\)$/);
    expect(lines).toHaveLength(2);
  });

  it('a writer that failed and never writes again does not hold the episode open', () => {
    const lines: string[] = [];
    const h = new DiskHealth('/data', (m) => lines.push(m));
    h.failed('t-0', enospc());
    h.failed('t-1', enospc());
    h.failed('t-1', enospc());
    h.succeeded('t-1');
    expect(h.degraded).toBe(false);
    expect(lines).toHaveLength(2);
  });
});
