// `evt trace --stuck`: the entities of a flow that are not final after a while, each with what it waits for.
// From the flow's entity index when it has read every partition to its end, else from the topics: every
// partition of the flow's topics (and their dead-letter topics) read to its end, only what the flow needs of
// each record looked at (its id and type, usually the key and a header; the value only when the flow says
// the id or type is in it), and the same rules as a single trace deciding what each entity waits for.

import fs from 'node:fs';
import { LATEST, PartitionReader, type Cluster } from '../client/wire/index.js';
import type { ValueCodec } from '../codec/value-codec.js';
import { schemaIdOf } from '../codec/wire-format.js';
import { FlowFacts, structuredValue } from '../flow/entity.js';
import { expectations, type FlowEvent } from '../flow/expectations.js';
import { isFinalType, judgedTypes, stateAfter, type Flow } from '../flow/model.js';
import { ENTITY_INDEX } from '../views/entity-index.js';
import type { SearchPlan } from './trace.js';

export interface StuckEntity {
  id: string;
  state: string | null;
  /** the entity's first event */
  firstAt: number;
  lastAt: number;
  lastEvent: string;
  /** since the first event */
  ageMs: number;
  /** "payments-service: PaymentAuthorized or PaymentDeclined", one per answer owed (dead-lettered triggers say so) */
  waitingFor: string[];
}

export interface StuckReport {
  source: 'topics' | 'entity index';
  entity: string;
  entities: StuckEntity[];
  /** entities of the flow seen in all, final or not (ids none of whose events the flow has rules for are left out) */
  seen: number;
  recordsExamined: number;
  elapsedMs: number;
}

export interface StuckOptions {
  cluster: Cluster;
  codec: ValueCodec;
  flow: Flow;
  plan: SearchPlan;
  olderThanMs: number;
  now?: number;
  /** a views database whose entity index of the flow may answer */
  db?: string;
}

interface Seen extends FlowEvent {
  deadLetterOf?: string;
}

export async function findStuck(o: StuckOptions): Promise<StuckReport> {
  const started = Date.now();
  const now = o.now ?? Date.now();
  const fromIndex = o.db ? await indexedEntities(o) : null;
  const entities = fromIndex ?? (await readEntities(o));
  const out: StuckEntity[] = [];
  const judged = judgedTypes(o.flow);
  let seen = 0;
  for (const [id, events] of entities.byId) {
    events.sort((a, b) => a.timestamp - b.timestamp || a.offset - b.offset);
    const ok = events.filter((e) => !e.deadLetter);
    if (!events.some((e) => judged.has(e.eventType))) continue;
    seen++;
    if (ok.some((e) => isFinalType(o.flow, e.eventType))) continue;
    const firstAt = events[0].timestamp;
    if (now - firstAt < o.olderThanMs) continue;
    const last = events[events.length - 1];
    const dead = new Set(events.filter((e) => e.deadLetterOf).map((e) => e.deadLetterOf!));
    const waitingFor = expectations(o.flow, events)
      .filter((x) => !x.followUp)
      .map(
        (x) =>
          `${x.reaction.service}: ${x.expects.join(' or ')}${dead.has(`${x.trigger.topic}:${x.trigger.partition}:${x.trigger.offset}`) ? ` (its ${x.trigger.eventType} was dead-lettered)` : ''}`,
      );
    out.push({
      id,
      state: stateAfter(
        o.flow,
        ok.map((e) => e.eventType),
      ),
      firstAt,
      lastAt: last.timestamp,
      lastEvent: last.eventType,
      ageMs: now - firstAt,
      waitingFor,
    });
  }
  out.sort((a, b) => a.firstAt - b.firstAt);
  return {
    source: fromIndex ? 'entity index' : 'topics',
    entity: o.flow.entity,
    entities: out,
    seen,
    recordsExamined: entities.examined,
    elapsedMs: Date.now() - started,
  };
}

type Entities = { byId: Map<string, Seen[]>; examined: number };

function add(byId: Map<string, Seen[]>, id: string, e: Seen): void {
  const list = byId.get(id);
  if (list) list.push(e);
  else byId.set(id, [e]);
}

