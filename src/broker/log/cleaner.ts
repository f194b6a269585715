// Compaction of one partition log, Kafka's Cleaner (LogCleaner.scala) in its rules:
//
// - Only sealed segments are touched, never the active one. The dirty part starts at the cleaner checkpoint
//   and ends at the first uncleanable offset: the active segment, the first segment holding records younger
//   than min.compaction.lag.ms, or the first offset of a transaction still open (the last stable offset).
// - A map of key -> latest offset is built over the dirty part (OffsetMap; when it is full the clean stops
//   there). Then every sealed segment from the log start to the end of that part is copied, in groups of at
//   most segment.bytes, keeping a record when its key has no later record in the dirty part. Offsets never
//   change: batches keep their base offset and last offset delta (batch-filter.ts), gaps appear.
// - Records without a key are dropped (compacted topics refuse them on produce; older ones are invalid).
// - Tombstones (null values) are kept by the clean that first sees them, which stamps the batch with a delete
//   horizon of now + delete.retention.ms; a later clean past the horizon removes them.
// - Transactions: records of aborted transactions are removed; control batches (commit and abort markers) are
//   kept as they are (Kafka removes a marker once its transaction's records are gone and its horizon passed:
//   not done here). The transactions come from the log itself (a header pass pairing each producer's
//   transactional batches with the marker that ends them), so the cleaner needs no index of its own.
// - Each group's output goes to `.cleaned` files and is swapped in crash-safely (segment-swap.ts); the
//   checkpoint moves to the end of the dirty part once every group is in.
//
// The work is cut into slices (Pacer): between two slices the event loop serves produce and fetch, so a
// large clean never stalls them. The log may change meanwhile (appends, rolls, retention, deletion):
// replaceSegments refuses a group whose segments are no longer in place, and the clean stops there.

import { performance } from 'node:perf_hooks';
import {
  BATCH_HEADER_SIZE,
  isControlBatch,
  isTransactionalBatch,
  readBatchHeader,
  type BatchHeader,
} from '../../protocol/records/batch-layout.js';
import { recordSpans, recordsPayload, type RecordSpan } from '../../protocol/records/decode.js';
import { isAbortMarker } from '../../protocol/records/transactions.js';
import { deleteHorizonOf, rebuildBatch } from './batch-filter.js';
import { OffsetMap, keyOf } from './offset-map.js';
import type { PartitionLog } from './partition-log.js';
import type { Segment } from './segment.js';
import type { SwapPhase } from './segment-swap.js';

const INT32_MAX = 0x7fffffff;

export interface CleanRules {
  /** delete.retention.ms */
  deleteRetentionMs: number;
  /** min.compaction.lag.ms */
  minCompactionLagMs: number;
  /** segment.bytes: the largest cleaned segment */
  segmentBytes: number;
}

export interface CleanOptions {
  /** the offset map's budget (bytes); Kafka's log.cleaner.dedupe.buffer.size is 128 MiB */
  maxMapBytes: number;
  /** gives the event loop back this often (ms) */
  pacer: Pacer;
  /** between the steps of each segment swap (a test's pause point) */
  onSwapPhase?: (phase: SwapPhase, partition: string) => void;
}

export interface CleanStats {
  partition: string;
  /** the dirty part cleaned: [firstDirty, endOffset) */
  firstDirty: number;
  endOffset: number;
  segmentsBefore: number;
  segmentsAfter: number;
  bytesRead: number;
  bytesWritten: number;
  recordsRead: number;
  recordsKept: number;
  durationMs: number;
  /** the earliest delete horizon of the tombstones kept, or null when none is */
  nextDeleteHorizon: number | null;
  /** why the clean stopped before its end (the log changed or closed), or null */
  abandoned: string | null;
}

/** Where compaction stands on a log: what a scheduler judges it by. */
export interface Cleanability {
  firstDirty: number;
  /** the first offset that may not be cleaned yet */
  firstUncleanable: number;
  cleanBytes: number;
  dirtyBytes: number;
  /** dirty / (clean + dirty) of the sealed part, 0 when it is empty */
  dirtyRatio: number;
  /** the max timestamp of the first dirty segment (-1 when none): max.compaction.lag.ms judges by it */
  firstDirtyTimestamp: number;
}

