import { crc32c as nativeCrc32c } from '@node-rs/crc32';
import { describe, expect, it } from 'vitest';
import { crc32c, crc32cJs, NATIVE_FROM_BYTES } from '../../src/common/crc32c.js';

describe('crc32c', () => {
  it('gives the check value of CRC-32C for "123456789"', () => {
    expect(crc32cJs(Buffer.from('123456789'))).toBe(0xe3069283);
  });

  it('agrees with the native addon on both sides of the threshold', () => {
    let seed = 1;
    const random = (n: number) => {
      const b = Buffer.alloc(n);
      for (let i = 0; i < n; i++) b[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
      return b;
    };
    for (const n of [0, 1, 7, 61, 1000, NATIVE_FROM_BYTES - 1, NATIVE_FROM_BYTES, 100_000]) {
      const data = random(n);
      const expected = nativeCrc32c(data) >>> 0;
      expect(crc32cJs(data), `${n} bytes in JavaScript`).toBe(expected);
      expect(crc32c(data), `${n} bytes`).toBe(expected);
    }
  });
});
