// The broker's log cleaner (Kafka's LogCleaner thread and LogCleanerManager's choice of log): every
// `intervalMs` it rolls the active segments of compacted partitions that are older than their max segment
// age (so that a topic nobody writes to any more still gets cleaned), then cleans, one at a time, the
// partitions worth it: a dirty ratio of at least min.cleanable.dirty.ratio, records older than
// max.compaction.lag.ms not yet cleaned, or tombstones whose delete horizon passed. The filthiest goes first.
// One clean runs at a time, in slices (cleaner.ts), beside produce and fetch.

import { cleanability, cleanLog, Pacer, scanTransactions, type CleanStats } from './cleaner.js';
import type { PartitionLog } from './partition-log.js';
import type { SwapPhase } from './segment-swap.js';
import type { TopicConfig } from './topic-config.js';
import { maxSegmentMs } from './topic-config.js';

export interface CompactedPartition {
  log: PartitionLog;
  config: TopicConfig;
}

export interface LogCleanerOptions {
  /** the compacted partitions, asked at each pass */
  partitions: () => Iterable<CompactedPartition>;
  now: () => number;
  /** how often a pass runs (ms); 0: only when asked (cleanNow) */
  intervalMs: number;
  /** the offset map's budget (bytes) */
  maxMapBytes?: number;
  /** the longest the cleaner keeps the event loop at a time (ms) */
  sliceMs?: number;
  warn: (message: string) => void;
  onSwapPhase?: (phase: SwapPhase, partition: string) => void;
}

/** Kafka's log.cleaner.dedupe.buffer.size */
const DEFAULT_MAP_BYTES = 128 * 1024 * 1024;
const DEFAULT_SLICE_MS = 5;

export class LogCleaner {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<CleanStats[]> | null = null;
  private stopped = false;
  /** per log, the earliest delete horizon of its kept tombstones (unknown until scanned after a start) */
  private horizons = new WeakMap<PartitionLog, number | null>();
  /** every clean done, most recent last (the last 100) */
  readonly history: CleanStats[] = [];

  constructor(private readonly options: LogCleanerOptions) {
    if (options.intervalMs > 0) {
      this.timer = setInterval(() => void this.pass(false), options.intervalMs);
      this.timer.unref();
    }
  }

  /**
   * Cleans every compacted partition that has something to clean, whatever its dirty ratio (tests, benches,
   * operators); waits for a pass already running first.
   */
  async cleanNow(): Promise<CleanStats[]> {
    while (this.running) await this.running;
    return this.pass(true);
  }

  /** Stops the timer; a clean in progress stops at its next slice (its logs are closed). */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private pass(all: boolean): Promise<CleanStats[]> {
    if (this.running) return this.running;
    const run = this.run(all).finally(() => (this.running = null));
    this.running = run;
    return run;
  }

  private async run(all: boolean): Promise<CleanStats[]> {
    const done: CleanStats[] = [];
    const pacer = new Pacer(this.options.sliceMs ?? DEFAULT_SLICE_MS);
    const now = this.options.now();
    const candidates: Array<{ p: CompactedPartition; ratio: number }> = [];
    for (const p of this.options.partitions()) {
      if (this.stopped) return done;
      if (p.log.isClosed) continue;
      try {
        p.log.rollIfOlderThan(now, maxSegmentMs(p.config));
        const state = cleanability(p.log, p.config, now);
        const lagged = state.firstDirtyTimestamp >= 0 && state.firstDirtyTimestamp < now - p.config.maxCompactionLagMs;
        const dirty = state.firstDirty < state.firstUncleanable && state.dirtyBytes > 0;
        const due = dirty && (all || lagged || state.dirtyRatio >= p.config.minCleanableDirtyRatio);
        if (due || (await this.horizonDue(p.log, now, pacer))) candidates.push({ p, ratio: state.dirtyRatio });
      } catch (err) {
        this.options.warn(`log cleaner: ${p.log.name}: ${(err as Error).message}`);
      }
    }
    candidates.sort((a, b) => b.ratio - a.ratio);
    for (const { p } of candidates) {
      if (this.stopped) break;
      try {
        const stats = await cleanLog(
          p.log,
          {
            deleteRetentionMs: p.config.deleteRetentionMs,
            minCompactionLagMs: p.config.minCompactionLagMs,
            segmentBytes: p.config.segmentBytes,
          },
          now,
          { maxMapBytes: this.options.maxMapBytes ?? DEFAULT_MAP_BYTES, pacer, onSwapPhase: this.options.onSwapPhase },
        );
        if (!stats) continue;
        if (!stats.abandoned) this.horizons.set(p.log, stats.nextDeleteHorizon);
        done.push(stats);
        this.history.push(stats);
        if (this.history.length > 100) this.history.shift();
      } catch (err) {
        if (!p.log.isClosed) this.options.warn(`log cleaner: ${p.log.name}: ${(err as Error).message}`);
      }
    }
    return done;
  }

  /** Whether tombstones of the log passed their delete horizon (scanned once per log after a start). */
  private async horizonDue(log: PartitionLog, now: number, pacer: Pacer): Promise<boolean> {
    if (!this.horizons.has(log)) {
      const scan = await scanTransactions(log, log.sealedSegments(), pacer);
      if (!scan) return false;
      this.horizons.set(log, scan.earliestHorizon);
    }
    const horizon = this.horizons.get(log);
    return horizon !== null && horizon !== undefined && horizon <= now;
  }
}
