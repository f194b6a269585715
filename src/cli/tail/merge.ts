// Merging the partitions of a bounded read into one stream in timestamp order (ties: the order the
// partitions were listed in, then offset). A record is only let out once every partition that is not
// finished has a record buffered, since any of them could hold an earlier one. Partitions with plenty
// buffered are paused at the reader so that memory stays bounded while a slower one catches up.

import type { ConsumedRecord } from '../../client/records.js';
import type { PartitionReader } from '../../client/wire/reader.js';

class Lane {
  records: ConsumedRecord[] = [];
  idx = 0;
  done = false;
  paused = false;
  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly order: number,
  ) {}
  get size(): number {
    return this.records.length - this.idx;
  }
  head(): ConsumedRecord {
    return this.records[this.idx];
  }
  compact(): void {
    if (this.idx === 0) return;
    if (this.idx >= this.records.length) this.records = [];
    else this.records = this.records.slice(this.idx);
    this.idx = 0;
  }
}

/** a before b */
function earlier(a: Lane, b: Lane): boolean {
  const ta = a.head().timestamp;
  const tb = b.head().timestamp;
  return ta < tb || (ta === tb && a.order < b.order);
}

class LaneHeap {
  private items: Lane[] = [];
  get size(): number {
    return this.items.length;
  }
  peek(): Lane | undefined {
    return this.items[0];
  }
  push(l: Lane): void {
    const a = this.items;
    a.push(l);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!earlier(a[i], a[p])) break;
      [a[i], a[p]] = [a[p], a[i]];
      i = p;
    }
  }
  pop(): Lane | undefined {
    const a = this.items;
    if (a.length === 0) return undefined;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && earlier(a[l], a[m])) m = l;
        if (r < a.length && earlier(a[r], a[m])) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return top;
  }
}

export interface MergeOptions {
  /** pause a partition with this many records buffered (default 20,000), resume below a quarter of it */
  highWater?: number;
  /** called with every chunk's records as read (before merging), e.g. for progress */
  onRead?: (count: number) => void;
}

/** The reader's records in timestamp order, as runs (arrays) of records. */
export async function* mergeByTimestamp(
  reader: PartitionReader,
  partitions: { topic: string; partition: number }[],
  options: MergeOptions = {},
): AsyncGenerator<ConsumedRecord[]> {
  const high = options.highWater ?? 20_000;
  const low = high >> 2;
  const lanes = new Map<string, Lane>();
  partitions.forEach((p, i) => lanes.set(`${p.topic}\u0000${p.partition}`, new Lane(p.topic, p.partition, i)));
  const all = [...lanes.values()];
  for (;;) {
    // fill until no unfinished partition is empty
    while (all.some((l) => !l.done && l.size === 0)) {
      const chunk = await reader.next();
      if (!chunk) {
        for (const l of all) l.done = true;
        break;
      }
      const lane = lanes.get(`${chunk.topic}\u0000${chunk.partition}`);
      if (!lane) continue;
      options.onRead?.(chunk.records.length);
      if (chunk.records.length > 0) {
        if (lane.size === 0) {
          lane.records = chunk.records;
          lane.idx = 0;
        } else {
          for (const r of chunk.records) lane.records.push(r);
        }
      }
      if (chunk.done) lane.done = true;
      if (!lane.paused && !lane.done && lane.size >= high) {
        lane.paused = true;
        reader.pause(lane.topic, lane.partition);
      }
    }
    const heap = new LaneHeap();
    for (const l of all) if (l.size > 0) heap.push(l);
    if (heap.size === 0) return;
    const out: ConsumedRecord[] = [];
    for (;;) {
      const lane = heap.pop();
      if (!lane) break;
      const next = heap.peek();
      // emit a run from this lane while it stays ahead of the next best
      do {
        out.push(lane.records[lane.idx++]);
      } while (lane.size > 0 && (!next || !earlier(next, lane)));
      if (lane.size > 0) heap.push(lane);
      else if (!lane.done) break; // it must be refilled before anything else can go
    }
    for (const l of all) {
      if (l.idx > 0) l.compact();
      if (l.paused && l.size < low) {
        l.paused = false;
        reader.resume(l.topic, l.partition);
      }
    }
    if (out.length > 0) yield out;
  }
}
