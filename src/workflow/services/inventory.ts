// The inventory service: authoritative stock. It reserves stock for placed orders (all lines or nothing),
// releases it when an order is rejected or cancelling (the compensation), and consumes it when the order
// ships. After each change it publishes the sku's StockLevel, keyed by sku, which the orders service folds
// into its local view. Stock never goes negative and reserved + available = on hand, by construction: a
// reservation only takes what is available, a release only returns what this order holds.

import { SUBSCRIPTIONS, type ReservationEventType } from '../catalogue.js';
import {
  eventIdOf,
  makeRecord,
  type AnyRecord,
  type Headers,
  type WorkflowContext,
  type WorkflowRecord,
} from '../envelope.js';
import type { ReservedLine } from '../events.js';
import { unitsPerSku } from '../order-state.js';
import { firstTime, type WorkflowService } from '../service.js';
import { RecentIds } from '../../common/recent-ids.js';

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

export interface InventoryConfig {
  /**
   * Units per sku stocked when the service first starts: recovered() restocks each sku that has never been
   * stocked (no restock in inventory.stock), so restarting a worker does not stock twice.
   */
  initialStock?: Readonly<Record<string, number>>;
  /** The skus the shop sells: one of them never stocked has none available; any other is an unknown sku. */
  catalogue?: ReadonlySet<string>;
}

/** The order events inventory acts on: reserve, release (two ways), commit. */
const INVENTORY_TRIGGERS = ['OrderPlaced', 'OrderRejected', 'OrderCancelPending', 'OrderShipped'];

export function createInventory(ctx: WorkflowContext, config: InventoryConfig = {}): InventoryService {
  const stock = new Map<string, StockItem>();
  const reservations = new Map<string, Reservation>();
  const seen = new RecentIds();

  const level = (sku: string, cause?: { headers: Headers }, restocked = 0): WorkflowRecord<'inventory.stock'> => {
    const item = stock.get(sku)!;
    item.version += 1;
    return makeRecord(
      ctx,
      'inventory',
      'inventory.stock',
      {
        eventType: 'StockLevel',
        sku,
        onHand: item.onHand,
        reserved: item.reserved,
        available: item.onHand - item.reserved,
        version: item.version,
        restocked,
        at: ctx.now(),
      },
      cause,
    );
  };
  const reservationEvent = (
    eventType: ReservationEventType,
    orderId: string,
    lines: ReservedLine[],
    reason: string | null,
    cause: AnyRecord,
  ) =>
    makeRecord(
      ctx,
      'inventory',
      'inventory.reservations',
      { eventType, orderId, lines: lines.map((l) => ({ ...l })), reason, at: ctx.now() },
      cause,
    );

  const reserve = (record: WorkflowRecord<'orders'>): AnyRecord[] => {
    const { orderId } = record.value;
    if (reservations.has(orderId)) return []; // already answered, or closed before it was placed here
    const units = unitsPerSku(record.value.lines);
    const lines = [...units].map(([sku, qty]) => ({ sku, qty }));
    for (const { sku, qty } of lines) {
      const item = stock.get(sku);
      const reason = !item
        ? config.catalogue?.has(sku)
          ? `${sku}: ${qty} asked, none in stock`
          : `unknown sku ${sku}`
        : item.onHand - item.reserved < qty
          ? `${sku}: ${qty} asked, ${item.onHand - item.reserved} available`
          : undefined;
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
    const released = reservationEvent(
      'StockReleased',
      orderId,
      held.lines,
      record.value.reason ?? record.value.cancelReason,
      record,
    );
    return [released, ...held.lines.map((l) => level(l.sku, released))];
  };

  // Shipping takes the reserved units out of the warehouse: on hand and reserved both drop, and the
  // reservation is marked committed on inventory.reservations (the fact recovery rebuilds onHand from).
  const commit = (record: WorkflowRecord<'orders'>): AnyRecord[] => {
    const held = reservations.get(record.value.orderId);
    if (!held || held.status !== 'RESERVED') return [];
    for (const { sku, qty } of held.lines) {
      const item = stock.get(sku)!;
      item.reserved -= qty;
      item.onHand -= qty;
    }
    held.status = 'COMMITTED';
    const committed = reservationEvent('StockCommitted', record.value.orderId, held.lines, null, record);
    return [committed, ...held.lines.map((l) => level(l.sku, committed))];
  };

  // Recovery: reservations come back from inventory.reservations; each sku's onHand is what restocks added
  // minus what shipments took, and its reserved units are what open reservations hold. StockLevel events are
  // not trusted for those numbers (a crash may have cut a handler short between its reservation and its
  // levels); they give the restocks and each sku's last published version and numbers, so that recovered()
  // can publish a corrected level where the last one is behind.
  const restockedUnits = new Map<string, number>();
  const lastPublished = new Map<string, { onHand: number; reserved: number; version: number }>();
  const recover = (record: AnyRecord): void => {
    if (record.topic === 'inventory.stock') {
      const v = record.value;
      restockedUnits.set(v.sku, (restockedUnits.get(v.sku) ?? 0) + v.restocked);
      if (v.version >= (lastPublished.get(v.sku)?.version ?? -1))
        lastPublished.set(v.sku, { onHand: v.onHand, reserved: v.reserved, version: v.version });
    } else if (record.topic === 'inventory.reservations') {
      const v = record.value;
      const lines = v.lines.map((l) => ({ ...l }));
      const status: Record<ReservationEventType, ReservationStatus> = {
        StockReserved: 'RESERVED',
        StockReservationFailed: 'FAILED',
        StockReleased: 'RELEASED',
        StockCommitted: 'COMMITTED',
      };
      reservations.set(v.orderId, { status: status[v.eventType], lines });
    }
  };
  const recovered = (): AnyRecord[] => {
    const held = new Map<string, number>();
    const shipped = new Map<string, number>();
    for (const r of reservations.values()) {
      const into = r.status === 'RESERVED' ? held : r.status === 'COMMITTED' ? shipped : undefined;
      if (into) for (const { sku, qty } of r.lines) into.set(sku, (into.get(sku) ?? 0) + qty);
    }
    const out: AnyRecord[] = [];
    for (const [sku, added] of restockedUnits) {
      const item = {
        onHand: added - (shipped.get(sku) ?? 0),
        reserved: held.get(sku) ?? 0,
        version: lastPublished.get(sku)?.version ?? 0,
      };
      stock.set(sku, item);
      const last = lastPublished.get(sku);
      if (!last || last.onHand !== item.onHand || last.reserved !== item.reserved) out.push(level(sku));
    }
    for (const [sku, units] of Object.entries(config.initialStock ?? {}))
      if (!restockedUnits.has(sku)) out.push(restock(sku, units));
    return out;
  };

  const restock = (sku: string, units: number): WorkflowRecord<'inventory.stock'> => {
    if (!Number.isInteger(units) || units < 0)
      throw new Error(`restock ${sku}: ${units} is not a non-negative integer`);
    const item = stock.get(sku) ?? { onHand: 0, reserved: 0, version: 0 };
    item.onHand += units;
    stock.set(sku, item);
    restockedUnits.set(sku, (restockedUnits.get(sku) ?? 0) + units);
    return level(sku, undefined, units);
  };

  return {
    name: 'inventory',
    topics: SUBSCRIPTIONS.inventory,
    handles: { orders: INVENTORY_TRIGGERS },
    stock,
    reservations,
    restock,
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
    recoveryTopics: ['inventory.reservations', 'inventory.stock'],
    recover,
    recovered,
  };
}
