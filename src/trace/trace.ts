// `evt trace <order-id>`: find the order's events (from the order-events view when it is up to date, the
// topics otherwise), lay them out as a timeline and give the verdict, asking the cluster about the groups
// the verdict points at.

import fs from 'node:fs';
import type { Cluster } from '../client/wire/index.js';
import { LATEST } from '../client/wire/index.js';
import { partitionForKey } from '../client/wire/partitioner.js';
import { committedOffsets, describeGroupState } from '../client/wire/group-info.js';
import type { ValueCodec } from '../codec/value-codec.js';
import { HEADERS, ORDER_KEYED_TOPICS } from '../workflow/catalogue.js';
import { workflowNames } from '../workflow/names.js';
import { defaultTopics, scanOrder, type ScanReport } from './scan.js';
import { buildTimeline, decodeFound, skusOf, type FoundEvent, type TraceEvent } from './timeline.js';
import { diagnose, expectations, verdictOf, type GroupFacts, type Verdict } from './verdict.js';

// the workflow's topics under the default prefix (shop.), until trace reads them from a flow description
const WORKFLOW = workflowNames();

export interface TraceOptions {
  cluster: Cluster;
  codec: ValueCodec;
  orderId: string;
  topics?: readonly string[];
  since?: number;
  until?: number;
  allPartitions?: boolean;
  /** a views database whose order-events view may answer (ignored when absent, stale or unreadable) */
  db?: string;
  now?: () => number;
}

export interface TraceResult {
  orderId: string;
  /** where the order-keyed events came from */
  source: 'topics' | 'order-events view';
  found: boolean;
  events: TraceEvent[];
  verdict: Verdict;
  scan: ScanReport;
}

export async function traceOrder(o: TraceOptions): Promise<TraceResult> {
  const now = o.now ?? Date.now;
  const started = Date.now();
  const view = o.db && !o.allPartitions && o.since === undefined && o.until === undefined ? await viewEvents(o) : null;
  const fromView = view && 'events' in view ? (view as ViewAnswer) : null;
  let found: FoundEvent[];
  let scan: ScanReport;
  if (fromView) {
    // the view holds the order-keyed topics; stock levels and dead letters still come from the topics
    const rest = (o.topics ?? defaultTopics()).filter((t) => !fromView.topics.includes(t));
    const skus = skusOf(fromView.events);
    const result = await scanOrder({ cluster: o.cluster, orderId: o.orderId, topics: rest, skusOf: () => skus, firstTime: fromView.events[0]?.timestamp });
    found = [...fromView.events, ...(await decodeFound(result.records, o.codec))];
    scan = { ...result.report, elapsedMs: Date.now() - started, notes: [fromView.note, ...result.report.notes] };
  } else {
    const result = await scanOrder({
      cluster: o.cluster,
      orderId: o.orderId,
      topics: o.topics,
      since: o.since,
      until: o.until,
      allPartitions: o.allPartitions,
      skusOf: async (records) => skusOf(await decodeFound(records, o.codec)),
    });
    found = await decodeFound(result.records, o.codec);
    scan = result.report;
    if (view?.note) scan.notes.unshift(view.note);
  }
  const events = buildTimeline(found);
  const expected = expectations(events);
  const facts = await groupFacts(o.cluster, expected.map((x) => ({ group: WORKFLOW.group(x.service), trigger: x.trigger })));
  const verdict = verdictOf(events, diagnose(expected, events, facts), now());
  return { orderId: o.orderId, source: fromView ? 'order-events view' : 'topics', found: events.length > 0, events, verdict, scan };
}