/** Cuts long work into slices: `tick()` yields to the event loop once `sliceMs` have passed. */
export class Pacer {
  private start = performance.now();
  constructor(private readonly sliceMs: number) {}

  async tick(): Promise<void> {
    if (performance.now() - this.start < this.sliceMs) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.start = performance.now();
  }
}

/** How much of the sealed part is dirty, and up to where it may be cleaned (without the transaction bound). */
export function cleanability(
  log: PartitionLog,
  rules: Pick<CleanRules, 'minCompactionLagMs'>,
  now: number,
): Cleanability {
  const sealed = log.sealedSegments();
  const firstDirty = log.cleanerCheckpoint;
  let firstUncleanable = log.activeBaseOffset;
  let cleanBytes = 0;
  let dirtyBytes = 0;
  let firstDirtyTimestamp = -1;
  for (const seg of sealed) {
    if (seg.nextOffset <= firstDirty) {
      cleanBytes += seg.size;
      continue;
    }
    if (seg.baseOffset >= firstUncleanable) break;
    if (rules.minCompactionLagMs > 0 && seg.maxTimestamp > now - rules.minCompactionLagMs) {
      firstUncleanable = Math.max(seg.baseOffset, firstDirty);
      break;
    }
    if (firstDirtyTimestamp < 0) firstDirtyTimestamp = seg.maxTimestamp;
    dirtyBytes += seg.size;
  }
  const total = cleanBytes + dirtyBytes;
  return {
    firstDirty,
    firstUncleanable,
    cleanBytes,
    dirtyBytes,
    dirtyRatio: total > 0 ? dirtyBytes / total : 0,
    firstDirtyTimestamp,
  };
}

interface Transactions {
  /** per producer, the [first, last] offsets of its aborted transactions */
  aborted: Map<number, Array<[number, number]>>;
  /** the first offset of the earliest transaction without a marker in the sealed part, or null */
  firstOpen: number | null;
  /** the earliest delete horizon of any batch, or null */
  earliestHorizon: number | null;
}

/** Calls `visit` with every batch header of `segments` (one small read each, paced). */
async function forEachHeader(
  segments: readonly Segment[],
  pacer: Pacer,
  isClosed: () => boolean,
  visit: (h: BatchHeader, seg: Segment, position: number, size: number) => void,
): Promise<boolean> {
  for (const seg of segments) {
    const batches = await seg.batchesPaced(() => pacer.tick());
    for (let i = 0; i < batches.length; i++) {
      await pacer.tick();
      if (isClosed()) return false;
      const position = batches.position(i);
      visit(readBatchHeader(seg.read(position, BATCH_HEADER_SIZE)), seg, position, batches.size(i));
    }
  }
  return true;
}

/** One pass over the headers: the aborted and open transactions, and the earliest delete horizon. */
export async function scanTransactions(
  log: PartitionLog,
  segments: readonly Segment[],
  pacer: Pacer,
): Promise<Transactions | null> {
  const aborted = new Map<number, Array<[number, number]>>();
  const open = new Map<number, number>();
  let earliestHorizon: number | null = null;
  const whole = await forEachHeader(
    segments,
    pacer,
    () => log.isClosed,
    (h, seg, position, size) => {
      const horizon = deleteHorizonOf(h);
      if (horizon !== null && (earliestHorizon === null || horizon < earliestHorizon)) earliestHorizon = horizon;
      if (!isTransactionalBatch(h.attributes)) return;
      if (!isControlBatch(h.attributes)) {
        if (!open.has(h.producerId)) open.set(h.producerId, h.baseOffset);
        return;
      }
      const first = open.get(h.producerId);
      open.delete(h.producerId);
      if (first === undefined || !isAbortMarker(seg.read(position, size))) return;
      let list = aborted.get(h.producerId);
      if (!list) aborted.set(h.producerId, (list = []));
      list.push([first, h.baseOffset]);
    },
  );
  if (!whole) return null;
  const firstOpen = open.size > 0 ? Math.min(...open.values()) : null;
  return { aborted, firstOpen, earliestHorizon };
}

function isAborted(txns: Transactions, h: BatchHeader): boolean {
  if (!isTransactionalBatch(h.attributes)) return false;
  const ranges = txns.aborted.get(h.producerId);
  return !!ranges && ranges.some(([first, last]) => h.baseOffset >= first && h.baseOffset <= last);
}

