// The built-in views over the order workflow's topics (under its prefix: `shop.orders` by default, see
// src/workflow/names.ts), and `latest <topic>` for any topic (the entity index of any flow is entity-index.ts):
//   orders        one row per order: state, reason, customer, lines, total, when each step happened, the last event
//   stock         one row per sku: on hand, reserved, available (a redelivered older level never rolls it back)
//   payments      one row per order's payment: status, amount, reason
//   latest-<t>    one row per key of topic t, its last value; a null value deletes the key (KTable semantics)
// Events carry the state of their item after the action, so each view is a last-value fold per key.

import type { Database } from 'better-sqlite3';
import { asText } from '../flow/json-path.js';
import { workflowNames, type WorkflowNames } from '../workflow/names.js';
import { quoteIdent, type ApplyEvent, type ViewDefinition, type ViewEvent } from './definition.js';

/** A field of the event's value, or a clear error naming it (the event then goes to the errors table). */
function field<T>(event: ViewEvent, name: string, type: 'string' | 'number' | 'object'): T {
  const value = (event.value as Record<string, unknown> | null)?.[name];
  if (typeof value !== type || value === null)
    throw new Error(`${name} is ${value === null ? 'null' : typeof value}, not a ${type}`);
  return value as T;
}

function optional(event: ViewEvent, name: string): string | null {
  const value = (event.value as Record<string, unknown> | null)?.[name];
  return value === undefined || value === null ? null : asText(value);
}

function expectObject(event: ViewEvent): void {
  if (typeof event.value !== 'object' || event.value === null || Array.isArray(event.value)) {
    throw new Error(
      `the value is ${event.value === null ? 'null' : typeof event.value}, not a workflow event (is the topic written in Avro through the registry?)`,
    );
  }
}

/** Which timestamp column an order event fills. */
const STEP_COLUMN: Record<string, string> = {
  OrderPlaced: 'placed_at',
  OrderConfirmed: 'confirmed_at',
  OrderRejected: 'rejected_at',
  OrderShipped: 'shipped_at',
  OrderCompleted: 'completed_at',
  OrderCancelPending: 'cancel_requested_at',
  OrderCancelled: 'cancelled_at',
};

const STEP_INDEX = new Map(Object.keys(STEP_COLUMN).map((type, i) => [type, i]));

