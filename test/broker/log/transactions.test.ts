// A partition's side of transactions: transactional batches open a transaction, markers close it, the last
// stable offset follows the earliest open one, ABORT markers fill the aborted-transaction index, and all of
// it comes back after a clean restart and after a crash (no clean-shutdown marker, a lost index file).

import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PartitionLog } from '../../../src/broker/log/partition-log.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { ControlType, controlTypeOf } from '../../../src/protocol/records/control.js';
import { dropAbortedBatches } from '../../../src/protocol/records/transactions.js';
import { splitBatches } from '../../../src/broker/log/batch.js';
import { buildBatch, decode, kafkaCode, removeTempDirs, tempDir } from './helpers.js';

afterEach(removeTempDirs);

const TRANSACTIONAL = 0x10;

/** a transactional producer's batch: `values`, from sequence `seq` */
function txnBatch(pid: number, seq: number, values: string[], epoch = 0): Buffer {
  return buildBatch(
    values.map((value) => ({ value })),
    { producerId: pid, producerEpoch: epoch, baseSequence: seq, extraAttributes: TRANSACTIONAL },
  );
}

const marker = (producerId: number, commit: boolean, producerEpoch = 0) => ({
  producerId,
  producerEpoch,
  commit,
  coordinatorEpoch: 0,
});

/** what a read_committed reader gets: the records below the LSO, without the aborted ones */
function committedValues(log: PartitionLog): string[] {
  const lso = log.lastStableOffset;
  const { records } = log.read(0, 1 << 20, true, lso);
  const kept = dropAbortedBatches(records, log.abortedTransactions(0, lso));
  const data = splitBatches(kept).filter((b) => (b.readInt16BE(21) & 0x20) === 0); // markers are no records
  return decode(Buffer.concat(data)).map((r) => r.value!);
}

describe('transactions in a partition log', () => {
  it('holds the last stable offset at the first open transaction until its marker', () => {
    const log = PartitionLog.open({ dir: tempDir() });
    log.append(buildBatch([{ value: 'plain' }]));
    log.append(txnBatch(7, 0, ['t1', 't2']));
    log.append(buildBatch([{ value: 'after' }]));
    expect(log.highWatermark).toBe(4);
    expect(log.lastStableOffset).toBe(1);
    // a read_committed read stops there, a read_uncommitted one does not
    expect(decode(log.read(0, 1 << 20, true, log.lastStableOffset).records).map((r) => r.value)).toEqual(['plain']);
    expect(decode(log.read(0, 1 << 20).records)).toHaveLength(4);
    expect(log.read(2, 1 << 20, true, log.lastStableOffset).records).toHaveLength(0);

    const at = log.appendMarker(marker(7, true));
    expect(at).toBe(4);
    expect(log.lastStableOffset).toBe(5);
    expect(log.highWatermark).toBe(5);
    const batches = splitBatches(log.read(4, 1 << 20).records);
    expect(batches).toHaveLength(1);
    expect(controlTypeOf(batches[0])).toBe(ControlType.COMMIT);
    expect(log.abortedTransactions(0, 5)).toEqual([]);
    log.close();
  });

  it('indexes aborted transactions and lists those a range overlaps', () => {
    const log = PartitionLog.open({ dir: tempDir() });
    log.append(txnBatch(7, 0, ['c1'])); // 0
    log.append(txnBatch(8, 0, ['x1', 'x2'])); // 1-2
    expect(log.lastStableOffset).toBe(0);
    log.appendMarker(marker(7, true)); // 3
    expect(log.lastStableOffset).toBe(1);
    log.append(txnBatch(8, 2, ['x3'])); // 4
    log.appendMarker(marker(8, false)); // 5
    log.append(buildBatch([{ value: 'b' }])); // 6
    expect(log.lastStableOffset).toBe(7);
    expect(log.abortedTransactions(0, 7)).toEqual([
      { producerId: 8, firstOffset: 1, lastOffset: 5, lastStableOffset: 6 },
    ]);
    expect(log.abortedTransactions(6, 7)).toEqual([]); // after its marker
    expect(log.abortedTransactions(0, 1)).toEqual([]); // before its first record
    expect(committedValues(log)).toEqual(['c1', 'b']);
    log.close();
  });

  it('refuses a marker older than the epoch the partition has seen', () => {
    const log = PartitionLog.open({ dir: tempDir() });
    log.append(txnBatch(7, 0, ['a'], 3));
    expect(kafkaCode(() => log.appendMarker(marker(7, false, 2)))).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    // a newer epoch (the coordinator fenced the producer) is taken, and sequences start again
    log.appendMarker(marker(7, false, 4));
    expect(log.lastStableOffset).toBe(log.highWatermark);
    expect(kafkaCode(() => log.append(txnBatch(7, 1, ['old'], 3)))).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    log.close();
  });

  it('keeps open transactions and the aborted index across a clean restart and a roll', () => {
    const dir = tempDir();
    let log = PartitionLog.open({ dir, config: { segmentBytes: 200 } });
    log.append(txnBatch(8, 0, ['x1', 'x2']));
    log.append(txnBatch(9, 0, ['open']));
    for (let i = 0; i < 3; i++) log.append(buildBatch([{ value: `filler-${i}-`.padEnd(80, '.') }]));
    log.appendMarker(marker(8, false));
    expect(log.segmentInfos().length).toBeGreaterThan(1);
    const lso = log.lastStableOffset;
    expect(lso).toBe(2);
    log.close();

    log = PartitionLog.open({ dir, config: { segmentBytes: 200 } });
    expect(log.lastStableOffset).toBe(lso);
    expect(log.abortedTransactions(0, log.highWatermark)).toEqual([
      { producerId: 8, firstOffset: 0, lastOffset: 6, lastStableOffset: 2 },
    ]);
    log.appendMarker(marker(9, true));
    expect(log.lastStableOffset).toBe(log.highWatermark);
    log.close();
  });

  it('after a crash rebuilds the open transactions and an aborted index entry that was lost', () => {
    const dir = tempDir();
    const log = PartitionLog.open({ dir });
    log.append(txnBatch(8, 0, ['x1']));
    log.append(txnBatch(9, 0, ['open']));
    log.appendMarker(marker(8, false));
    log.flush();
    // a crash: no close, and the index entry never reached the file
    const txnIndex = fs.readdirSync(dir).find((f) => f.endsWith('.txnindex'))!;
    expect(fs.statSync(path.join(dir, txnIndex)).size).toBe(34);
    fs.rmSync(path.join(dir, txnIndex));

    const again = PartitionLog.open({ dir });
    expect(again.recovery.cleanShutdown).toBe(false);
    expect(again.lastStableOffset).toBe(1);
    expect(again.abortedTransactions(0, 3)).toEqual([
      { producerId: 8, firstOffset: 0, lastOffset: 2, lastStableOffset: 1 },
    ]);
    expect(fs.statSync(path.join(dir, txnIndex)).size).toBe(34);
    again.close();
    log.close();
  });
});

describe('the last stable offset and the log start', () => {
  it('is never below the log start offset (records of an open transaction deleted)', () => {
    const log = PartitionLog.open({ dir: tempDir() });
    log.append(txnBatch(7, 0, ['open']));
    log.append(buildBatch([{ value: 'later' }]));
    expect(log.lastStableOffset).toBe(0);
    log.deleteRecordsBefore(1);
    expect(log.lastStableOffset).toBe(1);
    log.appendMarker(marker(7, true));
    expect(log.lastStableOffset).toBe(3);
    log.close();
  });
});
