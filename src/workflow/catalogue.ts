// The order workflow's catalogue: which topics exist, who is the single writer of each, how each is keyed,
// which event types it carries, the headers every event has, and the order states and reasons. Everything
// else in src/workflow (services, invariants, schemas test) reads these tables instead of repeating names,
// so adding an event type is one edit here plus one symbol in the topic's .avsc.
//
// Names here are logical: `orders`, not the topic on the cluster. The physical names of topics, consumer
// groups, dead-letter topics and registry subjects (prefixed, `shop.orders` by default) are names.ts's.

export const SERVICES = ['basket', 'orders', 'inventory', 'payments', 'fraud', 'shipping'] as const;
export type ServiceName = (typeof SERVICES)[number];
/** The services that run as consumer-group workers: all but basket, the edge where requests come in. */
export const WORKER_SERVICES = [
  'orders',
  'inventory',
  'payments',
  'fraud',
  'shipping',
] as const satisfies readonly ServiceName[];
export type WorkerService = (typeof WORKER_SERVICES)[number];

export const TOPIC_NAMES = [
  'basket.order-requests',
  'orders',
  'inventory.reservations',
  'inventory.stock',
  'payments',
  'fraud.checks',
  'shipments',
] as const;
export type TopicName = (typeof TOPIC_NAMES)[number];

export const BASKET_EVENTS = ['OrderRequested', 'CancelRequested'] as const;
// OrderCancelPending is not in the design notes' table: it publishes the CANCEL_PENDING state so inventory
// and payments can compensate before the order is declared CANCELLED (see schemas/README.md).
export const ORDER_EVENTS = [
  'OrderPlaced',
  'OrderConfirmed',
  'OrderRejected',
  'OrderShipped',
  'OrderCompleted',
  'OrderCancelPending',
  'OrderCancelled',
] as const;
// StockCommitted is not in the design notes' table: the reserved units left with the shipment (see schemas/README.md).
export const RESERVATION_EVENTS = [
  'StockReserved',
  'StockReservationFailed',
  'StockReleased',
  'StockCommitted',
] as const;
export const STOCK_EVENTS = ['StockLevel'] as const;
export const PAYMENT_EVENTS = ['PaymentAuthorized', 'PaymentDeclined', 'PaymentVoided', 'PaymentCaptured'] as const;
export const FRAUD_EVENTS = ['FraudCheckPassed', 'FraudCheckFailed'] as const;
export const SHIPMENT_EVENTS = [
  'ShipmentScheduled',
  'ShipmentDispatched',
  'ShipmentDelivered',
  'ShipmentFailed',
] as const;

export type BasketEventType = (typeof BASKET_EVENTS)[number];
export type OrderEventType = (typeof ORDER_EVENTS)[number];
export type ReservationEventType = (typeof RESERVATION_EVENTS)[number];
export type StockEventType = (typeof STOCK_EVENTS)[number];
export type PaymentEventType = (typeof PAYMENT_EVENTS)[number];
export type FraudEventType = (typeof FRAUD_EVENTS)[number];
export type ShipmentEventType = (typeof SHIPMENT_EVENTS)[number];

export interface TopicSpec {
  name: TopicName;
  /** The only service allowed to produce to it. */
  writer: ServiceName;
  /** The value field used as the record key. */
  key: 'orderId' | 'sku';
  eventTypes: readonly string[];
  /** Schema file under schemas/, registered as subject `<physical topic>-value` (names.ts). */
  schemaFile: string;
  /**
   * Topic configs it is created with. A latest-state topic (one record per key that matters: the last) is
   * compacted, as a real deployment makes it: Kafka keeps each key's latest record instead of the history.
   */
  configs?: Readonly<Record<string, string>>;
}

export const TOPICS: Readonly<Record<TopicName, TopicSpec>> = {
  'basket.order-requests': {
    name: 'basket.order-requests',
    writer: 'basket',
    key: 'orderId',
    eventTypes: BASKET_EVENTS,
    schemaFile: 'basket.order-requests.avsc',
  },
  orders: { name: 'orders', writer: 'orders', key: 'orderId', eventTypes: ORDER_EVENTS, schemaFile: 'orders.avsc' },
  'inventory.reservations': {
    name: 'inventory.reservations',
    writer: 'inventory',
    key: 'orderId',
    eventTypes: RESERVATION_EVENTS,
    schemaFile: 'inventory.reservations.avsc',
  },
  'inventory.stock': {
    name: 'inventory.stock',
    writer: 'inventory',
    key: 'sku',
    eventTypes: STOCK_EVENTS,
    schemaFile: 'inventory.stock.avsc',
    configs: { 'cleanup.policy': 'compact' },
  },
  payments: {
    name: 'payments',
    writer: 'payments',
    key: 'orderId',
    eventTypes: PAYMENT_EVENTS,
    schemaFile: 'payments.avsc',
  },
  'fraud.checks': {
    name: 'fraud.checks',
    writer: 'fraud',
    key: 'orderId',
    eventTypes: FRAUD_EVENTS,
    schemaFile: 'fraud.checks.avsc',
  },
  shipments: {
    name: 'shipments',
    writer: 'shipping',
    key: 'orderId',
    eventTypes: SHIPMENT_EVENTS,
    schemaFile: 'shipments.avsc',
  },
};

