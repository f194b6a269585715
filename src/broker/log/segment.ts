// One segment of a partition log, Kafka's on-disk layout:
//
//   <baseOffset, 20 digits>.log        record batches exactly as appended (after offset patching)
//   <baseOffset, 20 digits>.index      sparse offset index: 4-byte offset relative to the base (the last offset
//                                      of the indexed batch, as Kafka writes it) + 4-byte file position,
//                                      one entry per `index.interval.bytes` of appends
//   <baseOffset, 20 digits>.txnindex   the aborted transactions whose ABORT marker is in the segment (see
//                                      txn-index.ts); only segments holding such a marker have one
//   <baseOffset, 20 digits>.timeindex  sparse time index: 8-byte timestamp + 4-byte relative offset; the
//                                      timestamps are the running maximum, so the entries only grow, and the
//                                      last entry (written when the segment is sealed) is its max timestamp
//
// On top of the files, an in-memory per-batch index (BatchIndex) serves every lookup. It is filled as batches
// are appended or scanned; for a sealed segment trusted after a clean shutdown it is built lazily, on the
// first lookup that reaches the segment, by reading the batch headers only. That is what the .index and
// .timeindex files buy at start-up: a clean start reads them (a few bytes per 4 KiB of log) instead of the
// logs, and learns each sealed segment's extent and max timestamp (for retention and time lookups).
//
// Sparse index entries are buffered in memory and written when the segment is sealed, flushed or closed:
// they can always be rebuilt from the log (the active segment is rescanned at every start, every segment
// after an unclean one), so writing them per append would only cost system calls.

import path from 'node:path';
import { batchCrcMatches } from './batch.js';
import {
  BATCH_HEADER_SIZE,
  BATCH_LENGTH,
  CURRENT_MAGIC,
  LOG_OVERHEAD,
  MAGIC,
  NO_TIMESTAMP,
  readBatchHeader,
  readInt64,
  writeInt64,
  type BatchHeader,
} from '../../protocol/records/batch-layout.js';
import { BatchIndex } from './batch-index.js';
import type { LogFile, Storage } from './files.js';
import { TxnIndex } from './txn-index.js';

export const LOG_SUFFIX = '.log';
export const INDEX_SUFFIX = '.index';
export const TIME_INDEX_SUFFIX = '.timeindex';
export const TXN_INDEX_SUFFIX = '.txnindex';
/** every file of a segment */
/** A segment's files in the order they are removed: the log last, so that a crash in between leaves index files without a log, which the next start removes. */
const REMOVAL_ORDER = [INDEX_SUFFIX, TIME_INDEX_SUFFIX, TXN_INDEX_SUFFIX, LOG_SUFFIX];

/** The bytes of a batch met in a scan, read only when asked for (replay reads the control batches). */
export type BatchVisitor = (header: BatchHeader, bytes: () => Buffer) => void;

const INDEX_ENTRY_SIZE = 8;
const TIME_INDEX_ENTRY_SIZE = 12;

/** read size while checking CRCs (whole batches are needed) */
const CRC_SCAN_CHUNK = 1024 * 1024;
/** read size while reading headers only (a large batch costs one such read, not its whole size) */
const HEADER_SCAN_CHUNK = 64 * 1024;

export function segmentFileName(baseOffset: number, suffix: string): string {
  return String(baseOffset).padStart(20, '0') + suffix;
}

/** the base offset of a `<20 digits>.log` file name, else null */
export function parseLogFileName(name: string): number | null {
  const m = /^(\d{20})\.log$/.exec(name);
  return m ? Number(m[1]) : null;
}

export interface SegmentOptions {
  /** bytes of appends between two sparse index entries (Kafka's index.interval.bytes) */
  indexIntervalBytes: number;
}

export interface ScanOutcome {
  /** the end of the last valid batch */
  validEnd: number;
  /** the offset after the last valid batch */
  nextOffset: number;
  /** why the scan stopped before the end of the file, or null */
  problem: string | null;
}

/**
 * Walks the batches of a segment file from its start, checking each one's framing (length, magic, base
 * offset at or after the end of the previous batch: compacted segments have gaps) and, with `verifyCrc`, its CRC-32C. Stops at the first invalid
 * batch: what follows a torn or corrupt batch cannot be trusted, so recovery truncates there (as Kafka's
 * LogSegment.recover does).
 */
