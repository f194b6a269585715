// Reading workflow topics outside any consumer group: to the end as it is now (a worker rebuilding its state,
// a simulation checking its invariants from the log) or following (the orders service's view of stock,
// which every instance needs whole whatever partitions it owns). Partitions and offset maps name physical
// topics (`shop.orders`); the decoded records carry logical ones (`orders`), as the codec gives them.

import type { TopicName } from '../catalogue.js';
import type { ConsumedRecord } from '../../client/records.js';
import { EARLIEST, LATEST, PartitionReader, type Cluster, type ReadRange } from '../../client/wire/index.js';
import type { AnyRecord } from '../envelope.js';
import { DecodeError, type WorkflowCodec } from './codec.js';

export interface DecodedChunk {
  records: AnyRecord[];
  /** records that did not decode (poison, or written by something else), with why */
  undecodable: { record: ConsumedRecord; error: string }[];
}

/** The partitions of `topics` to read: `only` partition numbers, or all of each topic. */
export async function partitionsOf(
  cluster: Cluster,
  topics: readonly string[],
  only?: readonly number[],
): Promise<{ topic: string; partition: number }[]> {
  const out: { topic: string; partition: number }[] = [];
  for (const topic of topics) {
    const meta = await cluster.topic(topic);
    for (const p of meta.partitions)
      if (!only || only.includes(p.partition)) out.push({ topic, partition: p.partition });
  }
  return out;
}

/** [log start, high watermark) of each partition. */
export async function offsetRanges(
  cluster: Cluster,
  partitions: readonly { topic: string; partition: number }[],
): Promise<ReadRange[]> {
  if (partitions.length === 0) return [];
  const queries = partitions.flatMap((p) => [
    { ...p, timestamp: EARLIEST },
    { ...p, timestamp: LATEST },
  ]);
  const listed = await cluster.listOffsets(queries);
  return partitions.map((p, i) => ({ ...p, from: listed[2 * i].offset, until: listed[2 * i + 1].offset }));
}

/**
 * Reads the given partitions from their start to their high watermark as it is now, decoded, calling
 * `onChunk` in offset order per partition (partitions interleave). Prepares writer schemas per chunk.
 * Returns where it stopped in each partition (the high watermarks it read to), in `partitions`' order.
 */
export async function readToEnd(
  cluster: Cluster,
  codec: WorkflowCodec,
  partitions: readonly { topic: string; partition: number }[],
  onChunk: (chunk: DecodedChunk) => void,
  since?: ReadonlyMap<string, number>,
): Promise<number[]> {
  const all = (await offsetRanges(cluster, partitions)).map((r) => ({
    ...r,
    from: Math.max(r.from, since?.get(partitionKey(r.topic, r.partition)) ?? 0),
  }));
  const ranges = all.filter((r) => r.until! > r.from);
  if (ranges.length > 0) {
    const reader = new PartitionReader(cluster, ranges, { maxWaitMs: 100 });
    try {
      for await (const chunk of reader) if (chunk.records.length) onChunk(await decodeAll(codec, chunk.records));
    } finally {
      reader.close();
    }
  }
  return all.map((r) => r.until!);
}

/**
 * Every record of the workflow topics `topics` (logical; read on their physical topics under the codec's
 * names, from `since`'s offsets where given, else from the start): the decodable ones per logical topic in
 * offset order within each partition, and the others with why.
 */
export async function readTopics(
  cluster: Cluster,
  codec: WorkflowCodec,
  topics: readonly TopicName[],
  since?: ReadonlyMap<string, number>,
): Promise<{ logs: Map<TopicName, AnyRecord[]>; undecodable: DecodedChunk['undecodable'] }> {
  const logs = new Map<TopicName, AnyRecord[]>(topics.map((t) => [t, []]));
  const undecodable: DecodedChunk['undecodable'] = [];
  await readToEnd(
    cluster,
    codec,
    await partitionsOf(cluster, topics.map(codec.names.topic)),
    (chunk) => {
      for (const r of chunk.records) logs.get(r.topic)!.push(r);
      undecodable.push(...chunk.undecodable);
    },
    since,
  );
  return { logs, undecodable };
}

/** Key of a partition in offset maps: `topic:partition`. */
export const partitionKey = (topic: string, partition: number) => `${topic}:${partition}`;

/**
 * Follows `partitions` from their start (or from offsets `from`, one per partition), for as long as the
 * returned handle is not closed. `onChunk` runs for each chunk in offset order per partition; `onError` once
 * if reading fails for good.
 */
export function follow(
  cluster: Cluster,
  codec: WorkflowCodec,
  partitions: readonly { topic: string; partition: number }[],
  onChunk: (chunk: DecodedChunk) => void,
  onError: (err: Error) => void,
  from?: readonly number[],
): { close(): void } {
  let reader: PartitionReader | null = null;
  let closed = false;
  void (async () => {
    const starts =
      from ?? (await cluster.listOffsets(partitions.map((p) => ({ ...p, timestamp: EARLIEST })))).map((s) => s.offset);
    if (closed) return;
    reader = new PartitionReader(
      cluster,
      partitions.map((p, i) => ({ topic: p.topic, partition: p.partition, from: starts[i] })),
      { maxWaitMs: 200 },
    );
    for await (const chunk of reader) if (chunk.records.length) onChunk(await decodeAll(codec, chunk.records));
  })().catch((err: Error) => {
    if (!closed) onError(err);
  });
  return {
    close() {
      closed = true;
      reader?.close();
    },
  };
}

/** Each record decoded, in order, or why it does not decode (writer schemas are prepared first). */
export async function decodeEach(codec: WorkflowCodec, records: readonly ConsumedRecord[]): Promise<DecodedRecord[]> {
  await codec.prepare(records);
  return records.map((record) => {
    try {
      return { record, value: codec.decode(record) };
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      return { record, error: err.message };
    }
  });
}

export type DecodedRecord = { record: ConsumedRecord; value: AnyRecord } | { record: ConsumedRecord; error: string };

export async function decodeAll(codec: WorkflowCodec, records: readonly ConsumedRecord[]): Promise<DecodedChunk> {
  const out: DecodedChunk = { records: [], undecodable: [] };
  for (const d of await decodeEach(codec, records)) {
    if ('value' in d) out.records.push(d.value);
    else out.undecodable.push(d);
  }
  return out;
}
