// `evt trace <id>`: find an entity's events (from the flow's entity index when it is up to date, the topics
// otherwise), lay them out as a timeline and give the verdict, asking the cluster about the groups the
// verdict points at.

import type { ConsumedRecord } from '../client/records.js';
import type { Cluster } from '../client/wire/index.js';
import type { ValueCodec } from '../codec/value-codec.js';
import { isInternalTopic, looksLikeDeadLetterTopic } from '../flow/conventions.js';
import { EntityMatcher } from '../flow/entity.js';
import { valuesAt, type JsonPath } from '../flow/json-path.js';
import type { Flow } from '../flow/model.js';
import { decodeFound, foundFromEnvelope, structuredValue, type FoundEvent } from './event.js';
import { gatherFacts } from './facts.js';
import { findEntity, type ScanReport } from './find.js';
import { buildTimeline, type TraceEvent } from './timeline.js';
import { factsWanted, verdictOf, type Verdict } from './verdict.js';

export interface TraceOptions {
  cluster: Cluster;
  codec: ValueCodec;
  id: string;
  /** what the system is expected to do (null: conventions only, a verdict without expectations) */
  flow: Flow | null;
  /** topics to search instead of the flow's (or, without a flow, every topic) */
  topics?: readonly string[];
  /** or the topics whose names match */
  pattern?: RegExp;
  /** value paths the id must be at (--field) */
  fields?: readonly JsonPath[];
  since?: number;
  until?: number;
  allPartitions?: boolean;
  /** a views database whose entity index of the flow may answer (ignored when absent, stale or unreadable) */
  db?: string;
  now?: () => number;
}

export interface TraceResult {
  id: string;
  /** what an id names, from the flow ("order", "parcel"), else "entity" */
  entity: string;
  /** the flow the verdict comes from (its source), or null */
  flow: string | null;
  /** where the events came from */
  source: 'topics' | 'entity index';
  found: boolean;
  events: TraceEvent[];
  verdict: Verdict;
  scan: ScanReport;
}

export interface SearchPlan {
  topics: string[];
  /** topics that need not exist (dead-letter topics) */
  optional: Set<string>;
  deadLetters: Set<string>;
}

/**
 * Which topics to search: the ones given, or those matching the pattern, or the flow's and the dead-letter
 * topics that go with them, or every topic but the cluster's own.
 */
export async function searchPlan(
  cluster: Cluster,
  o: { flow: Flow | null; topics?: readonly string[]; pattern?: RegExp },
): Promise<SearchPlan> {
  const existing = await cluster.topicNames();
  const deadLetters = new Set<string>();
  const optional = new Set<string>();
  let topics: string[];
  if (o.topics) topics = [...o.topics];
  else if (o.pattern) topics = existing.filter((t) => !isInternalTopic(t) && o.pattern!.test(t));
  else if (o.flow) {
    topics = o.flow.topics.map((t) => t.name);
    for (const t of o.flow.topics) if (t.deadLetter) optional.add(t.name);
    for (const t of existing)
      if (looksLikeDeadLetterTopic(t) && belongsTo(o.flow, t) && !topics.includes(t)) topics.push(t);
  } else topics = existing.filter((t) => !isInternalTopic(t));
  for (const t of topics)
    if (looksLikeDeadLetterTopic(t) || o.flow?.topics.find((x) => x.name === t)?.deadLetter) deadLetters.add(t);
  return { topics, optional, deadLetters };
}

/** A dead-letter topic goes with a flow when it carries the flow's prefix or one of its topics' names. */
function belongsTo(flow: Flow, topic: string): boolean {
  if (flow.prefix && topic.startsWith(flow.prefix)) return true;
  return flow.topics.some((t) => !t.deadLetter && new RegExp(`(^|[._-])${escape(t.name)}([._-]|$)`).test(topic));
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export async function traceEntity(o: TraceOptions): Promise<TraceResult> {
  const now = o.now ?? Date.now;
  const started = Date.now();
  const matcher = new EntityMatcher(o.id, o.fields);
  const plan = await searchPlan(o.cluster, o);
  let source: TraceResult['source'] = 'topics';
  let found: FoundEvent[];
  let scan: ScanReport;
  const indexed =
    !!o.db &&
    !!o.flow &&
    !o.allPartitions &&
    o.since === undefined &&
    o.until === undefined &&
    !o.topics &&
    !o.pattern &&
    !o.fields?.length
      ? await fromIndex(o, plan)
      : null;
  if (indexed?.events) {
    source = 'entity index';
    found = indexed.events.flatMap((e) => foundFromEnvelope(e.envelope, e.type, { matcher, flow: o.flow }) ?? []);
    scan = { topics: [], recordsExamined: 0, elapsedMs: 0, complete: true, notes: [indexed.note] };
  } else {
    // the keys of joined topics (the skus of an order's lines) are read in the values of the events found so far
    const keysOf = async (records: readonly ConsumedRecord[], path: JsonPath) =>
      (await decodeFound(records, o.codec, matcher, o.flow)).flatMap((e) =>
        valuesAt(structuredValue(e.value), path).flatMap((v) =>
          typeof v === 'string' || typeof v === 'number' ? [String(v)] : [],
        ),
      );
    const result = await findEntity({
      cluster: o.cluster,
      matcher,
      flow: o.flow,
      ...plan,
      since: o.since,
      until: o.until,
      allPartitions: o.allPartitions,
      keysOf,
    });
    found = await decodeFound(result.records, o.codec, matcher, o.flow);
    scan = result.report;
    if (indexed?.note) scan.notes.unshift(indexed.note);
  }
  const events = buildTimeline(found, o.flow);
  const facts = await gatherFacts(o.cluster, factsWanted(o.flow, events));
  const verdict = verdictOf(o.flow, events, facts, now());
  scan.elapsedMs = Date.now() - started;
  return {
    id: o.id,
    entity: o.flow?.entity ?? 'entity',
    flow: o.flow?.source ?? null,
    source,
    found: events.length > 0,
    events,
    verdict,
    scan,
  };
}

/** The entity's events from the flow's entity index when it is up to date, else why not (or null: no index). */
async function fromIndex(
  o: TraceOptions,
  plan: SearchPlan,
): ReturnType<typeof import('../views/entity-index.js').indexedRecords> {
  const { indexedRecords } = await import('../views/entity-index.js');
  return indexedRecords({ cluster: o.cluster, db: o.db!, flow: o.flow!, id: o.id, topics: plan.topics });
}
