// The inventory service: authoritative stock. It reserves stock for placed orders (all lines or nothing),
// releases it when an order is rejected or cancelling (the compensation), and consumes it when the order
// ships. After each change it publishes the sku's StockLevel, keyed by sku, which the orders service folds
// into its local view. Stock never goes negative and reserved + available = on hand, by construction: a
// reservation only takes what is available, a release only returns what this order holds.

import { SUBSCRIPTIONS } from '../catalogue.js';
import { eventIdOf, makeRecord, type AnyRecord, type Headers, type WorkflowContext, type WorkflowRecord } from '../envelope.js';
import type { ReservedLine } from '../events.js';
import { unitsPerSku } from '../order-state.js';
import { firstTime, type WorkflowService } from '../service.js';

export interface StockItem {
  onHand: number;
  reserved: number;
  version: number;
}

/** RESERVED holds stock; CLOSED marks an order rejected or cancelled before it was placed here. */
export type ReservationStatus = 'RESERVED' | 'FAILED' | 'RELEASED' | 'COMMITTED' | 'CLOSED';

export interface Reservation {
  status: ReservationStatus;
  lines: ReservedLine[];
}

export interface InventoryService extends WorkflowService {
  readonly stock: ReadonlyMap<string, Readonly<StockItem>>;
  readonly reservations: ReadonlyMap<string, Readonly<Reservation>>;
  /** Add units of a sku (creating it); returns its new StockLevel. */
  restock(sku: string, units: number): WorkflowRecord<'inventory.stock'>;
}

export function createInventory(ctx: WorkflowContext): InventoryService {
  const stock = new Map<string, StockItem>();
  const reservations = new Map<string, Reservation>();
  const seen = new Set<string>();

  const level = (sku: string, cause?: { headers: Headers }): WorkflowRecord<'inventory.stock'> => {
    const item = stock.get(sku)!;
    item.version += 1;
    return makeRecord(
      ctx,
      'inventory',
      'inventory.stock',
      { eventType: 'StockLevel', sku, onHand: item.onHand, reserved: item.reserved, available: item.onHand - item.reserved, version: item.version, at: ctx.now() },
      cause,
    );
  };
  const reservationEvent = (eventType: 'StockReserved' | 'StockReservationFailed' | 'StockReleased', orderId: string, lines: ReservedLine[], reason: string | null, cause: AnyRecord) =>
    makeRecord(ctx, 'inventory', 'inventory.reservations', { eventType, orderId, lines: lines.map((l) => ({ ...l })), reason, at: ctx.now() }, cause);

  const reserve = (record: WorkflowRecord<'orders'>): AnyRecord[] => {
    const { orderId } = record.value;
    if (reservations.has(orderId)) return []; // already answered, or closed before it was placed here
    const units = unitsPerSku(record.value.lines);
    const lines = [...units].map(([sku, qty]) => ({ sku, qty }));
    for (const { sku, qty } of lines) {
      const item = stock.get(sku);
      const reason = !item ? `unknown sku ${sku}` : item.onHand - item.reserved < qty ? `${sku}: ${qty} asked, ${item.onHand - item.reserved} available` : undefined;
      if (reason) {
        reservations.set(orderId, { status: 'FAILED', lines });
        return [reservationEvent('StockReservationFailed', orderId, lines, reason, record)];
      }
    }
    for (const { sku, qty } of lines) stock.get(sku)!.reserved += qty;
    reservations.set(orderId, { status: 'RESERVED', lines });
    const reserved = reservationEvent('StockReserved', orderId, lines, null, record);
    return [reserved, ...lines.map((l) => level(l.sku, reserved))];
  };

  const release = (record: WorkflowRecord<'orders'>): AnyRecord[] => {
    const { orderId } = record.value;
    const held = reservations.get(orderId);
    if (!held) {
      reservations.set(orderId, { status: 'CLOSED', lines: [] });
      return [];
    }
    if (held.status !== 'RESERVED') return [];
    for (const { sku, qty } of held.lines) stock.get(sku)!.reserved -= qty;
    held.status = 'RELEASED';
    const released = reservationEvent('StockReleased', orderId, held.lines, record.value.reason ?? record.value.cancelReason, record);
    return [released, ...held.lines.map((l) => level(l.sku, released))];
  };

  // Shipping takes the reserved units out of the warehouse: on hand and reserved both drop.
  const commit = (record: WorkflowRecord<'orders'>): AnyRecord[] => {
    const held = reservations.get(record.value.orderId);
    if (!held || held.status !== 'RESERVED') return [];
    for (const { sku, qty } of held.lines) {
      const item = stock.get(sku)!;
      item.reserved -= qty;
      item.onHand -= qty;
    }
    held.status = 'COMMITTED';
    return held.lines.map((l) => level(l.sku, record));
  };

  return {
    name: 'inventory',
    topics: SUBSCRIPTIONS.inventory,
    stock,
    reservations,
    restock(sku, units) {
      if (!Number.isInteger(units) || units < 0) throw new Error(`restock ${sku}: ${units} is not a non-negative integer`);
      const item = stock.get(sku) ?? { onHand: 0, reserved: 0, version: 0 };
      item.onHand += units;
      stock.set(sku, item);
      return level(sku);
    },
    handle(record) {
      if (record.topic !== 'orders' || !firstTime(seen, eventIdOf(record))) return [];
      switch (record.value.eventType) {
        case 'OrderPlaced':
          return reserve(record);
        case 'OrderRejected':
        case 'OrderCancelPending':
          return release(record);
        case 'OrderShipped':
          return commit(record);
        default:
          return [];
      }
    },
    tick: () => [],
  };
}
