// One partition's log: a directory of segments, the offsets (log start, high watermark), idempotent
// producer dedupe, recovery at open, retention, DeleteRecords.
//
// Partition directory:
//   <20-digit base>.log/.index/.timeindex   the segments (see segment.ts)
//   partition.json                           { logStartOffset, recoveryPoint, cleanedTo } (atomic writes)
//   producer-snapshot.json                   idempotent producer state at an offset (written at rolls)
//   clean-shutdown                           written last by close(): the marker, holding the producer
//                                            snapshot; renamed to producer-snapshot.json when opened
//
// The produce and fetch paths never decode records: append validates the header and CRC (plus the cheap
// timestamp walk of batch.ts), patches the offsets and writes the batch bytes; read returns a byte range of
// whole batches located with the in-memory batch index, read with one call.
//
// Transactions: transactional batches open a transaction of their producer (producer-state.ts), the
// coordinator's markers (appendMarker) close it; the last stable offset is where the earliest open one starts.
// Each ABORT marker gets an entry in its segment's aborted-transaction index (txn-index.ts), which
// read_committed fetches list (abortedTransactions).
//
// Recovery at open: after a clean shutdown, sealed segments are trusted (their index files are read, their
// logs are not) and only the active segment is scanned. Otherwise every segment after the recovery point
// (the sealed segments known to be fsynced) is scanned with CRC checks; the first torn or corrupt batch cuts
// the log there and later segments are dropped, as Kafka's log recovery does. Before that, a segment swap of
// the log cleaner that a crash interrupted is completed or discarded (segment-swap.ts).
//
// Compaction (cleaner.ts) rewrites sealed segments; this class gives it the segments, creates its output
// segments, swaps them in (replaceSegments) and keeps its checkpoint (cleanedTo: where the dirty part starts).

import path from 'node:path';
import { ErrorCode, KafkaError } from '../../protocol/error-codes.js';
import {
  ATTRIBUTES,
  canDecodeRecords,
  checkRecordKeys,
  finalizeClientBatch,
  iterateRecords,
  patchBaseOffset,
  singleBatch,
  validateClientBatch,
  type BatchHeader,
  type TimestampType,
} from './batch.js';
import { IGNORE_HEALTH, type WriteHealth } from './disk-health.js';
import { ControlType, controlTypeOf, encodeMarkerBatch } from '../../protocol/records/control.js';
import { isControlBatch } from '../../protocol/records/batch-layout.js';
import type { AbortedTxnEntry } from './txn-index.js';
import { DiskStorage, type Storage } from './files.js';
import { ProducerState } from './producer-state.js';
import { Segment, parseLogFileName, type BatchVisitor, type SegmentOptions } from './segment.js';
import { CLEANED, recoverSwaps, swapSegments, type SwapPhase } from './segment-swap.js';

/** When appends are forced to disk; the group coordinator's groups.log follows the same policy. */
export type FsyncPolicy = 'never' | 'interval' | 'always';

export interface PartitionLogConfig {
  /** roll the active segment before it would exceed this size (segment.bytes) */
  segmentBytes: number;
  /** roll the active segment once it is this old (segment.ms) */
  segmentMs: number;
  /** the largest batch accepted (max.message.bytes) */
  maxMessageBytes: number;
  /** bytes between sparse index entries (index.interval.bytes) */
  indexIntervalBytes: number;
  /** message.timestamp.type */
  timestampType: TimestampType;
  /** cleanup.policy has compact: records without a key are refused (INVALID_RECORD) */
  compacted: boolean;
}

/** Kafka's defaults */
export const DEFAULT_PARTITION_LOG_CONFIG: PartitionLogConfig = {
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * 24 * 3600 * 1000,
  maxMessageBytes: 1048588,
  indexIntervalBytes: 4096,
  timestampType: 'CreateTime',
  compacted: false,
};

export interface PartitionLogOptions {
  /** the partition directory (created when missing) */
  dir: string;
  /** DiskStorage by default; a MemoryStorage for in-memory brokers */
  storage?: Storage;
  config?: Partial<PartitionLogConfig>;
  /** 'always' fsyncs each append before it returns; otherwise the owner calls flush() (see LogManager) */
  fsync?: FsyncPolicy;
  /** called after every append (e.g. to wake long-polling fetches) */
  onAppend?: () => void;
  /** warnings (a truncated segment at recovery) */
  log?: (message: string) => void;
  /** told of every failed write and of the successful appends (see disk-health.ts) */
  health?: WriteHealth;
  /** for messages; the directory name by default */
  name?: string;
}

export interface AppendOptions {
  /** the broker clock, for segment.ms and LogAppendTime (Date.now() by default) */
  now?: number;
  /** the request's acks, when given it is checked (-1, 0 or 1); every value is written the same way */
  acks?: number;
}

