// The store of encoded values between produce's check pass and its send pass: values back in order as
// slices of large chunks, a value larger than a chunk, and giving up past the bound.

import { describe, expect, it } from 'vitest';
import { EncodedValues } from '../../../src/cli/produce/encoded-values.js';

function valuesOf(store: EncodedValues): string[] {
  const out: string[] = [];
  for (const block of store.values())
    for (let i = 0; i < block.starts.length; i++)
      out.push(block.data.toString('latin1', block.starts[i], block.ends[i]));
  return out;
}

describe('EncodedValues', () => {
  it('gives the values back in order, copied (the caller may reuse its buffer), a large one included', () => {
    const store = new EncodedValues();
    const scratch = Buffer.alloc(9 * 1024 * 1024);
    const expected: string[] = [];
    const sizes = [1, 0, 300, 9 * 1024 * 1024, 5, 8 * 1024 * 1024 - 10, 20];
    sizes.forEach((n, i) => {
      scratch.fill(65 + i, 0, n);
      expect(store.add(scratch.subarray(0, n), i + 1)).toBe(true);
      expected.push(String.fromCharCode(65 + i).repeat(n));
    });
    scratch.fill(0);
    expect(store.gaveUp).toBe(false);
    expect(valuesOf(store)).toEqual(expected);
  });

  it('gives up past its bound, and after giveUp: nothing is kept', () => {
    const store = new EncodedValues(10 * 1024 * 1024);
    expect(store.add(Buffer.alloc(6 * 1024 * 1024), 1)).toBe(true);
    expect(store.add(Buffer.alloc(6 * 1024 * 1024), 2)).toBe(false);
    expect(store.gaveUp).toBe(true);
    expect(valuesOf(store)).toEqual([]);
    const other = new EncodedValues();
    other.add(Buffer.from('x'), 1);
    other.giveUp();
    expect(other.add(Buffer.from('y'), 2)).toBe(false);
    expect(valuesOf(other)).toEqual([]);
  });
});
