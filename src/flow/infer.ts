// `evt flow infer`: a draft flow learnt from a sample of the cluster, good enough to judge entities without
// edits, and written for a person to correct.
//
//   ids      values that recur across topics: every record's key, headers (not the known non-id ones) and
//            value fields are candidates; a candidate place (topic + location) whose values are shared with
//            places on other topics is linked to them; the linked places that span the most topics carry the
//            entity id (an order id recurs on every topic of an order; a customer id on a few; a currency or a
//            service name is too common to be anyone's id).
//   types    by the conventions, per topic.
//   groups   the consumer groups and the topics they read (their committed offsets).
//   steps    per entity, its events in time order: which type follows which, and how long after. A type's
//            usual successors are the answers to it; the group that answers is the one among its topic's
//            readers that produces the answer (by the producer headers, ce_source or evt-producer, matched
//            to group names), or the answer's own producer continuing on a timer, or else every reader.
//   final    types after which entities mostly have no further event.

import { committedOffsets, describeGroupState, listGroups } from '../client/wire/group-info.js';
import type { Cluster } from '../client/wire/index.js';
import type { ValueCodec } from '../codec/value-codec.js';
import {
  NON_ID_HEADERS,
  conventionalType,
  deadLetterOf,
  isInternalTopic,
  linksOf,
  looksLikeDeadLetterTopic,
} from './conventions.js';
import { parsePath, scalarLeaves } from './json-path.js';
import { emptyFlow, type Flow, type FlowTopic, type IdLocation, type Reaction } from './model.js';
import { sampleTopics, type SampledRecord } from './sample.js';

export interface InferOptions {
  cluster: Cluster;
  codec: ValueCodec;
  topics: readonly string[];
  /** epoch ms the sample's window starts at */
  since: number;
  /** records per partition at most (default 5,000) */
  perPartition?: number;
  name?: string;
}

export interface InferReport {
  flow: Flow;
  /** records sampled per topic */
  sampled: Record<string, number>;
  /** entities whose events were followed */
  entities: number;
}

/** Header names of the dead-letter schemes: copies of another record's origin, never an id of the entity. */
const DLT_HEADER = /^(kafka_dlt-|x-original-|x-exception-|__connect\.errors\.|evt-dlq-)/i;
/** At most this many candidate values per record are looked at (big documents have hundreds of fields). */
const LEAVES_PER_RECORD = 60;

interface Place {
  topic: string;
  location: IdLocation;
  /** records of the topic that have it */
  records: number;
  values: Set<string>;
}

