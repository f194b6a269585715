// What an entity still owes, by its flow: for each reaction whose trigger is in the entity's timeline (and whose
// joins are met), an answer that has not come after it. Once the entity is final only the reactions marked
// followUp are still owed (a compensation, a capture); everything else is moot. Trace's verdict, the stuck
// list and the dashboard all ask this one function, so they never disagree.

import { isFinalType, type Flow, type Reaction } from './model.js';

/** What the rules need of an event: its type and place; errors and dead letters are not events of the flow. */
export interface FlowEvent {
  eventType: string;
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  error?: unknown;
  deadLetter?: unknown;
}

export interface Expectation<E extends FlowEvent = FlowEvent> {
  reaction: Reaction;
  /** the latest event that triggers the reaction */
  trigger: E;
  /** any of these answers it */
  expects: string[];
  /** owed by an entity that is already final */
  followUp: boolean;
}

/** An answer stamped up to this long before its trigger still counts: producers' clocks are not one clock. */
export const CLOCK_SKEW_MS = 1000;

/** The answers the entity still owes, given its timeline (time order, causes before effects). */
export function expectations<E extends FlowEvent>(flow: Flow, timeline: readonly E[]): Expectation<E>[] {
  const events = timeline.filter((e) => !e.error && !e.deadLetter);
  const present = new Set(events.map((e) => e.eventType));
  const final = events.some((e) => isFinalType(flow, e.eventType));
  const out: Expectation<E>[] = [];
  for (const reaction of flow.reactions) {
    if (final && !reaction.followUp) continue;
    let at = -1;
    for (let i = events.length - 1; i >= 0; i--) {
      if (reaction.on.includes(events[i].eventType)) {
        at = i;
        break;
      }
    }
    if (at < 0) continue;
    if (reaction.requires.some((anyOf) => !anyOf.some((t) => present.has(t)))) continue;
    if (reaction.unless.some((t) => present.has(t))) continue;
    const trigger = events[at];
    const answered = events.some(
      (e, i) => reaction.answers.includes(e.eventType) && (i > at || e.timestamp >= trigger.timestamp - CLOCK_SKEW_MS),
    );
    if (answered) continue;
    out.push({ reaction, trigger, expects: reaction.answers, followUp: final });
  }
  return out;
}
