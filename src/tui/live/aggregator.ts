// What the tail says: the feed of the latest events, the newest type per topic, dead letters per group, and,
// with a flow, its entities (states, outcomes and their reasons, latencies, rates, the stuck ones with what each
// waits for). It is fed facts only (TailEvent: what the flow and the conventions read from a record), so it
// runs without a broker (tests drive it directly), and every structure in it is bounded, so a dashboard left
// open for days keeps a flat memory.

import { expectations, type FlowEvent } from '../../flow/expectations.js';
import { isFinalType, judgedTypes, stateAfter, type Flow } from '../../flow/model.js';
import { RecentIds } from '../../common/recent-ids.js';
import { percentiles } from '../../common/stats.js';
import {
  FEED_CAPACITY,
  HISTORY_CAPACITY,
  Ring,
  STUCK_CAPACITY,
  type FeedEvent,
  type FlowStatus,
  type StuckRow,
} from '../source.js';
import { TimeOrderedFeed } from './feed-buffer.js';

/** One record of a tailed topic, as far as the dashboard looks at it. */
export interface TailEvent {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: string | null;
  /** by the flow or the conventions (the topic's name when nothing says) */
  eventType: string;
  producer: string | null;
  /** the entity by the flow (null: no flow, or no id where the flow says) */
  entityId: string | null;
  /** a dead letter: who gave up on which record, and why */
  deadLetter: { by: string | null; error: string } | null;
  /** the reason of a final event (the flow's reason field), when decoded */
  reason: string | null;
}

export interface AggregatorLimits {
  /** entities not final kept at most (the oldest are forgotten beyond it; default 100,000) */
  openEntities?: number;
  /** ids of entities that ended (or were forgotten), remembered so that late events do not reopen them (default 100,000) */
  finishedIds?: number;
  /** latencies the percentiles are taken over, the latest (default 10,000) */
  latencies?: number;
  /** events kept per open entity for `expectations` (default 64, the latest) */
  eventsPerEntity?: number;
}

interface OpenEntity {
  firstAt: number;
  lastAt: number;
  state: string;
  /** the latest events, what `expectations` reads */
  events: FlowEvent[];
}

/** The state of an entity none of whose events the flow maps yet. */
const NEW = 'NEW';

export class TailAggregator {
  /** the latest events by event time: partitions are read side by side, so arrival order is not time order */
  private readonly feed = new TimeOrderedFeed<FeedEvent>(FEED_CAPACITY);
  private readonly lastTypes = new Map<string, { at: number; eventType: string }>();
  private readonly deadLetters = new Map<string, number>();
  private readonly entities: FlowEntities | null;
  private seq = 0;
  /** bumped by every event: the publisher compares it to know whether anything changed */
  version = 0;

  constructor(
    readonly flow: Flow | null,
    /** the start of the window the tail covers (FlowStatus.since) */
    readonly since: number,
    limits: AggregatorLimits = {},
  ) {
    this.entities = flow ? new FlowEntities(flow, since, limits) : null;
  }

  add(e: TailEvent): void {
    this.version++;
    const last = this.lastTypes.get(e.topic);
    if (!last || e.timestamp >= last.at) this.lastTypes.set(e.topic, { at: e.timestamp, eventType: e.eventType });
    if (e.deadLetter?.by) this.deadLetters.set(e.deadLetter.by, (this.deadLetters.get(e.deadLetter.by) ?? 0) + 1);
    this.feed.push({
      seq: ++this.seq,
      at: e.timestamp,
      topic: e.topic,
      partition: e.partition,
      offset: e.offset,
      key: e.key,
      eventType: e.deadLetter ? `dead letter: ${e.eventType}` : e.eventType,
      producer: e.producer,
      entityId: e.entityId,
      detail: e.deadLetter ? e.deadLetter.error : e.reason,
    });
    // dead letters are shown, not applied: the entity's own topics say what became of it
    if (this.entities && e.entityId !== null && !e.deadLetter) this.entities.add(e.entityId, e);
  }

  get openEntities(): number {
    return this.entities?.openCount ?? 0;
  }

  get evicted(): number {
    return this.entities?.evicted ?? 0;
  }

  /** The latest events, oldest first by event time (a fresh array). */
  feedEvents(): FeedEvent[] {
    return this.feed.toArray().map((f) => ({ ...f }));
  }

  /** The event type of the newest record seen on a topic (null: none). */
  lastEventType(topic: string): string | null {
    return this.lastTypes.get(topic)?.eventType ?? null;
  }

  /** Dead letters seen whose headers name this group or service. */
  deadLettersBy(name: string): number {
    return this.deadLetters.get(name) ?? 0;
  }

