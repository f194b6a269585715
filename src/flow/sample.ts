// A sample of a cluster's recent records, decoded, for learning a flow from them (`evt flow infer`) or checking a
// flow against them (`evt flow check`): the records of a time window, at most a number per partition (the most
// recent), and the latest few of partitions whose window is empty, so that a quiet topic still says what it
// carries. Nothing joins a group.

import { EARLIEST, LATEST, PartitionReader, type Cluster } from '../client/wire/index.js';
import type { RecordHeader } from '../client/records.js';
import type { ValueCodec } from '../codec/value-codec.js';
import { schemaIdOf } from '../codec/wire-format.js';
import { structuredValue } from './entity.js';

export interface SampledRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: Buffer | null;
  headers: RecordHeader[];
  /** decoded (JSON however spaced, Avro through the registry), undefined when it is not structured */
  value: unknown;
  schemaName: string | null;
}

export interface SampleOptions {
  /** epoch ms the window starts at */
  since: number;
  /** records per partition at most (the most recent of the window) */
  perPartition: number;
  /** for partitions with nothing in the window: this many of the latest records */
  quietPartition?: number;
}

export interface Sample {
  records: SampledRecord[];
  /** per topic: partitions and records read */
  topics: Map<string, { partitions: number; records: number }>;
}

export async function sampleTopics(
  cluster: Cluster,
  codec: ValueCodec,
  topics: readonly string[],
  o: SampleOptions,
): Promise<Sample> {
  const parts: { topic: string; partition: number }[] = [];
  const counts = new Map<string, { partitions: number; records: number }>();
  for (const topic of topics) {
    const meta = await cluster.topic(topic, { refresh: false }).catch(() => null);
    if (!meta) continue;
    counts.set(topic, { partitions: meta.partitions.length, records: 0 });
    for (const p of meta.partitions) parts.push({ topic, partition: p.partition });
  }
  if (parts.length === 0) return { records: [], topics: counts };
  const [bounds, atTime] = await Promise.all([
    cluster.listOffsets(
      parts.flatMap((p) => [
        { ...p, timestamp: EARLIEST },
        { ...p, timestamp: LATEST },
      ]),
    ),
    cluster.listOffsets(parts.map((p) => ({ ...p, timestamp: Math.max(0, o.since) }))),
  ]);
  const quiet = o.quietPartition ?? 50;
  const ranges = parts
    .map((p, i) => {
      const low = bounds[2 * i].offset;
      const high = bounds[2 * i + 1].offset;
      const since = atTime[i].offset < 0 ? high : atTime[i].offset;
      const from = since < high ? Math.max(since, high - o.perPartition) : Math.max(low, high - quiet);
      return { ...p, from: Math.max(low, from), until: high };
    })
    .filter((r) => r.until > r.from);
  const records: SampledRecord[] = [];
  if (ranges.length === 0) return { records, topics: counts };
  const reader = new PartitionReader(cluster, ranges, { maxWaitMs: 100, partitionMaxBytes: 4 << 20 });
  for await (const chunk of reader) {
    if (chunk.records.length === 0) continue;
    if (codec.registry) await codec.registry.prepare(chunk.records);
    counts.get(chunk.topic)!.records += chunk.records.length;
    for (const r of chunk.records) {
      const decoded = r.value === null ? null : codec.decode(r.value);
      const value = decoded && !decoded.encoding ? structuredValue(decoded.value) : undefined;
      const id = schemaIdOf(r.value);
      records.push({
        topic: r.topic,
        partition: r.partition,
        offset: r.offset,
        timestamp: r.timestamp,
        // copies: the sample outlives the fetched buffers it was read from
        key: r.key === null ? null : Buffer.from(r.key),
        headers: r.headers.map((h) => ({ key: h.key, value: h.value === null ? null : Buffer.from(h.value) })),
        value,
        schemaName: id === null ? null : (codec.registry?.schemaName(id) ?? null),
      });
    }
  }
  return { records, topics: counts };
}
