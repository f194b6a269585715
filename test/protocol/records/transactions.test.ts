// Committed reads: the batches of aborted transactions are dropped, committed ones and plain records kept,
// whatever the order of the aborted list; control batches never come out as records.

import { describe, expect, it } from 'vitest';
import { decodeRecordSet } from '../../../src/client/wire/reader.js';
import type { ConsumedRecord } from '../../../src/client/records.js';
import { dropAbortedBatches } from '../../../src/protocol/records/transactions.js';
import { ABORTED, TRANSACTIONS, recordSet } from '../../helpers/transactions.js';

function values(set: Buffer): string[] {
  const out: ConsumedRecord[] = [];
  decodeRecordSet(set, 0, 't', 0, 0, Infinity, out, 1000, () => {
    throw new Error('nothing is skipped here');
  });
  return out.map((r) => `${r.offset}:${r.value?.toString()}`);
}

describe('dropAbortedBatches', () => {
  it('drops the aborted transaction and keeps the committed one; markers are never records', () => {
    expect(values(TRANSACTIONS)).toEqual(['0:a', '1:c1', '2:c2', '4:x1', '5:x2', '7:b']);
    expect(values(dropAbortedBatches(TRANSACTIONS, ABORTED))).toEqual(['0:a', '1:c1', '2:c2', '7:b']);
  });

  it('without aborted transactions the record set is returned as it is', () => {
    expect(dropAbortedBatches(TRANSACTIONS, [])).toBe(TRANSACTIONS);
  });

  it('a producer aborted, then committed: only the aborted transaction goes (its ABORT marker ends it)', () => {
    const set = recordSet([
      { offset: 0, values: ['x1'], producerId: 9 },
      { offset: 1, values: ['p'] },
      { offset: 2, values: ['x2'], producerId: 9 },
      { offset: 3, marker: 'abort', producerId: 9 },
      { offset: 4, values: ['c1'], producerId: 9 },
      { offset: 5, marker: 'commit', producerId: 9 },
      { offset: 6, values: ['y'], producerId: 10 },
      { offset: 7, marker: 'abort', producerId: 10 },
    ]);
    const aborted = [
      { producerId: 10, firstOffset: 6 },
      { producerId: 9, firstOffset: 0 },
    ];
    expect(values(dropAbortedBatches(set, aborted))).toEqual(['1:p', '4:c1']);
  });
});