export async function inferFlow(o: InferOptions): Promise<InferReport> {
  const sample = await sampleTopics(o.cluster, o.codec, o.topics, {
    since: o.since,
    perPartition: o.perPartition ?? 5000,
  });
  const records = sample.records;
  const deadLetterTopics = new Set(o.topics.filter((t) => looksLikeDeadLetterTopic(t)));
  for (const r of records) if (deadLetterOf(r.headers)) deadLetterTopics.add(r.topic);
  const live = records.filter((r) => !deadLetterTopics.has(r.topic));

  // ---- ids: candidate places and the values they share across topics
  const places = new Map<string, Place>();
  const perTopic = new Map<string, number>();
  for (const r of live) {
    perTopic.set(r.topic, (perTopic.get(r.topic) ?? 0) + 1);
    for (const [location, value] of candidates(r)) {
      const k = `${r.topic}\u0000${location.text}`;
      let p = places.get(k);
      if (!p) places.set(k, (p = { topic: r.topic, location, records: 0, values: new Set() }));
      p.records++;
      p.values.add(value);
    }
  }
  // a place whose values repeat a lot (a currency, a status, a service name) names no entity
  const idLike = [...places.values()].filter((p) => p.values.size >= 3 && p.values.size >= 0.2 * p.records);
  const component = idComponent(idLike);
  const flow = emptyFlow(o.name ?? 'inferred', 'inferred');
  const sampled = Object.fromEntries([...sample.topics].map(([t, c]) => [t, c.records]));
  flow.notes.push(
    `inferred from ${records.length} records of ${sample.topics.size} topics (the window from ${new Date(o.since).toISOString()}, at most ${o.perPartition ?? 5000} per partition)`,
  );
  if (!component.length) {
    flow.notes.push(
      'no value recurs across topics: no entity id was found (give the id locations yourself, e.g. "id": "$key")',
    );
  }
  const idPlaces = new Map<string, Place[]>();
  for (const p of component) idPlaces.set(p.topic, [...(idPlaces.get(p.topic) ?? []), p]);
  const rank = (l: IdLocation) => (l.from === 'key' ? 0 : l.from === 'header' ? 1 : 2);
  for (const list of idPlaces.values())
    list.sort((a, b) => rank(a.location) - rank(b.location) || b.records - a.records);

  // ---- the entities' events, and the types on each topic
  const typesOf = new Map<string, Map<string, number>>();
  const producers = new Map<string, Map<string, number>>();
  const entities = new Map<string, { type: string; topic: string; timestamp: number }[]>();
  for (const r of live) {
    const type = conventionalType(r).type;
    bump(typesOf, r.topic, type);
    const producer = linksOf(r.headers).producer;
    if (producer) bump(producers, type, producer);
    for (const p of idPlaces.get(r.topic) ?? []) {
      const id = valueAt(r, p.location);
      if (id === null || !p.values.has(id)) continue;
      const list = entities.get(id) ?? [];
      list.push({ type, topic: r.topic, timestamp: r.timestamp });
      entities.set(id, list);
      break;
    }
  }
  // an id seen on one topic only tells nothing of the steps (and may be another thing's id)
  for (const [id, list] of entities)
    if (new Set(list.map((e) => e.topic)).size < 2 && list.length < 2) entities.delete(id);

  // ---- topics
  const topicOrder = orderTopics(
    o.topics.filter((t) => !isInternalTopic(t)),
    entities,
  );
  for (const name of topicOrder) {
    const dead = deadLetterTopics.has(name);
    const spec: FlowTopic = {
      name,
      idAt: dead ? [] : (idPlaces.get(name) ?? []).map((p) => p.location),
      types: dead ? [] : sortedKeys(typesOf.get(name)),
      typeAt: null,
      deadLetter: dead,
      watch: [],
      values: null,
      keys: [],
    };
    if (!dead && !spec.idAt.length && (perTopic.get(name) ?? 0) > 0)
      flow.notes.push(
        `${name}: no place of its records holds the entity id, so it is left out of the flow's judgement (it is still searched by evt trace)`,
      );
    if (!dead && !spec.idAt.length) continue;
    flow.topics.push(spec);
  }
  for (const [topic, list] of idPlaces) {
    const p = list[0];
    flow.notes.push(
      `${topic}: the id is at ${list.map((x) => x.location.text).join(', ')} (${p.records} of ${perTopic.get(topic)} sampled records, ${p.values.size} distinct values)`,
    );
  }

  // ---- groups and the topics they read
  const groups = await readersOf(o.cluster, [...sample.topics.keys()]);
  for (const g of groups)
    flow.notes.push(
      `group ${g.group}: reads ${g.topics.join(', ') || 'nothing it committed'}; ${g.members} member${g.members === 1 ? '' : 's'} (${g.state})`,
    );

  // ---- steps: which type follows which, how long after, and who answers
  const follows = new Map<string, Map<string, number[]>>();
  const seenWith = new Map<string, number>();
  const lastOf = new Map<string, number>();
  for (const events of entities.values()) {
    events.sort((a, b) => a.timestamp - b.timestamp);
    const types = new Set<string>();
    events.forEach((e, i) => {
      if (!types.has(e.type)) seenWith.set(e.type, (seenWith.get(e.type) ?? 0) + 1);
      types.add(e.type);
      const next = events.slice(i + 1).find((x) => x.type !== e.type);
      if (next) {
        const m = follows.get(e.type) ?? new Map<string, number[]>();
        m.set(next.type, [...(m.get(next.type) ?? []), next.timestamp - e.timestamp]);
        follows.set(e.type, m);
      }
    });
    const last = events[events.length - 1].type;
    lastOf.set(last, (lastOf.get(last) ?? 0) + 1);
  }
  const topicOfType = new Map<string, string>();
  for (const [topic, types] of typesOf)
    for (const t of types.keys()) if (!topicOfType.has(t)) topicOfType.set(t, topic);
  const producerOf = (type: string) => mostCommon(producers.get(type));
  for (const [type, successors] of follows) {
    const n = seenWith.get(type) ?? 0;
    const topic = topicOfType.get(type);
    if (!topic) continue;
    const answers = [...successors]
      .filter(([, delays]) => delays.length >= 2 && delays.length >= 0.05 * n)
      .sort((a, b) => b[1].length - a[1].length);
    // the answers, grouped by who gives them
    const byGroup = new Map<string, { groups: string[]; timer: boolean; types: string[]; delays: number[] }>();
    for (const [answer, delays] of answers) {
      const who = answerer(topic, producerOf(type), producerOf(answer), groups);
      const k = `${who.groups.join(',')}|${who.timer}`;
      const entry = byGroup.get(k) ?? { ...who, types: [], delays: [] };
      entry.types.push(answer);
      entry.delays.push(...delays);
      byGroup.set(k, entry);
    }
    for (const entry of byGroup.values()) {
      if (entry.groups.length === 0) continue;
      const reaction: Reaction = {
        groups: entry.groups,
        service: entry.groups.length === 1 ? entry.groups[0] : `one of ${entry.groups.join(', ')}`,
        on: [type],
        requires: [],
        answers: entry.types,
        unless: [],
        withinMs: within(entry.delays),
        timer: entry.timer,
        followUp: false,
      };
      flow.reactions.push(reaction);
    }
  }
  flow.reactions.sort(
    (a, b) => topicOrder.indexOf(topicOfType.get(a.on[0]) ?? '') - topicOrder.indexOf(topicOfType.get(b.on[0]) ?? ''),
  );
  // ---- final types: after them, entities mostly have no further event
  for (const [type, n] of seenWith) {
    if (n < 2) continue;
    const last = lastOf.get(type) ?? 0;
    if (last >= 0.5 * n || !follows.has(type)) flow.final.push(type);
  }
  flow.final.sort(
    (a, b) => topicOrder.indexOf(topicOfType.get(a) ?? '') - topicOrder.indexOf(topicOfType.get(b) ?? ''),
  );
  flow.entity = entityWord(component);
  flow.notes.push(
    `${entities.size} entities followed across topics; types after which they mostly end: ${flow.final.join(', ') || 'none found'}`,
  );
  return { flow, sampled, entities: entities.size };
}