export interface AppendResult {
  /** the offset of the batch's first record (for a duplicate: the offset it got the first time) */
  baseOffset: number;
  logStartOffset: number;
  /** the broker time stamped on the batch for LogAppendTime topics, else -1 */
  logAppendTime: number;
  /** true when the batch was a retry of an already appended one and was not written again */
  duplicate: boolean;
}

/** A transaction marker to write (the transaction coordinator's side of EndTxn). */
export interface MarkerAppend {
  producerId: number;
  producerEpoch: number;
  commit: boolean;
  coordinatorEpoch: number;
}

export interface ReadResult {
  /** whole batches; empty at the high watermark. Do not modify (may be shared with an in-memory segment). */
  records: Buffer;
  highWatermark: number;
  logStartOffset: number;
}

export interface TimestampLookup {
  offset: number;
  /** the timestamp of the record found */
  timestamp: number;
}

export interface SegmentInfo {
  baseOffset: number;
  nextOffset: number;
  sizeBytes: number;
  maxTimestamp: number;
  active: boolean;
}

export interface RecoveryReport {
  cleanShutdown: boolean;
  /** segments read with CRC checks */
  scannedSegments: number;
  /** bytes cut from a torn or corrupt segment */
  truncatedBytes: number;
  /** segments removed because they followed the cut */
  droppedSegments: number;
  problem: string | null;
}

const META_FILE = 'partition.json';
const SNAPSHOT_FILE = 'producer-snapshot.json';
const CLEAN_SHUTDOWN_FILE = 'clean-shutdown';
const INT32_MAX = 0x7fffffff;
const EMPTY: Buffer = Buffer.alloc(0);

interface PartitionMeta {
  logStartOffset: number;
  /** sealed segments that end at or below this offset were fsynced: they need no scan after a crash */
  recoveryPoint: number;
  /** the log cleaner's checkpoint: records below it were compacted (Kafka's cleaner-offset-checkpoint) */
  cleanedTo: number;
}

function storageError(what: string, err: unknown): KafkaError {
  return new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `${what}: ${(err as Error)?.message ?? String(err)}`);
}

export class PartitionLog {
  private readonly storage: Storage;
  private readonly config: PartitionLogConfig;
  private readonly segmentOptions: SegmentOptions;
  private readonly fsync: FsyncPolicy;
  private readonly onAppend?: () => void;
  private readonly warn: (message: string) => void;
  private readonly health: WriteHealth;
  readonly name: string;
  readonly dir: string;

  private segments: Segment[] = [];
  private hwm = 0;
  private logStart = 0;
  private recoveryPoint = 0;
  private cleanedTo = 0;
  private producers = new ProducerState();
  /**
   * Idempotent producers whose last append failed to be written. Their next batches find a gap in the
   * sequence, which is that failure seen again, not a lost batch: they get KAFKA_STORAGE_ERROR, not
   * OUT_OF_ORDER_SEQUENCE_NUMBER (which some clients treat as fatal).
   */
  private unwritten = new Set<number>();
  private unflushed = false;
  private closed = false;
  private _recovery: RecoveryReport = {
    cleanShutdown: false,
    scannedSegments: 0,
    truncatedBytes: 0,
    droppedSegments: 0,
    problem: null,
  };

  private constructor(options: PartitionLogOptions) {
    this.storage = options.storage ?? new DiskStorage();
    this.dir = options.dir;
    this.config = { ...DEFAULT_PARTITION_LOG_CONFIG, ...options.config };
    this.segmentOptions = { indexIntervalBytes: this.config.indexIntervalBytes };
    this.fsync = options.fsync ?? 'never';
    this.onAppend = options.onAppend;
    this.warn = options.log ?? (() => {});
    this.health = options.health ?? IGNORE_HEALTH;
    this.name = options.name ?? path.basename(options.dir);
  }

  /** Opens (recovering as needed) or creates the partition log in `options.dir`. */
  static open(options: PartitionLogOptions): PartitionLog {
    const log = new PartitionLog(options);
    log.storage.mkdirp(log.dir);
    log.load();
    return log;
  }

  // ---------------------------------------------------------------------------------------------- offsets

  /** the first offset still in the log */
  get logStartOffset(): number {
    return this.logStart;
  }

  /** the offset the next appended record gets (single node: everything written is committed) */
  get highWatermark(): number {
    return this.hwm;
  }

  /**
   * the first offset of the earliest open transaction, else the high watermark (read_committed reads stop
   * here); never below the log start, as in Kafka, once retention or DeleteRecords removed an open
   * transaction's first records
   */
  get lastStableOffset(): number {
    const first = this.producers.firstUnstableOffset();
    return first === null ? this.hwm : Math.min(Math.max(first, this.logStart), this.hwm);
  }

