// The verdict on an order: the final state it reached (and how long it took), or the step it waits for and
// why. Which events the order still owes comes from the workflow's rules (the orders state machine and who
// answers what, `expectations`); why one is missing comes from the cluster: the responsible service's
// consumer group has not reached the event that should trigger it (its committed offset and lag), reached
// it and produced nothing, or sent it to its dead-letter topic (`diagnose`).

import { TERMINAL_STATES, type ServiceName } from '../workflow/catalogue.js';
import { workflowNames } from '../workflow/names.js';
import type { TraceEvent } from './timeline.js';

// the workflow's topics under the default prefix (shop.), until trace reads them from a flow description
const WORKFLOW = workflowNames();

export interface Expectation {
  service: ServiceName;
  /** the event types any one of which would fulfil it */
  expects: string[];
  /** the event the service must react to (null: nothing in the timeline triggers it) */
  trigger: TraceEvent | null;
  /** 'consume': the service acts on consuming the trigger; 'timer': on a timer of its own after it */
  kind: 'consume' | 'timer';
  /** a compensation or capture still owed by a final order */
  followUp: boolean;
}

export type Diagnosis = 'not-consumed' | 'consumed-no-output' | 'dead-lettered' | 'timer' | 'unknown';

export interface Wait {
  service: ServiceName;
  expects: string[];
  followUp: boolean;
  trigger: { n: number; topic: string; partition: number; offset: number; eventType: string } | null;
  diagnosis: Diagnosis;
  /** one line: what is known of why */
  detail: string;
  group: string;
  groupState: string | null;
  members: number | null;
  committed: number | null;
  lag: number | null;
}

export interface DeadLetterNote {
  n: number;
  dlq: string;
  service: string;
  origin: string;
  error: string;
}

export interface Verdict {
  status: 'final' | 'waiting' | 'not-found';
  state: string | null;
  reason: string | null;
  /** first event to the final order event */
  latencyMs: number | null;
  /** since the last event, for a waiting order */
  idleMs: number | null;
  waits: Wait[];
  deadLetters: DeadLetterNote[];
  summary: string;
}

/** What the cluster says about the groups and partitions the expectations point at. */
export interface GroupFacts {
  /** by group id */
  groups: Map<string, { state: string; members: number }>;
  /** `${group}|${topic}:${partition}` -> committed offset */
  committed: Map<string, number>;
  /** `${topic}:${partition}` -> high watermark now */
  ends: Map<string, number>;
}

const ANSWERS: Record<'inventory' | 'payments' | 'fraud', { ok: string; fail: string }> = {
  inventory: { ok: 'StockReserved', fail: 'StockReservationFailed' },
  payments: { ok: 'PaymentAuthorized', fail: 'PaymentDeclined' },
  fraud: { ok: 'FraudCheckPassed', fail: 'FraudCheckFailed' },
};

