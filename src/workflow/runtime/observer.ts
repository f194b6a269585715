// Watching a simulation's orders from the outside: every event on `orders` for the run's order ids, as the
// workers publish them, giving each order's current state and the latencies from request to decision and
// to the end. It reads the topic like any consumer would (no group), so it sees what the log says, not what
// the workers believe.

import type { Cluster } from '../../client/wire/index.js';
import { isTerminal, type OrderState, type RejectionReason } from '../catalogue.js';
import { LatencyRecorder, RateMeter } from '../../common/stats.js';
import type { WorkflowCodec } from './codec.js';
import { follow } from './read-back.js';

export interface OrderProgress {
  state: OrderState;
  reason: RejectionReason | null;
  requestedAt: number;
  decidedAt?: number;
  endedAt?: number;
}

export interface ObservedEvent {
  at: number;
  orderId: string;
  eventType: string;
  reason: RejectionReason | null;
}

/** How many of the latest order events `recent` keeps. */
const RECENT = 8;

export class OrderObserver {
  /** the latest order events, oldest first (a ring of RECENT) */
  readonly recent: ObservedEvent[] = [];
  readonly orders = new Map<string, OrderProgress>();
  /** requested -> CONFIRMED or a terminal state: what a customer waits for */
  readonly decision = new LatencyRecorder();
  /** requested -> COMPLETED, REJECTED or CANCELLED */
  readonly completion = new LatencyRecorder();
  readonly byState = new Map<OrderState, number>();
  terminal = 0;
  /** orders reaching their final state, per second */
  readonly settled = new RateMeter(5_000);
  private feed: { close(): void } | null = null;
  private error: Error | null = null;

  constructor(private readonly belongs: (orderId: string) => boolean) {}

  /** first request and last decision: the span over which orders were decided */
  firstRequestedAt = Infinity;
  lastDecidedAt = 0;

  /** The driver calls this as it sends a request, with the request record's timestamp. */
  requested(orderId: string, at: number): void {
    if (this.orders.has(orderId)) return;
    this.firstRequestedAt = Math.min(this.firstRequestedAt, at);
    this.orders.set(orderId, { state: 'PLACED', reason: null, requestedAt: at });
    this.count('PLACED', +1);
  }

  start(
    cluster: Cluster,
    codec: WorkflowCodec,
    partitions: { topic: string; partition: number; from: number }[],
  ): void {
    this.feed = follow(
      cluster,
      codec,
      partitions,
      (chunk) => {
        for (const r of chunk.records) {
          if (r.topic !== 'orders' || !this.belongs(r.value.orderId)) continue;
          this.apply(r.value.orderId, r.value.state, r.value.reason, r.value.updatedAt);
          this.recent.push({
            at: r.value.updatedAt,
            orderId: r.value.orderId,
            eventType: r.value.eventType,
            reason: r.value.reason,
          });
          if (this.recent.length > RECENT) this.recent.shift();
        }
      },
      (err) => (this.error = err),
      partitions.map((p) => p.from),
    );
  }

  get failure(): Error | null {
    return this.error;
  }

  private apply(orderId: string, state: OrderState, reason: RejectionReason | null, at: number): void {
    let o = this.orders.get(orderId);
    if (!o) {
      // the event can overtake the driver's acknowledgement of the request: count it from now
      o = { state: 'PLACED', reason: null, requestedAt: at };
      this.orders.set(orderId, o);
      this.count('PLACED', +1);
    }
    if (isTerminal(o.state)) return; // a late duplicate
    this.count(o.state, -1);
    o.state = state;
    o.reason = reason;
    this.count(state, +1);
    if (o.decidedAt === undefined && (state === 'CONFIRMED' || isTerminal(state))) {
      o.decidedAt = at;
      this.lastDecidedAt = Math.max(this.lastDecidedAt, at);
      this.decision.add(Math.max(0, at - o.requestedAt));
    }
    if (isTerminal(state)) {
      o.endedAt = at;
      this.terminal++;
      this.settled.mark(1, Date.now());
      this.completion.add(Math.max(0, at - o.requestedAt));
    }
  }

  private count(state: OrderState, delta: number): void {
    this.byState.set(state, (this.byState.get(state) ?? 0) + delta);
  }

  close(): void {
    this.feed?.close();
  }
}