/** The workflow topics keyed by order id: the ones whose records say where an order is. */
export const ORDER_KEYED_TOPICS: readonly TopicName[] = TOPIC_NAMES.filter((t) => TOPICS[t].key === 'orderId');

/** The topics each service consumes (its consumer group's subscription). */
export const SUBSCRIPTIONS: Readonly<Record<ServiceName, readonly TopicName[]>> = {
  basket: [],
  orders: [
    'basket.order-requests',
    'inventory.stock',
    'inventory.reservations',
    'payments',
    'fraud.checks',
    'shipments',
  ],
  inventory: ['orders'],
  payments: ['orders'],
  fraud: ['orders'],
  shipping: ['orders'],
};

/**
 * Topics every instance of a service reads whole, outside its consumer group: the orders service's local
 * view of stock is keyed by sku, so whichever orders an instance owns, it needs every sku's level.
 */
export const GLOBAL_INPUTS: Readonly<Partial<Record<ServiceName, readonly TopicName[]>>> = {
  orders: ['inventory.stock'],
};

/** The topics a service's consumer group subscribes to. */
export function groupTopics(service: ServiceName): TopicName[] {
  const global = GLOBAL_INPUTS[service] ?? [];
  return SUBSCRIPTIONS[service].filter((t) => !global.includes(t));
}

/**
 * Services whose state spans all partitions: inventory holds every sku's stock, and orders on every
 * partition reserve the same skus, so one instance owns all of its partitions and the others stand by (they
 * take over, rebuilding the stock from the topics, when it stops). The others split partitions.
 */
export const SINGLETON_SERVICES: readonly ServiceName[] = ['inventory'];

/** Headers a dead-lettered record gets, besides its own. */
export const DLQ_HEADERS = {
  topic: 'evt-dlq-topic',
  partition: 'evt-dlq-partition',
  offset: 'evt-dlq-offset',
  error: 'evt-dlq-error',
  attempts: 'evt-dlq-attempts',
  service: 'evt-dlq-service',
  at: 'evt-dlq-at',
} as const;

export const HEADERS = {
  eventId: 'evt-event-id',
  eventType: 'evt-event-type',
  correlationId: 'evt-correlation-id',
  causationId: 'evt-causation-id',
  producer: 'evt-producer',
  traceparent: 'traceparent',
} as const;

export const ORDER_STATES = [
  'PLACED',
  'CONFIRMED',
  'REJECTED',
  'SHIPPED',
  'COMPLETED',
  'CANCEL_PENDING',
  'CANCELLED',
] as const;
export type OrderState = (typeof ORDER_STATES)[number];

export const TERMINAL_STATES: readonly OrderState[] = ['REJECTED', 'COMPLETED', 'CANCELLED'];

/** The state an order is in after each of its events. */
export const STATE_AFTER: Readonly<Record<OrderEventType, OrderState>> = {
  OrderPlaced: 'PLACED',
  OrderConfirmed: 'CONFIRMED',
  OrderRejected: 'REJECTED',
  OrderShipped: 'SHIPPED',
  OrderCompleted: 'COMPLETED',
  OrderCancelPending: 'CANCEL_PENDING',
  OrderCancelled: 'CANCELLED',
};

export function isTerminal(state: OrderState): boolean {
  return TERMINAL_STATES.includes(state);
}

export const REJECTION_REASONS = [
  'OUT_OF_STOCK',
  'PAYMENT_DECLINED',
  'FRAUD_SUSPECTED',
  'INVALID_DETAILS',
  'TIMEOUT',
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

export const CANCEL_REASONS = ['CUSTOMER_REQUEST', 'SHIPMENT_FAILED'] as const;
export type CancelReason = (typeof CANCEL_REASONS)[number];

/** Which topic an event type lives on (event types are unique across the catalogue). */
export function topicOfEventType(eventType: string): TopicName | undefined {
  return TOPIC_NAMES.find((t) => TOPICS[t].eventTypes.includes(eventType));
}