export function scanBatches(
  file: LogFile,
  baseOffset: number,
  verifyCrc: boolean,
  visit: (header: BatchHeader, position: number, size: number) => void,
): ScanOutcome {
  const fileSize = file.size;
  const chunk = Buffer.allocUnsafe(
    Math.max(BATCH_HEADER_SIZE, Math.min(verifyCrc ? CRC_SCAN_CHUNK : HEADER_SCAN_CHUNK, fileSize)),
  );
  let chunkStart = 0;
  let chunkLen = 0;
  let pos = 0;
  let expected = baseOffset;
  const stop = (problem: string): ScanOutcome => ({
    validEnd: pos,
    nextOffset: expected,
    problem: `at byte ${pos}: ${problem}`,
  });
  const refill = (): void => {
    chunkStart = pos;
    chunkLen = file.readInto(chunk, 0, Math.min(chunk.length, fileSize - pos), pos);
  };

  while (pos < fileSize) {
    const remaining = fileSize - pos;
    if (remaining < BATCH_HEADER_SIZE) return stop(`torn batch header (${remaining} bytes)`);
    if (pos + BATCH_HEADER_SIZE > chunkStart + chunkLen) refill();
    if (chunkLen < BATCH_HEADER_SIZE) return stop('short read');
    const off = pos - chunkStart;
    const size = chunk.readInt32BE(off + BATCH_LENGTH) + LOG_OVERHEAD;
    if (size < BATCH_HEADER_SIZE) return stop(`impossible batch size ${size}`);
    if (size > remaining) return stop(`torn batch (${size} bytes declared, ${remaining} present)`);
    if (chunk[off + MAGIC] !== CURRENT_MAGIC) return stop(`bad magic ${chunk[off + MAGIC]}`);
    let header: BatchHeader;
    if (verifyCrc) {
      let bytes: Buffer;
      if (off + size <= chunkLen) {
        bytes = chunk.subarray(off, off + size);
      } else if (size <= chunk.length) {
        refill(); // the batch now starts the chunk
        if (chunkLen < size) return stop('short read');
        bytes = chunk.subarray(0, size);
      } else {
        bytes = file.read(pos, size);
      }
      if (!batchCrcMatches(bytes)) return stop('CRC mismatch');
      header = readBatchHeader(bytes, 0);
    } else {
      header = readBatchHeader(chunk, off);
    }
    // a gap is fine (compaction removes whole batches, and offsets never change), going back is not
    if (header.baseOffset < expected)
      return stop(`base offset ${header.baseOffset} below ${expected}, the end of the previous batch`);
    if (header.lastOffsetDelta < 0) return stop(`negative last offset delta ${header.lastOffsetDelta}`);
    visit(header, pos, size);
    expected = header.baseOffset + header.lastOffsetDelta + 1;
    pos += size;
  }
  return { validEnd: pos, nextOffset: expected, problem: null };
}

export interface RecoveredSegment {
  segment: Segment;
  /** why the file was cut, or null when it was whole */
  problem: string | null;
  truncatedBytes: number;
}

export class Segment {
  /** the offset after the last batch (the base offset when empty) */
  nextOffset: number;
  /** the largest batch max timestamp, NO_TIMESTAMP (-1) when none */
  maxTimestamp = NO_TIMESTAMP;
  /** when the segment started, for segment.ms: the first batch's timestamp or the time of its first append */
  rollTimestamp = -1;
  sealed = false;

  private batchIndex: BatchIndex | null = null;
  private indexFile: LogFile | null = null;
  private timeIndexFile: LogFile | null = null;
  private txnIndexFile: TxnIndex | null = null;
  /** bytes written (log or index files) that are not fsynced yet */
  private unsynced = false;
  /** where the log must be cut before the next append: a failed append's bytes that could not be removed */
  private tornAt: number | null = null;

  // sparse index state, as Kafka's LogSegment keeps it
  private bytesSinceIndexEntry = 0;
  private relOffsetOfMaxTimestamp = 0;
  private lastTimeEntry = NO_TIMESTAMP;
  private pendingIndex: number[] = [];
  private pendingTimeIndex: number[] = [];

