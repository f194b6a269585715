// The bundled workflow as a flow: what trace, the stuck list, the entity index and the dashboard know of it,
// which is only what any other system's flow could tell them. Built here from the catalogue (one source of
// truth for topics, types and groups) and shipped as flows/shop.json, the worked example of a flow file; a
// test keeps the two equal.
//
// The reactions restate the services' rules (services/*.ts, order-state.ts) as expectations: on a trigger,
// which group answers with what. Joins (orders confirms once inventory, payments and fraud all passed) use
// `requires`; compensations and captures a final order still owes are `followUp`; shipping's dispatch and
// delivery come from its timers.

import type { Flow, Reaction } from '../flow/model.js';
import { parsePath } from '../flow/json-path.js';
import {
  ORDER_KEYED_TOPICS,
  STATE_AFTER,
  TOPICS,
  TOPIC_NAMES,
  WORKER_SERVICES,
  type ServiceName,
} from './catalogue.js';
import { DEFAULT_PREFIX, workflowNames, type WorkflowNames } from './names.js';

const FINAL = ['OrderRejected', 'OrderCompleted', 'OrderCancelled'];
const ANSWERS = {
  inventory: ['StockReserved', 'StockReservationFailed'],
  payments: ['PaymentAuthorized', 'PaymentDeclined'],
  fraud: ['FraudCheckPassed', 'FraudCheckFailed'],
} as const;

type Rule = Omit<Reaction, 'groups' | 'service' | 'requires' | 'unless' | 'withinMs' | 'timer' | 'followUp'> &
  Partial<Pick<Reaction, 'requires' | 'unless' | 'withinMs' | 'timer' | 'followUp'>> & { by: ServiceName };

/** Who answers what, by the services' rules. */
const RULES: readonly Rule[] = [
  { by: 'orders', on: ['OrderRequested'], answers: ['OrderPlaced', 'OrderRejected'], withinMs: 2000 },
  // late answers are still owed by a rejected order, so that its stock and money can be released
  { by: 'inventory', on: ['OrderPlaced'], answers: [...ANSWERS.inventory], withinMs: 2000, followUp: true },
  { by: 'payments', on: ['OrderPlaced'], answers: [...ANSWERS.payments], withinMs: 2000, followUp: true },
  { by: 'fraud', on: ['OrderPlaced'], answers: [...ANSWERS.fraud], withinMs: 2000 },
  {
    by: 'orders',
    on: ['StockReserved', 'PaymentAuthorized', 'FraudCheckPassed'],
    requires: [['StockReserved'], ['PaymentAuthorized'], ['FraudCheckPassed']],
    // a cancelling order is no longer decided on its answers (order-state.ts settles PLACED orders only)
    unless: ['OrderCancelPending'],
    answers: ['OrderConfirmed', 'OrderRejected'],
    withinMs: 2000,
  },
  {
    by: 'orders',
    on: ['StockReservationFailed', 'PaymentDeclined', 'FraudCheckFailed'],
    unless: ['OrderCancelPending'],
    answers: ['OrderRejected'],
    withinMs: 2000,
  },
  // a cancel is acted on while the order is PLACED only (order-state.ts)
  {
    by: 'orders',
    on: ['CancelRequested'],
    requires: [['OrderPlaced']],
    unless: ['OrderConfirmed', ...FINAL],
    answers: ['OrderCancelPending'],
    withinMs: 2000,
  },
  { by: 'shipping', on: ['OrderConfirmed'], answers: ['ShipmentScheduled', 'ShipmentFailed'], withinMs: 2000 },
  {
    by: 'shipping',
    on: ['ShipmentScheduled'],
    unless: ['ShipmentFailed'],
    answers: ['ShipmentDispatched'],
    timer: true,
    withinMs: 5000,
  },
  { by: 'orders', on: ['ShipmentDispatched'], answers: ['OrderShipped'], withinMs: 2000 },
  {
    by: 'shipping',
    on: ['ShipmentDispatched'],
    requires: [['OrderShipped']],
    answers: ['ShipmentDelivered'],
    timer: true,
    withinMs: 5000,
  },
  { by: 'orders', on: ['ShipmentDelivered'], answers: ['OrderCompleted'], withinMs: 2000 },
  { by: 'orders', on: ['ShipmentFailed'], answers: ['OrderCancelPending'], withinMs: 2000 },
  { by: 'payments', on: ['OrderShipped'], answers: ['PaymentCaptured'], withinMs: 2000, followUp: true },
  { by: 'inventory', on: ['OrderShipped'], answers: ['StockCommitted'], withinMs: 2000, followUp: true },
  // compensations of a rejected or cancelling order: what was reserved or authorized is undone
  {
    by: 'inventory',
    on: ['OrderRejected', 'OrderCancelPending', 'OrderCancelled'],
    requires: [['StockReserved']],
    answers: ['StockReleased'],
    withinMs: 2000,
    followUp: true,
  },
  {
    by: 'payments',
    on: ['OrderRejected', 'OrderCancelPending', 'OrderCancelled'],
    requires: [['PaymentAuthorized']],
    answers: ['PaymentVoided'],
    withinMs: 2000,
    followUp: true,
  },
  {
    by: 'orders',
    // the last compensation triggers it (orders consumes those topics; its own OrderCancelPending it does not)
    on: ['StockReleased', 'StockReservationFailed', 'PaymentVoided', 'PaymentDeclined'],
    requires: [
      ['OrderCancelPending'],
      ['StockReleased', 'StockReservationFailed'],
      ['PaymentVoided', 'PaymentDeclined'],
    ],
    answers: ['OrderCancelled'],
    withinMs: 2000,
  },
];