  flowStatus(now: number, stuckAfterMs: number): FlowStatus | null {
    return this.entities?.status(now, stuckAfterMs) ?? null;
  }
}

/** A flow's entities as the tail sees them. */
class FlowEntities {
  /** open entities in first-seen order (a Map keeps insertion order, so the oldest is the first key) */
  private readonly open = new Map<string, OpenEntity>();
  private readonly finished: RecentIds;
  private readonly openByState = new Map<string, number>();
  private readonly finalByState = new Map<string, number>();
  private readonly reasons = new Map<string, Map<string, number>>();
  private readonly latencies: Ring<number>;
  private readonly settled = new SecondBuckets(HISTORY_CAPACITY);
  private readonly started = new SecondBuckets(HISTORY_CAPACITY);
  private readonly openCap: number;
  private readonly eventsPerEntity: number;
  /** the flow's states in its own order, final ones last: the panel's columns */
  private readonly order: { state: string; final: boolean }[];
  /** types the flow has rules for: an id is an entity of the flow once one of its events has one */
  private readonly judged: Set<string>;
  private ended = 0;
  /** the first event of the earliest entity seen: what the counts cover starts there, not before */
  private firstSeen = Number.POSITIVE_INFINITY;
  /** open entities dropped because the open-entity cap was reached */
  evicted = 0;

  constructor(
    private readonly flow: Flow,
    private readonly since: number,
    limits: AggregatorLimits,
  ) {
    this.openCap = limits.openEntities ?? 100_000;
    this.finished = new RecentIds(limits.finishedIds ?? 100_000);
    this.latencies = new Ring<number>(limits.latencies ?? 10_000);
    this.eventsPerEntity = limits.eventsPerEntity ?? 64;
    this.order = stateOrder(flow);
    this.judged = judgedTypes(flow);
  }

  get openCount(): number {
    return this.open.size;
  }

  add(id: string, e: TailEvent): void {
    // an entity that ended gets follow-ups and may get late events: it stays ended
    if (this.finished.has(id)) return;
    let o = this.open.get(id);
    if (!o) {
      if (!this.judged.has(e.eventType)) return;
      o = { firstAt: e.timestamp, lastAt: e.timestamp, state: this.flow.initialState ?? NEW, events: [] };
      this.open.set(id, o);
      bump(this.openByState, o.state, 1);
      this.started.add(e.timestamp);
      this.firstSeen = Math.min(this.firstSeen, e.timestamp);
      if (this.open.size > this.openCap) this.evictOldest();
    }
    o.firstAt = Math.min(o.firstAt, e.timestamp);
    o.lastAt = Math.max(o.lastAt, e.timestamp);
    o.events.push({
      eventType: e.eventType,
      topic: e.topic,
      partition: e.partition,
      offset: e.offset,
      timestamp: e.timestamp,
    });
    if (o.events.length > this.eventsPerEntity) o.events.shift();
    const next = stateAfter(this.flow, [e.eventType]);
    const final = isFinalType(this.flow, e.eventType);
    if (next && next !== o.state) {
      bump(this.openByState, o.state, -1);
      o.state = next;
      if (!final) bump(this.openByState, next, 1);
    } else if (final) bump(this.openByState, o.state, -1);
    if (!final) return;
    this.open.delete(id);
    this.finished.add(id);
    const state = next ?? e.eventType;
    bump(this.finalByState, state, 1);
    if (this.flow.reasons[e.eventType]) {
      let byReason = this.reasons.get(state);
      if (!byReason) this.reasons.set(state, (byReason = new Map<string, number>()));
      bump(byReason, e.reason ?? 'unknown', 1);
    }
    this.latencies.push(e.timestamp - o.firstAt);
    this.settled.add(e.timestamp);
    this.ended++;
  }

  private evictOldest(): void {
    const [id, o] = this.open.entries().next().value as [string, OpenEntity];
    this.open.delete(id);
    bump(this.openByState, o.state, -1);
    // remembered as finished: its later events must not make it look like a young entity
    this.finished.add(id);
    this.evicted++;
  }

