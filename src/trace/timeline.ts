// An entity's events as a timeline: in time order (a cause before its effects when the clock cannot tell them
// apart), each with its delta from the previous event and from the first, the watched fields it changed, the
// event that caused it (by event and causation ids), and the first event of the same distributed trace.

import { flowTopic, type Flow } from '../flow/model.js';
import { structuredValue, type FoundEvent } from './event.js';

export type { FoundEvent };

export interface TraceEvent extends FoundEvent {
  /** 1-based place in the timeline */
  n: number;
  deltaMs: number;
  sinceStartMs: number;
  /** watched fields this event changed: [before, after] (null before: first seen) */
  changes: Record<string, [unknown, unknown]>;
  /** n of the event that caused this one (its causation id is that event's id), when in the timeline */
  causedBy: number | null;
  /** n of the first event of the same trace (traceparent, b3), when it is another */
  sameTraceAs: number | null;
}

/** Fields shown when they change, on topics whose flow watches none: what events commonly carry as outcome. */
const DEFAULT_WATCH = ['state', 'status', 'reason'];

/** Orders found events into a timeline. */
export function buildTimeline(found: readonly FoundEvent[], flow: Flow | null = null): TraceEvent[] {
  const events: TraceEvent[] = found.map((f) => ({
    ...f,
    n: 0,
    deltaMs: 0,
    sinceStartMs: 0,
    changes: {},
    causedBy: null,
    sameTraceAs: null,
  }));
  sortCausally(events, flow);
  const previous = new Map<string, Record<string, unknown>>();
  const byId = new Map<string, number>();
  const traces = new Map<string, number>();
  const first = events[0]?.timestamp ?? 0;
  events.forEach((e, i) => {
    e.n = i + 1;
    e.deltaMs = i === 0 ? 0 : e.timestamp - events[i - 1].timestamp;
    e.sinceStartMs = e.timestamp - first;
    e.causedBy = (e.causationId && byId.get(e.causationId)) || null;
    if (e.eventId && !byId.has(e.eventId)) byId.set(e.eventId, e.n);
    if (e.traceId) {
      const start = traces.get(e.traceId);
      if (start === undefined) traces.set(e.traceId, e.n);
      else if (e.causedBy === null) e.sameTraceAs = start;
    }
    if (e.error || e.deadLetter) return;
    const v = structuredValue(e.value);
    if (!v || typeof v !== 'object' || Array.isArray(v)) return;
    const watched = flow ? flowTopic(flow, e.topic)?.watch : undefined;
    const fields = watched?.length ? watched : DEFAULT_WATCH;
    const before = previous.get(e.topic);
    for (const f of fields) {
      const was = before ? (before[f] ?? null) : null;
      const now = (v as Record<string, unknown>)[f] ?? null;
      if (now !== null && typeof now === 'object') continue;
      if (was !== now && !(was === null && now === null)) e.changes[f] = [was, now];
    }
    previous.set(e.topic, v as Record<string, unknown>);
  });
  return events;
}

/** Time order; within one millisecond, causes before effects, then the flow's topic order. */
function sortCausally(events: TraceEvent[], flow: Flow | null): void {
  const rankOf = new Map((flow?.topics ?? []).map((t, i) => [t.name, i]));
  const rank = (e: TraceEvent) => (e.deadLetter ? rankOf.size + 1 : (rankOf.get(e.topic) ?? rankOf.size));
  events.sort(
    (a, b) =>
      a.timestamp - b.timestamp ||
      rank(a) - rank(b) ||
      a.topic.localeCompare(b.topic) ||
      a.partition - b.partition ||
      a.offset - b.offset,
  );
  // an effect stamped before its cause (clock skew or same millisecond) moves right after it
  for (let moved = true, guard = 0; moved && guard < events.length; guard++) {
    moved = false;
    const at = new Map<string, number>();
    events.forEach((e, i) => {
      if (e.eventId && !at.has(e.eventId)) at.set(e.eventId, i);
    });
    for (let i = 0; i < events.length; i++) {
      const c = events[i].causationId ? at.get(events[i].causationId!) : undefined;
      if (c !== undefined && c > i) {
        const [e] = events.splice(i, 1);
        events.splice(c, 0, e);
        moved = true;
        break;
      }
    }
  }
}
