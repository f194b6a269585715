// The size a record takes in a batch of its own, as counted before sending, against the batch the producer
// really encodes: the check refuses exactly what the broker would.

import { expect, it } from 'vitest';
import { checkSize, singleRecordBatchSize, TooLargeError } from '../../../src/cli/produce/size-limit.js';
import { encodeBatch } from '../../../src/client/wire/batch-encoder.js';

it('counts the bytes of the encoded batch, for keys, nulls, headers and varint boundaries', () => {
  const cases = [
    { key: null, value: null, headers: [] },
    { key: Buffer.from('k'), value: Buffer.alloc(63), headers: [] },
    { key: Buffer.from('k'), value: Buffer.alloc(64), headers: [] },
    { key: Buffer.alloc(8191), value: Buffer.alloc(8192), headers: [{ key: 'h', value: null }] },
    { key: null, value: Buffer.alloc(1 << 20), headers: [{ key: 'é', value: Buffer.from('v') }] },
  ];
  for (const c of cases) {
    const batch = encodeBatch([{ ...c, timestamp: 1_700_000_000_000 }]);
    expect(singleRecordBatchSize(c.key?.length ?? null, c.value?.length ?? null, c.headers)).toBe(batch.length);
  }
});

it('refuses a record one byte over the limit, with its size and the limit', () => {
  const limit = { topic: 't', bytes: 1000 };
  expect(() => checkSize(limit, null, Buffer.alloc(930), [])).not.toThrow();
  expect(() => checkSize(limit, null, Buffer.alloc(931), [])).toThrow(TooLargeError);
  expect(() => checkSize(limit, null, Buffer.alloc(931), [])).toThrow(
    'is 1,001 bytes; topic t accepts at most 1,000 (max.message.bytes)',
  );
});
