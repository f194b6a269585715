// The value of each topic's events, as the decoded Avro objects (schemas/<topic>.avsc). One shape per topic:
// every event on a topic carries the current state of its item after the action (event-carried state
// transfer), so the event type is a field, not a different record. Money is in minor units (cents) as
// integers, so totals add up exactly; times are epoch milliseconds.

import type {
  BasketEventType,
  CancelReason,
  FraudEventType,
  OrderEventType,
  OrderState,
  PaymentEventType,
  RejectionReason,
  ReservationEventType,
  ShipmentEventType,
  StockEventType,
  TopicName,
} from './catalogue.js';

export interface OrderLine {
  sku: string;
  qty: number;
  /** minor units */
  unitPrice: number;
}

export interface BasketEvent {
  eventType: BasketEventType;
  orderId: string;
  customerId: string;
  lines: OrderLine[];
  currency: string;
  requestedAt: number;
  /** free text given with a cancel request */
  reason: string | null;
}

/** The full order snapshot, carried by every event on `orders`. */
export interface OrderEvent {
  eventType: OrderEventType;
  orderId: string;
  customerId: string;
  lines: OrderLine[];
  total: number;
  currency: string;
  state: OrderState;
  reason: RejectionReason | null;
  cancelReason: CancelReason | null;
  placedAt: number;
  updatedAt: number;
}

export interface ReservedLine {
  sku: string;
  qty: number;
}

export interface ReservationEvent {
  eventType: ReservationEventType;
  orderId: string;
  lines: ReservedLine[];
  reason: string | null;
  at: number;
}

export interface StockLevelEvent {
  eventType: StockEventType;
  sku: string;
  onHand: number;
  reserved: number;
  available: number;
  /** Per-sku counter, +1 on every change: lets a view ignore a redelivered older level. */
  version: number;
  /** Units this change added to onHand (a restock), 0 otherwise: what inventory rebuilds onHand from. */
  restocked: number;
  at: number;
}

export type PaymentStatus = 'AUTHORIZED' | 'DECLINED' | 'VOIDED' | 'CAPTURED';

export interface PaymentEvent {
  eventType: PaymentEventType;
  paymentId: string;
  orderId: string;
  customerId: string;
  amount: number;
  currency: string;
  status: PaymentStatus;
  reason: string | null;
  at: number;
}

export interface FraudCheckEvent {
  eventType: FraudEventType;
  orderId: string;
  customerId: string;
  amount: number;
  limit: number;
  reason: string | null;
  at: number;
}

export type ShipmentStatus = 'SCHEDULED' | 'DISPATCHED' | 'DELIVERED' | 'FAILED';

export interface ShipmentEvent {
  eventType: ShipmentEventType;
  shipmentId: string;
  orderId: string;
  status: ShipmentStatus;
  reason: string | null;
  at: number;
}

/** The value type of each topic. */
export interface TopicValues {
  'basket.order-requests': BasketEvent;
  orders: OrderEvent;
  'inventory.reservations': ReservationEvent;
  'inventory.stock': StockLevelEvent;
  payments: PaymentEvent;
  'fraud.checks': FraudCheckEvent;
  shipments: ShipmentEvent;
}

export type EventValue = TopicValues[TopicName];
