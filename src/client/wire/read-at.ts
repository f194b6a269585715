// Reading records at known positions (what an index gives): the offsets of each partition are read as short
// ranges (offsets close together share one read; far-apart ones get their own), every partition's range of a
// round in one reader, and only the records at the asked offsets are kept.

import type { ConsumedRecord } from '../records.js';
import type { Cluster } from './cluster.js';
import { PartitionReader, type ReadRange } from './reader.js';

export interface RecordPosition {
  topic: string;
  partition: number;
  offset: number;
}

/** Offsets closer than this are read as one range: cheaper than another round trip. */
const GAP = 2000;

export async function readRecordsAt(cluster: Cluster, positions: readonly RecordPosition[]): Promise<ConsumedRecord[]> {
  const byPartition = new Map<string, RecordPosition[]>();
  for (const p of positions) {
    const k = `${p.topic}\u0000${p.partition}`;
    const list = byPartition.get(k) ?? [];
    list.push(p);
    byPartition.set(k, list);
  }
  // per partition, its offsets as ranges [first, last + 1) of offsets less than GAP apart
  const rangesOf = [...byPartition.values()].map((list) => {
    const offsets = [...new Set(list.map((p) => p.offset))].sort((a, b) => a - b);
    const ranges: ReadRange[] = [];
    for (const o of offsets) {
      const last = ranges[ranges.length - 1];
      if (last && o - last.until! < GAP) last.until = o + 1;
      else ranges.push({ topic: list[0].topic, partition: list[0].partition, from: o, until: o + 1 });
    }
    return ranges;
  });
  const wanted = new Set(positions.map((p) => `${p.topic}\u0000${p.partition}\u0000${p.offset}`));
  const out: ConsumedRecord[] = [];
  for (let round = 0; rangesOf.some((r) => r.length > round); round++) {
    const ranges = rangesOf.flatMap((r) => (r.length > round ? [r[round]] : []));
    const reader = new PartitionReader(cluster, ranges, { maxWaitMs: 0, partitionMaxBytes: 256 * 1024 });
    for await (const chunk of reader) {
      for (const r of chunk.records) if (wanted.has(`${r.topic}\u0000${r.partition}\u0000${r.offset}`)) out.push(r);
    }
  }
  return out;
}