const ordersView = (names: WorkflowNames): ViewDefinition => ({
  name: 'orders',
  description: `one row per order: state, reason, customer, lines, total, the time of each step, the last event, from ${names.topic('orders')}`,
  topics: [names.topic('orders')],
  table: 'orders',
  keyColumn: 'order_id',
  source: 'built-in',
  tables: ['orders'],
  create(db) {
    db.exec(`CREATE TABLE IF NOT EXISTS orders (
      order_id TEXT PRIMARY KEY, state TEXT NOT NULL, reason TEXT, cancel_reason TEXT, customer_id TEXT NOT NULL,
      lines TEXT NOT NULL, total INTEGER NOT NULL, currency TEXT NOT NULL,
      ${Object.values(STEP_COLUMN)
        .map((c) => `${c} INTEGER`)
        .join(', ')},
      updated_at INTEGER NOT NULL, last_event TEXT NOT NULL, last_event_id TEXT, events INTEGER NOT NULL,
      last_position TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS orders_state ON orders (state);
      CREATE INDEX IF NOT EXISTS orders_customer ON orders (customer_id);`);
  },
  prepare(db) {
    // Events are gathered per order during a batch and written once per order at its end: the last event
    // gives the row, each step keeps the first time it was seen, the counter adds up.
    const steps = Object.values(STEP_COLUMN);
    const upsert =
      db.prepare(`INSERT INTO orders (order_id, state, reason, cancel_reason, customer_id, lines, total, currency, ${steps.join(', ')},
        updated_at, last_event, last_event_id, events, last_position)
      VALUES (${Array.from({ length: 13 + steps.length }, () => '?').join(', ')})
      ON CONFLICT(order_id) DO UPDATE SET state = excluded.state, reason = excluded.reason, cancel_reason = excluded.cancel_reason,
        customer_id = excluded.customer_id, lines = excluded.lines, total = excluded.total, currency = excluded.currency,
        ${steps.map((c) => `${c} = COALESCE(orders.${c}, excluded.${c})`).join(', ')},
        updated_at = excluded.updated_at, last_event = excluded.last_event, last_event_id = excluded.last_event_id,
        events = orders.events + excluded.events, last_position = excluded.last_position`);
    // The last event of an order in the batch gives its row: it is checked on arrival (a bad event goes to
    // the errors table, not a later one) but only turned into a row at the flush.
    const pending = new Map<string, { last: ViewEvent; stepTimes: (number | null)[]; events: number }>();
    const apply = ((event: ViewEvent) => {
      expectObject(event);
      const eventType = field<string>(event, 'eventType', 'string');
      const step = STEP_INDEX.get(eventType);
      if (step === undefined) throw new Error(`unknown order event type ${eventType}`);
      const orderId = field<string>(event, 'orderId', 'string');
      const updatedAt = field<number>(event, 'updatedAt', 'number');
      for (const name of ['state', 'customerId', 'currency'] as const) field<string>(event, name, 'string');
      field<object>(event, 'lines', 'object');
      field<number>(event, 'total', 'number');
      const at = eventType === 'OrderPlaced' ? field<number>(event, 'placedAt', 'number') : updatedAt;
      let p = pending.get(orderId);
      if (!p) pending.set(orderId, (p = { last: event, stepTimes: steps.map(() => null), events: 0 }));
      p.last = event;
      p.stepTimes[step] ??= at;
      p.events++;
    }) as ApplyEvent;
    apply.flush = () => {
      for (const { last: e, stepTimes, events } of pending.values()) {
        const v = e.value as Record<string, unknown>;
        upsert.run([
          v.orderId,
          v.state,
          optional(e, 'reason'),
          optional(e, 'cancelReason'),
          v.customerId,
          JSON.stringify(v.lines),
          v.total,
          v.currency,
          ...stepTimes,
          v.updatedAt,
          v.eventType,
          e.headers['evt-event-id'] ?? null,
          events,
          `${e.topic}-${e.partition}@${e.offset}`,
        ]);
      }
      pending.clear();
    };
    return apply;
  },
});

const stockView = (names: WorkflowNames): ViewDefinition => ({
  name: 'stock',
  description: `one row per sku: on hand, reserved, available, from ${names.topic('inventory.stock')}`,
  topics: [names.topic('inventory.stock')],
  table: 'stock',
  keyColumn: 'sku',
  source: 'built-in',
  tables: ['stock'],
  create(db) {
    db.exec(`CREATE TABLE IF NOT EXISTS stock (sku TEXT PRIMARY KEY, on_hand INTEGER NOT NULL, reserved INTEGER NOT NULL,
      available INTEGER NOT NULL, version INTEGER NOT NULL, updated_at INTEGER NOT NULL, levels INTEGER NOT NULL)`);
  },
  prepare(db) {
    // levels carry a per-sku version: an older one (a redelivery) must not roll the row back
    const upsert = db.prepare(`INSERT INTO stock VALUES (@sku, @onHand, @reserved, @available, @version, @at, 1)
      ON CONFLICT(sku) DO UPDATE SET on_hand = excluded.on_hand, reserved = excluded.reserved, available = excluded.available,
        version = excluded.version, updated_at = excluded.updated_at, levels = stock.levels + 1
      WHERE excluded.version > stock.version`);
    return (event) => {
      expectObject(event);
      upsert.run({
        sku: field<string>(event, 'sku', 'string'),
        onHand: field<number>(event, 'onHand', 'number'),
        reserved: field<number>(event, 'reserved', 'number'),
        available: field<number>(event, 'available', 'number'),
        version: field<number>(event, 'version', 'number'),
        at: field<number>(event, 'at', 'number'),
      });
    };
  },
});

