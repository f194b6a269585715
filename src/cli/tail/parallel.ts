// Large bounded reads on several cores: the main thread fetches (PartitionReader.nextRaw) and hands each
// fetched record set to a pool of worker threads (format-worker.ts) that decode, filter and format it; the
// main thread then merges the formatted records of the partitions in timestamp order (ties: partition order)
// and writes them, copying each run of one partition's consecutive records in one go. The bytes are those
// the single-threaded path would print (the same LineFormatter makes them).

import fs from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { PartitionReader, RawChunk, SkippedBatch } from '../../client/wire/reader.js';
import { WireError } from '../../client/wire/errors.js';
import type { ValueFormat } from '../../codec/value-codec.js';
import type { FilterOptions } from '../record-filter.js';
import type { OutputMode } from './line-format.js';
import type { RecordOutput } from './output.js';
import type { Stopper } from './stopper.js';

export interface WorkerSetup {
  /** how many workers (default: the cores, at most 4) */
  count?: number;
  mode: OutputMode;
  valueFormat: ValueFormat;
  schemaFile?: string;
  /** --message: the Protobuf message of --value-format protobuf */
  message?: string;
  filter: FilterOptions;
}

interface Formatted {
  decoded: number;
  count: number;
  timestamps: Float64Array;
  ends: Int32Array;
  bytes: Uint8Array;
}

interface Reply extends Formatted {
  id: number;
  error?: string;
  skipped: SkippedBatch[];
  /** the schema id of a printed value in the registry wire format (workers have no registry to decode it) */
  wire?: number;
  topic?: string;
}

export class FormatPool {
  private next = 0;
  private ids = 0;
  private pending = new Map<number, { resolve: (f: Formatted) => void; reject: (e: Error) => void }>();
  private failure: Error | null = null;

  private constructor(
    private readonly workers: Worker[],
    private readonly onSkipped: (s: SkippedBatch) => void,
    private readonly onWireFormat?: (topic: string, schemaId: number) => void,
  ) {
    for (const w of workers) {
      w.on('message', (m: Reply) => {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        for (const s of m.skipped ?? []) this.onSkipped(s);
        if (m.wire !== undefined && m.topic !== undefined) this.onWireFormat?.(m.topic, m.wire);
        if (m.error !== undefined) p.reject(new WireError(m.error, 'protocol'));
        else p.resolve(m);
      });
      w.on('error', (err) => this.fail(err));
      w.on('exit', (code) => code !== 0 && this.fail(new Error(`a formatting worker stopped with code ${code}`)));
    }
  }

  /** A pool of formatting workers, or null where workers cannot run (running from sources, one core). */
  static start(
    setup: WorkerSetup,
    onSkipped: (s: SkippedBatch) => void,
    onWireFormat?: (topic: string, schemaId: number) => void,
  ): FormatPool | null {
    const size = setup.count ?? Math.min(4, availableParallelism());
    const url = new URL('./format-worker.js', import.meta.url);
    if (size < 1 || url.protocol !== 'file:' || !fs.existsSync(fileURLToPath(url))) return null;
    const workers = Array.from({ length: size }, () => new Worker(url, { workerData: setup }));
    return new FormatPool(workers, onSkipped, onWireFormat);
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  get size(): number {
    return this.workers.length;
  }

  format(raw: RawChunk): Promise<Formatted> {
    if (this.failure) return Promise.reject(this.failure);
    const id = ++this.ids;
    // the fetched bytes are a view of a larger network buffer: copied into their own, which is handed over
    const data = new Uint8Array(raw.data!.length);
    data.set(raw.data!);
    const worker = this.workers[this.next++ % this.workers.length];
    return new Promise<Formatted>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, topic: raw.topic, partition: raw.partition, data, from: raw.from, until: raw.until }, [
        data.buffer,
      ]);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

const PER_LANE = 3;

class Lane {
  queue: Promise<Formatted>[] = [];
  cur: Formatted | null = null;
  idx = 0;
  /** no more record sets will come for it */
  ended = false;
  finished = false;
  paused = false;
  private wake: (() => void) | null = null;
  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly order: number,
  ) {}
  get remaining(): number {
    return this.cur ? this.cur.count - this.idx : 0;
  }
  signal(): Promise<void> {
    return new Promise((r) => (this.wake = r));
  }
  notify(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }
}