  get sizeBytes(): number {
    let total = 0;
    for (const s of this.segments) total += s.size;
    return total;
  }

  /** true when appends were made since the last flush() */
  get needsFlush(): boolean {
    return this.unflushed;
  }

  /** what open() found */
  get recovery(): RecoveryReport {
    return this._recovery;
  }

  segmentInfos(): SegmentInfo[] {
    return this.segments.map((s, i) => ({
      baseOffset: s.baseOffset,
      nextOffset: s.nextOffset,
      sizeBytes: s.size,
      maxTimestamp: s.maxTimestamp,
      active: i === this.segments.length - 1,
    }));
  }

  /** Changes the topic-level settings (new values apply to the next append / roll). */
  configure(config: Partial<PartitionLogConfig>): void {
    Object.assign(this.config, config);
    this.segmentOptions.indexIntervalBytes = this.config.indexIntervalBytes;
  }

  private get active(): Segment {
    return this.segments[this.segments.length - 1];
  }

  private checkOpen(): void {
    if (this.closed) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `partition ${this.name} is closed`);
  }

  // ---------------------------------------------------------------------------------------------- append

  /**
   * Validates the partition's record set (one batch), deduplicates idempotent retries, assigns offsets and
   * appends the batch. Throws a KafkaError with the code the produce response should carry.
   */
  append(records: Buffer, options: AppendOptions = {}): AppendResult {
    this.checkOpen();
    const now = options.now ?? Date.now();
    const { acks } = options;
    if (acks !== undefined && acks !== -1 && acks !== 0 && acks !== 1) {
      throw new KafkaError(ErrorCode.INVALID_REQUIRED_ACKS, `acks must be -1, 0 or 1, got ${acks}`);
    }
    if (records.length > this.config.maxMessageBytes) {
      throw new KafkaError(
        ErrorCode.MESSAGE_TOO_LARGE,
        `${records.length} bytes of records exceed max.message.bytes ${this.config.maxMessageBytes}`,
      );
    }
    const batch = singleBatch(records);
    const validated = validateClientBatch(batch, { maxMessageBytes: this.config.maxMessageBytes });
    const h = validated.header;
    if (this.config.compacted) checkRecordKeys(batch, h, this.name);

    let original: number | null;
    try {
      original = this.producers.check(h);
    } catch (err) {
      if (this.unwritten.has(h.producerId) && (err as KafkaError).code === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER)
        throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `${this.name}: an earlier batch could not be written`);
      throw err;
    }
    if (original !== null)
      return { baseOffset: original, logStartOffset: this.logStart, logAppendTime: -1, duplicate: true };

    const { maxTimestamp, logAppendTime } = finalizeClientBatch(batch, validated, {
      timestampType: this.config.timestampType,
      now,
    });
    const baseOffset = this.hwm;
    const lastOffset = baseOffset + h.lastOffsetDelta;
    patchBaseOffset(batch, baseOffset);
    try {
      this.maybeRoll(batch.length, h.lastOffsetDelta, now);
      // On failure the segment cuts the batch off again, and the offsets and producer state below stay put.
      this.active.append(batch, baseOffset, lastOffset, maxTimestamp, now, this.fsync === 'always');
    } catch (err) {
      if (h.producerId >= 0) this.unwritten.add(h.producerId);
      throw this.writeFailed(`append to ${this.name} failed`, err);
    }
    this.unwritten.delete(h.producerId);
    this.health.succeeded(this.name);
    this.hwm = lastOffset + 1;
    this.producers.update(h, baseOffset);
    this.unflushed = true;
    this.onAppend?.();
    return { baseOffset, logStartOffset: this.logStart, logAppendTime, duplicate: false };
  }

  /**
   * Writes a COMMIT or ABORT marker of the producer's transaction (whether or not it wrote here: the
   * coordinator marks every partition of the transaction), ending its open transaction; an ABORT gets its
   * entry in the aborted-transaction index. Returns the marker's offset. A marker of an epoch older than the
   * partition has seen is INVALID_PRODUCER_EPOCH, as in Kafka.
   */
  appendMarker(marker: MarkerAppend, now = Date.now()): number {
    this.checkOpen();
    const seen = this.producers.epochOf(marker.producerId);
    if (seen !== undefined && marker.producerEpoch < seen) {
      throw new KafkaError(
        ErrorCode.INVALID_PRODUCER_EPOCH,
        `marker of producer ${marker.producerId} epoch ${marker.producerEpoch} is older than ${seen}`,
      );
    }
    const batch = encodeMarkerBatch({ ...marker, timestamp: now });
    const offset = this.hwm;
    patchBaseOffset(batch, offset);
    try {
      this.maybeRoll(batch.length, 0, now);
      this.active.append(batch, offset, offset, now, now, this.fsync === 'always');
    } catch (err) {
      throw this.writeFailed(`transaction marker to ${this.name} failed`, err);
    }
    this.hwm = offset + 1;
    const firstOffset = this.producers.endTransaction(marker.producerId, marker.producerEpoch);
    if (!marker.commit && firstOffset !== null) {
      try {
        this.active.txnIndex().append(this.abortedEntry(marker.producerId, firstOffset, offset));
      } catch (err) {
        // the marker is in the log; recovery re-creates the missing entry from it
        this.health.failed(this.name, err);
        this.warn(`${this.name}: aborted-transaction index entry not written (${(err as Error).message})`);
      }
    }
    this.health.succeeded(this.name);
    this.unflushed = true;
    this.onAppend?.();
    return offset;
  }

  private abortedEntry(producerId: number, firstOffset: number, markerOffset: number): AbortedTxnEntry {
    const open = this.producers.firstUnstableOffset();
    return { producerId, firstOffset, lastOffset: markerOffset, lastStableOffset: open ?? markerOffset + 1 };
  }

  private maybeRoll(batchSize: number, lastOffsetDelta: number, now: number): void {
    const active = this.active;
    if (active.isEmpty) return;
    const full = active.size + batchSize > this.config.segmentBytes;
    const old = active.rollTimestamp >= 0 && now - active.rollTimestamp > this.config.segmentMs;
    // index entries hold offsets relative to the segment base in 4 bytes
    const offsetOverflow = this.hwm + lastOffsetDelta - active.baseOffset > INT32_MAX;
    if (full || old || offsetOverflow) this.roll();
  }

  /**
   * Seals the active segment and starts a new one at the high watermark. When the new segment cannot be
   * created or the old one sealed, nothing changes (the active segment stays open for appends).
   */
  private roll(): void {
    const sealed = this.active;
    let next: Segment | undefined;
    try {
      next = Segment.create(this.storage, this.dir, this.hwm, this.segmentOptions);
      sealed.seal();
    } catch (err) {
      try {
        if (next) next.delete();
        else Segment.deleteFiles(this.storage, this.dir, this.hwm);
      } catch {
        // empty files; the next start removes or reuses them
      }
      throw err;
    }
    this.segments.push(next);
    if (this.fsync !== 'never') {
      // Make the sealed segment durable now, so a crash never has to scan it again.
      sealed.sync();
      this.recoveryPoint = this.active.baseOffset;
      this.writeMeta();
    }
    // Like Kafka's per-roll producer snapshot: recovery after a crash then replays at most one segment.
    if (this.producers.size > 0) this.writeSnapshot(this.fsync !== 'never');
  }

  // ---------------------------------------------------------------------------------------------- read

  /**
   * Whole batches from the one containing `fetchOffset` (a fetch in the middle of a batch gets all of it:
   * clients skip the records before their offset), as many as fit in `maxBytes`; the first one even when it is
   * larger with `minOneBatch` (KIP-74: the first batch of a fetch answer may exceed the limits, so that a
   * consumer always progresses), else nothing then. One segment per call, one read. OFFSET_OUT_OF_RANGE outside
   * [logStartOffset, highWatermark]. Only batches starting before `maxOffset` (read_committed: the last stable
   * offset, which is always a batch boundary) are returned.
   */
  read(fetchOffset: number, maxBytes: number, minOneBatch = true, maxOffset = this.hwm): ReadResult {
    this.checkOpen();
    if (fetchOffset < this.logStart || fetchOffset > this.hwm) {
      throw new KafkaError(
        ErrorCode.OFFSET_OUT_OF_RANGE,
        `offset ${fetchOffset} is outside [${this.logStart}, ${this.hwm}] of ${this.name}`,
      );
    }
    const result: ReadResult = { records: EMPTY, highWatermark: this.hwm, logStartOffset: this.logStart };
    if (fetchOffset >= Math.min(this.hwm, maxOffset)) return result;
    for (let si = this.segmentIndexFor(fetchOffset); si < this.segments.length; si++) {
      const seg = this.segments[si];
      const batches = seg.batches();
      const first = batches.findOffset(fetchOffset);
      if (first >= batches.length) continue;
      if (batches.baseOffset(first) >= maxOffset) return result;
      if (!minOneBatch && batches.size(first) > maxBytes) return result;
      let last = batches.lastWithin(first, maxBytes);
      while (last > first && batches.baseOffset(last) >= maxOffset) last--;
      const start = batches.position(first);
      const end = batches.position(last) + batches.size(last);
      try {
        result.records = seg.read(start, end - start);
      } catch (err) {
        throw storageError(`read from ${this.name} failed`, err);
      }
      return result;
    }
    return result;
  }

  /**
   * The aborted transactions whose records may be among those of [fetchOffset, upperBound) (Kafka's
   * collectAbortedTransactions): from the index of the segment holding fetchOffset and of every later one,
   * since a transaction's ABORT marker always follows its records.
   */
  abortedTransactions(fetchOffset: number, upperBound: number): AbortedTxnEntry[] {
    this.checkOpen();
    const out: AbortedTxnEntry[] = [];
    if (upperBound <= fetchOffset) return out;
    try {
      for (let si = this.segmentIndexFor(fetchOffset); si < this.segments.length; si++) {
        this.segments[si].txnIndex().collect(fetchOffset, upperBound, out);
      }
    } catch (err) {
      throw storageError(`reading the aborted transactions of ${this.name} failed`, err);
    }
    return out;
  }

  /** the last segment whose base offset is <= offset */
  private segmentIndexFor(offset: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.segments[mid].baseOffset <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /**
   * The earliest offset (>= log start) whose record timestamp is >= ts, with that timestamp; null when no
   * record is that recent (ListOffsets then answers the high watermark). Binary search on the batches'
   * running max timestamp, then a scan of the matching batch's records (decompressed, whatever the codec).
   * For a batch of an unknown codec (never accepted on produce; a log written elsewhere), the batch's first
   * offset is answered (an approximation on the safe side: a consumer starting there reads every record at
   * or after ts).
   */
  offsetForTimestamp(ts: number): TimestampLookup | null {
    this.checkOpen();
    for (const seg of this.segments) {
      if (seg.nextOffset <= this.logStart || seg.maxTimestamp < ts) continue;
      const batches = seg.batches();
      for (let i = batches.findTimestamp(ts); i < batches.length; i++) {
        if (batches.maxTimestamp(i) < ts || batches.lastOffset(i) < this.logStart) continue;
        const batch = seg.read(batches.position(i), batches.size(i));
        if (!canDecodeRecords(batch.readInt16BE(ATTRIBUTES))) {
          return { offset: Math.max(batches.baseOffset(i), this.logStart), timestamp: batches.maxTimestamp(i) };
        }
        for (const r of iterateRecords(batch)) {
          if (r.offset >= this.logStart && r.timestamp >= ts) return { offset: r.offset, timestamp: r.timestamp };
        }
      }
    }
    return null;
  }

  // ---------------------------------------------------------------------------------------------- deletion

  /**
   * DeleteRecords: moves the log start offset to `offset` (-1 means the high watermark) and deletes the
   * segments entirely below it. Returns the new log start offset.
   */
  deleteRecordsBefore(offset: number): number {
    this.checkOpen();
    const target = offset === -1 ? this.hwm : offset;
    if (!Number.isSafeInteger(target) || target < 0 || target > this.hwm) {
      throw new KafkaError(
        ErrorCode.OFFSET_OUT_OF_RANGE,
        `cannot delete records before ${offset}: outside [0, ${this.hwm}] of ${this.name}`,
      );
    }
    if (target <= this.logStart) return this.logStart;
    try {
      // When everything goes, start a new segment at the high watermark so that the old one can be deleted.
      if (!this.active.isEmpty && this.active.nextOffset <= target) this.roll();
      // persisted first: if it cannot be, the records stay (a DeleteRecords answered with an error deleted nothing)
      this.writeMeta(target);
    } catch (err) {
      throw this.writeFailed(`deleting records of ${this.name} failed`, err);
    }
    this.logStart = target;
    this.dropSegments((seg) => seg.nextOffset <= this.logStart);
    return this.logStart;
  }

  /**
   * Time and size retention over whole sealed segments, oldest first (the active segment is never deleted):
   * a segment goes when its newest record is older than `retentionMs` (its file time when it has no record
   * timestamps), or while the log without it is still at least `retentionBytes`. Negative values disable
   * either rule. Returns how many segments were deleted; the log start offset moves to the first one left.
   */
  applyRetention(now: number, retentionMs: number, retentionBytes: number): number {
    this.checkOpen();
    const sealed = this.segments.length - 1;
    let n = 0;
    if (retentionMs >= 0) {
      while (n < sealed && this.segmentTime(this.segments[n]) < now - retentionMs) n++;
    }
    if (retentionBytes >= 0) {
      let excess = this.sizeBytes - retentionBytes;
      for (let i = 0; i < n; i++) excess -= this.segments[i].size;
      while (n < sealed && excess - this.segments[n].size >= 0) {
        excess -= this.segments[n].size;
        n++;
      }
    }
    if (n === 0) return 0;
    const doomed = new Set(this.segments.slice(0, n));
    this.dropSegments((seg) => doomed.has(seg));
    this.logStart = Math.max(this.logStart, this.segments[0].baseOffset);
    this.writeMeta();
    return n;
  }

  private segmentTime(seg: Segment): number {
    return seg.maxTimestamp >= 0 ? seg.maxTimestamp : seg.mtimeMs();
  }

  /** Deletes leading sealed segments matching `doomed`. */
  private dropSegments(doomed: (seg: Segment) => boolean): void {
    while (this.segments.length > 1 && doomed(this.segments[0])) {
      const seg = this.segments.shift()!;
      seg.delete();
    }
    this.producers.removeBefore(this.logStart);
  }

  // ---------------------------------------------------------------------------------------------- compaction

  get isClosed(): boolean {
    return this.closed;
  }

  /** The segments compaction may rewrite: every one but the active, oldest first (a copy). */
  sealedSegments(): Segment[] {
    return this.segments.slice(0, -1);
  }

  /** the base offset of the active segment: where the sealed part of the log ends */
  get activeBaseOffset(): number {
    return this.active.baseOffset;
  }

  /** Where the dirty part of the log starts: the cleaner's checkpoint, at least the log start offset. */
  get cleanerCheckpoint(): number {
    return Math.max(this.cleanedTo, this.logStart);
  }

  /** Records the end of a clean (persisted with the offsets; a crash before it only makes the next clean redo it). */
  setCleanerCheckpoint(offset: number): void {
    this.checkOpen();
    const previous = this.cleanedTo;
    this.cleanedTo = offset;
    try {
      this.writeMeta();
    } catch (err) {
      this.cleanedTo = previous;
      throw this.writeFailed(`storing the cleaner checkpoint of ${this.name} failed`, err);
    }
  }

  /** A new segment for the cleaner's output, staged `.cleaned` until it is swapped in. */
  createCleanedSegment(baseOffset: number): Segment {
    return Segment.create(this.storage, this.dir, baseOffset, this.segmentOptions, CLEANED);
  }

  /**
   * Replaces `replaced` (contiguous sealed segments, still in the log) with `cleaned` (sealed, at the first
   * one's base offset; null when nothing was kept, which the first segment of the log may not be), crash-safely (segment-swap.ts). Returns false, changing
   * nothing, when the log changed meanwhile (retention, DeleteRecords, deletion): the caller drops its work.
   */
  async replaceSegments(
    replaced: readonly Segment[],
    cleaned: Segment | null,
    pause: (phase: SwapPhase) => void,
  ): Promise<boolean> {
    const inPlace = (): number => {
      const at = this.segments.indexOf(replaced[0]);
      // the first segment is only ever replaced, never removed: the log start offset must not move
      if (this.closed || at < 0 || at + replaced.length > this.segments.length - 1 || (at === 0 && !cleaned)) return -1;
      for (let i = 0; i < replaced.length; i++) if (this.segments[at + i] !== replaced[i]) return -1;
      return at;
    };
    if (replaced.length === 0 || inPlace() < 0) return false;
    const switchOver = (): boolean => {
      const at = inPlace();
      if (at < 0) return false;
      this.segments.splice(at, replaced.length, ...(cleaned ? [cleaned] : []));
      return true;
    };
    try {
      return await swapSegments(this.storage, this.dir, replaced, cleaned, switchOver, pause);
    } catch (err) {
      // a log closed (or deleted) meanwhile: the next start's recovery finishes what is on disk
      if (this.closed) return true;
      throw this.writeFailed(`swapping cleaned segments into ${this.name} failed`, err);
    }
  }

  /**
   * Rolls the active segment when it holds records and is older than `maxAgeMs` (segment.ms, or
   * max.compaction.lag.ms when lower), without waiting for an append: a compacted topic nobody writes to
   * any more still gets its last segment closed, hence cleaned. Returns whether it rolled.
   */
  rollIfOlderThan(now: number, maxAgeMs: number): boolean {
    this.checkOpen();
    const active = this.active;
    if (active.isEmpty || active.rollTimestamp < 0 || now - active.rollTimestamp <= maxAgeMs) return false;
    try {
      this.roll();
    } catch (err) {
      throw this.writeFailed(`rolling ${this.name} failed`, err);
    }
    return true;
  }

  // ---------------------------------------------------------------------------------------------- durability

  /** fsyncs everything appended so far (the owner's fsync policy decides when). */
  flush(): void {
    this.checkOpen();
    try {
      this.syncAll();
    } catch (err) {
      throw this.writeFailed(`flush of ${this.name} failed`, err);
    }
  }

  /** Reports a failed write and returns the error the request gets. */
  private writeFailed(what: string, err: unknown): KafkaError {
    this.health.failed(this.name, err);
    return storageError(what, err);
  }

  private syncAll(): void {
    this.active.flushIndexes();
    let sealedSynced = false;
    for (const seg of this.segments) {
      if (!seg.needsSync) continue;
      seg.sync();
      if (seg.sealed) sealedSynced = true;
    }
    this.unflushed = false;
    if (sealedSynced || this.recoveryPoint < this.active.baseOffset) {
      this.recoveryPoint = this.active.baseOffset;
      this.writeMeta();
    }
  }

  /**
   * Flushes everything, then writes the clean-shutdown marker (holding the producer snapshot) last, so that
   * its presence proves that all the rest reached the disk; closes the files.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.syncAll();
      const snapshot = this.producers.toSnapshot(this.hwm);
      this.storage.writeFileAtomic(path.join(this.dir, CLEAN_SHUTDOWN_FILE), JSON.stringify(snapshot) + '\n');
    } catch (err) {
      // Without the marker the next start recovers this partition as after a crash: nothing is lost (the
      // records are in the OS), only the start is slower. A full disk must not turn a shutdown into a failure.
      this.health.failed(this.name, err);
      this.warn(`${this.name}: closed without the clean-shutdown marker (${(err as Error).message})`);
    }
    for (const seg of this.segments) {
      try {
        seg.close();
      } catch (err) {
        this.warn(`${this.name}: closing segment ${seg.baseOffset}: ${(err as Error).message}`);
      }
    }
  }

  /** Closes without flushing and removes the partition directory (topic deletion). */
  destroy(): void {
    if (!this.closed) for (const seg of this.segments) seg.delete();
    this.closed = true;
    this.storage.removeDir(this.dir);
  }

  private writeMeta(logStartOffset = this.logStart): void {
    const meta: PartitionMeta = { logStartOffset, recoveryPoint: this.recoveryPoint, cleanedTo: this.cleanedTo };
    this.storage.writeFileAtomic(path.join(this.dir, META_FILE), JSON.stringify(meta) + '\n');
  }

  private writeSnapshot(sync: boolean): void {
    const snapshot = this.producers.toSnapshot(this.hwm);
    this.storage.writeFileAtomic(path.join(this.dir, SNAPSHOT_FILE), JSON.stringify(snapshot) + '\n', { sync });
  }

  private readJson(file: string): unknown {
    const buf = this.storage.readFile(path.join(this.dir, file));
    if (!buf) return null;
    try {
      return JSON.parse(buf.toString('utf8'));
    } catch {
      this.warn(`${this.name}: ignoring unreadable ${file}`);
      return null;
    }
  }

  // ---------------------------------------------------------------------------------------------- open

  /** Replays one batch into the producer state; an ABORT marker's index entry goes to `aborts`. */
  private replayBatch(h: BatchHeader, bytes: () => Buffer, aborts: AbortedTxnEntry[]): void {
    if (!isControlBatch(h.attributes)) {
      this.producers.update(h, h.baseOffset);
      return;
    }
    const first = this.producers.endTransaction(h.producerId, h.producerEpoch);
    let type = -1;
    try {
      type = controlTypeOf(bytes());
    } catch {
      // an unreadable marker (a log written elsewhere) aborts nothing
    }
    if (first !== null && type === ControlType.ABORT) aborts.push(this.abortedEntry(h.producerId, first, h.baseOffset));
  }

  private load(): void {
    const { storage, dir } = this;
    const rawMeta = this.readJson(META_FILE) as Partial<PartitionMeta> | null;
    const meta: PartitionMeta = {
      logStartOffset:
        Number.isSafeInteger(rawMeta?.logStartOffset) && rawMeta!.logStartOffset! >= 0 ? rawMeta!.logStartOffset! : 0,
      recoveryPoint: Number.isSafeInteger(rawMeta?.recoveryPoint) ? rawMeta!.recoveryPoint! : 0,
      cleanedTo: Number.isSafeInteger(rawMeta?.cleanedTo) ? rawMeta!.cleanedTo! : 0,
    };
    this.cleanedTo = meta.cleanedTo;
    // The clean-shutdown marker holds the producer snapshot taken at close. Renaming it to the snapshot file
    // both keeps that state and removes the marker: from now on a crash must be seen as one.
    const cleanFile = path.join(dir, CLEAN_SHUTDOWN_FILE);
    const clean = storage.exists(cleanFile);
    const snapshot = this.readJson(clean ? CLEAN_SHUTDOWN_FILE : SNAPSHOT_FILE) as { offset?: number } | null;
    if (clean) {
      storage.rename(cleanFile, path.join(dir, SNAPSHOT_FILE));
      if (this.fsync !== 'never') storage.syncDir(dir);
    }
    const report: RecoveryReport = {
      cleanShutdown: clean,
      scannedSegments: 0,
      truncatedBytes: 0,
      droppedSegments: 0,
      problem: null,
    };
    this._recovery = report;

    // Producer state: the snapshot, then every batch after its offset.
    const replayFrom = this.producers.loadSnapshot(snapshot) ? snapshot!.offset! : 0;
    // ABORT markers met on the way: their index entries are checked once the segments are open
    const aborts: AbortedTxnEntry[] = [];
    const replay: BatchVisitor = (h, bytes) => {
      if (h.producerId >= 0 && h.baseOffset >= replayFrom) this.replayBatch(h, bytes, aborts);
    };

    for (const done of recoverSwaps(storage, dir)) this.warn(`${this.name}: ${done}`);
    const names = storage.list(dir);
    const bases = names
      .map(parseLogFileName)
      .filter((b): b is number => b !== null)
      .sort((a, b) => a - b);
    const known = new Set(bases);
    for (const name of names) {
      const m = /^(\d{20})\.(index|timeindex|txnindex)$/.exec(name);
      if ((m && !known.has(Number(m[1]))) || name.endsWith('.tmp')) storage.remove(path.join(dir, name));
    }

    let cut = false;
    for (let i = 0; i < bases.length; i++) {
      const base = bases[i];
      const prev = this.segments[this.segments.length - 1];
      // After a cut, or when a segment overlaps the previous one (a damaged directory), the rest goes.
      if (cut || (prev && base < prev.nextOffset)) {
        Segment.deleteFiles(storage, dir, base);
        report.droppedSegments++;
        cut = true;
        continue;
      }
      const isLast = i === bases.length - 1;
      let seg: Segment | null = null;
      if (!isLast && (clean || bases[i + 1] <= meta.recoveryPoint)) {
        seg = Segment.loadSealed(storage, dir, base, bases[i + 1], this.segmentOptions);
        if (seg && seg.nextOffset > replayFrom) seg.forEachBatchHeader(replay);
      }
      if (!seg) {
        const r = Segment.recover(storage, dir, base, this.segmentOptions, replay);
        report.scannedSegments++;
        seg = r.segment;
        if (r.truncatedBytes > 0) {
          cut = true;
          report.truncatedBytes += r.truncatedBytes;
          report.problem = `segment ${base}: ${r.problem}`;
          this.warn(
            `${this.name}: truncated ${r.truncatedBytes} bytes of segment ${base} (${r.problem}); later segments are dropped`,
          );
        }
        if (seg.isEmpty && !isLast && !cut) {
          // an empty segment in the middle holds nothing and would hide the next one's base offset
          seg.delete();
          continue;
        }
        if (!isLast && !cut) seg.seal();
      }
      this.segments.push(seg);
    }
    if (report.droppedSegments > 0 && !report.problem) report.problem = 'overlapping segments';

    if (this.segments.length === 0) {
      this.segments.push(Segment.create(storage, dir, meta.logStartOffset, this.segmentOptions));
    } else if (this.active.sealed) {
      // The segments after this one were dropped: it becomes the active one again.
      const base = this.active.baseOffset;
      this.segments.pop()!.close();
      this.segments.push(Segment.recover(storage, dir, base, this.segmentOptions).segment);
    }
    this.hwm = this.active.nextOffset;
    this.logStart = Math.max(meta.logStartOffset, this.segments[0].baseOffset);
    this.recoveryPoint = Math.min(meta.recoveryPoint, this.active.baseOffset);

    if (this.logStart > this.hwm) {
      // Records below the persisted log start were lost (a crash cut the log): restart empty at the log start,
      // offsets must never go back.
      this.warn(
        `${this.name}: log ends at ${this.hwm}, below its log start offset ${this.logStart}; starting empty there`,
      );
      for (const seg of this.segments) seg.delete();
      this.segments = [Segment.create(storage, dir, this.logStart, this.segmentOptions)];
      this.hwm = this.logStart;
    }
    if (replayFrom > this.hwm) {
      // The snapshot is newer than the log (which was cut): rebuild the state from the batches alone.
      this.producers.clear();
      aborts.length = 0;
      for (const seg of this.segments) {
        seg.forEachBatchHeader((h, bytes) => {
          if (h.producerId >= 0) this.replayBatch(h, bytes, aborts);
        });
      }
    }
    // The aborted-transaction indexes: none may name a marker the log lost, none may miss a marker it has.
    if (report.truncatedBytes > 0) this.active.txnIndex().truncateFrom(this.hwm);
    for (const e of aborts) {
      if (e.lastOffset >= this.logStart && e.lastOffset < this.hwm)
        this.segments[this.segmentIndexFor(e.lastOffset)].txnIndex().ensure(e);
    }
    this.producers.removeBefore(this.logStart);
    // Written only when it changed: a new partition needs no file (and no fsync) until its offsets move.
    const stored = rawMeta ?? { logStartOffset: 0, recoveryPoint: 0 };
    if (stored.logStartOffset !== this.logStart || stored.recoveryPoint !== this.recoveryPoint) this.writeMeta();
  }
}