  private constructor(
    private readonly storage: Storage,
    private readonly dir: string,
    readonly baseOffset: number,
    private readonly log: LogFile,
    private readonly options: SegmentOptions,
    /** after the file names' usual suffixes: '' for a live segment, `.cleaned`/`.swap` while the cleaner swaps */
    private stage = '',
  ) {
    this.nextOffset = baseOffset;
  }

  private static file(dir: string, baseOffset: number, suffix: string, stage = ''): string {
    return path.join(dir, segmentFileName(baseOffset, suffix) + stage);
  }

  /**
   * A new, empty segment (any files left under its name are emptied). With a `stage` (the cleaner's
   * `.cleaned`), its files are named `<base>.log.cleaned` etc. until renamed by `restage`.
   */
  static create(storage: Storage, dir: string, baseOffset: number, options: SegmentOptions, stage = ''): Segment {
    const log = storage.openFile(Segment.file(dir, baseOffset, LOG_SUFFIX, stage), { truncate: true });
    const seg = new Segment(storage, dir, baseOffset, log, options, stage);
    seg.batchIndex = new BatchIndex();
    seg.indexFile = storage.openFile(Segment.file(dir, baseOffset, INDEX_SUFFIX, stage), { truncate: true });
    seg.timeIndexFile = storage.openFile(Segment.file(dir, baseOffset, TIME_INDEX_SUFFIX, stage), {
      truncate: true,
    });
    seg.unsynced = true;
    return seg;
  }

  /**
   * Renames the segment's files from their current stage to `stage` ('' for the live names): the index files
   * first, the log last, so that the log's name is the one that says which stage the segment reached (the
   * cleaner's commit point is `<base>.log.swap` appearing). Open descriptors stay valid across the renames.
   */
  restage(stage: string): void {
    for (const suffix of [INDEX_SUFFIX, TIME_INDEX_SUFFIX, LOG_SUFFIX]) {
      this.storage.rename(
        Segment.file(this.dir, this.baseOffset, suffix, this.stage),
        Segment.file(this.dir, this.baseOffset, suffix, stage),
      );
    }
    this.stage = stage;
  }

  /**
   * Opens a segment by scanning its log with CRC checks: truncates a torn or corrupt tail at the first
   * invalid batch, rebuilds the per-batch index and rewrites the sparse index files. `visit` sees every
   * valid batch (producer state is rebuilt from them). The segment is returned unsealed.
   */
  static recover(
    storage: Storage,
    dir: string,
    baseOffset: number,
    options: SegmentOptions,
    visit?: BatchVisitor,
  ): RecoveredSegment {
    const log = storage.openFile(Segment.file(dir, baseOffset, LOG_SUFFIX));
    const seg = new Segment(storage, dir, baseOffset, log, options);
    seg.batchIndex = new BatchIndex();
    const outcome = scanBatches(log, baseOffset, true, (h, position, size) => {
      seg.track(h.baseOffset, h.baseOffset + h.lastOffsetDelta, position, size, h.maxTimestamp);
      visit?.(h, () => seg.read(position, size));
    });
    let truncatedBytes = 0;
    if (outcome.validEnd < log.size) {
      truncatedBytes = log.size - outcome.validEnd;
      log.truncate(outcome.validEnd);
    }
    seg.nextOffset = outcome.nextOffset;
    const first = seg.batchIndex.length > 0 ? seg.batchIndex.maxTimestamp(0) : -1;
    seg.rollTimestamp = first >= 0 ? first : -1;
    seg.indexFile = storage.openFile(Segment.file(dir, baseOffset, INDEX_SUFFIX), { truncate: true });
    seg.timeIndexFile = storage.openFile(Segment.file(dir, baseOffset, TIME_INDEX_SUFFIX), { truncate: true });
    seg.writePendingIndexes();
    seg.unsynced = true;
    return { segment: seg, problem: truncatedBytes > 0 ? outcome.problem : null, truncatedBytes };
  }