/** The events the order still owes, by the workflow's rules, given what its timeline holds. */
export function expectations(events: readonly TraceEvent[]): Expectation[] {
  const ok = events.filter((e) => !e.error && !e.deadLetter);
  const last = (...types: string[]) => findLast(ok, (e) => types.includes(e.eventType));
  const has = (t: string) => ok.some((e) => e.eventType === t);
  const out: Expectation[] = [];
  const want = (service: ServiceName, expects: string[], trigger: TraceEvent | null, kind: 'consume' | 'timer' = 'consume', followUp = false) =>
    out.push({ service, expects, trigger, kind, followUp });

  const orderEvent = last('OrderPlaced', 'OrderConfirmed', 'OrderRejected', 'OrderShipped', 'OrderCompleted', 'OrderCancelPending', 'OrderCancelled');
  const state = orderEvent ? String((orderEvent.value as { state?: unknown }).state ?? '') : null;
  const placed = last('OrderPlaced');
  const answer = (s: keyof typeof ANSWERS) => last(ANSWERS[s].ok, ANSWERS[s].fail);
  const compensations = (trigger: TraceEvent | null, followUp: boolean) => {
    // what inventory and payments still owe a rejected or cancelled order: an answer (a late one), then its undoing
    if (!answer('inventory') && placed) want('inventory', [ANSWERS.inventory.ok, ANSWERS.inventory.fail], placed, 'consume', followUp);
    else if (has('StockReserved') && !has('StockReleased')) want('inventory', ['StockReleased'], trigger, 'consume', followUp);
    if (!answer('payments') && placed) want('payments', [ANSWERS.payments.ok, ANSWERS.payments.fail], placed, 'consume', followUp);
    else if (has('PaymentAuthorized') && !has('PaymentVoided')) want('payments', ['PaymentVoided'], trigger, 'consume', followUp);
  };

  switch (state) {
    case null: {
      const request = last('OrderRequested');
      if (request) want('orders', ['OrderPlaced', 'OrderRejected'], request);
      break;
    }
    case 'PLACED': {
      const cancel = last('CancelRequested');
      if (cancel) want('orders', ['OrderCancelPending'], cancel);
      const missing = (['inventory', 'payments', 'fraud'] as const).filter((s) => !answer(s));
      for (const s of missing) want(s, [ANSWERS[s].ok, ANSWERS[s].fail], placed);
      const failed = (['inventory', 'payments', 'fraud'] as const).map((s) => answer(s)).find((a) => a && a.eventType.match(/Failed|Declined/));
      if (failed) want('orders', ['OrderRejected'], failed);
      else if (missing.length === 0) want('orders', ['OrderConfirmed'], last(...Object.values(ANSWERS).flatMap((a) => [a.ok, a.fail])));
      break;
    }
    case 'CONFIRMED': {
      const ship = last('ShipmentScheduled', 'ShipmentFailed', 'ShipmentDispatched');
      if (!ship) want('shipping', ['ShipmentScheduled', 'ShipmentFailed'], last('OrderConfirmed'));
      else if (ship.eventType === 'ShipmentFailed') want('orders', ['OrderCancelPending'], ship);
      else if (ship.eventType === 'ShipmentDispatched') want('orders', ['OrderShipped'], ship);
      else want('shipping', ['ShipmentDispatched'], ship, 'timer');
      break;
    }
    case 'SHIPPED':
    case 'COMPLETED': {
      const final = state === 'COMPLETED';
      if (!final) {
        const delivered = last('ShipmentDelivered');
        if (delivered) want('orders', ['OrderCompleted'], delivered);
        else want('shipping', ['ShipmentDelivered'], last('ShipmentDispatched'), 'timer');
      }
      const shipped = last('OrderShipped');
      if (!has('PaymentCaptured')) want('payments', ['PaymentCaptured'], shipped, 'consume', final);
      if (!has('StockCommitted')) want('inventory', ['StockCommitted'], shipped, 'consume', final);
      break;
    }
    case 'CANCEL_PENDING': {
      const pending = last('OrderCancelPending');
      const before = out.length;
      compensations(pending, false);
      if (out.length === before) want('orders', ['OrderCancelled'], last('StockReleased', 'StockReservationFailed', 'PaymentVoided', 'PaymentDeclined'));
      break;
    }
    case 'REJECTED':
    case 'CANCELLED':
      compensations(orderEvent, true);
      break;
  }
  return out;
}