/** Every record of the plan's topics, to the ends taken at the start, as the flow's facts. */
async function readEntities(o: StuckOptions): Promise<Entities> {
  const byId = new Map<string, Seen[]>();
  const facts = new FlowFacts(o.flow);
  const parts: { topic: string; partition: number }[] = [];
  for (const topic of o.plan.topics) {
    const meta = await o.cluster.topic(topic, { refresh: false }).catch(() => null);
    if (meta) for (const p of meta.partitions) parts.push({ topic, partition: p.partition });
  }
  const ends = parts.length
    ? await o.cluster.listOffsets(
        parts.flatMap((p) => [
          { ...p, timestamp: -2 },
          { ...p, timestamp: LATEST },
        ]),
      )
    : [];
  const ranges = parts
    .map((p, i) => ({ ...p, from: ends[2 * i].offset, until: ends[2 * i + 1].offset }))
    .filter((r) => r.until > r.from);
  let examined = 0;
  if (ranges.length === 0) return { byId, examined };
  const reader = new PartitionReader(o.cluster, ranges, { maxWaitMs: 100, partitionMaxBytes: 4 << 20 });
  for await (const chunk of reader) {
    examined += chunk.records.length;
    if (o.codec.registry && chunk.records.length) await o.codec.registry.prepare(chunk.records);
    for (const r of chunk.records) {
      const f = facts.of({
        topic: r.topic,
        key: r.key,
        headers: r.headers,
        value: () => structuredValue(o.codec.decode(r.value).value),
        rawValue: r.value,
        schemaName: () => {
          const id = schemaIdOf(r.value);
          return id === null ? null : (o.codec.registry?.schemaName(id) ?? null);
        },
      });
      if (!f) continue;
      const e: Seen = {
        eventType: f.type,
        topic: r.topic,
        partition: r.partition,
        offset: r.offset,
        timestamp: r.timestamp,
      };
      if (f.deadLetter) {
        e.deadLetter = true;
        e.deadLetterOf = `${f.deadLetter.topic}:${f.deadLetter.partition}:${f.deadLetter.offset}`;
      }
      add(byId, f.id, e);
    }
  }
  return { byId, examined };
}

/** The entities from the flow's entity index, when it has read every partition of its topics to the end. */
async function indexedEntities(o: StuckOptions): Promise<Entities | null> {
  if (!fs.existsSync(o.db!)) return null;
  const { openDatabase, registeredView, positions } = await import('../views/store.js');
  let db;
  try {
    db = openDatabase(o.db!, { readonly: true });
  } catch {
    return null;
  }
  try {
    // the index of this flow (its rows are not counted: that would read them all)
    const view = registeredView(db, ENTITY_INDEX);
    if (!view?.source.startsWith(`flow ${o.flow.name} `)) return null;
    const stored = new Map(positions(db, ENTITY_INDEX).map((p) => [`${p.topic}:${p.partition}`, p.nextOffset]));
    const parts: { topic: string; partition: number }[] = [];
    for (const topic of view.topics) {
      const meta = await o.cluster.topic(topic, { refresh: false }).catch(() => null);
      if (meta) for (const p of meta.partitions) parts.push({ topic, partition: p.partition });
    }
    const ends = parts.length ? await o.cluster.listOffsets(parts.map((p) => ({ ...p, timestamp: LATEST }))) : [];
    if (ends.some((e) => (stored.get(`${e.topic}:${e.partition}`) ?? 0) < e.offset)) return null;
    const byId = new Map<string, Seen[]>();
    const rows = db
      .prepare('SELECT entity_id, topic, partition, offset, timestamp, event_type, dead_letter_of FROM entity_events')
      .iterate() as IterableIterator<{
      entity_id: string;
      topic: string;
      partition: number;
      offset: number;
      timestamp: number;
      event_type: string;
      dead_letter_of: string | null;
    }>;
    for (const r of rows) {
      const e: Seen = {
        eventType: r.event_type,
        topic: r.topic,
        partition: r.partition,
        offset: r.offset,
        timestamp: r.timestamp,
      };
      if (r.dead_letter_of) {
        e.deadLetter = true;
        e.deadLetterOf = r.dead_letter_of;
      }
      add(byId, r.entity_id, e);
    }
    return { byId, examined: 0 };
  } finally {
    db.close();
  }
}