  /**
   * Opens a sealed segment without reading its log, trusting its index files (after a clean shutdown, or
   * below the recovery point). `nextOffset` is the next segment's base offset. Returns null when the index
   * files are missing or inconsistent, and the caller recovers the segment instead.
   */
  static loadSealed(
    storage: Storage,
    dir: string,
    baseOffset: number,
    nextOffset: number,
    options: SegmentOptions,
  ): Segment | null {
    const index = storage.readFile(Segment.file(dir, baseOffset, INDEX_SUFFIX));
    const timeIndex = storage.readFile(Segment.file(dir, baseOffset, TIME_INDEX_SUFFIX));
    if (!index || !timeIndex || index.length % INDEX_ENTRY_SIZE !== 0 || timeIndex.length % TIME_INDEX_ENTRY_SIZE !== 0)
      return null;
    if (nextOffset <= baseOffset) return null;
    const log = storage.openFile(Segment.file(dir, baseOffset, LOG_SUFFIX));
    const span = nextOffset - baseOffset;
    let ok = log.size >= BATCH_HEADER_SIZE;
    let prevRel = -1;
    let prevPos = 0;
    for (let at = 0; ok && at < index.length; at += INDEX_ENTRY_SIZE) {
      const rel = index.readInt32BE(at);
      const position = index.readUInt32BE(at + 4);
      ok = rel > prevRel && rel < span && position > prevPos && position < log.size;
      prevRel = rel;
      prevPos = position;
    }
    let maxTimestamp = NO_TIMESTAMP;
    prevRel = -1;
    for (let at = 0; ok && at < timeIndex.length; at += TIME_INDEX_ENTRY_SIZE) {
      const ts = readInt64(timeIndex, at);
      const rel = timeIndex.readInt32BE(at + 8);
      ok = ts > maxTimestamp && rel > prevRel && rel < span;
      maxTimestamp = ts;
      prevRel = rel;
    }
    if (!ok) {
      log.close();
      return null;
    }
    const seg = new Segment(storage, dir, baseOffset, log, options);
    seg.nextOffset = nextOffset;
    seg.maxTimestamp = maxTimestamp;
    seg.sealed = true;
    return seg;
  }

  get size(): number {
    return this.log.size;
  }

  get isEmpty(): boolean {
    return this.log.size === 0;
  }

  get needsSync(): boolean {
    return this.unsynced;
  }

  /** last modification time of the log file */
  mtimeMs(): number {
    return this.log.mtimeMs();
  }

  /** The per-batch index; built from the batch headers on first use for a segment loaded without a scan. */
  batches(): BatchIndex {
    if (!this.batchIndex) {
      const bi = new BatchIndex();
      scanBatches(this.log, this.baseOffset, false, (h, position, size) => {
        bi.push(h.baseOffset, h.baseOffset + h.lastOffsetDelta, position, size, h.maxTimestamp);
      });
      this.batchIndex = bi;
    }
    return this.batchIndex;
  }

  /**
   * As batches(), for background work: a segment loaded without a scan gets its index built from one header
   * read per batch, with `pause` (which may yield to the event loop) before each, instead of in one go.
   */
  async batchesPaced(pause: () => Promise<void>): Promise<BatchIndex> {
    if (this.batchIndex) return this.batchIndex;
    const bi = new BatchIndex();
    const header = Buffer.allocUnsafe(BATCH_HEADER_SIZE);
    for (let pos = 0; pos + BATCH_HEADER_SIZE <= this.log.size;) {
      await pause();
      if (this.batchIndex) return this.batchIndex; // a reader built it meanwhile
      if (this.log.readInto(header, 0, BATCH_HEADER_SIZE, pos) < BATCH_HEADER_SIZE) break;
      const h = readBatchHeader(header);
      const size = h.batchLength + LOG_OVERHEAD;
      // sealed segments were checked when written or recovered; a damaged one ends its index here
      if (size < BATCH_HEADER_SIZE || pos + size > this.log.size) break;
      bi.push(h.baseOffset, h.baseOffset + h.lastOffsetDelta, pos, size, h.maxTimestamp);
      pos += size;
    }
    this.batchIndex = bi;
    return bi;
  }

  /** Calls `visit` with the header of every batch (no CRC checks), e.g. to replay producer state. */
  forEachBatchHeader(visit: BatchVisitor): void {
    scanBatches(this.log, this.baseOffset, false, (h, position, size) => visit(h, () => this.read(position, size)));
  }