const paymentsView = (names: WorkflowNames): ViewDefinition => ({
  name: 'payments',
  description: `one row per order's payment: status, amount, reason, from ${names.topic('payments')}`,
  topics: [names.topic('payments')],
  table: 'payments',
  keyColumn: 'order_id',
  source: 'built-in',
  tables: ['payments'],
  create(db) {
    db.exec(`CREATE TABLE IF NOT EXISTS payments (order_id TEXT PRIMARY KEY, payment_id TEXT NOT NULL, customer_id TEXT NOT NULL,
      amount INTEGER NOT NULL, currency TEXT NOT NULL, status TEXT NOT NULL, reason TEXT, updated_at INTEGER NOT NULL, last_event TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS payments_status ON payments (status);`);
  },
  prepare(db) {
    const upsert =
      db.prepare(`INSERT INTO payments VALUES (@orderId, @paymentId, @customerId, @amount, @currency, @status, @reason, @at, @eventType)
      ON CONFLICT(order_id) DO UPDATE SET payment_id = excluded.payment_id, customer_id = excluded.customer_id, amount = excluded.amount,
        currency = excluded.currency, status = excluded.status, reason = excluded.reason, updated_at = excluded.updated_at, last_event = excluded.last_event`);
    return (event) => {
      expectObject(event);
      upsert.run({
        orderId: field<string>(event, 'orderId', 'string'),
        paymentId: field<string>(event, 'paymentId', 'string'),
        customerId: field<string>(event, 'customerId', 'string'),
        amount: field<number>(event, 'amount', 'number'),
        currency: field<string>(event, 'currency', 'string'),
        status: field<string>(event, 'status', 'string'),
        reason: optional(event, 'reason'),
        at: field<number>(event, 'at', 'number'),
        eventType: field<string>(event, 'eventType', 'string'),
      });
    };
  },
});

/** `latest <topic>`: the last value per key of any topic, deleted by a null value. */
export function latestView(topic: string): ViewDefinition {
  const table = `latest_${topic.replace(/[^A-Za-z0-9_]/g, '_')}`;
  const t = quoteIdent(table);
  return {
    name: `latest-${topic}`,
    description: `one row per key of ${topic}: its last value (a null value deletes the key)`,
    topics: [topic],
    table,
    keyColumn: 'key',
    source: 'built-in',
    tables: [table],
    create(db: Database) {
      db.exec(`CREATE TABLE IF NOT EXISTS ${t} (key TEXT PRIMARY KEY, value TEXT NOT NULL, headers TEXT NOT NULL, partition INTEGER NOT NULL,
        offset INTEGER NOT NULL, timestamp INTEGER NOT NULL, updates INTEGER NOT NULL)`);
    },
    prepare(db: Database) {
      const upsert = db.prepare(`INSERT INTO ${t} VALUES (@key, @value, @headers, @partition, @offset, @timestamp, 1)
        ON CONFLICT(key) DO UPDATE SET value = excluded.value, headers = excluded.headers, partition = excluded.partition,
          offset = excluded.offset, timestamp = excluded.timestamp, updates = ${t}.updates + 1`);
      const remove = db.prepare(`DELETE FROM ${t} WHERE key = ?`);
      return (event: ViewEvent) => {
        if (event.key === null) throw new Error('the record has no key: a latest-by-key view cannot place it');
        if (event.value === null) {
          remove.run(event.key);
          return;
        }
        upsert.run({
          key: event.key,
          value: JSON.stringify(event.value),
          headers: JSON.stringify(event.headers),
          partition: event.partition,
          offset: event.offset,
          timestamp: event.timestamp,
        });
      };
    },
  };
}

/** The views of the workflow's own topics, read under `names` (`evt replay orders --prefix acme.`). */
export function workflowViews(names: WorkflowNames): ViewDefinition[] {
  return [ordersView(names), stockView(names), paymentsView(names)];
}

const DEFAULT_WORKFLOW_VIEWS = workflowViews(workflowNames());

/** The names of the views `workflowViews` gives: the ones `--prefix` applies to. */
export const WORKFLOW_VIEW_NAMES: readonly string[] = DEFAULT_WORKFLOW_VIEWS.map((v) => v.name);

/** The built-in views, the workflow's under the default prefix. */
export const BUILTIN_VIEWS: readonly ViewDefinition[] = DEFAULT_WORKFLOW_VIEWS;

/**
 * A built-in view by name (`latest-<topic>` included), or undefined; the workflow's views (orders, stock,
 * payments) read its topics under `names` (default prefix `shop.`).
 */
export function builtinView(name: string, names?: WorkflowNames): ViewDefinition | undefined {
  if (name.startsWith('latest-') && name.length > 'latest-'.length) return latestView(name.slice('latest-'.length));
  if (names) {
    const own = workflowViews(names).find((v) => v.name === name);
    if (own) return own;
  }
  return BUILTIN_VIEWS.find((v) => v.name === name);
}
