// Finding one order's records on the cluster, reading as little as possible and saying what was read.
//
// Order-keyed topics are read only on the partition the producer's default partitioner (murmur2, as the
// Java client and kafkajs) puts the order id on, unless told otherwise or the topic gives a reason to doubt
// it: a partition count unlike the other order topics' (it may have changed since), or sampled keys that
// murmur2 places elsewhere (a producer with another partitioner). Stock levels are keyed by sku: only the
// partitions of the order's skus are read. Dead-letter and unknown topics are read whole. Records match by
// key or by the evt-correlation-id header; the rest are walked over without being decoded.
//
// The scan is in two phases: the order's request and order events first, which give the time of its first
// event, then every other topic from a margin before that time (ListOffsets by timestamp). Every partition
// stops at the high watermark taken when the trace started. Nothing joins a group or commits.

import { partitionForKey } from '../client/wire/partitioner.js';
import { EARLIEST, LATEST, PartitionReader, type Cluster } from '../client/wire/index.js';
import type { ConsumedRecord } from '../client/records.js';
import { HEADERS, TOPICS, WORKER_SERVICES } from '../workflow/catalogue.js';
import { workflowNames } from '../workflow/names.js';

// the workflow's topics under the default prefix (shop.), until trace reads them from a flow description
const WORKFLOW = workflowNames();

/** How far before the order's first event the other topics are read: producers' clocks are not one clock. */
export const TIME_MARGIN_MS = 10_000;

const FIRST_PHASE: readonly string[] = [WORKFLOW.topic('basket.order-requests'), WORKFLOW.topic('orders')];
const CORRELATION = Buffer.from(HEADERS.correlationId, 'utf8');

export type TopicKind = 'order' | 'sku' | 'dead-letter' | 'other';

export interface PartitionScan {
  partition: number;
  /** first offset read */
  from: number;
  /** read up to here (exclusive): the high watermark at the start, or the end of a time bound */
  until: number;
  matches: number;
}

export interface TopicScan {
  topic: string;
  kind: TopicKind;
  partitionCount: number;
  /** only the partition(s) the order can be on were read */
  targeted: boolean;
  /** why these partitions were read */
  why: string;
  partitions: PartitionScan[];
}

export interface ScanReport {
  topics: TopicScan[];
  /** offsets covered by the scan, matching or not */
  recordsExamined: number;
  elapsedMs: number;
  /** no user time bound cut the scan (the margin before the order's first event is not a cut) */
  complete: boolean;
  notes: string[];
}

export interface ScanOptions {
  cluster: Cluster;
  orderId: string;
  /** topics to search (default: the workflow's topics and the dead-letter topics that exist) */
  topics?: readonly string[];
  since?: number;
  until?: number;
  allPartitions?: boolean;
  /** the skus of the order's lines, from the records of the first phase (decoding is the caller's) */
  skusOf(records: readonly ConsumedRecord[]): Promise<string[]> | string[];
  /** the time of the order's first event when already known (the first phase's topics are then not read) */
  firstTime?: number;
}

export interface ScanResult {
  records: ConsumedRecord[];
  report: ScanReport;
}

interface Planned extends TopicScan {
  /** offsets: log start and high watermark per partition, at the start */
  ends: Map<number, { low: number; high: number }>;
  /** the partitions to read when targeted */
  only?: number[];
}

/** The records of an order: keyed by its id, or carrying it as their correlation id. */
export function orderMatch(orderId: string): { key: Buffer; header: { name: Buffer; value: Buffer } } {
  const key = Buffer.from(orderId, 'utf8');
  return { key, header: { name: CORRELATION, value: key } };
}

export function kindOf(topic: string): TopicKind {
  const logical = WORKFLOW.logical(topic);
  if (logical) return TOPICS[logical].key === 'sku' ? 'sku' : 'order';
  return WORKFLOW.isDeadLetter(topic) ? 'dead-letter' : 'other';
}

/** The default topics: the workflow's and the dead-letter topics of its services. */
export function defaultTopics(): string[] {
  return [...WORKFLOW.topics, ...WORKER_SERVICES.map((s) => WORKFLOW.dlq(s))];
}

