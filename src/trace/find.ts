// Finding the records of one entity on the cluster, reading as little as possible and saying what was read.
//
// Where the flow says a topic is keyed by the entity id, only the partition the producer's default partitioner
// (murmur2, as the Java client, librdkafka's consistent_random for non-empty keys, and kafkajs) puts the id on
// is read, unless told otherwise or the topic gives a reason to doubt it: a partition count unlike the other
// keyed topics' (it may have changed since), or sampled keys that murmur2 places elsewhere (a producer with
// another partitioner). Every other topic is read whole, and its records are matched inside the batch decoder
// by the id's bytes (the exact test, a key, header or field equal to the id, is the caller's, on the few
// records that pass).
//
// With keyed topics, the scan is in two phases: those first, which give the time of the entity's first
// event, then the other topics from a margin before that time (ListOffsets by timestamp). Without a flow,
// nothing is known of keys: every partition of every topic is read (within --since/--until). Every partition
// stops at the high watermark taken when the trace started. Nothing joins a group or commits.

import type { ConsumedRecord } from '../client/records.js';
import { formatDuration } from '../common/time.js';
import { partitionForKey } from '../client/wire/partitioner.js';
import { EARLIEST, LATEST, PartitionReader, type Cluster } from '../client/wire/index.js';
import type { RecordMatch } from '../protocol/records/decode.js';
import type { EntityMatcher } from '../flow/entity.js';
import type { JsonPath } from '../flow/json-path.js';
import { flowTopic, type Flow } from '../flow/model.js';

/** How far before the entity's first event the other topics are read: producers' clocks are not one clock. */
export const TIME_MARGIN_MS = 10_000;
/** Keys of a targeted partition checked against murmur2 (a null key or an empty one is not a sample). */
const KEY_SAMPLES = 2000;

/**
 * keyed: the flow says the id is the key; joined: keyed by values the entity's other events name (the flow's
 * `keys`); searched: read whole, matched by the id's bytes
 */
export type TopicKind = 'keyed' | 'joined' | 'searched' | 'dead-letter';

export interface PartitionScan {
  partition: number;
  /** first offset read */
  from: number;
  /** read up to here (exclusive): the high watermark at the start, or the end of a time bound */
  until: number;
  /** records that passed the byte filter (the caller's exact test may drop some) */
  matches: number;
}

export interface TopicScan {
  topic: string;
  kind: TopicKind;
  partitionCount: number;
  /** only the partition(s) the entity can be on were read */
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
  /** no user time bound cut the scan (the margin before the entity's first event is not a cut) */
  complete: boolean;
  notes: string[];
}

export interface FindOptions {
  cluster: Cluster;
  matcher: EntityMatcher;
  flow: Flow | null;
  /** the topics to search (they may not exist: a note says so) */
  topics: readonly string[];
  /** topics whose absence is normal (dead-letter topics exist once something was dead-lettered) */
  optional?: ReadonlySet<string>;
  deadLetters?: ReadonlySet<string>;
  since?: number;
  until?: number;
  allPartitions?: boolean;
  /** the values at `path` in these records' decoded values (decoding is the caller's): keys of a joined topic */
  keysOf?(records: readonly ConsumedRecord[], path: JsonPath): Promise<string[]>;
}

export interface FindResult {
  records: ConsumedRecord[];
  report: ScanReport;
}

interface Planned extends TopicScan {
  /** offsets: log start and high watermark per partition, at the start */
  ends: Map<number, { low: number; high: number }>;
  /** the partitions to read when targeted */
  only?: number[];
}

