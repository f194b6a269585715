// Hand-built Kafka wire bytes for fixture tests, written straight from the protocol grammar with plain Buffer
// writes. Deliberately independent of src/protocol (the code under test).

export function i8(v: number): Buffer {
  const b = Buffer.alloc(1);
  b.writeInt8(v);
  return b;
}
export function i16(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeInt16BE(v);
  return b;
}
export function i32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(v);
  return b;
}
export function i64(v: number | bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(v));
  return b;
}
export function bool(v: boolean): Buffer {
  return Buffer.from([v ? 1 : 0]);
}
/** unsigned LEB128 varint, as used by flexible versions */
export function uvarint(v: number): Buffer {
  const out: number[] = [];
  while (v >= 0x80) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Buffer.from(out);
}
/** STRING / NULLABLE_STRING: int16 length (-1 = null) + UTF-8 */
export function str(s: string | null): Buffer {
  if (s === null) return i16(-1);
  const b = Buffer.from(s, 'utf8');
  return Buffer.concat([i16(b.length), b]);
}
/** COMPACT_STRING / COMPACT_NULLABLE_STRING: uvarint(length + 1) (0 = null) + UTF-8 */
export function cstr(s: string | null): Buffer {
  if (s === null) return uvarint(0);
  const b = Buffer.from(s, 'utf8');
  return Buffer.concat([uvarint(b.length + 1), b]);
}
/** BYTES / NULLABLE_BYTES / RECORDS: int32 length (-1 = null) + bytes */
export function bytes(b: Buffer | null): Buffer {
  if (b === null) return i32(-1);
  return Buffer.concat([i32(b.length), b]);
}
/** COMPACT_BYTES / COMPACT_RECORDS: uvarint(length + 1) (0 = null) + bytes */
export function cbytes(b: Buffer | null): Buffer {
  if (b === null) return uvarint(0);
  return Buffer.concat([uvarint(b.length + 1), b]);
}
/** UUID: 16 bytes as they are */
export function uuid(hex: string): Buffer {
  const b = Buffer.from(hex, 'hex');
  if (b.length !== 16) throw new Error(`a uuid is 16 bytes, not ${b.length}`);
  return b;
}
/** ARRAY length: int32 count (-1 = null) */
export function arr(n: number): Buffer {
  return i32(n);
}
/** COMPACT_ARRAY length: uvarint(count + 1) (0 = null) */
export function carr(n: number | null): Buffer {
  return uvarint(n === null ? 0 : n + 1);
}
/** an empty tagged-field section */
export const NO_TAGS = uvarint(0);
/** one tagged field: uvarint tag, uvarint size, data */
export function tagged(tag: number, data: Buffer): Buffer {
  return Buffer.concat([uvarint(tag), uvarint(data.length), data]);
}

export function cat(...parts: Buffer[]): Buffer {
  return Buffer.concat(parts);
}