export async function scanOrder(o: ScanOptions): Promise<ScanResult> {
  const started = Date.now();
  const notes: string[] = [];
  const planned: Planned[] = [];
  const wanted = o.topics ?? defaultTopics();
  for (const topic of wanted) {
    try {
      const meta = await o.cluster.topic(topic);
      planned.push({ topic, kind: kindOf(topic), partitionCount: meta.partitions.length, targeted: false, why: '', partitions: [], ends: new Map() });
    } catch (err) {
      if ((err as { kind?: string }).kind !== 'not-found') throw err;
      // the dead-letter topics exist only once something was dead-lettered
      if (o.topics || kindOf(topic) !== 'dead-letter') notes.push(`topic ${topic} does not exist`);
    }
  }
  const all = planned.flatMap((t) => Array.from({ length: t.partitionCount }, (_, partition) => ({ topic: t.topic, partition })));
  const listed = await o.cluster.listOffsets(all.flatMap((p) => [{ ...p, timestamp: EARLIEST }, { ...p, timestamp: LATEST }]));
  all.forEach((p, i) => planned.find((t) => t.topic === p.topic)!.ends.set(p.partition, { low: listed[2 * i].offset, high: listed[2 * i + 1].offset }));

  const key = Buffer.from(o.orderId, 'utf8');
  const orderCounts = planned.filter((t) => t.kind === 'order').map((t) => t.partitionCount);
  const usual = mostCommon(orderCounts);
  for (const t of planned) {
    if (t.kind === 'order') {
      if (o.allPartitions) t.why = 'all partitions (--all-partitions)';
      else if (t.partitionCount !== usual) t.why = `all partitions: ${t.partitionCount} partitions where the other order topics have ${usual} (the count may have changed since)`;
      else target(t, [partitionForKey(key, t.partitionCount)], `partition of key ${o.orderId} (murmur2)`);
    } else if (t.kind === 'dead-letter') t.why = 'all partitions (dead letters keep the key of wherever they came from)';
    else if (t.kind === 'other') t.why = 'all partitions (not a workflow topic)';
  }

  const records: ConsumedRecord[] = [];
  const match = orderMatch(o.orderId);
  const sinceBound = o.since !== undefined ? await offsetsAt(o.cluster, planned, o.since - TIME_MARGIN_MS) : null;
  const untilBound = o.until !== undefined ? await offsetsAt(o.cluster, planned, o.until + TIME_MARGIN_MS) : null;
  const range = (t: Planned, partition: number, after: Map<string, number> | null): PartitionScan => {
    const e = t.ends.get(partition)!;
    const k = `${t.topic}:${partition}`;
    const from = Math.max(e.low, sinceBound?.get(k) ?? e.low, after?.get(k) ?? e.low);
    const until = Math.min(e.high, untilBound?.get(k) ?? e.high);
    return { partition, from, until: Math.max(from, until), matches: 0 };
  };

  // phase 1: the order's own request and order events
  const first = planned.filter((t) => FIRST_PHASE.includes(t.topic));
  const misplaced = await read(o.cluster, first, (t, p) => range(t, p, null), match, records, true);
  const firstTime = o.firstTime ?? (records.length ? Math.min(...records.map((r) => r.timestamp)) : null);

  // phase 2: everything else, from a margin before the order's first event
  const skus = await o.skusOf(records);
  for (const t of planned) {
    if (t.kind !== 'sku') continue;
    if (o.allPartitions) t.why = 'all partitions (--all-partitions)';
    else if (skus.length === 0) t.why = "all partitions (the order's skus are not known: no request or order event found)";
    else target(t, [...new Set(skus.map((s) => partitionForKey(Buffer.from(s, 'utf8'), t.partitionCount)))].sort((a, b) => a - b), `partitions of the order's skus ${skus.join(', ')} (murmur2)`);
  }
  const rest = planned.filter((t) => !FIRST_PHASE.includes(t.topic));
  const after = firstTime !== null ? await offsetsAt(o.cluster, rest, firstTime - TIME_MARGIN_MS) : null;
  if (after) notes.push(`topics other than ${FIRST_PHASE.join(' and ')} were read from ${TIME_MARGIN_MS / 1000} s before the order's first event`);
  for (const [topic, n] of await read(o.cluster, rest, (t, p) => range(t, p, after), match, records, true)) misplaced.set(topic, n);

  // keys that murmur2 would put elsewhere: the producer used another partitioner, so read the whole topic
  const widened = planned.filter((t) => t.targeted && t.kind === 'order' && misplaced.has(t.topic));
  for (const t of widened) {
    const done = new Set(t.partitions.map((p) => p.partition));
    t.targeted = false;
    t.why = `all partitions: ${misplaced.get(t.topic)} sampled keys of ${t.topic} are not where murmur2 puts them (the producer uses another partitioner)`;
    const others: Planned = { ...t, partitions: [], only: undefined };
    await read(o.cluster, [others], (_t, p) => (done.has(p) ? null : range(t, p, FIRST_PHASE.includes(t.topic) ? null : after)), match, records);
    t.partitions = [...t.partitions, ...others.partitions].sort((a, b) => a.partition - b.partition);
  }

  const report: ScanReport = {
    topics: planned.map(({ ends: _ends, only: _only, ...t }) => t),
    recordsExamined: planned.reduce((n, t) => n + t.partitions.reduce((m, p) => m + p.until - p.from, 0), 0),
    elapsedMs: Date.now() - started,
    complete: o.since === undefined && o.until === undefined,
    notes,
  };
  const inWindow = records.filter((r) => (o.since === undefined || r.timestamp >= o.since) && (o.until === undefined || r.timestamp <= o.until));
  return { records: inWindow, report };
}

