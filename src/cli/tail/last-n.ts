// The last N records (that pass the filters) before an end, over several partitions: each partition is read
// backwards in growing windows until it has N matches or reaches its start, since the last N overall are
// among the last N of each partition. Without filters that is one window of N per partition.

import type { Cluster } from '../../client/wire/cluster.js';
import { PartitionReader, type ReaderOptions } from '../../client/wire/reader.js';
import type { Matched } from './output.js';

export interface Span {
  topic: string;
  partition: number;
  /** read no lower than this offset */
  start: number;
  /** exclusive */
  end: number;
}

export async function lastMatching(
  cluster: Cluster,
  spans: Span[],
  n: number,
  match: (r: import('../../client/records.js').ConsumedRecord) => Matched | null,
  options: {
    prepare?: (records: import('../../client/records.js').ConsumedRecord[]) => Promise<void>;
    readerOptions?: ReaderOptions;
    onRead?: (count: number) => void;
    stopped?: () => boolean;
    filtered: boolean;
  },
): Promise<Matched[]> {
  if (n <= 0) return [];
  const state = spans.map((s, order) => ({
    ...s,
    order,
    hi: s.end,
    window: options.filtered ? Math.max(n, 1000) : n,
    matches: [] as Matched[],
  }));
  for (;;) {
    const open = state.filter((s) => s.matches.length < n && s.hi > s.start);
    if (open.length === 0 || options.stopped?.()) break;
    const ranges = open.map((s) => ({
      topic: s.topic,
      partition: s.partition,
      from: Math.max(s.start, s.hi - s.window),
      until: s.hi,
    }));
    const found = new Map<string, Matched[]>();
    const reader = new PartitionReader(cluster, ranges, options.readerOptions);
    for await (const chunk of reader) {
      options.onRead?.(chunk.records.length);
      const key = `${chunk.topic}\u0000${chunk.partition}`;
      let list = found.get(key);
      if (!list) found.set(key, (list = []));
      if (options.prepare) await options.prepare(chunk.records);
      for (const r of chunk.records) {
        const m = match(r);
        if (m) list.push(m);
      }
      if (options.stopped?.()) break;
    }
    open.forEach((s, i) => {
      const fresh = found.get(`${s.topic}\u0000${s.partition}`) ?? [];
      s.matches = [...fresh, ...s.matches].slice(-n);
      s.hi = ranges[i].from;
      s.window *= 4;
    });
  }
  const all = state.flatMap((s) => s.matches.map((m) => ({ m, order: s.order })));
  all.sort(
    (a, b) => a.m.record.timestamp - b.m.record.timestamp || a.order - b.order || a.m.record.offset - b.m.record.offset,
  );
  return all.slice(-n).map((x) => x.m);
}