export async function findEntity(o: FindOptions): Promise<FindResult> {
  const started = Date.now();
  const notes: string[] = [];
  const planned: Planned[] = [];
  for (const topic of o.topics) {
    try {
      // the search plan listed every topic a moment ago: its metadata is fresh
      const meta = await o.cluster.topic(topic, { refresh: false });
      const spec = o.flow ? flowTopic(o.flow, topic) : undefined;
      const kind: TopicKind = o.deadLetters?.has(topic)
        ? 'dead-letter'
        : keyedByIdIn(o.flow, topic)
          ? 'keyed'
          : spec?.keys.length
            ? 'joined'
            : 'searched';
      planned.push({
        topic,
        kind,
        partitionCount: meta.partitions.length,
        targeted: false,
        why: '',
        partitions: [],
        ends: new Map(),
      });
    } catch (err) {
      if ((err as { kind?: string }).kind !== 'not-found') throw err;
      if (!o.optional?.has(topic)) notes.push(`topic ${topic} does not exist`);
    }
  }
  const all = planned.flatMap((t) =>
    Array.from({ length: t.partitionCount }, (_, partition) => ({ topic: t.topic, partition })),
  );
  const listed = all.length
    ? await o.cluster.listOffsets(
        all.flatMap((p) => [
          { ...p, timestamp: EARLIEST },
          { ...p, timestamp: LATEST },
        ]),
      )
    : [];
  const byTopic = new Map(planned.map((t) => [t.topic, t]));
  all.forEach((p, i) =>
    byTopic.get(p.topic)!.ends.set(p.partition, { low: listed[2 * i].offset, high: listed[2 * i + 1].offset }),
  );

  const key = Buffer.from(o.matcher.id, 'utf8');
  const usual = mostCommon(planned.filter((t) => t.kind === 'keyed').map((t) => t.partitionCount));
  for (const t of planned) {
    if (t.kind === 'keyed') {
      if (o.allPartitions) t.why = 'all partitions (--all-partitions)';
      else if (t.partitionCount !== usual)
        t.why = `all partitions: ${t.partitionCount} partitions where the other keyed topics have ${usual} (the count may have changed since)`;
      else target(t, [partitionForKey(key, t.partitionCount)], `partition of key ${o.matcher.id} (murmur2)`);
    } else if (t.kind === 'dead-letter')
      t.why = 'all partitions (dead letters keep the key of wherever they came from)';
    else
      t.why = o.flow && flowTopic(o.flow, t.topic) ? 'all partitions (the id is not the key here)' : 'all partitions';
  }

  const records: ConsumedRecord[] = [];
  const sinceBound = o.since !== undefined ? await offsetsAt(o.cluster, planned, o.since - TIME_MARGIN_MS) : null;
  const untilBound = o.until !== undefined ? await offsetsAt(o.cluster, planned, o.until + TIME_MARGIN_MS) : null;
  const range = (t: Planned, partition: number, after: Map<string, number> | null): PartitionScan => {
    const e = t.ends.get(partition)!;
    const k = `${t.topic}:${partition}`;
    const from = Math.max(e.low, sinceBound?.get(k) ?? e.low, after?.get(k) ?? e.low);
    const until = Math.min(e.high, untilBound?.get(k) ?? e.high);
    return { partition, from, until: Math.max(from, until), matches: 0 };
  };
  const needles = o.matcher.needles();
  const searched: RecordMatch = { contains: needles };

  // phase 1: the keyed topics where the entity's life begins (those that carry the types nothing answers with),
  // whose records say when it began; every keyed topic when the flow does not tell
  const keyed = planned.filter((t) => t.kind === 'keyed');
  const entry = entryTopics(o.flow, keyed);
  const misplaced = await read(o.cluster, entry, (t, p) => range(t, p, null), key, searched, records, true);
  const keyedTimes = records.filter((r) => r.key !== null && r.key.equals(key)).map((r) => r.timestamp);
  const firstTime = keyedTimes.length ? Math.min(...keyedTimes) : null;
  const after = firstTime !== null ? await offsetsAt(o.cluster, planned, firstTime - TIME_MARGIN_MS) : null;
  if (after)
    notes.push(
      `topics other than ${entry.map((t) => t.topic).join(', ')} were read from ${formatDuration(TIME_MARGIN_MS)} before the entity's first event`,
    );

  // phase 2: the other keyed topics, on the id's partition, from a margin before the entity's first event
  const laterKeyed = keyed.filter((t) => !entry.includes(t));
  for (const [topic, n] of await read(
    o.cluster,
    laterKeyed,
    (t, p) => range(t, p, after),
    key,
    searched,
    records,
    true,
  ))
    misplaced.set(topic, n);

  // phase 3: topics keyed by what the entity's events name (the skus of an order's lines), on those keys' partitions
  for (const t of planned.filter((x) => x.kind === 'joined')) {
    const paths = flowTopic(o.flow!, t.topic)!.keys;
    const values =
      o.keysOf && !o.allPartitions
        ? [...new Set((await Promise.all(paths.map((p) => o.keysOf!(records, p)))).flat())].sort()
        : [];
    if (o.allPartitions) t.why = 'all partitions (--all-partitions)';
    else if (values.length === 0)
      t.why = `all partitions (the ${paths.map((p) => p.text).join(', ')} its records are keyed by are not in the events found)`;
    else
      target(
        t,
        [...new Set(values.map((v) => partitionForKey(Buffer.from(v, 'utf8'), t.partitionCount)))].sort(
          (a, b) => a - b,
        ),
        `partitions of ${values.join(', ')} (${paths.map((p) => p.text).join(', ')}, murmur2)`,
      );
  }

  // phase 4: everything else, searched by the id's bytes
  const rest = planned.filter((t) => t.kind !== 'keyed');
  await read(o.cluster, rest, (t, p) => range(t, p, after), key, searched, records);

  // keys that murmur2 would put elsewhere: the producer used another partitioner, so read the whole topic;
  // and when no keyed topic had the id on murmur2's partition, the keyed topics are read whole all the same
  const missing = keyed.length > 0 && !records.some((r) => r.key !== null && r.key.equals(key));
  if (missing) for (const t of keyed) if (t.targeted && !misplaced.has(t.topic)) misplaced.set(t.topic, 0);
  const widened = planned.filter((t) => t.targeted && misplaced.has(t.topic));
  for (const t of widened) {
    const done = new Set(t.partitions.map((p) => p.partition));
    t.targeted = false;
    const n = misplaced.get(t.topic)!;
    t.why = n
      ? `all partitions: ${n} sampled keys of ${t.topic} are not where murmur2 puts them (the producer uses another partitioner)`
      : `all partitions: the id was not on murmur2's partition of any keyed topic (the producer may partition otherwise)`;
    const others: Planned = { ...t, kind: 'searched', partitions: [], only: undefined };
    await read(o.cluster, [others], (_t, p) => (done.has(p) ? null : range(t, p, null)), key, searched, records);
    t.partitions = [...t.partitions, ...others.partitions].sort((a, b) => a.partition - b.partition);
  }

  const report: ScanReport = {
    topics: planned.map(({ ends: _ends, only: _only, ...t }) => t),
    recordsExamined: planned.reduce((n, t) => n + t.partitions.reduce((m, p) => m + p.until - p.from, 0), 0),
    elapsedMs: Date.now() - started,
    complete: o.since === undefined && o.until === undefined,
    notes,
  };
  const inWindow = records.filter(
    (r) => (o.since === undefined || r.timestamp >= o.since) && (o.until === undefined || r.timestamp <= o.until),
  );
  return { records: inWindow, report };
}

