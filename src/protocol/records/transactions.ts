// Committed reads (isolation level read_committed): which batches of a fetched record set belong to aborted
// transactions. A Fetch answer lists the aborted transactions overlapping the records it returns (producer id
// and first offset); a transaction ends with a control batch whose one record's key says ABORT or COMMIT. As
// in Kafka's consumer: walking the batches in offset order, a producer joins the aborted set when its aborted
// transaction's first offset is reached, its transactional batches are dropped while it is there, and its
// ABORT marker takes it out again. Control batches themselves are never records (the readers skip them).

import {
  ATTRIBUTES,
  BATCH_LENGTH,
  LAST_OFFSET_DELTA,
  LOG_OVERHEAD,
  MAGIC,
  PRODUCER_ID,
  isControlBatch,
  isTransactionalBatch,
  readInt64,
} from './batch-layout.js';
import { ControlType, controlTypeOf } from './control.js';

export interface AbortedTransaction {
  producerId: number;
  firstOffset: number;
}

/** Whether a control batch is an ABORT marker. */
export function isAbortMarker(batch: Buffer): boolean {
  return controlTypeOf(batch) === ControlType.ABORT;
}

/**
 * The record set without the batches of aborted transactions (the same buffer when nothing is dropped).
 * `set` holds whole batches in offset order.
 */
export function dropAbortedBatches(set: Buffer, aborted: readonly AbortedTransaction[]): Buffer {
  if (aborted.length === 0) return set;
  const pending = [...aborted].sort((a, b) => a.firstOffset - b.firstOffset);
  const abortedProducers = new Set<number>();
  const kept: Buffer[] = [];
  let keptFrom = 0;
  let pos = 0;
  while (pos + LOG_OVERHEAD <= set.length) {
    const size = set.readInt32BE(pos + BATCH_LENGTH) + LOG_OVERHEAD;
    const batch = set.subarray(pos, pos + size);
    const start = pos;
    pos += size;
    if (batch.readInt8(MAGIC) < 2) continue; // old formats have no transactions
    const last = readInt64(batch, 0) + batch.readInt32BE(LAST_OFFSET_DELTA);
    while (pending.length > 0 && pending[0].firstOffset <= last) abortedProducers.add(pending.shift()!.producerId);
    const attributes = batch.readInt16BE(ATTRIBUTES);
    const producerId = readInt64(batch, PRODUCER_ID);
    if (!isTransactionalBatch(attributes) || !abortedProducers.has(producerId)) continue;
    if (isControlBatch(attributes)) {
      if (controlTypeOf(batch) === ControlType.ABORT) abortedProducers.delete(producerId);
      continue; // kept: readers skip control batches, and their offsets still count
    }
    if (start > keptFrom) kept.push(set.subarray(keptFrom, start));
    keptFrom = pos;
  }
  if (keptFrom === 0) return set;
  if (keptFrom < set.length) kept.push(set.subarray(keptFrom));
  return Buffer.concat(kept);
}
