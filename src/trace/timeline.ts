// An order's records as a timeline: decoded, in time order (a cause before its effects when the clock
// cannot tell them apart), each with its delta from the previous event and from the first, the fields of the
// order it changed, the event in the timeline that caused it, and where a dead letter came from.

import { headersAsText, type ConsumedRecord } from '../client/records.js';
import type { ValueCodec } from '../codec/value-codec.js';
import { HEADERS, TOPIC_NAMES } from '../workflow/catalogue.js';
import { DLQ_HEADERS } from '../workflow/runtime/worker.js';

export interface DeadLetterOrigin {
  topic: string;
  partition: number;
  offset: number;
  error: string;
  service: string;
  attempts: number;
}

export interface TraceEvent {
  /** 1-based place in the timeline */
  n: number;
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: string | null;
  headers: Record<string, string>;
  value: unknown;
  /** why the value could not be decoded (value is then as `evt tail` shows it) */
  valueError?: string;
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
const TOPIC_RANK = new Map<string, number>(TOPIC_NAMES.map((t, i) => [t, i]));

/** An event found for the order, decoded, before it has a place in the timeline. */
export interface FoundEvent {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: string | null;
  headers: Record<string, string>;
  value: unknown;
  valueError?: string;
}

/** Decodes records (the codec's registry lookups first). */
export async function decodeFound(records: readonly ConsumedRecord[], codec: ValueCodec): Promise<FoundEvent[]> {
  if (codec.registry) await codec.registry.prepare(records);
  return records.map((r) => {
    const decoded = codec.decode(r.value);
    const found: FoundEvent = {
      topic: r.topic,
      partition: r.partition,
      offset: r.offset,
      timestamp: r.timestamp,
      key: r.key === null ? null : r.key.toString('utf8'),
      headers: headersAsText(r.headers),
      value: decoded.value,
    };
    if (decoded.error) found.valueError = decoded.error;
    return found;
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
    if (e.topic === 'orders' && !e.valueError && v && typeof v === 'object') {
      for (const f of ORDER_FIELDS) {
        const before = previousOrder ? (previousOrder[f] ?? null) : null;
        const after = v[f] ?? null;
        if (before !== after) e.changes[f] = [before, after];
      }
      previousOrder = v;
    } else if (v && typeof v === 'object' && !e.valueError) {
      for (const f of ['status', 'reason'] as const) if (v[f] !== undefined && v[f] !== null) e.changes[f] = [null, v[f]];
    }
  });
  return events;
}

function toEvent(f: FoundEvent): TraceEvent {
  const { headers, value } = f;
  const typeFromValue = value && typeof value === 'object' ? (value as Record<string, unknown>).eventType : undefined;
  const e: TraceEvent = {
    ...f,
    n: 0,
    eventType: typeof typeFromValue === 'string' ? typeFromValue : headers[HEADERS.eventType] || '?',
    producer: headers[HEADERS.producer] || null,
    eventId: headers[HEADERS.eventId] || null,
    causationId: headers[HEADERS.causationId] || null,
    deltaMs: 0,
    sinceStartMs: 0,
    changes: {},
    causedBy: null,
  };
  const origin = headers[DLQ_HEADERS.topic];
  if (origin !== undefined) {
    e.deadLetter = {
      topic: origin,
      partition: Number(headers[DLQ_HEADERS.partition]),
      offset: Number(headers[DLQ_HEADERS.offset]),
      error: headers[DLQ_HEADERS.error] ?? '',
      service: headers[DLQ_HEADERS.service] ?? '',
      attempts: Number(headers[DLQ_HEADERS.attempts] ?? 0),
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
  return e.deadLetter ? TOPIC_NAMES.length : (TOPIC_RANK.get(e.topic) ?? TOPIC_NAMES.length);
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
