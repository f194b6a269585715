// The shape every service worker has, whatever transport carries its records: the topics it consumes, a
// handler per record returning the records to produce (on its own topics only), and a tick for work driven
// by time rather than by a record (order deadlines, shipment progress). The in-memory test bus and the
// Kafka workers of a later session both drive services through this interface only.
//
// Handlers are deterministic functions of (own state, record, injected clock and RNG): no I/O, no wall
// clock, no Math.random. They update their own state in place rather than copying it, so a worker handling
// thousands of orders per second does not copy its tables per event; the order aggregate reducer
// (order-state.ts) is the strictly pure core the orders service wraps.

import type { RecentIds } from '../common/recent-ids.js';
import type { ServiceName, TopicName } from './catalogue.js';
import type { AnyRecord } from './envelope.js';

export interface WorkflowService {
  readonly name: ServiceName;
  readonly topics: readonly TopicName[];
  /** Apply one consumed record; returns what to produce. A record already applied returns []. */
  handle(record: AnyRecord): AnyRecord[];
  /**
   * The event types the service acts on, per consumed topic (absent: all). A Kafka worker reads the
   * `evt-event-type` header and skips the others without decoding them: fraud, for one, only needs
   * OrderPlaced out of every order's events.
   */
  readonly handles?: Readonly<Partial<Record<TopicName, readonly string[]>>>;
  /** Time-driven work at the injected clock's now; returns what to produce. */
  tick(): AnyRecord[];
  /**
   * The topics this service's state is rebuilt from when a worker starts or is given partitions: its own
   * output (events carry the state of their item), and for orders also the answers it aggregates. A worker
   * keeps no state of its own anywhere else, so any instance can take over any partition.
   */
  readonly recoveryTopics: readonly TopicName[];
  /** Fold one record read back from a recovery topic into the state; publishes nothing. */
  recover(record: AnyRecord): void;
  /**
   * Called once recover() has seen everything: what a crash left owed (a decision or a stock level that was
   * never published because the worker died between two of its outputs).
   */
  recovered(): AnyRecord[];
}

/** Dedupe by event id: true the first time an id is seen. Records without an id are never deduped. */
export function firstTime(seen: RecentIds, eventId: string): boolean {
  if (!eventId) return true;
  if (seen.has(eventId)) return false;
  seen.add(eventId);
  return true;
}
