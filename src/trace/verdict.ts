// The verdict on an entity. With a flow: final (and how long it took), or the answers it waits for and why each
// is missing: the responsible group has not consumed the trigger (its committed offset, lag and members),
// consumed it and produced nothing, or sent it to a dead-letter topic (with the exception message). Without a
// flow nothing says what should come next, so the verdict says where the newest event stands: which consumer
// groups of its topic have consumed it and which have not.

import { formatDuration } from '../common/time.js';
import { expectations } from '../flow/expectations.js';
import { isFinalType, stateAfter, type Flow } from '../flow/model.js';
import { valuesAt, asText } from '../flow/json-path.js';
import { structuredValue } from './event.js';
import type { TraceEvent } from './timeline.js';

export type Diagnosis = 'not-consumed' | 'consumed-no-output' | 'dead-lettered' | 'timer' | 'unknown';

/** A group's position on one partition, as the cluster says. */
export interface GroupPosition {
  group: string;
  state: string | null;
  members: number | null;
  /** committed offset on the partition (null: nothing committed) */
  committed: number | null;
  /** end of the partition minus the committed offset (null: not known) */
  lag: number | null;
  /** the committed offset is past the event */
  consumed: boolean;
}

export interface Wait {
  service: string;
  groups: string[];
  expects: string[];
  followUp: boolean;
  trigger: { n: number; topic: string; partition: number; offset: number; eventType: string };
  diagnosis: Diagnosis;
  /** one line: what is known of why */
  detail: string;
  /** where each responsible group stands on the trigger's partition */
  positions: GroupPosition[];
  /** the answer usually comes within this (null: the flow does not say) */
  withinMs: number | null;
  /** waiting longer than withinMs */
  overdue: boolean;
}

export interface DeadLetterNote {
  n: number;
  dlq: string;
  /** the group, service or connector that gave up on it, when the headers say */
  by: string | null;
  origin: string;
  error: string;
  exception: string | null;
}

export interface Verdict {
  /** final/waiting: judged by a flow; unjudged: no flow says what should come next */
  status: 'final' | 'waiting' | 'unjudged' | 'not-found';
  /** the entity's state by the flow (the latest event type when the flow maps none) */
  state: string | null;
  /** the outcome's reason (the flow's reason field of the final event) */
  reason: string | null;
  /** first event to the final event */
  latencyMs: number | null;
  /** since the last event, for an entity that is not final */
  idleMs: number | null;
  waits: Wait[];
  deadLetters: DeadLetterNote[];
  /** without a flow: the newest event and the groups of its topic */
  newest: {
    n: number;
    topic: string;
    partition: number;
    offset: number;
    eventType: string;
    consumers: GroupPosition[];
  } | null;
  summary: string;
}

/** What the cluster says about the groups and partitions a verdict points at. */
export interface GroupFacts {
  /** by group id */
  groups: Map<string, { state: string; members: number }>;
  /** `${group}|${topic}:${partition}` -> committed offset */
  committed: Map<string, number>;
  /** `${topic}:${partition}` -> high watermark now */
  ends: Map<string, number>;
}

/** The groups and partitions a verdict needs facts about. */
export interface FactsWanted {
  /** group -> partitions */
  groups: Map<string, { topic: string; partition: number }[]>;
  /** without a flow: every group that reads this topic, on this partition */
  readersOf: { topic: string; partition: number } | null;
}

/** What to ask the cluster for the verdict on this timeline. */
export function factsWanted(flow: Flow | null, events: readonly TraceEvent[]): FactsWanted {
  const groups = new Map<string, { topic: string; partition: number }[]>();
  if (!flow) {
    const newest = newestEvent(events);
    return { groups, readersOf: newest ? { topic: newest.topic, partition: newest.partition } : null };
  }
  for (const x of expectations(flow, events)) {
    for (const g of x.reaction.groups) {
      const list = groups.get(g) ?? [];
      if (!list.some((p) => p.topic === x.trigger.topic && p.partition === x.trigger.partition))
        list.push({ topic: x.trigger.topic, partition: x.trigger.partition });
      groups.set(g, list);
    }
  }
  return { groups, readersOf: null };
}

function newestEvent(events: readonly TraceEvent[]): TraceEvent | null {
  for (let i = events.length - 1; i >= 0; i--) if (!events[i].error && !events[i].deadLetter) return events[i];
  return null;
}

