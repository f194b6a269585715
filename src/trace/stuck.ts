// `evt trace --stuck`: the orders that have not reached a final state for longer than a threshold, with the
// step each waits for. From the `orders` view when it is up to date (state only), else from the topics:
// every order-keyed partition read to its end, only the event-type header and key of each record looked at
// (no value decoding), and the same workflow rules as a single trace deciding what each order waits for.

import fs from 'node:fs';
import { LATEST, PartitionReader, type Cluster } from '../client/wire/index.js';
import { headerText } from '../client/records.js';
import { HEADERS, ORDER_KEYED_TOPICS, STATE_AFTER, TERMINAL_STATES } from '../workflow/catalogue.js';
import { workflowNames } from '../workflow/names.js';
import { offsetRanges, partitionsOf } from '../workflow/runtime/read-back.js';
import type { TraceEvent } from './timeline.js';
import { expectations } from './verdict.js';

// the workflow's topics under the default prefix (shop.), until trace reads them from a flow description
const WORKFLOW = workflowNames();

export interface StuckOrder {
  orderId: string;
  state: string;
  /** the order's first event */
  firstAt: number;
  lastAt: number;
  lastEvent: string;
  /** since the first event */
  ageMs: number;
  waitingFor: string[];
}

export interface StuckReport {
  source: 'topics' | 'orders view';
  orders: StuckOrder[];
  recordsExamined: number;
  elapsedMs: number;
}

const STATE_OF: Readonly<Record<string, string>> = STATE_AFTER;

/** What an order in a state waits for, when only the state is known (the orders view). */
const WAITS_BY_STATE: Record<string, string> = {
  PLACED: 'inventory, payments and fraud answers, then orders (the view does not say which answer is missing)',
  CONFIRMED: 'shipping to schedule and dispatch the shipment',
  SHIPPED: 'shipping to deliver, then orders to complete it',
  CANCEL_PENDING: "inventory's release and payments' void, then orders to cancel it",
};

export async function findStuck(o: { cluster: Cluster; olderThanMs: number; now?: number; db?: string }): Promise<StuckReport> {
  const started = Date.now();
  const now = o.now ?? Date.now();
  const fromView = o.db ? await fromOrdersView(o.cluster, o.db, now - o.olderThanMs, now) : null;
  if (fromView) return { source: 'orders view', orders: fromView, recordsExamined: 0, elapsedMs: Date.now() - started };

  const topics = ORDER_KEYED_TOPICS.map(WORKFLOW.topic);
  const ranges = (await offsetRanges(o.cluster, await partitionsOf(o.cluster, topics))).filter((r) => r.until! > r.from);
  const orders = new Map<string, TraceEvent[]>();
  let examined = 0;
  if (ranges.length) {
    const reader = new PartitionReader(o.cluster, ranges, { maxWaitMs: 100 });
    for await (const chunk of reader) {
      examined += chunk.records.length;
      for (const r of chunk.records) {
        if (r.key === null) continue;
        const eventType = headerText(r.headers, HEADERS.eventType) ?? '?';
        const orderId = r.key.toString('utf8');
        let list = orders.get(orderId);
        if (!list) orders.set(orderId, (list = []));
        list.push(minimalEvent(r.topic, r.partition, r.offset, r.timestamp, eventType));
      }
    }
  }
  const out: StuckOrder[] = [];
  for (const [orderId, events] of orders) {
    events.sort((a, b) => a.timestamp - b.timestamp);
    const state = [...events].reverse().find((e) => STATE_OF[e.eventType])?.eventType;
    const current = state ? STATE_OF[state] : 'REQUESTED';
    if ((TERMINAL_STATES as readonly string[]).includes(current)) continue;
    const firstAt = events[0].timestamp;
    if (now - firstAt < o.olderThanMs) continue;
    const last = events[events.length - 1];
    const waits = expectations(events).filter((x) => !x.followUp);
    out.push({ orderId, state: current, firstAt, lastAt: last.timestamp, lastEvent: last.eventType, ageMs: now - firstAt, waitingFor: waits.map((w) => `${w.service}: ${w.expects.join(' or ')}`) });
  }
  out.sort((a, b) => a.firstAt - b.firstAt);
  return { source: 'topics', orders: out, recordsExamined: examined, elapsedMs: Date.now() - started };
}

/** A TraceEvent from header facts only (type, place, time; an order event's state): all `expectations` needs. */
export function minimalEvent(topic: string, partition: number, offset: number, timestamp: number, eventType: string): TraceEvent {
  return {
    n: 0,
    topic,
    partition,
    offset,
    timestamp,
    key: null,
    headers: {},
    value: STATE_OF[eventType] ? { state: STATE_OF[eventType] } : {},
    eventType,
    producer: null,
    eventId: null,
    causationId: null,
    deltaMs: 0,
    sinceStartMs: 0,
    changes: {},
    causedBy: null,
  };
}

/** Waiting orders from the orders view when it has read `orders` to its end, else null. */
async function fromOrdersView(cluster: Cluster, file: string, placedBefore: number, now: number): Promise<StuckOrder[] | null> {
  if (!fs.existsSync(file)) return null;
  const { openDatabase, listViews, positions } = await import('../views/store.js');
  let db;
  try {
    db = openDatabase(file, { readonly: true });
  } catch {
    return null;
  }
  try {
    if (!listViews(db).some((v) => v.name === 'orders')) return null;
    const orders = WORKFLOW.topic('orders');
    const stored = new Map(positions(db, 'orders').filter((p) => p.topic === orders).map((p) => [p.partition, p.nextOffset]));
    const meta = await cluster.topic(orders).catch(() => null);
    if (!meta) return null;
    const ends = await cluster.listOffsets(meta.partitions.map((p) => ({ topic: orders, partition: p.partition, timestamp: LATEST })));
    if (ends.some((e) => (stored.get(e.partition) ?? 0) < e.offset)) return null;
    const rows = db
      .prepare(`SELECT order_id, state, placed_at, updated_at, last_event FROM orders WHERE state NOT IN (${TERMINAL_STATES.map(() => '?').join(', ')}) AND placed_at <= ? ORDER BY placed_at`)
      .all(...TERMINAL_STATES, placedBefore) as { order_id: string; state: string; placed_at: number; updated_at: number; last_event: string }[];
    return rows.map((r) => ({
      orderId: r.order_id,
      state: r.state,
      firstAt: r.placed_at,
      lastAt: r.updated_at,
      lastEvent: r.last_event,
      ageMs: now - r.placed_at,
      waitingFor: [WAITS_BY_STATE[r.state] ?? 'unknown'],
    }));
  } finally {
    db.close();
  }
}