/**
 * The keyed topics an entity's life begins on: those carrying types that some reaction reacts to and none
 * answers with (a request, a registration). All of them when the flow names none such.
 */
function entryTopics(flow: Flow | null, keyed: readonly Planned[]): Planned[] {
  if (!flow) return [...keyed];
  const answers = new Set(flow.reactions.flatMap((r) => r.answers));
  const initial = new Set(flow.reactions.flatMap((r) => r.on).filter((t) => !answers.has(t)));
  const entry = keyed.filter((t) => flowTopic(flow, t.topic)?.types.some((x) => initial.has(x)));
  return entry.length ? entry : [...keyed];
}

/** Whether the flow says the topic's records are keyed by the entity id. */
export function keyedByIdIn(flow: Flow | null, topic: string): boolean {
  const t = flow ? flowTopic(flow, topic) : undefined;
  return !!t && t.idAt[0]?.from === 'key';
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
async function offsetsAt(
  cluster: Cluster,
  topics: readonly Planned[],
  timestamp: number,
): Promise<Map<string, number>> {
  const parts = topics.flatMap((t) => [...t.ends.keys()].map((partition) => ({ topic: t.topic, partition })));
  const out = new Map<string, number>();
  if (parts.length === 0) return out;
  const byTopic = new Map(topics.map((t) => [t.topic, t]));
  const listed = await cluster.listOffsets(parts.map((p) => ({ ...p, timestamp: Math.max(0, timestamp) })));
  listed.forEach((l) =>
    out.set(`${l.topic}:${l.partition}`, l.offset < 0 ? byTopic.get(l.topic)!.ends.get(l.partition)!.high : l.offset),
  );
  return out;
}

/**
 * Reads the planned partitions of `topics` (ranges from `rangeOf`, null to leave one out), appending the
 * records that pass to `out`; returns, per topic, how many sampled keys murmur2 places on another partition
 * (only when `checkKeys`, and only for targeted topics).
 */
async function read(
  cluster: Cluster,
  topics: readonly Planned[],
  rangeOf: (t: Planned, partition: number) => PartitionScan | null,
  key: Buffer,
  searched: RecordMatch,
  out: ConsumedRecord[],
  checkKeys = false,
): Promise<Map<string, number>> {
  const misplaced = new Map<string, number>();
  const sampled = new Map<string, number>();
  const scans = new Map<string, PartitionScan>();
  for (const t of topics) {
    for (let p = 0; p < t.partitionCount; p++) {
      if (t.only && !t.only.includes(p)) continue;
      if (t.partitions.some((s) => s.partition === p)) continue;
      const r = rangeOf(t, p);
      if (!r) continue;
      t.partitions.push(r);
      scans.set(`${t.topic}:${p}`, r);
    }
    t.partitions.sort((a, b) => a.partition - b.partition);
  }
  const ranges = [...scans]
    .filter(([, r]) => r.until > r.from)
    .map(([k, r]) => ({ topic: k.slice(0, k.lastIndexOf(':')), partition: r.partition, from: r.from, until: r.until }));
  if (ranges.length === 0) return misplaced;
  const kinds = new Map(topics.map((t) => [t.topic, t]));
  const reader = new PartitionReader(cluster, ranges, {
    maxWaitMs: 100,
    // 1 MiB a partition: larger answers save round trips but cost more than they save, each fresh multi-MiB
    // frame being copied into new memory (16 MiB took 1.4 s to trace an order of 70k, 1 MiB 0.9 s)
    partitionMaxBytes: 1 << 20,
    matchFor: (topic, partition) => {
      const t = kinds.get(topic)!;
      if (!t.targeted || t.kind !== 'keyed') return searched;
      // a targeted partition holds the entity only if its records are keyed by the id: the key decides, and
      // not having to look inside every record halves the cost of the scan
      if (!checkKeys) return { key };
      return {
        key,
        sampleKey: (k: Buffer) => {
          // a few thousand keys tell how the partition is keyed; murmur2 of every key of a long log would not
          if ((sampled.get(topic) ?? 0) >= KEY_SAMPLES) return;
          sampled.set(topic, (sampled.get(topic) ?? 0) + 1);
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