/** The (location, value) pairs of a record that could be an entity id. */
function candidates(r: SampledRecord): [IdLocation, string][] {
  const out: [IdLocation, string][] = [];
  const ok = (v: string) =>
    v.length >= 2 &&
    v.length <= 128 &&
    !/^\d{1,3}$/.test(v) &&
    !/^\d{4}-\d\d-\d\dT/.test(v) &&
    !/^(true|false|null)$/i.test(v);
  if (r.key !== null && r.key.length) {
    const k = r.key.toString('utf8');
    if (isPrintable(k) && ok(k)) out.push([{ from: 'key', text: '$key' }, k]);
  }
  for (const h of r.headers) {
    if (h.value === null || NON_ID_HEADERS.has(h.key.toLowerCase()) || DLT_HEADER.test(h.key)) continue;
    const v = h.value.toString('utf8');
    if (isPrintable(v) && ok(v)) out.push([{ from: 'header', text: `$headers.${h.key}`, name: h.key }, v]);
  }
  if (r.value !== undefined && r.value !== null && typeof r.value === 'object') {
    for (const leaf of scalarLeaves(r.value, LEAVES_PER_RECORD)) {
      if (ok(leaf.value)) out.push([{ from: 'value', text: leaf.path, path: parsePath(leaf.path) }, leaf.value]);
    }
  }
  return out;
}

