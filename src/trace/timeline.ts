// An order's records as a timeline: decoded, in time order (a cause before its effects when the clock
// cannot tell them apart), each with its delta from the previous event and from the first, the fields of the
// order it changed, the event in the timeline that caused it, and where a dead letter came from.

import type { ConsumedRecord } from '../client/records.js';
import { toEnvelope, type RecordEnvelope } from '../cli/envelope.js';
import { schemaIdOf } from '../codec/wire-format.js';
import { kindOf } from './scan.js';
import type { ValueCodec } from '../codec/value-codec.js';
import { DLQ_HEADERS, HEADERS } from '../workflow/catalogue.js';
import { workflowNames } from '../workflow/names.js';

// the workflow's topics under the default prefix (shop.), until trace reads them from a flow description
const WORKFLOW = workflowNames();

export interface DeadLetterOrigin {
  topic: string;
  partition: number;
  offset: number;
  error: string;
  service: string;
  attempts: number;
}

/** An event of the order in the timeline: the record envelope (as `evt tail --json` prints) and its place. */
export interface TraceEvent extends FoundEvent {
  /** 1-based place in the timeline */
  n: number;
  eventType: string;
  producer: string | null;
  eventId: string | null;
  causationId: string | null;
  deltaMs: number;
  sinceStartMs: number;
  /** fields of the order this event changed: [before, after] (order events), or the event's own reason/status */
  changes: Record<string, [unknown, unknown]>;
  /** n of the event that caused this one, when it is in the timeline */
  causedBy: number | null;
  /** set for a record of a dead-letter topic: the record that failed and why */
  deadLetter?: DeadLetterOrigin;
}

const ORDER_FIELDS = ['state', 'reason', 'cancelReason', 'total'] as const;
const TOPIC_RANK = new Map<string, number>(WORKFLOW.topics.map((t, i) => [t, i]));

/** An event found for the order, decoded (the record envelope), before it has a place in the timeline. */
export type FoundEvent = RecordEnvelope;

/** Decodes records (the codec's registry lookups first). */
export async function decodeFound(records: readonly ConsumedRecord[], codec: ValueCodec): Promise<FoundEvent[]> {
  if (codec.registry) await codec.registry.prepare(records);
  return records.map((r) => {
    const env = toEnvelope(r, codec);
    // the workflow writes Avro through the registry: anything else on its topics is garbage that merely
    // looks like an event (JSON with an eventType), and must not be taken for the order's state
    if (codec.registry && !env.error && r.value !== null && kindOf(r.topic) !== 'other' && schemaIdOf(r.value) === null) {
      env.error = 'not in the schema registry wire format (the workflow writes Avro through the registry)';
    }
    return env;
  });
}


/** Orders found events into a timeline. */
export function buildTimeline(found: readonly FoundEvent[]): TraceEvent[] {
  const events = found.map(toEvent);
  sortCausally(events);
  let previousOrder: Record<string, unknown> | null = null;
  const byId = new Map<string, number>();
  const first = events[0]?.timestamp ?? 0;
  events.forEach((e, i) => {
    e.n = i + 1;
    e.deltaMs = i === 0 ? 0 : e.timestamp - events[i - 1].timestamp;
    e.sinceStartMs = e.timestamp - first;
    e.causedBy = (e.causationId && byId.get(e.causationId)) || null;
    if (e.eventId) byId.set(e.eventId, e.n);
    const v = e.value as Record<string, unknown> | null;
    if (e.topic === WORKFLOW.topic('orders') && !e.error && v && typeof v === 'object') {
      for (const f of ORDER_FIELDS) {
        const before = previousOrder ? (previousOrder[f] ?? null) : null;
        const after = v[f] ?? null;
        if (before !== after) e.changes[f] = [before, after];
      }
      previousOrder = v;
    } else if (v && typeof v === 'object' && !e.error) {
      for (const f of ['status', 'reason'] as const) if (v[f] !== undefined && v[f] !== null) e.changes[f] = [null, v[f]];
    }
  });
  return events;
}

function toEvent(f: FoundEvent): TraceEvent {
  const { value } = f;
  const header = (name: string): string | null => {
    const h = f.headers[name];
    return (Array.isArray(h) ? h[h.length - 1] : h) || null;
  };
  const typeFromValue = value && typeof value === 'object' ? (value as Record<string, unknown>).eventType : undefined;
  const e: TraceEvent = {
    ...f,
    n: 0,
    eventType: typeof typeFromValue === 'string' ? typeFromValue : (header(HEADERS.eventType) ?? '?'),
    producer: header(HEADERS.producer),
    eventId: header(HEADERS.eventId),
    causationId: header(HEADERS.causationId),
    deltaMs: 0,
    sinceStartMs: 0,
    changes: {},
    causedBy: null,
  };
  const origin = header(DLQ_HEADERS.topic);
  if (origin !== null) {
    e.deadLetter = {
      topic: origin,
      partition: Number(header(DLQ_HEADERS.partition)),
      offset: Number(header(DLQ_HEADERS.offset)),
      error: header(DLQ_HEADERS.error) ?? '',
      service: header(DLQ_HEADERS.service) ?? '',
      attempts: Number(header(DLQ_HEADERS.attempts) ?? 0),
    };
  }
  return e;
}

/** Time order; within one millisecond, causes before effects, then the catalogue's topic order. */
function sortCausally(events: TraceEvent[]): void {
  events.sort((a, b) => a.timestamp - b.timestamp || rank(a) - rank(b) || a.partition - b.partition || a.offset - b.offset);
  // an effect stamped before its cause (clock skew or same millisecond) moves right after it
  for (let moved = true, guard = 0; moved && guard < events.length; guard++) {
    moved = false;
    const at = new Map(events.map((e, i) => [e.eventId, i]));
    for (let i = 0; i < events.length; i++) {
      const c = events[i].causationId ? at.get(events[i].causationId) : undefined;
      if (c !== undefined && c > i) {
        const [e] = events.splice(i, 1);
        events.splice(c, 0, e);
        moved = true;
        break;
      }
    }
  }
}

function rank(e: TraceEvent): number {
  return e.deadLetter ? WORKFLOW.topics.length : (TOPIC_RANK.get(e.topic) ?? WORKFLOW.topics.length);
}

/** The skus of an order's lines, from whichever of its request or order events decode. */
export function skusOf(events: readonly { value: unknown }[]): string[] {
  const skus = new Set<string>();
  for (const e of events) {
    const lines = (e.value as { lines?: unknown } | null)?.lines;
    if (!Array.isArray(lines)) continue;
    for (const l of lines) if (l && typeof (l as { sku?: unknown }).sku === 'string') skus.add((l as { sku: string }).sku);
  }
  return [...skus].sort();
}