/** Why each expectation is unmet, from the dead letters in the timeline and the groups' positions. */
export function diagnose(expected: readonly Expectation[], events: readonly TraceEvent[], facts: GroupFacts): Wait[] {
  return expected.map((x) => {
    const group = WORKFLOW.group(x.service);
    const g = facts.groups.get(group) ?? null;
    const t = x.trigger;
    const wait: Wait = {
      service: x.service,
      expects: x.expects,
      followUp: x.followUp,
      trigger: t && { n: t.n, topic: t.topic, partition: t.partition, offset: t.offset, eventType: t.eventType },
      diagnosis: 'unknown',
      detail: '',
      group,
      groupState: g?.state ?? null,
      members: g?.members ?? null,
      committed: null,
      lag: null,
    };
    const running = g ? (g.members > 0 ? `${g.members} member${g.members === 1 ? '' : 's'} (${g.state})` : `no member running (${g.state})`) : 'state unknown';
    const wanted = x.expects.join(' or ');
    if (!t) {
      wait.detail = `${x.service} owes ${wanted}, but what triggers it is not in the timeline`;
      return wait;
    }
    const at = `${t.topic}-${t.partition}@${t.offset}`;
    const dead = events.find((e) => e.deadLetter && e.deadLetter.topic === t.topic && e.deadLetter.partition === t.partition && e.deadLetter.offset === t.offset);
    if (dead?.deadLetter) {
      wait.diagnosis = 'dead-lettered';
      wait.detail = `${x.service} sent ${t.eventType} (${at}) to ${dead.topic} after ${dead.deadLetter.attempts} attempt(s): ${dead.deadLetter.error}`;
      return wait;
    }
    if (x.kind === 'timer') {
      wait.diagnosis = 'timer';
      wait.detail = `${wanted} comes from a timer of ${x.service} after ${t.eventType} (${at}); group ${group}: ${running}`;
      return wait;
    }
    const committed = facts.committed.get(`${group}|${t.topic}:${t.partition}`);
    const end = facts.ends.get(`${t.topic}:${t.partition}`);
    wait.committed = committed ?? null;
    wait.lag = end !== undefined ? end - (committed ?? 0) : null;
    if (committed === undefined || committed <= t.offset) {
      wait.diagnosis = 'not-consumed';
      const pos = committed === undefined ? 'has committed nothing on it' : `is at offset ${committed}`;
      wait.detail = `${group} has not consumed ${t.eventType} (${at}) yet: it ${pos}, lag ${wait.lag ?? '?'} on ${t.topic}-${t.partition}; ${running}`;
    } else {
      wait.diagnosis = 'consumed-no-output';
      wait.detail = `${group} consumed ${t.eventType} (${at}; committed ${committed}) but no ${wanted} was published and nothing is in ${WORKFLOW.dlq(x.service)}: see the ${x.service} service's log`;
    }
    return wait;
  });
}

/** The verdict on a timeline, given the diagnosed waits. */
export function verdictOf(events: readonly TraceEvent[], waits: Wait[], now: number): Verdict {
  const deadLetters = events
    .filter((e) => e.deadLetter)
    .map((e) => ({ n: e.n, dlq: e.topic, service: e.deadLetter!.service, origin: `${e.deadLetter!.topic}-${e.deadLetter!.partition}@${e.deadLetter!.offset}`, error: e.deadLetter!.error }));
  const dlqText = deadLetters.length ? `; dead letters: ${deadLetters.map((d) => `${d.origin} in ${d.dlq} (${d.error})`).join('; ')}` : '';
  if (events.length === 0) return { status: 'not-found', state: null, reason: null, latencyMs: null, idleMs: null, waits: [], deadLetters, summary: 'not found' };
  const orderEvent = findLast(events, (e) => e.topic === WORKFLOW.topic('orders') && !e.error && !e.deadLetter);
  const v = (orderEvent?.value ?? {}) as { state?: string; reason?: string | null; cancelReason?: string | null };
  const state = v.state ?? null;
  const reason = v.reason ?? v.cancelReason ?? null;
  const first = events[0].timestamp;
  if (state && (TERMINAL_STATES as readonly string[]).includes(state)) {
    const latencyMs = orderEvent!.timestamp - first;
    const owed = waits.length ? `; still owed: ${waits.map((w) => `${w.expects.join('/')} from ${w.service}`).join(', ')}` : '';
    return { status: 'final', state, reason, latencyMs, idleMs: null, waits, deadLetters, summary: `${state}${reason ? ` (${reason})` : ''} after ${formatMs(latencyMs)}${owed}${dlqText}` };
  }
  const idleMs = Math.max(0, now - events[events.length - 1].timestamp);
  const main = waits.filter((w) => !w.followUp);
  const waitText = main.length ? main.map((w) => `${w.expects.join(' or ')} from ${w.service}: ${w.detail}`).join('; ') : 'nothing the workflow expects next is known';
  return {
    status: 'waiting',
    state,
    reason,
    latencyMs: null,
    idleMs,
    waits,
    deadLetters,
    summary: `${state ?? 'REQUESTED'} for ${formatMs(idleMs)}, waiting for ${waitText}${dlqText}`,
  };
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

function findLast<T>(list: readonly T[], test: (item: T) => boolean): T | null {
  for (let i = list.length - 1; i >= 0; i--) if (test(list[i])) return list[i];
  return null;
}