function isPrintable(s: string): boolean {
  // eslint-disable-next-line no-control-regex -- control characters are what it looks for
  return !/[\u0000-\u001f\ufffd]/.test(s);
}

function valueAt(r: SampledRecord, l: IdLocation): string | null {
  for (const [location, value] of candidates(r)) if (location.text === l.text) return value;
  return null;
}

/**
 * The places that carry the entity id: places linked by shared values (at least three, and a tenth of the
 * smaller place's values), grouped; the group spanning the most topics wins, then the one sharing the most.
 */
function idComponent(places: readonly Place[]): Place[] {
  const owners = new Map<string, number[]>();
  places.forEach((p, i) => {
    for (const v of p.values) {
      const list = owners.get(v);
      if (list) {
        if (list.length < 16) list.push(i);
      } else owners.set(v, [i]);
    }
  });
  const shared = new Map<string, number>();
  for (const list of owners.values()) {
    if (list.length < 2 || list.length >= 16) continue;
    for (let a = 0; a < list.length; a++)
      for (let b = a + 1; b < list.length; b++) {
        const k = list[a] < list[b] ? `${list[a]}:${list[b]}` : `${list[b]}:${list[a]}`;
        shared.set(k, (shared.get(k) ?? 0) + 1);
      }
  }
  const parent = places.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  const weight = new Map<number, number>();
  for (const [k, n] of shared) {
    const [a, b] = k.split(':').map(Number);
    const smaller = Math.min(places[a].values.size, places[b].values.size);
    if (n < 3 || n < 0.1 * smaller) continue;
    parent[find(a)] = find(b);
    weight.set(a, (weight.get(a) ?? 0) + n);
    weight.set(b, (weight.get(b) ?? 0) + n);
  }
  const groups = new Map<number, number[]>();
  places.forEach((_, i) => {
    if (!weight.has(i)) return;
    const root = find(i);
    groups.set(root, [...(groups.get(root) ?? []), i]);
  });
  let best: number[] = [];
  let bestScore = [0, 0];
  for (const members of groups.values()) {
    const topics = new Set(members.map((i) => places[i].topic)).size;
    const w = members.reduce((n, i) => n + (weight.get(i) ?? 0), 0);
    if (topics > bestScore[0] || (topics === bestScore[0] && w > bestScore[1])) {
      best = members;
      bestScore = [topics, w];
    }
  }
  return best.map((i) => places[i]);
}