/** The group states and committed offsets the diagnosis needs, and the current ends of the trigger partitions. */
async function groupFacts(cluster: Cluster, asks: { group: string; trigger: TraceEvent | null }[]): Promise<GroupFacts> {
  const facts: GroupFacts = { groups: new Map(), committed: new Map(), ends: new Map() };
  for (const group of new Set(asks.map((a) => a.group))) {
    const mine = asks.filter((a) => a.group === group && a.trigger).map((a) => ({ topic: a.trigger!.topic, partition: a.trigger!.partition }));
    try {
      const g = await describeGroupState(cluster, group);
      facts.groups.set(group, { state: g.state, members: g.members });
      for (const [k, v] of await committedOffsets(cluster, group, mine)) facts.committed.set(`${group}|${k}`, v);
    } catch {
      // a cluster that refuses group requests (ACLs) still gets a verdict, with the group's side unknown
    }
  }
  // several services may wait on the same trigger partition: its end is asked once
  const triggers = new Map(asks.filter((a) => a.trigger).map((a) => [`${a.trigger!.topic}:${a.trigger!.partition}`, { topic: a.trigger!.topic, partition: a.trigger!.partition }]));
  if (triggers.size) for (const l of await cluster.listOffsets([...triggers.values()].map((p) => ({ ...p, timestamp: LATEST })))) facts.ends.set(`${l.topic}:${l.partition}`, l.offset);
  return facts;
}

/**
 * The order's events from the order-events view, when the view has read every partition of its topics up to
 * the current end (else null: the topics are read, and the note says why).
 */
type ViewAnswer = { events: FoundEvent[]; topics: string[]; note: string };

async function viewEvents(o: TraceOptions): Promise<ViewAnswer | { note: string } | null> {
  if (!fs.existsSync(o.db!)) return null;
  const { openDatabase, positions, listViews } = await import('../views/store.js');
  let db;
  try {
    db = openDatabase(o.db!, { readonly: true });
  } catch {
    return null;
  }
  try {
    if (!listViews(db).some((v) => v.name === 'order-events')) return null;
    const topics = ORDER_KEYED_TOPICS.map(WORKFLOW.topic).filter((t) => !o.topics || o.topics.includes(t));
    const stored = new Map(positions(db, 'order-events').map((p) => [`${p.topic}:${p.partition}`, p.nextOffset]));
    // only the partitions the order is on need to be caught up (a view kept live by replay --follow is
    // always a little behind somewhere)
    const parts: { topic: string; partition: number }[] = [];
    const key = Buffer.from(o.orderId, 'utf8');
    for (const topic of topics) {
      const meta = await o.cluster.topic(topic).catch(() => null);
      if (meta) parts.push({ topic, partition: partitionForKey(key, meta.partitions.length) });
    }
    const ends = await o.cluster.listOffsets(parts.map((p) => ({ ...p, timestamp: LATEST })));
    const behind = ends.reduce((n, e) => n + Math.max(0, e.offset - (stored.get(`${e.topic}:${e.partition}`) ?? 0)), 0);
    if (behind > 0) return { note: `the order-events view in ${o.db} is ${behind} events behind the order's partitions: read the topics` };
    const rows = db
      .prepare('SELECT topic, partition, offset, order_id, event_type, event_id, causation_id, producer, timestamp, value FROM order_events WHERE order_id = ? ORDER BY timestamp')
      .all(o.orderId) as { topic: string; partition: number; offset: number; order_id: string; event_type: string; event_id: string | null; causation_id: string | null; producer: string | null; timestamp: number; value: string }[];
    const events = rows.map((r) => ({
      topic: r.topic,
      partition: r.partition,
      offset: r.offset,
      timestamp: r.timestamp,
      key: r.order_id,
      headers: {
        [HEADERS.eventType]: r.event_type,
        [HEADERS.correlationId]: r.order_id,
        ...(r.event_id ? { [HEADERS.eventId]: r.event_id } : {}),
        ...(r.causation_id ? { [HEADERS.causationId]: r.causation_id } : {}),
        ...(r.producer ? { [HEADERS.producer]: r.producer } : {}),
      },
      value: JSON.parse(r.value) as unknown,
    }));
    return { events, topics, note: `order-keyed topics answered by the order-events view in ${o.db} (up to date on the order's partitions)` };
  } finally {
    db.close();
  }
}
