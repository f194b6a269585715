// The shape every service worker has, whatever transport carries its records: the topics it consumes, a
// handler per record returning the records to produce (on its own topics only), and a tick for work driven
// by time rather than by a record (order deadlines, shipment progress). The in-memory test bus and the
// Kafka workers of a later session both drive services through this interface only.
//
// Handlers are deterministic functions of (own state, record, injected clock and RNG): no I/O, no wall
// clock, no Math.random. They update their own state in place rather than copying it, so a worker handling
// thousands of orders per second does not copy its tables per event; the order aggregate reducer
// (order-state.ts) is the strictly pure core the orders service wraps.

import type { ServiceName, TopicName } from './catalogue.js';
import type { AnyRecord } from './envelope.js';

export interface WorkflowService {
  readonly name: ServiceName;
  readonly topics: readonly TopicName[];
  /** Apply one consumed record; returns what to produce. A record already applied returns []. */
  handle(record: AnyRecord): AnyRecord[];
  /** Time-driven work at the injected clock's now; returns what to produce. */
  tick(): AnyRecord[];
}

/** Dedupe by event id: true the first time an id is seen. Records without an id are never deduped. */
export function firstTime(seen: Set<string>, eventId: string): boolean {
  if (!eventId) return true;
  if (seen.has(eventId)) return false;
  seen.add(eventId);
  return true;
}
