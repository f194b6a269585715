// The workflow half of a dashboard snapshot: what the tail of the order-keyed topics and the dead-letter
// topics says about the orders (states, rejections, latencies, rates, stuck orders) and the feed of the
// latest events. It is fed header facts only (TailEvent), so it runs without a broker (tests drive it
// directly), and every structure in it is bounded, so a dashboard left open for days keeps a flat memory.

import { ORDER_KEYED_TOPICS, ORDER_STATES, REJECTION_REASONS, STATE_AFTER, TERMINAL_STATES, TOPIC_NAMES, isDeadLetterTopic } from '../../workflow/catalogue.js';
import { RecentIds } from '../../workflow/service.js';
import { percentiles } from '../../workflow/stats.js';
import { minimalEvent } from '../../trace/stuck.js';
import type { TraceEvent } from '../../trace/timeline.js';
import { expectations } from '../../trace/verdict.js';
import { FEED_CAPACITY, HISTORY_CAPACITY, Ring, STUCK_CAPACITY, type FeedEvent, type StuckRow, type WorkflowStatus } from '../source.js';
import { TimeOrderedFeed } from './feed-buffer.js';

/** One record of a tailed topic, as far as the dashboard looks at it (headers, key, place and time). */
export interface TailEvent {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: string | null;
  /** the evt-event-type header (null: none) */
  eventType: string | null;
  producer: string | null;
  correlationId: string | null;
  /** the evt-dlq-error header of a dead letter */
  dlqError: string | null;
  /** the decoded reason of an OrderRejected (the one value the tail decodes) */
  reason: string | null;
}

export interface AggregatorLimits {
  /** orders not final kept at most (the oldest are forgotten beyond it; default 100,000) */
  openOrders?: number;
  /** ids of orders that ended (or were forgotten), remembered so that late events do not reopen them (default 100,000) */
  finishedIds?: number;
  /** latencies the percentiles are taken over, the latest (default 10,000) */
  latencies?: number;
  /** events kept per open order for `expectations` (default 64, the latest; an order has about 16) */
  eventsPerOrder?: number;
}

const ORDER_KEYED = new Set<string>(ORDER_KEYED_TOPICS);
const STATE_OF: Readonly<Record<string, string>> = STATE_AFTER;
const TERMINAL = new Set<string>(TERMINAL_STATES);
const TOPIC_RANK = new Map<string, number>(TOPIC_NAMES.map((t, i) => [t, i]));
/** byState always has these keys, so that the screen's columns do not come and go */
const STATES = ['REQUESTED', ...ORDER_STATES];

/** Whether the tail reads a topic: the order-keyed workflow topics and the dead-letter topics. */
export function isTailed(topic: string): boolean {
  return ORDER_KEYED.has(topic) || isDeadLetterTopic(topic);
}

interface OpenOrder {
  firstAt: number;
  lastAt: number;
  state: string;
  /** the latest events, as minimal TraceEvents (what `expectations` reads) */
  events: TraceEvent[];
}

export class WorkflowAggregator {
  /** open orders in first-seen order (a Map keeps insertion order, so the oldest is the first key) */
  private readonly open = new Map<string, OpenOrder>();
  private readonly finished: RecentIds;
  private readonly openByState = new Map<string, number>();
  private readonly finalByState = new Map<string, number>();
  private readonly rejected = new Map<string, number>();
  private readonly latencies: Ring<number>;
  private readonly settled = new SecondBuckets(HISTORY_CAPACITY);
  private readonly requested = new SecondBuckets(HISTORY_CAPACITY);
  private readonly feed = new TimeOrderedFeed<FeedEvent>(FEED_CAPACITY);
  private readonly lastTypes = new Map<string, { at: number; eventType: string }>();
  private readonly openCap: number;
  private readonly eventsPerOrder: number;
  private seq = 0;
  private ended = 0;
  /** open orders dropped because the open-order cap was reached */
  evicted = 0;
  /** bumped by every event: the publisher compares it to know whether anything changed */
  version = 0;

  constructor(
    /** the start of the window the tail covers (WorkflowStatus.since) */
    readonly since: number,
    limits: AggregatorLimits = {},
  ) {
    this.openCap = limits.openOrders ?? 100_000;
    this.finished = new RecentIds(limits.finishedIds ?? 100_000);
    this.latencies = new Ring<number>(limits.latencies ?? 10_000);
    this.eventsPerOrder = limits.eventsPerOrder ?? 64;
  }

  get openOrders(): number {
    return this.open.size;
  }

  add(e: TailEvent): void {
    this.version++;
    const dead = isDeadLetterTopic(e.topic);
    const eventType = e.eventType ?? (dead ? 'dead letter' : '?');
    const last = this.lastTypes.get(e.topic);
    if (!last || e.timestamp >= last.at) this.lastTypes.set(e.topic, { at: e.timestamp, eventType });
    const orderKeyed = !dead && ORDER_KEYED.has(e.topic);
    this.feed.push({
      seq: ++this.seq,
      at: e.timestamp,
      topic: e.topic,
      partition: e.partition,
      offset: e.offset,
      key: e.key,
      eventType,
      producer: e.producer,
      orderId: dead ? (e.key ?? e.correlationId) : orderKeyed ? e.key : null,
      detail: dead ? e.dlqError : eventType === 'OrderRejected' ? e.reason : null,
    });
    // dead letters are shown, not applied: the order's own topics say what became of it
    if (!orderKeyed || e.key === null) return;
    if (e.topic === 'basket.order-requests' && eventType === 'OrderRequested') this.requested.add(e.timestamp);
    this.track(e.key, e, eventType);
  }

