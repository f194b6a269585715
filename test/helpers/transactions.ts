// Record sets with transactions, built byte for byte as a transactional producer and Kafka's transaction
// coordinator leave them in a log: transactional batches (attributes bit 4) and control batches (bit 5) whose
// one record's key is version 0 + ABORT (0) or COMMIT (1). The committed-read tests of
// test/commands/isolation.test.ts serve these from fetch answers built in the test, fixed byte for byte.

import { computeBatchCrc } from '../../src/broker/log/batch.js';
import { encodeBatch } from '../../src/client/wire/batch-encoder.js';
import {
  ATTRIBUTES,
  CONTROL_MASK,
  CRC,
  TRANSACTIONAL_MASK,
  writeInt64,
} from '../../src/protocol/records/batch-layout.js';

export type Entry =
  | { offset: number; values: string[]; producerId?: number }
  | { offset: number; marker: 'abort' | 'commit'; producerId: number };

function batchOf(
  offset: number,
  producerId: number,
  records: { key: Buffer | null; value: Buffer | null }[],
  attributes: number,
): Buffer {
  const b = encodeBatch(
    records.map((r) => ({ ...r, headers: [], timestamp: 1_700_000_000_000 + offset })),
    'none',
    { producerId, producerEpoch: producerId < 0 ? -1 : 0, baseSequence: producerId < 0 ? -1 : offset },
  );
  writeInt64(b, 0, offset);
  b.writeInt16BE(b.readInt16BE(ATTRIBUTES) | attributes, ATTRIBUTES);
  b.writeUInt32BE(computeBatchCrc(b), CRC);
  return b;
}

/** One batch per entry: plain (no producerId), transactional (producerId) or a control marker. */
export function recordSet(entries: Entry[]): Buffer {
  return Buffer.concat(
    entries.map((e) => {
      if ('marker' in e) {
        const key = Buffer.alloc(4);
        key.writeInt16BE(e.marker === 'abort' ? 0 : 1, 2);
        const value = Buffer.from([0, 0, 0, 0, 0, 0]); // version 0, coordinator epoch 0
        return batchOf(e.offset, e.producerId, [{ key, value }], TRANSACTIONAL_MASK | CONTROL_MASK);
      }
      // each record keyed by its value, for views that keep the latest value per key
      const records = e.values.map((v) => ({ key: Buffer.from(v), value: Buffer.from(v) }));
      return e.producerId === undefined
        ? batchOf(e.offset, -1, records, 0)
        : batchOf(e.offset, e.producerId, records, TRANSACTIONAL_MASK);
    }),
  );
}

/**
 * A log with a committed transaction (producer 7: c1, c2) and an aborted one (producer 8: x1, x2) between plain
 * records a and b; offsets 0 to 7, so the end is 8.
 */
export const TRANSACTIONS = recordSet([
  { offset: 0, values: ['a'] },
  { offset: 1, values: ['c1', 'c2'], producerId: 7 },
  { offset: 3, marker: 'commit', producerId: 7 },
  { offset: 4, values: ['x1', 'x2'], producerId: 8 },
  { offset: 6, marker: 'abort', producerId: 8 },
  { offset: 7, values: ['b'] },
]);
export const TRANSACTIONS_END = 8;
export const ABORTED = [{ producerId: 8, firstOffset: 4 }];
