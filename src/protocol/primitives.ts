// Kafka wire primitives: a bounds-checked reader and a chunked writer.
//
// The writer keeps large payloads (record batches read from segment files) as separate chunks so that a
// Fetch response is handed to the socket without copying the batches into one buffer.

export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

export class Reader {
  offset: number;
  constructor(
    readonly buf: Buffer,
    offset = 0,
    readonly end = buf.length,
  ) {
    this.offset = offset;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  private need(n: number): number {
    const at = this.offset;
    if (n < 0 || at + n > this.end) {
      throw new ProtocolError(`truncated message: need ${n} bytes at ${at}, have ${this.end - at}`);
    }
    this.offset = at + n;
    return at;
  }

  int8(): number {
    return this.buf.readInt8(this.need(1));
  }
  int16(): number {
    return this.buf.readInt16BE(this.need(2));
  }
  uint16(): number {
    return this.buf.readUInt16BE(this.need(2));
  }
  int32(): number {
    return this.buf.readInt32BE(this.need(4));
  }
  uint32(): number {
    return this.buf.readUInt32BE(this.need(4));
  }
  /** int64 as a JS number: offsets and timestamps fit in 2^53 in practice; larger values are rejected. */
  int64(): number {
    const v = this.buf.readBigInt64BE(this.need(8));
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new ProtocolError(`int64 out of safe range: ${v}`);
    }
    return Number(v);
  }
  float64(): number {
    return this.buf.readDoubleBE(this.need(8));
  }
  bool(): boolean {
    return this.int8() !== 0;
  }
  bytes(n: number): Buffer {
    const at = this.need(n);
    return this.buf.subarray(at, at + n);
  }

  uvarint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.buf.readUInt8(this.need(1));
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
      if (shift > 35) throw new ProtocolError('uvarint too long');
    }
  }
  /** zig-zag varint (record fields) */
  varint(): number {
    const u = this.uvarint();
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }
  /** zig-zag varlong, as a number (record timestamp/offset deltas are small in practice) */
  varlong(): number {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.buf.readUInt8(this.need(1));
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7n;
      if (shift > 63n) throw new ProtocolError('varlong too long');
    }
    const v = (result >> 1n) ^ -(result & 1n);
    return Number(v);
  }

  uuid(): Buffer {
    return Buffer.from(this.bytes(16));
  }
}

const INITIAL = 256;
const ZERO_COPY_THRESHOLD = 4096;

export class Writer {
  private chunks: Buffer[] = [];
  private cur: Buffer;
  private pos = 0;
  private flushedLength = 0;

  constructor(initial = INITIAL) {
    this.cur = Buffer.allocUnsafe(initial);
  }

  get length(): number {
    return this.flushedLength + this.pos;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.cur.length) return;
    if (this.pos === 0) {
      this.cur = Buffer.allocUnsafe(Math.max(n, this.cur.length * 2));
      return;
    }
    const next = Buffer.allocUnsafe(Math.max(this.cur.length * 2, this.pos + n));
    this.cur.copy(next, 0, 0, this.pos);
    this.cur = next;
  }

  int8(v: number): this {
    this.ensure(1);
    this.cur.writeInt8(v, this.pos);
    this.pos += 1;
    return this;
  }
  int16(v: number): this {
    this.ensure(2);
    this.cur.writeInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }
  uint16(v: number): this {
    this.ensure(2);
    this.cur.writeUInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }
  int32(v: number): this {
    this.ensure(4);
    this.cur.writeInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }
  uint32(v: number): this {
    this.ensure(4);
    this.cur.writeUInt32BE(v >>> 0, this.pos);
    this.pos += 4;
    return this;
  }
  int64(v: number | bigint): this {
    this.ensure(8);
    this.cur.writeBigInt64BE(BigInt(v), this.pos);
    this.pos += 8;
    return this;
  }
  float64(v: number): this {
    this.ensure(8);
    this.cur.writeDoubleBE(v, this.pos);
    this.pos += 8;
    return this;
  }
  bool(v: boolean): this {
    return this.int8(v ? 1 : 0);
  }
  uvarint(v: number): this {
    this.ensure(10);
    while (v >= 0x80) {
      this.cur[this.pos++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.cur[this.pos++] = v;
    return this;
  }
  varint(v: number): this {
    return this.uvarint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  /** Appends bytes; large buffers are kept by reference (zero copy), so they must not change afterwards. */
  raw(buf: Buffer): this {
    if (buf.length >= ZERO_COPY_THRESHOLD) {
      this.flushCurrent();
      this.chunks.push(buf);
      this.flushedLength += buf.length;
      return this;
    }
    this.ensure(buf.length);
    buf.copy(this.cur, this.pos);
    this.pos += buf.length;
    return this;
  }

  private flushCurrent(): void {
    if (this.pos === 0) return;
    const done = this.cur.subarray(0, this.pos);
    this.chunks.push(done);
    this.flushedLength += this.pos;
    this.cur = Buffer.allocUnsafe(Math.max(INITIAL, this.cur.length - this.pos));
    this.pos = 0;
  }

  /** The written bytes as a list of buffers (no copying of large chunks). */
  toChunks(): Buffer[] {
    this.flushCurrent();
    return this.chunks;
  }

  toBuffer(): Buffer {
    const chunks = this.toChunks();
    return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
  }
}
