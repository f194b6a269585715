// What the dashboard shows, as plain data, and where it comes from. Components receive snapshots and never
// talk to Kafka: a live source (src/tui/live/) polls the cluster and tails the workflow topics outside React
// and pushes a snapshot at a bounded rate; the fake source (fake-source.ts) does the same from a script, for
// tests and for looking at the screen without a cluster.

import type { TraceResult } from '../trace/trace.js';

export interface Snapshot {
  /** wall clock when the snapshot was taken */
  at: number;
  /** when the source started (the dashboard's uptime) */
  startedAt: number;
  cluster: ClusterStatus;
  /** the simulation this process runs (evt demo), or null */
  simulation: SimulationStatus | null;
  workflow: WorkflowStatus;
  /** one row per consumer group: the workflow's services first, then the others by name */
  services: ServiceRow[];
  /** one row per topic (internal topics left out), by name */
  topics: TopicRow[];
  /** the latest workflow events in event-time order, oldest first (equal times: as read; at most FEED_CAPACITY) */
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

export interface WorkflowStatus {
  /** orders seen since `since`, by their current state (REQUESTED: no order event yet) */
  byState: Record<string, number>;
  /** REJECTED orders by reason */
  rejected: Record<string, number>;
  /** orders reaching a final state per second, one value per second, oldest first */
  settledPerSecond: number[];
  /** orders requested per second, one value per second, oldest first */
  requestedPerSecond: number[];
  /** first event to final state, over the orders that ended since `since` (null: none yet) */
  latency: { p50: number; p95: number; p99: number; count: number } | null;
  /** orders not final for longer than `stuckAfterMs`, oldest first (at most STUCK_CAPACITY) */
  stuck: StuckRow[];
  /** how many orders are stuck in all (the list may be cut) */
  stuckTotal: number;
  stuckAfterMs: number;
  /** start of the window the counts cover (the tail's start) */
  since: number;
}

export interface StuckRow {
  orderId: string;
  state: string;
  /** since the order's first event */
  ageMs: number;
  /** "inventory: StockReserved or StockReservationFailed" (the first step owed) */
  waitingFor: string;
}

export interface ServiceRow {
  /** workflow service name, or the group id for other groups */
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
  /** records in the service's dead-letter topic (0 for groups that are not workflow services) */
  dlq: number;
  /** members > 0 and not stopped by the simulation */
  up: boolean;
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
  /** the event-type header of the newest record the tail saw (null: none seen, or not a workflow topic) */
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
  /** the order the event belongs to (key or correlation id), when known */
  orderId: string | null;
  /** a short extra: a rejection reason, a dead letter's error */
  detail: string | null;
}

export interface DashboardSource {
  /** the latest snapshot (null before the first) */
  current(): Snapshot | null;
  /** called with every new snapshot (at most a few a second); returns the unsubscribe function */
  subscribe(listener: (snapshot: Snapshot) => void): () => void;
  /** `evt trace` of one order */
  trace(orderId: string): Promise<TraceResult>;
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