export function positionOf(
  facts: GroupFacts,
  group: string,
  at: { topic: string; partition: number; offset: number },
): GroupPosition {
  const g = facts.groups.get(group);
  const committed = facts.committed.get(`${group}|${at.topic}:${at.partition}`);
  const end = facts.ends.get(`${at.topic}:${at.partition}`);
  return {
    group,
    state: g?.state ?? null,
    members: g?.members ?? null,
    committed: committed ?? null,
    lag: end !== undefined ? Math.max(0, end - (committed ?? 0)) : null,
    consumed: committed !== undefined && committed > at.offset,
  };
}

function running(p: GroupPosition): string {
  if (p.state === null) return 'state unknown';
  if (!p.members) return `no member running (${p.state})`;
  return `${p.members} member${p.members === 1 ? '' : 's'} (${p.state})`;
}

function positionText(p: GroupPosition): string {
  const at = p.committed === null ? 'has committed nothing there' : `is at offset ${p.committed}`;
  return `${p.group} ${at}, lag ${p.lag ?? '?'}; ${running(p)}`;
}

/** The verdict on a timeline, given the flow (or none) and the cluster's facts. */
export function verdictOf(flow: Flow | null, events: readonly TraceEvent[], facts: GroupFacts, now: number): Verdict {
  const deadLetters: DeadLetterNote[] = events
    .filter((e) => e.deadLetter)
    .map((e) => ({
      n: e.n,
      dlq: e.topic,
      by: e.deadLetter!.by,
      origin: `${e.deadLetter!.topic}-${e.deadLetter!.partition ?? '?'}@${e.deadLetter!.offset ?? '?'}`,
      error: e.deadLetter!.error,
      exception: e.deadLetter!.exception,
    }));
  const dlqText = deadLetters.length
    ? `; dead letters: ${deadLetters.map((d) => `${d.origin} in ${d.dlq}${d.by ? ` by ${d.by}` : ''} (${d.error || d.exception || 'no message'})`).join('; ')}`
    : '';
  const base = { latencyMs: null, idleMs: null, waits: [], deadLetters, newest: null };
  if (events.length === 0) return { ...base, status: 'not-found', state: null, reason: null, summary: 'not found' };
  const ok = events.filter((e) => !e.error && !e.deadLetter);
  const idleMs = Math.max(0, now - events[events.length - 1].timestamp);

  if (!flow) {
    const newest = newestEvent(events);
    if (!newest)
      return {
        ...base,
        status: 'unjudged',
        state: null,
        reason: null,
        idleMs,
        summary: `only dead letters or undecodable records found${dlqText}`,
      };
    const consumers = [...facts.groups.keys()]
      .map((g) => positionOf(facts, g, newest))
      .filter((p) => p.committed !== null || (p.members ?? 0) > 0);
    const done = consumers.filter((p) => p.consumed).map((p) => p.group);
    const pending = consumers.filter((p) => !p.consumed);
    const where = `${newest.topic}-${newest.partition}@${newest.offset}`;
    const readers = consumers.length
      ? `${done.length ? `consumed by ${done.join(', ')}` : 'consumed by no group yet'}${pending.length ? `; not yet by ${pending.map(positionText).join('; ')}` : ''}`
      : `no consumer group has committed offsets on ${newest.topic}`;
    return {
      ...base,
      status: 'unjudged',
      state: newest.eventType,
      reason: null,
      idleMs,
      newest: {
        n: newest.n,
        topic: newest.topic,
        partition: newest.partition,
        offset: newest.offset,
        eventType: newest.eventType,
        consumers,
      },
      summary: `newest event ${newest.eventType} (${where}) ${formatDuration(idleMs, 'spaced')} ago: ${readers}${dlqText} (no flow: give --flow, or write one with evt flow infer, to know what should come next)`,
    };
  }

  const state = stateAfter(
    flow,
    ok.map((e) => e.eventType),
  );
  const finalEvent = [...ok].reverse().find((e) => isFinalType(flow, e.eventType)) ?? null;
  const reasonPath = finalEvent ? flow.reasons[finalEvent.eventType] : undefined;
  const reasonValue = reasonPath ? valuesAt(structuredValue(finalEvent!.value), reasonPath)[0] : undefined;
  const reason = reasonValue === undefined || reasonValue === null ? null : asText(reasonValue);
  const waits = diagnose(flow, events, facts, now);
  if (finalEvent) {
    const latencyMs = finalEvent.timestamp - events[0].timestamp;
    const owed = waits.length
      ? `; still owed: ${waits.map((w) => `${w.expects.join('/')} from ${w.service}`).join(', ')}`
      : '';
    return {
      ...base,
      status: 'final',
      state,
      reason,
      latencyMs,
      waits,
      summary: `${state ?? finalEvent.eventType}${reason ? ` (${reason})` : ''} after ${formatDuration(latencyMs, 'spaced')}${owed}${dlqText}`,
    };
  }
  const main = waits.filter((w) => !w.followUp);
  const waitText = main.length
    ? main.map((w) => `${w.expects.join(' or ')} from ${w.service}: ${w.detail}`).join('; ')
    : `nothing the flow expects next is known`;
  return {
    ...base,
    status: 'waiting',
    state,
    reason,
    idleMs,
    waits,
    summary: `${state ?? flow.initialState ?? 'not final'} for ${formatDuration(idleMs, 'spaced')}, waiting for ${waitText}${dlqText}`,
  };
}