function target(t: Planned, partitions: number[], why: string): void {
  t.targeted = partitions.length < t.partitionCount;
  t.why = t.targeted ? why : `all partitions (${why})`;
  t.only = partitions;
}

function mostCommon(values: number[]): number {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 0;
}

/** The first offset at or after `timestamp` per partition (the end when every record is older). */
async function offsetsAt(cluster: Cluster, topics: readonly Planned[], timestamp: number): Promise<Map<string, number>> {
  const parts = topics.flatMap((t) => [...t.ends.keys()].map((partition) => ({ topic: t.topic, partition })));
  const out = new Map<string, number>();
  if (parts.length === 0) return out;
  const listed = await cluster.listOffsets(parts.map((p) => ({ ...p, timestamp: Math.max(0, timestamp) })));
  listed.forEach((l, i) => {
    const t = topics.find((x) => x.topic === parts[i].topic)!;
    out.set(`${l.topic}:${l.partition}`, l.offset < 0 ? t.ends.get(l.partition)!.high : l.offset);
  });
  return out;
}

/**
 * Reads the planned partitions of `topics` (ranges from `rangeOf`, null to leave one out), appending the
 * matching records; returns, per topic, how many sampled keys murmur2 places on another partition (only
 * when `checkKeys`, and only for targeted order topics).
 */
async function read(
  cluster: Cluster,
  topics: readonly Planned[],
  rangeOf: (t: Planned, partition: number) => PartitionScan | null,
  match: { key: Buffer; header: { name: Buffer; value: Buffer } },
  out: ConsumedRecord[],
  checkKeys = false,
): Promise<Map<string, number>> {
  const misplaced = new Map<string, number>();
  const scans = new Map<string, PartitionScan>();
  for (const t of topics) {
    const only = t.only;
    for (let p = 0; p < t.partitionCount; p++) {
      if (only && !only.includes(p)) continue;
      if (t.partitions.some((s) => s.partition === p)) continue;
      const r = rangeOf(t, p);
      if (!r) continue;
      t.partitions.push(r);
      scans.set(`${t.topic}:${p}`, r);
    }
    t.partitions.sort((a, b) => a.partition - b.partition);
  }
  const ranges = [...scans].filter(([, r]) => r.until > r.from).map(([k, r]) => ({ topic: k.slice(0, k.lastIndexOf(':')), partition: r.partition, from: r.from, until: r.until }));
  if (ranges.length === 0) return misplaced;
  const kinds = new Map(topics.map((t) => [t.topic, t]));
  const reader = new PartitionReader(cluster, ranges, {
    maxWaitMs: 100,
    // a few partitions read to their ends: large answers mean fewer round trips
    partitionMaxBytes: 16 << 20,
    matchFor: (topic, partition) => {
      const t = kinds.get(topic)!;
      if (!t.targeted || t.kind !== 'order') return match;
      // a targeted partition holds the order only if its records are keyed by order id: the key decides,
      // and not having to walk every record's headers halves the cost of the scan
      if (!checkKeys) return { key: match.key };
      return {
        key: match.key,
        sampleKey: (k: Buffer) => {
          if (partitionForKey(k, t.partitionCount) !== partition) misplaced.set(topic, (misplaced.get(topic) ?? 0) + 1);
        },
      };
    },
  });
  for await (const chunk of reader) {
    for (const r of chunk.records) out.push(r);
    scans.get(`${chunk.topic}:${chunk.partition}`)!.matches += chunk.records.length;
  }
  return misplaced;
}
