// The aborted-transaction index of one segment (`<base>.txnindex`, Kafka's TransactionIndex): one entry per
// transaction whose ABORT marker is in the segment, so that a read_committed fetch can list the aborted
// transactions overlapping the records it returns without reading any record.
//
// Entry layout, Kafka's (34 bytes): version int16 (0), producer id int64, first offset int64 (the
// transaction's first record in this partition), last offset int64 (its ABORT marker), last stable offset
// int64 (the partition's LSO once the marker was written).
//
// The file is appended to as markers are written, and read whole on first use (a segment holds few aborted
// transactions). A crash can leave it behind the log (an abort marker written, its entry not): recovery
// replays the markers after the producer snapshot and adds what is missing (`ensure`); or ahead of a log that
// was cut (`truncateFrom`).

import type { LogFile, Storage } from './files.js';

export interface AbortedTxnEntry {
  producerId: number;
  firstOffset: number;
  lastOffset: number;
  lastStableOffset: number;
}

const ENTRY_SIZE = 34;
const VERSION = 0;

function encode(e: AbortedTxnEntry): Buffer {
  const b = Buffer.alloc(ENTRY_SIZE);
  b.writeInt16BE(VERSION, 0);
  b.writeBigInt64BE(BigInt(e.producerId), 2);
  b.writeBigInt64BE(BigInt(e.firstOffset), 10);
  b.writeBigInt64BE(BigInt(e.lastOffset), 18);
  b.writeBigInt64BE(BigInt(e.lastStableOffset), 26);
  return b;
}

function decode(buf: Buffer): AbortedTxnEntry[] {
  const out: AbortedTxnEntry[] = [];
  // a torn last entry (a crash mid-write) is ignored, and dropped by the next rewrite
  for (let at = 0; at + ENTRY_SIZE <= buf.length; at += ENTRY_SIZE) {
    if (buf.readInt16BE(at) !== VERSION) break;
    out.push({
      producerId: Number(buf.readBigInt64BE(at + 2)),
      firstOffset: Number(buf.readBigInt64BE(at + 10)),
      lastOffset: Number(buf.readBigInt64BE(at + 18)),
      lastStableOffset: Number(buf.readBigInt64BE(at + 26)),
    });
  }
  return out;
}

export class TxnIndex {
  private entries: AbortedTxnEntry[] | null = null;
  private file: LogFile | null = null;
  private unsynced = false;

  constructor(
    private readonly storage: Storage,
    readonly path: string,
  ) {}

  private load(): AbortedTxnEntry[] {
    if (!this.entries) {
      const buf = this.storage.readFile(this.path);
      this.entries = buf ? decode(buf) : [];
      if (buf && buf.length !== this.entries.length * ENTRY_SIZE) this.rewrite();
    }
    return this.entries;
  }

  get isEmpty(): boolean {
    return this.load().length === 0;
  }

  append(entry: AbortedTxnEntry): void {
    const entries = this.load();
    this.file ??= this.storage.openFile(this.path);
    this.file.append(encode(entry));
    entries.push(entry);
    this.unsynced = true;
  }

  /** Adds the entry of an ABORT marker found by recovery when the index does not have it yet. */
  ensure(entry: AbortedTxnEntry): void {
    if (!this.load().some((e) => e.lastOffset === entry.lastOffset)) this.append(entry);
  }

  /** Forgets the entries of markers at or after `offset` (the log was cut there). */
  truncateFrom(offset: number): void {
    const entries = this.load();
    const kept = entries.filter((e) => e.lastOffset < offset);
    if (kept.length === entries.length) return;
    this.entries = kept;
    this.rewrite();
  }

  /**
   * Adds to `out` the aborted transactions that overlap [fetchOffset, upperBound): their records may be in a
   * fetch answer covering that range.
   */
  collect(fetchOffset: number, upperBound: number, out: AbortedTxnEntry[]): void {
    for (const e of this.load()) {
      if (e.lastOffset >= fetchOffset && e.firstOffset < upperBound) out.push(e);
    }
  }

  private rewrite(): void {
    this.closeFile();
    const entries = this.entries ?? [];
    if (entries.length === 0) this.storage.remove(this.path);
    else this.storage.writeFileAtomic(this.path, Buffer.concat(entries.map(encode)));
  }

  sync(): void {
    if (this.unsynced && this.file) this.file.sync();
    this.unsynced = false;
  }

  private closeFile(): void {
    this.file?.close();
    this.file = null;
  }

  close(): void {
    this.closeFile();
  }
}