  /** The segment's aborted-transaction index (opened on first use). */
  txnIndex(): TxnIndex {
    return (this.txnIndexFile ??= new TxnIndex(
      this.storage,
      Segment.file(this.dir, this.baseOffset, TXN_INDEX_SUFFIX),
    ));
  }

  /**
   * Appends a batch whose offsets are already patched; with `sync`, fsyncs it too. The bytes are in the OS when
   * this returns. When it throws, the segment is as it was before: the log file is cut back to its size and
   * the bookkeeping (batch index, sparse index entries, extent) forgets the batch, so that a record is either
   * appended and readable or not stored at all.
   */
  append(batch: Buffer, baseOffset: number, lastOffset: number, maxTimestamp: number, now: number, sync = false): void {
    if (this.sealed) throw new Error(`segment ${this.baseOffset} is sealed`);
    if (this.tornAt !== null) {
      // a rolled-back append whose bytes could not be cut off: nothing may follow them
      this.log.truncate(this.tornAt);
      this.tornAt = null;
    }
    const before = this.mark();
    try {
      this.log.append(batch);
      this.track(baseOffset, lastOffset, before.size, batch.length, maxTimestamp);
      if (this.rollTimestamp < 0) this.rollTimestamp = now;
      this.unsynced = true;
      if (sync) this.sync();
    } catch (err) {
      this.rollBack(before);
      throw err;
    }
  }

  /** What an append changes, to undo it. */
  private mark() {
    return {
      size: this.log.size,
      batches: this.batchIndex!.length,
      pendingIndex: this.pendingIndex.length,
      pendingTimeIndex: this.pendingTimeIndex.length,
      bytesSinceIndexEntry: this.bytesSinceIndexEntry,
      maxTimestamp: this.maxTimestamp,
      relOffsetOfMaxTimestamp: this.relOffsetOfMaxTimestamp,
      lastTimeEntry: this.lastTimeEntry,
      nextOffset: this.nextOffset,
      rollTimestamp: this.rollTimestamp,
    };
  }

  private rollBack(m: ReturnType<Segment['mark']>): void {
    this.batchIndex!.truncate(m.batches);
    this.pendingIndex.length = m.pendingIndex;
    this.pendingTimeIndex.length = m.pendingTimeIndex;
    this.bytesSinceIndexEntry = m.bytesSinceIndexEntry;
    this.maxTimestamp = m.maxTimestamp;
    this.relOffsetOfMaxTimestamp = m.relOffsetOfMaxTimestamp;
    this.lastTimeEntry = m.lastTimeEntry;
    this.nextOffset = m.nextOffset;
    this.rollTimestamp = m.rollTimestamp;
    if (this.log.size === m.size) return;
    try {
      this.log.truncate(m.size);
    } catch {
      this.tornAt = m.size; // cut before the next append (which fails if it still cannot)
    }
  }

  /** Bookkeeping for one batch now in the file: per-batch index, sparse index entries, extent. */
  private track(baseOffset: number, lastOffset: number, position: number, size: number, maxTimestamp: number): void {
    this.batchIndex!.push(baseOffset, lastOffset, position, size, maxTimestamp);
    const rel = lastOffset - this.baseOffset;
    if (maxTimestamp > this.maxTimestamp) {
      this.maxTimestamp = maxTimestamp;
      this.relOffsetOfMaxTimestamp = rel;
    }
    // Kafka's rule: an entry for the batch that follows more than index.interval.bytes of unindexed bytes
    // (the first batch, at position 0, needs none).
    if (this.bytesSinceIndexEntry > this.options.indexIntervalBytes) {
      this.pendingIndex.push(rel, position);
      this.maybeTimeIndexEntry();
      this.bytesSinceIndexEntry = 0;
    }
    this.bytesSinceIndexEntry += size;
    this.nextOffset = lastOffset + 1;
  }

  private maybeTimeIndexEntry(): void {
    if (this.maxTimestamp > this.lastTimeEntry) {
      this.pendingTimeIndex.push(this.maxTimestamp, this.relOffsetOfMaxTimestamp);
      this.lastTimeEntry = this.maxTimestamp;
    }
  }

