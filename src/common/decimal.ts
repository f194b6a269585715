// Integers written as decimal ASCII straight into a buffer: the JSON writers of tail's fast paths do this for
// every record, where String(n) and a write of the string cost an allocation and a call into the runtime.

const DIGITS = new Uint8Array(20);

/** A safe integer in decimal at pos (as String(n) writes it; -0 as 0); the position after it. */
export function putDecimal(out: Uint8Array, pos: number, n: number): number {
  if (n < 0) {
    out[pos++] = 0x2d;
    n = -n;
  }
  let i = 20;
  do {
    const q = Math.floor(n / 10);
    DIGITS[--i] = 0x30 + (n - q * 10);
    n = q;
  } while (n > 0);
  while (i < 20) out[pos++] = DIGITS[i++];
  return pos;
}
