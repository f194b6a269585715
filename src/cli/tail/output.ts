// Printing records: each passes through the line formatter (envelope, filters, format) into large buffers
// that are written to stdout in one go. A reader that goes away (`evt tail | head`) ends the command quietly.

import type { ConsumedRecord } from '../../client/records.js';
import type { ValueCodec } from '../../codec/value-codec.js';
import type { Io } from '../io.js';
import type { RecordPredicate } from '../record-filter.js';
import { LineFormatter, type ByteTarget, type Matched, type OutputMode } from './line-format.js';
import type { WireNotice } from './wire-notice.js';

export type { Matched, OutputMode };

const CHUNK = 1 << 20;
const FLUSH_AT = 512 * 1024;

export class RecordOutput implements ByteTarget {
  buf = Buffer.allocUnsafe(CHUNK);
  pos = 0;
  private readonly formatter: LineFormatter;
  /** the reader of stdout went away (EPIPE) */
  closed = false;
  printed = 0;
  private waitingDrain: Promise<void> | null = null;

  constructor(
    private readonly io: Io,
    mode: OutputMode,
    codec: ValueCodec,
    filter: RecordPredicate | undefined,
    /** says once when printed values are in the registry wire format with no registry to decode them */
    private readonly notice?: WireNotice,
  ) {
    this.formatter = new LineFormatter(mode, codec, filter);
    io.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') this.closed = true;
    });
  }

  /** The record's text when it passes the filters, else null (for callers that keep records to print later). */
  match(record: ConsumedRecord): Matched | null {
    const m = this.formatter.match(record);
    if (m && this.notice?.watching) this.notice.check(record);
    return m;
  }

  print(m: Matched): void {
    if (this.closed) return;
    this.formatter.writeMatched(m, this);
    this.printed++;
    if (this.pos >= FLUSH_AT) this.writeOut();
  }

  /** Prints the record when it passes the filters; true when it did. */
  offer(record: ConsumedRecord): boolean {
    if (this.closed) return false;
    if (!this.formatter.write(record, this)) return false;
    if (this.notice?.watching) this.notice.check(record);
    this.printed++;
    if (this.pos >= FLUSH_AT) this.writeOut();
    return true;
  }

  /** Prints text already formatted (by a worker): bytes [start, end) of `bytes`, holding `records` records. */
  printFormatted(bytes: Uint8Array, start: number, end: number, records: number): void {
    if (this.closed) return;
    const n = end - start;
    if (n > this.buf.length - this.pos) {
      this.writeOut();
      if (n > this.buf.length) {
        this.writeRaw(Buffer.from(bytes.subarray(start, end)));
        this.printed += records;
        return;
      }
    }
    this.buf.set(bytes.subarray(start, end), this.pos);
    this.pos += n;
    this.printed += records;
    if (this.pos >= FLUSH_AT) this.writeOut();
  }

  reserve(n: number): void {
    if (n <= this.buf.length - this.pos) return;
    this.writeOut();
    if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n);
  }

  private writeOut(): void {
    if (this.pos === 0) return;
    const out = this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafe(CHUNK);
    this.pos = 0;
    this.writeRaw(out);
  }

  private writeRaw(buf: Buffer): void {
    if (this.closed) return;
    let ok: boolean;
    try {
      ok = this.io.stdout.write(buf);
    } catch {
      this.closed = true;
      return;
    }
    if (!ok && !this.waitingDrain) {
      this.waitingDrain = new Promise<void>((resolve) => {
        const done = () => {
          this.io.stdout.off('drain', done);
          this.io.stdout.off('close', done);
          this.io.stdout.off('error', done);
          this.waitingDrain = null;
          resolve();
        };
        this.io.stdout.on('drain', done);
        this.io.stdout.on('close', done);
        this.io.stdout.on('error', done);
      });
    }
  }

  /** Writes what is gathered and waits while stdout is full (so reading never runs far ahead). */
  async flush(): Promise<void> {
    this.writeOut();
    if (this.waitingDrain) await this.waitingDrain;
  }

  /** Waits while stdout is full (called between chunks). */
  async pace(): Promise<void> {
    if (this.waitingDrain) await this.waitingDrain;
  }
}