  status(now: number, stuckAfterMs: number): FlowStatus {
    const known = new Set(this.order.map((s) => s.state));
    const extra = [...this.openByState.keys(), ...this.finalByState.keys()].filter(
      (s) => !known.has(s) && (this.openByState.get(s) || this.finalByState.get(s)),
    );
    const states = [
      ...this.order,
      ...[...new Set(extra)].map((state) => ({ state, final: this.finalByState.has(state) })),
    ].map(({ state, final }) => ({
      state,
      final,
      count: (this.openByState.get(state) ?? 0) + (this.finalByState.get(state) ?? 0),
    }));
    const values = this.latencies.toArray();
    const [p50, p95, p99] = percentiles(values, [50, 95, 99]);
    const { rows, total } = this.stuck(now, stuckAfterMs);
    return {
      name: this.flow.name,
      entity: this.flow.entity,
      states,
      reasons: Object.fromEntries([...this.reasons].map(([state, m]) => [state, Object.fromEntries(m)])),
      settledPerSecond: this.settled.values(now),
      startedPerSecond: this.started.values(now),
      // the percentiles are over the latest latencies kept; count is every entity that ended in the window
      latency: values.length ? { p50, p95, p99, count: this.ended } : null,
      stuck: rows,
      stuckTotal: total,
      stuckAfterMs,
      // the window reaches back further than the system's first entity (a demo a few seconds old, a quiet
      // morning): "since" is the first entity's first event then, never a time nothing was there yet
      since: Number.isFinite(this.firstSeen) ? Math.max(this.since, this.firstSeen) : this.since,
    };
  }

  /**
   * Open entities older than the threshold, oldest first. Every open entity is looked at: first-seen order is
   * only roughly time order (the tail reads partitions side by side, one may be read minutes ahead while
   * catching up), and the open map is small once the system keeps up; `expectations` runs for the rows shown.
   */
  private stuck(now: number, stuckAfterMs: number): { rows: StuckRow[]; total: number } {
    const old: [string, OpenEntity][] = [];
    for (const entry of this.open) if (now - entry[1].firstAt > stuckAfterMs) old.push(entry);
    old.sort((a, b) => a[1].firstAt - b[1].firstAt);
    const rows = old
      .slice(0, STUCK_CAPACITY)
      .map(([id, o]) => ({ id, state: o.state, ageMs: now - o.firstAt, waitingFor: this.waitingFor(o.events) }));
    return { rows, total: old.length };
  }

  /** "inventory: StockReserved or StockReservationFailed": the first answer the entity owes (not a follow-up). */
  private waitingFor(events: readonly FlowEvent[]): string {
    const rank = new Map(this.flow.topics.map((t, i) => [t.name, i]));
    const timeline = [...events].sort(
      (a, b) =>
        a.timestamp - b.timestamp || (rank.get(a.topic) ?? 99) - (rank.get(b.topic) ?? 99) || a.offset - b.offset,
    );
    const owed = expectations(this.flow, timeline).find((x) => !x.followUp);
    return owed ? `${owed.reaction.service}: ${owed.expects.join(' or ')}` : 'unknown';
  }
}

/** The flow's states in the order its events go through them, final ones last. */
function stateOrder(flow: Flow): { state: string; final: boolean }[] {
  const types = flow.topics.flatMap((t) => t.types);
  const out = new Map<string, boolean>();
  if (flow.initialState) out.set(flow.initialState, false);
  const stateOf = (type: string) => (Object.keys(flow.states).length ? flow.states[type] : type);
  for (const type of [...Object.keys(flow.states), ...types]) {
    const s = stateOf(type);
    if (s && !isFinalType(flow, type) && !out.has(s)) out.set(s, false);
  }
  for (const type of flow.final) {
    const s = stateOf(type) ?? type;
    out.set(s, true);
  }
  return [...out].map(([state, final]) => ({ state, final }));
}

function bump(counts: Map<string, number>, key: string, by: number): void {
  counts.set(key, (counts.get(key) ?? 0) + by);
}

/**
 * Counts per second of event time, for the last `capacity` seconds: slot s % capacity holds second s. Event
 * time, not arrival time, so that catching up on the window does not pile minutes of events into one second.
 */
export class SecondBuckets {
  private readonly counts: number[];
  private readonly seconds: number[];

  constructor(readonly capacity: number) {
    this.counts = new Array<number>(capacity).fill(0);
    this.seconds = new Array<number>(capacity).fill(-1);
  }

  add(at: number, n = 1): void {
    const s = Math.floor(at / 1000);
    const i = s % this.capacity;
    if (this.seconds[i] !== s) {
      if (s < this.seconds[i]) return; // older than the window the slot now covers
      this.seconds[i] = s;
      this.counts[i] = 0;
    }
    this.counts[i] += n;
  }

  /** The last `capacity` whole seconds before `now`, oldest first (the second under way would read low). */
  values(now: number): number[] {
    const current = Math.floor(now / 1000);
    const out: number[] = [];
    for (let s = current - this.capacity; s < current; s++) {
      const i = ((s % this.capacity) + this.capacity) % this.capacity;
      out.push(this.seconds[i] === s ? this.counts[i] : 0);
    }
    return out;
  }
}