/** The bundled workflow's flow under its names (the default: the `shop.` prefix). */
export function workflowFlow(naming: WorkflowNames = workflowNames()): Flow {
  const keyed = new Set<string>(ORDER_KEYED_TOPICS);
  return {
    name: 'shop',
    entity: 'order',
    source: 'bundled:shop',
    prefix: naming.prefix,
    topics: [
      ...TOPIC_NAMES.map((t) => ({
        name: naming.topic(t),
        // stock levels are keyed by sku; the one an order's reservation caused carries the order id as correlation id
        idAt: keyed.has(t)
          ? [{ from: 'key' as const, text: '$key' }]
          : [{ from: 'header' as const, text: '$headers.evt-correlation-id', name: 'evt-correlation-id' }],
        types: [...TOPICS[t].eventTypes],
        typeAt: null,
        deadLetter: false,
        watch: t === 'orders' ? ['state', 'reason', 'cancelReason', 'total'] : [],
        // the services write Avro through the registry: anything else on their topics is not an event
        values: 'registry' as const,
        // stock levels are keyed by the skus an order's lines name
        keys: t === 'inventory.stock' ? [parsePath('$.lines[*].sku')] : [],
      })),
      ...WORKER_SERVICES.map((s) => ({
        name: naming.dlq(s),
        idAt: [],
        types: [],
        typeAt: null,
        deadLetter: true,
        watch: [],
        values: null,
        keys: [],
      })),
    ],
    reactions: RULES.map(({ by, ...r }) => ({
      groups: [naming.group(by)],
      service: by,
      on: [...r.on],
      requires: r.requires ?? [],
      answers: [...r.answers],
      unless: r.unless ?? [],
      withinMs: r.withinMs ?? null,
      timer: r.timer ?? false,
      followUp: r.followUp ?? false,
    })),
    final: FINAL,
    states: { OrderRequested: 'REQUESTED', ...STATE_AFTER },
    initialState: null,
    reasons: { OrderRejected: parsePath('$.reason'), OrderCancelled: parsePath('$.cancelReason') },
    notes: [],
  };
}

/**
 * The prefix of a bundled workflow whose topics are all among `topics` (the default `shop.` first, then the
 * unprefixed names of evt before prefixes), or null.
 */
export function detectWorkflow(topics: readonly string[]): { prefix: string } | null {
  const have = new Set(topics);
  for (const prefix of [DEFAULT_PREFIX, '']) {
    const naming = workflowNames(prefix);
    if (TOPIC_NAMES.every((t) => have.has(naming.topic(t)))) return { prefix };
  }
  // another prefix: every workflow topic under one common prefix
  const orders = topics
    .filter((t) => t.endsWith('basket.order-requests'))
    .map((t) => t.slice(0, -'basket.order-requests'.length));
  for (const prefix of orders)
    if (/^[A-Za-z0-9._-]*$/.test(prefix) && TOPIC_NAMES.every((t) => have.has(prefix + t))) return { prefix };
  return null;
}
