// CRC-32C (Castagnoli), the checksum of Kafka's record batches, for the client's producers. Small batches (an
// everyday `evt produce t v`) are summed in JavaScript: loading @node-rs/crc32's native addon costs about
// 20 ms, more than a table-driven loop needs for a few kilobytes. Larger ones use the addon, loaded then.
// (The broker, a long-running process, uses the addon directly.)

import { createRequire } from 'node:module';

/** Below this many bytes, JavaScript; at or above, the native addon. */
export const NATIVE_FROM_BYTES = 16 * 1024;

const require = createRequire(import.meta.url);
let native: ((data: Buffer) => number) | undefined;
let table: Uint32Array | undefined;

/** The 256-entry table of the reflected polynomial 0x82f63b78, built on first use. */
function crcTable(): Uint32Array {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
}

/** CRC-32C in JavaScript, one table look-up per byte. */
export function crc32cJs(data: Uint8Array): number {
  const t = (table ??= crcTable());
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = t[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** CRC-32C of `data` as an unsigned 32-bit number. */
export function crc32c(data: Buffer): number {
  if (data.length < NATIVE_FROM_BYTES) return crc32cJs(data);
  native ??= (require('@node-rs/crc32') as typeof import('@node-rs/crc32')).crc32c;
  return native(data) >>> 0;
}
