import { afterEach, describe, expect, it } from 'vitest';
import { PartitionLog } from '../../../src/broker/log/partition-log.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { buildBatch, decode, kafkaCode, removeTempDirs, tempDir } from './helpers.js';

afterEach(removeTempDirs);

const PID = 4242;

/** what an idempotent producer sends: a fresh buffer each time, as a retry re-sends the same bytes */
function send(seq: number, count = 2, opts: { epoch?: number; pid?: number; tag?: string } = {}): Buffer {
  return buildBatch(
    Array.from({ length: count }, (_, i) => ({ value: `${opts.tag ?? 's'}${seq + i}` })),
    { producerId: opts.pid ?? PID, producerEpoch: opts.epoch ?? 0, baseSequence: seq },
  );
}

describe('idempotent producer dedupe', () => {
  it('appends a retried batch once and answers its original offset', () => {
    const log = PartitionLog.open({ dir: tempDir() });
    log.append(buildBatch([{ value: 'other' }]));
    const first = log.append(send(0));
    expect(first).toMatchObject({ baseOffset: 1, duplicate: false });
    expect(log.append(send(0))).toEqual({ baseOffset: 1, logStartOffset: 0, logAppendTime: -1, duplicate: true });
    expect(log.highWatermark).toBe(3);
    expect(log.append(send(2))).toMatchObject({ baseOffset: 3, duplicate: false });
    expect(log.append(send(4))).toMatchObject({ baseOffset: 5, duplicate: false });
    // a retry of an older batch still in the 5-batch window
    expect(log.append(send(2))).toMatchObject({ baseOffset: 3, duplicate: true });
    expect(log.highWatermark).toBe(7);
    expect(decode(log.read(0, 1 << 20).records).map((r) => r.value)).toEqual([
      'other',
      's0',
      's1',
      's2',
      's3',
      's4',
      's5',
    ]);
    log.close();
  });

  it('refuses a sequence gap with OUT_OF_ORDER_SEQUENCE_NUMBER', () => {
    const log = PartitionLog.open({ dir: tempDir() });
    log.append(send(0));
    expect(kafkaCode(() => log.append(send(5)))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    // same base sequence, different size: not the same batch
    expect(kafkaCode(() => log.append(send(0, 3)))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(log.highWatermark).toBe(2);
    expect(log.append(send(2)).baseOffset).toBe(2);
    log.close();
  });

  it('accepts an unknown producer at any sequence, and handles epochs', () => {
    const log = PartitionLog.open({ dir: tempDir() });
    expect(log.append(send(17, 1, { pid: 9 })).baseOffset).toBe(0);
    expect(log.append(send(18, 1, { pid: 9 })).baseOffset).toBe(1);
    // a new epoch starts over at 0 ...
    expect(kafkaCode(() => log.append(send(19, 1, { pid: 9, epoch: 1 })))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(log.append(send(0, 1, { pid: 9, epoch: 1 })).baseOffset).toBe(2);
    // ... and fences the old one
    expect(kafkaCode(() => log.append(send(19, 1, { pid: 9, epoch: 0 })))).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    // non-idempotent batches are never deduplicated
    const plain = () => buildBatch([{ value: 'x' }]);
    log.append(plain());
    log.append(plain());
    expect(log.highWatermark).toBe(5);
    log.close();
  });

  it('still recognises a retry after a clean restart', () => {
    const dir = tempDir();
    const log = PartitionLog.open({ dir });
    log.append(send(0));
    log.append(send(2));
    log.close();
    const again = PartitionLog.open({ dir });
    expect(again.recovery.cleanShutdown).toBe(true);
    expect(again.append(send(2))).toMatchObject({ baseOffset: 2, duplicate: true });
    expect(kafkaCode(() => again.append(send(9)))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(again.append(send(4)).baseOffset).toBe(4);
    again.close();
  });

  it('still recognises a retry after a crash, across segment rolls', () => {
    const dir = tempDir();
    const log = PartitionLog.open({ dir, config: { segmentBytes: 200 } });
    for (let seq = 0; seq < 20; seq += 2) log.append(send(seq, 2, { tag: 'x'.repeat(40) }));
    expect(log.segmentInfos().length).toBeGreaterThan(3);
    // no close(): a crash; a producer snapshot was written at the last roll, the rest is replayed
    const again = PartitionLog.open({ dir, config: { segmentBytes: 200 } });
    expect(again.recovery.cleanShutdown).toBe(false);
    expect(again.append(send(18, 2, { tag: 'x'.repeat(40) }))).toMatchObject({ baseOffset: 18, duplicate: true });
    expect(again.append(send(14, 2, { tag: 'x'.repeat(40) }))).toMatchObject({ baseOffset: 14, duplicate: true });
    expect(again.append(send(20, 2, { tag: 'x'.repeat(40) }))).toMatchObject({ baseOffset: 20, duplicate: false });
    again.close();
  });
});
