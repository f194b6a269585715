// What the dashboard shows, as plain data, and where it comes from. Components receive snapshots and never
// talk to Kafka: a live source (src/tui/live/) polls the cluster and tails its topics outside React and pushes
// a snapshot at a bounded rate; the fake source (fake-source.ts) does the same from a script, for tests and for
// looking at the screen without a cluster. What the dashboard knows of a system's entities comes from its flow
// (src/flow): without one, it shows topics, groups and events, and no flow panel.

import type { TraceResult } from '../trace/trace.js';

export interface Snapshot {
  /** wall clock when the snapshot was taken */
  at: number;
  /** when the source started (the dashboard's uptime) */
  startedAt: number;
  cluster: ClusterStatus;
  /** the simulation this process runs (evt demo), or null */
  simulation: SimulationStatus | null;
  /** the flow's entities (null: no flow) */
  flow: FlowStatus | null;
  /** one row per consumer group: the flow's groups first, then the others by name */
  services: ServiceRow[];
  /** one row per topic (internal topics left out): the flow's first, then by name */
  topics: TopicRow[];
  /** the latest events in event-time order, oldest first (equal times: as read; at most FEED_CAPACITY) */
  feed: FeedEvent[];
}

export interface ClusterStatus {
  /** profile name, "embedded" or the first broker */
  name: string;
  brokers: string[];
  /** the last poll reached the cluster */
  reachable: boolean;
  /** why the last poll failed, when it did */
  error: string | null;
  /** the schema registry's URL, when there is one (what `evt --registry` needs in another terminal) */
  registry?: string;
}

export interface SimulationStatus {
  phase: 'sending' | 'draining' | 'stopped';
  /** orders per second asked for */
  rate: number;
  sent: number;
  /** services stopped by the fault right now */
  down: string[];
  /** the fault now or next, in words ("inventory stopped, back in 12s"), or null */
  fault: string | null;
}

export interface FlowStatus {
  /** the flow's name and what its ids name ("order") */
  name: string;
  entity: string;
  /** entities seen since `since`, by their current state, in the flow's order (final states last) */
  states: { state: string; count: number; final: boolean }[];
  /** final entities by state and reason (the flow's reason field of the final event) */
  reasons: Record<string, Record<string, number>>;
  /** entities reaching a final state per second, one value per second, oldest first */
  settledPerSecond: number[];
  /** entities seen first per second, one value per second, oldest first */
  startedPerSecond: number[];
  /** first event to final event, over the entities that ended since `since` (null: none yet) */
  latency: { p50: number; p95: number; p99: number; count: number } | null;
  /** entities not final for longer than `stuckAfterMs`, oldest first (at most STUCK_CAPACITY) */
  stuck: StuckRow[];
  /** how many entities are stuck in all (the list may be cut) */
  stuckTotal: number;
  stuckAfterMs: number;
  /**
   * when what the counts cover starts: the first event of the earliest entity seen in the window, or the
   * window's start (the dashboard's start less --since) while none has been seen
   */
  since: number;
}

export interface StuckRow {
  id: string;
  state: string;
  /** since the entity's first event */
  ageMs: number;
  /** "inventory: StockReserved or StockReservationFailed" (the first answer owed) */
  waitingFor: string;
}

export interface ServiceRow {
  /** the flow's name for the group, or the group id */
  service: string;
  group: string;
  /** Stable, Empty, PreparingRebalance, Dead... */
  state: string;
  members: number;
  /** total lag over the group's partitions (null: unknown) */
  lag: number | null;
  /** total lag, one value per poll, oldest first */
  lagHistory: number[];
  /** committed offsets advanced per second over the last poll */
  processedPerSecond: number;
  /** dead letters the group (or the service the flow names it by) sent, seen since the tail's start */
  dlq: number;
  /** members > 0 and not stopped by the simulation */
  up: boolean;
  /** the flow names this group */
  inFlow: boolean;
  partitions: { topic: string; partition: number; committed: number | null; end: number; lag: number | null }[];
}

export interface TopicRow {
  name: string;
  partitions: number;
  /** high watermark minus log start, summed */
  records: number;
  /** records appended per second over the last poll */
  perSecond: number;
  /** records per second, one value per poll, oldest first */
  rateHistory: number[];
  /** the event type of the newest record the tail saw (null: none seen) */
  lastEventType: string | null;
  offsets: { partition: number; start: number; end: number }[];
}

export interface FeedEvent {
  /** increasing per source: a stable React key and a cursor for paused views */
  seq: number;
  at: number;
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  eventType: string;
  producer: string | null;
  /** the entity the event belongs to, by the flow (null: no flow, or not found where the flow says) */
  entityId: string | null;
  /** a short extra: a rejection reason, a dead letter's error */
  detail: string | null;
}

export interface DashboardSource {
  /** the latest snapshot (null before the first) */
  current(): Snapshot | null;
  /** called with every new snapshot (at most a few a second); returns the unsubscribe function */
  subscribe(listener: (snapshot: Snapshot) => void): () => void;
  /** `evt trace` of one entity */
  trace(id: string): Promise<TraceResult>;
  close(): Promise<void>;
}

export const FEED_CAPACITY = 200;
export const HISTORY_CAPACITY = 60;
export const STUCK_CAPACITY = 50;

/** A fixed-size buffer keeping the latest `capacity` items: what makes a long run's memory flat. */
export class Ring<T> {
  private items: T[] = [];
  private head = 0;
  constructor(readonly capacity: number) {}

  push(item: T): void {
    if (this.items.length < this.capacity) this.items.push(item);
    else {
      this.items[this.head] = item;
      this.head = (this.head + 1) % this.capacity;
    }
  }

  get length(): number {
    return this.items.length;
  }

  /** oldest first */
  toArray(): T[] {
    return this.head === 0 ? this.items.slice() : [...this.items.slice(this.head), ...this.items.slice(0, this.head)];
  }
}