/** Topics in the order entities go through them (by the median time of their first event there), then the rest. */
function orderTopics(
  topics: readonly string[],
  entities: Map<string, { topic: string; timestamp: number }[]>,
): string[] {
  const offsets = new Map<string, number[]>();
  for (const events of entities.values()) {
    const t0 = Math.min(...events.map((e) => e.timestamp));
    const firsts = new Map<string, number>();
    for (const e of events) if (!firsts.has(e.topic)) firsts.set(e.topic, e.timestamp - t0);
    for (const [t, d] of firsts) offsets.set(t, [...(offsets.get(t) ?? []), d]);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const rank = (t: string) => (offsets.has(t) ? median(offsets.get(t)!) : Infinity);
  return [...topics].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

interface Reader {
  group: string;
  topics: string[];
  members: number;
  state: string;
}

async function readersOf(cluster: Cluster, topics: string[]): Promise<Reader[]> {
  const parts = (
    await Promise.all(
      topics.map(async (t) =>
        ((await cluster.topic(t, { refresh: false }).catch(() => null))?.partitions ?? []).map((p) => ({
          topic: t,
          partition: p.partition,
        })),
      ),
    )
  ).flat();
  const groups = await listGroups(cluster).catch(() => []);
  const out: Reader[] = [];
  for (const { groupId } of groups) {
    const committed = await committedOffsets(cluster, groupId, parts).catch(() => new Map<string, number>());
    const read = [...new Set([...committed.keys()].map((k) => k.slice(0, k.lastIndexOf(':'))))].sort();
    const state = await describeGroupState(cluster, groupId).catch(() => ({ state: 'unknown', members: 0 }));
    out.push({ group: groupId, topics: read, members: state.members, state: state.state });
  }
  return out;
}

const STOP = new Set([
  'service',
  'svc',
  'consumer',
  'consumers',
  'group',
  'app',
  'worker',
  'workers',
  'evt',
  'workflow',
  'v1',
  'v2',
  'com',
  'org',
  'io',
]);
const tokens = (s: string) =>
  new Set(
    s
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter((t) => t.length > 1 && !STOP.has(t)),
  );

/** The group a producer name (ce_source, evt-producer) belongs to, by the words they share; null when unclear. */
function groupOfProducer(producer: string | null, groups: readonly Reader[]): Reader | null {
  if (!producer) return null;
  const words = tokens(producer);
  let best: Reader | null = null;
  let bestScore = 0;
  let tie = false;
  for (const g of groups) {
    const mine = [...tokens(g.group)];
    const hits = mine.filter((t) => words.has(t)).length;
    const score = mine.length ? hits / mine.length : 0;
    if (score > bestScore) {
      best = g;
      bestScore = score;
      tie = false;
    } else if (score === bestScore && score > 0) tie = true;
  }
  return bestScore >= 0.5 && !tie ? best : null;
}

/** Who answers `trigger`'s records (on `topic`) with an event of another producer. */
function answerer(
  topic: string,
  triggerProducer: string | null,
  answerProducer: string | null,
  groups: readonly Reader[],
): { groups: string[]; timer: boolean } {
  const readers = groups.filter((g) => g.topics.includes(topic));
  const producerGroup = groupOfProducer(answerProducer, groups);
  if (producerGroup && readers.includes(producerGroup)) return { groups: [producerGroup.group], timer: false };
  // the same service goes on after its own event: a timer or a loop of its own, not a consumer of the topic
  if (producerGroup && answerProducer === triggerProducer) return { groups: [producerGroup.group], timer: true };
  if (readers.length === 1) return { groups: [readers[0].group], timer: false };
  return { groups: readers.map((g) => g.group), timer: false };
}

/** A generous bound from the delays seen: three times the 95th percentile, rounded up, at least a second. */
function within(delays: number[]): number {
  const sorted = [...delays].sort((a, b) => a - b);
  const p95 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))] ?? 0;
  const ms = Math.max(1000, p95 * 3);
  const step = ms < 10_000 ? 1000 : ms < 120_000 ? 10_000 : 60_000;
  return Math.ceil(ms / step) * step;
}

/** What the id names, from its place's name: `$.parcel.parcelId` and `parcel_id` say "parcel". */
function entityWord(places: readonly Place[]): string {
  for (const p of places) {
    const name =
      p.location.from === 'value'
        ? p.location.text
            .split(/[.[\]'$]+/)
            .filter(Boolean)
            .pop()
        : p.location.from === 'header'
          ? p.location.name
          : null;
    const m = name ? /^([a-z]+?)[_-]?(id|key|number|no)$/i.exec(name) : null;
    if (m) return m[1].toLowerCase();
  }
  return 'entity';
}

function bump(m: Map<string, Map<string, number>>, k: string, v: string): void {
  const inner = m.get(k) ?? new Map<string, number>();
  inner.set(v, (inner.get(v) ?? 0) + 1);
  m.set(k, inner);
}

function mostCommon(m: Map<string, number> | undefined): string | null {
  if (!m) return null;
  return [...m].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
}

function sortedKeys(m: Map<string, number> | undefined): string[] {
  return m ? [...m].sort((a, b) => b[1] - a[1]).map(([k]) => k) : [];
}