/** The batches of `seg` (whole, with their headers), paced. */
async function* batchesOf(seg: Segment, pacer: Pacer): AsyncGenerator<{ bytes: Buffer; h: BatchHeader }> {
  const batches = await seg.batchesPaced(() => pacer.tick());
  for (let i = 0; i < batches.length; i++) {
    await pacer.tick();
    const bytes = seg.read(batches.position(i), batches.size(i));
    yield { bytes, h: readBatchHeader(bytes) };
  }
}

/** Groups of consecutive segments whose sizes add up to at most `maxBytes` (Kafka's groupSegmentsBySize). */
function groupBySize(segments: readonly Segment[], maxBytes: number): Segment[][] {
  const groups: Segment[][] = [];
  let current: Segment[] = [];
  let bytes = 0;
  for (const seg of segments) {
    const span = seg.nextOffset - (current[0]?.baseOffset ?? seg.baseOffset);
    if (current.length > 0 && (bytes + seg.size > maxBytes || span > INT32_MAX)) {
      groups.push(current);
      current = [];
      bytes = 0;
    }
    current.push(seg);
    bytes += seg.size;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/**
 * Cleans the log once if it has a dirty part (see the top of this file); null when there is nothing to clean.
 * Never throws for a log that changed or closed meanwhile (the stats say `abandoned`); throws a KafkaError
 * when a write fails (the partition's files are then as before the failed group).
 */
export async function cleanLog(
  log: PartitionLog,
  rules: CleanRules,
  now: number,
  options: CleanOptions,
): Promise<CleanStats | null> {
  const started = performance.now();
  const { pacer } = options;
  const sealed = log.sealedSegments();
  const state = cleanability(log, rules, now);
  const txns = await scanTransactions(log, sealed, pacer);
  if (!txns) return null;
  const bound = Math.min(state.firstUncleanable, txns.firstOpen ?? Infinity);
  const firstDirty = state.firstDirty;
  const stats: CleanStats = {
    partition: log.name,
    firstDirty,
    endOffset: firstDirty,
    segmentsBefore: sealed.length,
    segmentsAfter: sealed.length,
    bytesRead: 0,
    bytesWritten: 0,
    recordsRead: 0,
    recordsKept: 0,
    durationMs: 0,
    nextDeleteHorizon: null,
    abandoned: null,
  };
  // a horizon that passed needs a clean even without dirty records: the tombstones it guards are due
  const horizonDue = txns.earliestHorizon !== null && txns.earliestHorizon <= now;
  if (firstDirty >= bound && !horizonDue) return null;

  // 1. the latest offset of each key of the dirty part
  const map = new OffsetMap(options.maxMapBytes);
  let endOffset = Math.max(firstDirty, bound);
  if (firstDirty < bound) {
    endOffset = bound;
    mapping: for (const seg of sealed) {
      if (seg.nextOffset <= firstDirty) continue;
      if (seg.baseOffset >= bound) break;
      for await (const { bytes, h } of batchesOf(seg, pacer)) {
        if (log.isClosed) return abandon(stats, 'the log was closed', started);
        if (h.baseOffset + h.lastOffsetDelta < firstDirty || isControlBatch(h.attributes) || isAborted(txns, h))
          continue;
        if (h.baseOffset >= bound) break;
        const payload = recordsPayload(bytes, h.attributes);
        for (const r of recordSpans(payload, h.recordsCount)) {
          const offset = h.baseOffset + r.offsetDelta;
          if (offset < firstDirty || r.keyLength < 0) continue;
          if (offset >= bound) break;
          if (!map.put(keyOf(payload, r.keyStart, r.keyLength), offset)) {
            endOffset = offset; // the map is full: this clean ends here, the next one goes on
            break mapping;
          }
        }
      }
    }
  } else {
    endOffset = firstDirty; // only tombstones whose horizon passed: recopy the clean part
  }
  stats.endOffset = endOffset;

  // 2. copy the segments up to the end of the dirty part, group by group
  const toClean = sealed.filter((s) => s.baseOffset < endOffset);
  let horizon: number | null = null;
  let segmentsAfter = sealed.length;
  // Groups that kept nothing go with the next group's output, which then starts at their base offset: the log
  // start offset never moves (a reader there goes on at the next kept offset, as in Kafka).
  let carried: Segment[] = [];
  const swap = async (replaced: Segment[], cleaned: Segment | null): Promise<boolean> => {
    if (!(await log.replaceSegments(replaced, cleaned, (phase) => options.onSwapPhase?.(phase, log.name))))
      return false;
    segmentsAfter -= replaced.length - (cleaned ? 1 : 0);
    return true;
  };
  for (const group of groupBySize(toClean, rules.segmentBytes)) {
    if (log.isClosed) return abandon(stats, 'the log was closed', started);
    const replaced = [...carried, ...group];
    const out = log.createCleanedSegment(replaced[0].baseOffset);
    try {
      for (const seg of group) {
        for await (const { bytes, h } of batchesOf(seg, pacer)) {
          if (log.isClosed) throw new Abandoned('the log was closed');
          stats.bytesRead += bytes.length;
          const kept = await filter(bytes, h, { map, endOffset, txns, now, rules, stats });
          if (!kept) continue;
          const kh = readBatchHeader(kept);
          const keptHorizon = deleteHorizonOf(kh);
          if (keptHorizon !== null && (horizon === null || keptHorizon < horizon)) horizon = keptHorizon;
          out.append(kept, kh.baseOffset, kh.baseOffset + kh.lastOffsetDelta, kh.maxTimestamp, now);
          stats.bytesWritten += kept.length;
        }
      }
      out.seal();
    } catch (err) {
      out.delete(); // nothing was swapped: the originals are all there
      if (err instanceof Abandoned) return abandon(stats, err.message, started);
      throw err;
    }
    if (out.isEmpty) {
      out.delete();
      carried = replaced;
      continue;
    }
    carried = [];
    // A failure inside the swap leaves its files for the next start's recovery to complete or discard.
    if (!(await swap(replaced, out))) {
      out.delete();
      return abandon(stats, 'the log changed', started);
    }
  }
  // Trailing groups that kept nothing: deleted when a kept segment precedes them; at the log start they stay
  // (superseded records, not wrong ones) until a later clean has something to put there.
  if (carried.length > 0 && log.sealedSegments()[0] !== carried[0] && !(await swap(carried, null)))
    return abandon(stats, 'the log changed', started);
  if (endOffset > log.cleanerCheckpoint) log.setCleanerCheckpoint(endOffset);
  stats.segmentsAfter = segmentsAfter;
  stats.nextDeleteHorizon = horizon;
  stats.durationMs = performance.now() - started;
  return stats;
}

class Abandoned extends Error {}

function abandon(stats: CleanStats, why: string, started: number): CleanStats {
  stats.abandoned = why;
  stats.durationMs = performance.now() - started;
  return stats;
}

interface FilterContext {
  map: OffsetMap;
  endOffset: number;
  txns: Transactions;
  now: number;
  rules: CleanRules;
  stats: CleanStats;
}

/** The batch as the clean keeps it: the same bytes, fewer records, or null when nothing is left. */
async function filter(bytes: Buffer, h: BatchHeader, c: FilterContext): Promise<Buffer | null> {
  if (isControlBatch(h.attributes)) return bytes; // markers are kept (see the top of this file)
  if (isAborted(c.txns, h)) {
    c.stats.recordsRead += h.recordsCount;
    return null;
  }
  const payload = recordsPayload(bytes, h.attributes);
  const spans = recordSpans(payload, h.recordsCount);
  const horizon = deleteHorizonOf(h);
  const kept: RecordSpan[] = [];
  let needsHorizon = false;
  for (const r of spans) {
    const offset = h.baseOffset + r.offsetDelta;
    if (offset >= c.endOffset) {
      kept.push(r);
      continue;
    }
    if (r.keyLength < 0 || c.map.get(keyOf(payload, r.keyStart, r.keyLength)) > offset) continue;
    if (r.nullValue) {
      if (horizon !== null && c.now >= horizon) continue;
      if (horizon === null) needsHorizon = true;
    }
    kept.push(r);
  }
  c.stats.recordsRead += spans.length;
  c.stats.recordsKept += kept.length;
  if (kept.length === 0) return null;
  if (kept.length === spans.length && !needsHorizon) return bytes;
  return rebuildBatch(bytes, h, payload, kept, needsHorizon ? c.now + c.rules.deleteRetentionMs : null);
}