  private track(orderId: string, e: TailEvent, eventType: string): void {
    // an order that ended gets follow-ups (capture, commit) and may get late events: it stays ended
    if (this.finished.has(orderId)) return;
    let o = this.open.get(orderId);
    if (!o) {
      o = { firstAt: e.timestamp, lastAt: e.timestamp, state: 'REQUESTED', events: [] };
      this.open.set(orderId, o);
      bump(this.openByState, 'REQUESTED', 1);
      if (this.open.size > this.openCap) this.evictOldest();
    }
    o.firstAt = Math.min(o.firstAt, e.timestamp);
    o.lastAt = Math.max(o.lastAt, e.timestamp);
    o.events.push(minimalEvent(e.topic, e.partition, e.offset, e.timestamp, eventType));
    if (o.events.length > this.eventsPerOrder) o.events.shift();
    // order events come from one partition of `orders`, in offset order: the latest read is the latest written
    const next = e.topic === 'orders' ? STATE_OF[eventType] : undefined;
    if (!next) return;
    bump(this.openByState, o.state, -1);
    o.state = next;
    if (!TERMINAL.has(next)) {
      bump(this.openByState, next, 1);
      return;
    }
    this.open.delete(orderId);
    this.finished.add(orderId);
    bump(this.finalByState, next, 1);
    if (next === 'REJECTED') bump(this.rejected, e.reason ?? 'unknown', 1);
    this.latencies.push(e.timestamp - o.firstAt);
    this.settled.add(e.timestamp);
    this.ended++;
  }

  private evictOldest(): void {
    const [id, o] = this.open.entries().next().value as [string, OpenOrder];
    this.open.delete(id);
    bump(this.openByState, o.state, -1);
    // remembered as finished: its later events must not make it look like a young order
    this.finished.add(id);
    this.evicted++;
  }

  /** The latest events, oldest first (a fresh array). */
  feedEvents(): FeedEvent[] {
    return this.feed.toArray().map((f) => ({ ...f }));
  }

  /** The event type of the newest record seen on a topic (null: none). */
  lastEventType(topic: string): string | null {
    return this.lastTypes.get(topic)?.eventType ?? null;
  }

  workflow(now: number, stuckAfterMs: number): WorkflowStatus {
    const byState: Record<string, number> = {};
    for (const s of STATES) byState[s] = (this.openByState.get(s) ?? 0) + (this.finalByState.get(s) ?? 0);
    const rejected: Record<string, number> = Object.fromEntries(REJECTION_REASONS.map((r) => [r, 0]));
    for (const [reason, n] of this.rejected) rejected[reason] = n;
    const values = this.latencies.toArray();
    const [p50, p95, p99] = percentiles(values, [50, 95, 99]);
    const { rows, total } = this.stuck(now, stuckAfterMs);
    return {
      byState,
      rejected,
      settledPerSecond: this.settled.values(now),
      requestedPerSecond: this.requested.values(now),
      // the percentiles are over the latest latencies kept; count is every order that ended in the window
      latency: values.length ? { p50, p95, p99, count: this.ended } : null,
      stuck: rows,
      stuckTotal: total,
      stuckAfterMs,
      since: this.since,
    };
  }

  /**
   * Open orders older than the threshold, oldest first. Every open order is looked at: first-seen order is only
   * roughly time order (the tail reads partitions side by side, one may be read minutes ahead while catching
   * up), and the open map is small once the workflow keeps up; `expectations` runs for the rows shown only.
   */
  private stuck(now: number, stuckAfterMs: number): { rows: StuckRow[]; total: number } {
    const old: [string, OpenOrder][] = [];
    for (const entry of this.open) if (now - entry[1].firstAt > stuckAfterMs) old.push(entry);
    old.sort((a, b) => a[1].firstAt - b[1].firstAt);
    const rows = old.slice(0, STUCK_CAPACITY).map(([orderId, o]) => ({ orderId, state: o.state, ageMs: now - o.firstAt, waitingFor: waitingFor(o.events) }));
    return { rows, total: old.length };
  }
}

/** "inventory: StockReserved or StockReservationFailed": the first step the order owes (not a follow-up). */
function waitingFor(events: readonly TraceEvent[]): string {
  // expectations reads "the last X" in list order: time order, the catalogue's topic order within a millisecond
  const timeline = [...events].sort((a, b) => a.timestamp - b.timestamp || (TOPIC_RANK.get(a.topic) ?? 99) - (TOPIC_RANK.get(b.topic) ?? 99) || a.offset - b.offset);
  const owed = expectations(timeline).find((x) => !x.followUp);
  return owed ? `${owed.service}: ${owed.expects.join(' or ')}` : 'unknown';
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