export interface ParallelOptions {
  /** stop after printing this many records */
  limit: number;
  onRead?: (decoded: number) => void;
}

/** Reads the reader's bounded ranges with the pool and prints them merged; returns how many were printed. */
export async function printMergedInParallel(
  reader: PartitionReader,
  partitions: { topic: string; partition: number }[],
  pool: FormatPool,
  out: RecordOutput,
  stopper: Stopper,
  options: ParallelOptions,
): Promise<number> {
  const lanes = partitions.map((p, i) => new Lane(p.topic, p.partition, i));
  const byKey = new Map(lanes.map((l) => [`${l.topic}\u0000${l.partition}`, l]));
  let feedError = null as Error | null; // set by the feed: not narrowed to null here
  let stopFeeding = false;

  // the feeder: fetched record sets go to the pool as they come; long lanes are paused at the reader
  const feeder = (async () => {
    for (;;) {
      if (stopFeeding) return;
      const raw = await stopper.race(reader.nextRaw());
      if (raw === null) break;
      const lane = byKey.get(`${raw.topic}\u0000${raw.partition}`);
      if (!lane) continue;
      if (raw.data && raw.data.length > 0) {
        const job = pool.format(raw);
        job.catch(() => {});
        lane.queue.push(job);
      }
      if (raw.done) lane.ended = true;
      if (!lane.paused && !lane.ended && lane.queue.length >= PER_LANE) {
        lane.paused = true;
        reader.pause(lane.topic, lane.partition);
      }
      lane.notify();
    }
    for (const l of lanes) {
      l.ended = true;
      l.notify();
    }
  })().catch((err: Error) => {
    feedError = err;
    for (const l of lanes) l.notify();
  });

  let printed = 0;
  try {
    for (;;) {
      // every lane that is not finished needs records at its head
      for (const lane of lanes) {
        while (!lane.finished && lane.remaining === 0) {
          if (feedError) throw feedError;
          const job = lane.queue.shift();
          if (job) {
            const f = await stopper.race(job);
            if (f === null) return printed;
            options.onRead?.(f.decoded);
            lane.cur = f;
            lane.idx = 0;
            if (lane.paused && lane.queue.length < PER_LANE) {
              lane.paused = false;
              reader.resume(lane.topic, lane.partition);
            }
            continue;
          }
          if (lane.ended) {
            lane.finished = true;
            break;
          }
          await stopper.race(lane.signal());
          if (stopper.reason) return printed;
        }
      }
      if (lanes.every((l) => l.finished)) return printed;
      // print runs in timestamp order until an unfinished lane runs dry
      for (;;) {
        let best: Lane | null = null;
        let second: Lane | null = null;
        let starved = false;
        for (const l of lanes) {
          if (l.remaining === 0) {
            if (!l.finished) starved = true;
            continue;
          }
          if (!best || earlier(l, best)) {
            second = best;
            best = l;
          } else if (!second || earlier(l, second)) second = l;
        }
        if (starved || !best) break;
        const cur = best.cur!;
        const startIdx = best.idx;
        let i = startIdx;
        if (second) {
          const limitTs = second.cur!.timestamps[second.idx];
          const tieOk = best.order < second.order;
          while (i < cur.count && (cur.timestamps[i] < limitTs || (tieOk && cur.timestamps[i] === limitTs))) i++;
        } else i = cur.count;
        if (i === startIdx) i++;
        let n = i - startIdx;
        if (printed + n > options.limit) n = options.limit - printed;
        const start = startIdx === 0 ? 0 : cur.ends[startIdx - 1];
        out.printFormatted(cur.bytes, start, cur.ends[startIdx + n - 1], n);
        best.idx = startIdx + n;
        printed += n;
        if (printed >= options.limit || out.closed) return printed;
      }
      await out.pace();
    }
  } finally {
    stopFeeding = true;
    reader.close();
    await feeder;
  }
}

function earlier(a: Lane, b: Lane): boolean {
  const ta = a.cur!.timestamps[a.idx];
  const tb = b.cur!.timestamps[b.idx];
  return ta < tb || (ta === tb && a.order < b.order);
}