  private writePendingIndexes(): void {
    if (this.pendingIndex.length > 0 && this.indexFile) {
      const entries = this.pendingIndex;
      const buf = Buffer.allocUnsafe((entries.length / 2) * INDEX_ENTRY_SIZE);
      for (let i = 0, at = 0; i < entries.length; i += 2, at += INDEX_ENTRY_SIZE) {
        buf.writeInt32BE(entries[i], at);
        buf.writeUInt32BE(entries[i + 1], at + 4);
      }
      this.indexFile.append(buf);
      this.pendingIndex = [];
      this.unsynced = true;
    }
    if (this.pendingTimeIndex.length > 0 && this.timeIndexFile) {
      const entries = this.pendingTimeIndex;
      const buf = Buffer.allocUnsafe((entries.length / 2) * TIME_INDEX_ENTRY_SIZE);
      for (let i = 0, at = 0; i < entries.length; i += 2, at += TIME_INDEX_ENTRY_SIZE) {
        writeInt64(buf, at, entries[i]);
        buf.writeInt32BE(entries[i + 1], at + 8);
      }
      this.timeIndexFile.append(buf);
      this.pendingTimeIndex = [];
      this.unsynced = true;
    }
  }

  /** Writes buffered sparse index entries to the index files. */
  flushIndexes(): void {
    this.writePendingIndexes();
  }

  /**
   * Ends appends to this segment: its index files get their last entries, including the final max
   * timestamp, and are closed (a sealed segment keeps only its log open, for reads).
   */
  seal(): void {
    if (this.sealed) return;
    this.maybeTimeIndexEntry();
    this.writePendingIndexes();
    this.closeIndexFiles();
    this.sealed = true;
  }

  /** fsyncs what was written to the log and index files. */
  sync(): void {
    this.txnIndexFile?.sync();
    if (!this.unsynced) return;
    this.log.sync();
    if (this.indexFile && this.timeIndexFile) {
      this.indexFile.sync();
      this.timeIndexFile.sync();
    } else {
      // sealed: the index files were closed at seal(); open them just to fsync
      for (const suffix of [INDEX_SUFFIX, TIME_INDEX_SUFFIX]) {
        const file = this.storage.openFile(Segment.file(this.dir, this.baseOffset, suffix, this.stage));
        try {
          file.sync();
        } finally {
          file.close();
        }
      }
    }
    this.unsynced = false;
  }

  /**
   * As sync() for a sealed segment, off the event loop (the cleaner's output before its swap); sync() is
   * then a no-op unless more was written.
   */
  async syncAsync(): Promise<void> {
    if (!this.unsynced) return;
    await this.log.syncAsync();
    for (const suffix of [INDEX_SUFFIX, TIME_INDEX_SUFFIX]) {
      const file = this.storage.openFile(Segment.file(this.dir, this.baseOffset, suffix, this.stage));
      try {
        await file.syncAsync();
      } finally {
        file.close();
      }
    }
    this.unsynced = false;
  }

  /** `length` bytes of the log from `position` (one read). */
  read(position: number, length: number): Buffer {
    return this.log.read(position, length);
  }

  private closeIndexFiles(): void {
    this.indexFile?.close();
    this.timeIndexFile?.close();
    this.indexFile = null;
    this.timeIndexFile = null;
  }

  close(): void {
    try {
      this.writePendingIndexes(); // may fail on a full disk: the indexes are rebuilt from the log then
    } finally {
      this.closeIndexFiles();
      this.txnIndexFile?.close();
      this.log.close();
    }
  }

  /** Closes and removes the segment's files. */
  delete(): void {
    this.closeIndexFiles();
    this.txnIndexFile?.close();
    this.log.close();
    Segment.deleteFiles(this.storage, this.dir, this.baseOffset, this.stage);
  }

  /** Removes the files of a closed segment in libuv's thread pool (a large file's unlink takes a while). */
  async removeFilesAsync(): Promise<void> {
    for (const suffix of REMOVAL_ORDER)
      await this.storage.removeAsync(Segment.file(this.dir, this.baseOffset, suffix, this.stage));
  }

  /**
   * Removes the files of a segment that is not open (e.g. dropped after a truncation), the log last: a crash
   * in between leaves index files without a log, which the next start removes.
   */
  static deleteFiles(storage: Storage, dir: string, baseOffset: number, stage = ''): void {
    for (const suffix of REMOVAL_ORDER) storage.remove(Segment.file(dir, baseOffset, suffix, stage));
  }
}