/** Why each expectation of the flow is unmet, from the dead letters in the timeline and the groups' positions. */
export function diagnose(flow: Flow, events: readonly TraceEvent[], facts: GroupFacts, now: number): Wait[] {
  return expectations(flow, events).map((x) => {
    const t = x.trigger;
    const at = `${t.topic}-${t.partition}@${t.offset}`;
    const wanted = x.expects.join(' or ');
    const positions = x.reaction.groups.map((g) => positionOf(facts, g, t));
    const waitingMs = Math.max(0, now - t.timestamp);
    const overdue = x.reaction.withinMs !== null && waitingMs > x.reaction.withinMs;
    const usually = overdue
      ? ` (overdue: usually within ${formatDuration(x.reaction.withinMs!, 'spaced')}, waiting ${formatDuration(waitingMs, 'spaced')})`
      : '';
    const wait: Wait = {
      service: x.reaction.service,
      groups: x.reaction.groups,
      expects: x.expects,
      followUp: x.followUp,
      trigger: { n: t.n, topic: t.topic, partition: t.partition, offset: t.offset, eventType: t.eventType },
      diagnosis: 'unknown',
      detail: '',
      positions,
      withinMs: x.reaction.withinMs,
      overdue,
    };
    const dead = events.find(
      (e) =>
        e.deadLetter &&
        e.deadLetter.topic === t.topic &&
        e.deadLetter.partition === t.partition &&
        e.deadLetter.offset === t.offset,
    );
    if (dead?.deadLetter) {
      const d = dead.deadLetter;
      wait.diagnosis = 'dead-lettered';
      wait.detail = `${d.by ?? x.reaction.service} sent ${t.eventType} (${at}) to ${dead.topic}${d.attempts ? ` after ${d.attempts} attempt(s)` : ''}: ${d.error || d.exception || 'no message'}${d.exception && d.error ? ` (${d.exception})` : ''}`;
      return wait;
    }
    if (x.reaction.timer) {
      wait.diagnosis = 'timer';
      wait.detail = `${wanted} comes from a timer of ${x.reaction.service} after ${t.eventType} (${at})${usually}; ${positions.map((p) => `${p.group}: ${running(p)}`).join('; ')}`;
      return wait;
    }
    const behind = positions.filter((p) => !p.consumed);
    if (behind.length === positions.length) {
      wait.diagnosis = 'not-consumed';
      wait.detail = `${behind.map((p) => `${p.group} has not consumed ${t.eventType} (${at}) yet: it ${p.committed === null ? 'has committed nothing' : `is at offset ${p.committed}`} on ${t.topic}-${t.partition}, lag ${p.lag ?? '?'}; ${running(p)}`).join('; ')}${usually}`;
    } else {
      const ahead = positions.filter((p) => p.consumed);
      wait.diagnosis = 'consumed-no-output';
      wait.detail = `${ahead.map((p) => `${p.group} consumed ${t.eventType} (${at}; committed ${p.committed})`).join(', ')} but no ${wanted} was published and no dead letter of it was found${usually}: see ${x.reaction.service}'s log`;
    }
    return wait;
  });
}
