// The shipping service: schedules a shipment for each confirmed order (or fails it, by a seeded decision
// per order), then on tick dispatches and delivers scheduled shipments once their delays have passed.

import { SUBSCRIPTIONS, type ShipmentEventType } from '../catalogue.js';
import { derivedId, eventIdOf, makeRecord, type AnyRecord, type Headers, type WorkflowContext } from '../envelope.js';
import type { ShipmentStatus } from '../events.js';
import { decide } from '../random.js';
import { firstTime, type WorkflowService } from '../service.js';
import { RecentIds } from '../../common/recent-ids.js';

export interface ShippingConfig {
  seed: number | string;
  /** Share of shipments that fail to be scheduled, 0..1. */
  failRate: number;
  dispatchAfterMs: number;
  deliverAfterMs: number;
}

export interface Shipment {
  shipmentId: string;
  status: ShipmentStatus;
  /** When the next step (dispatch, delivery) is due. */
  dueAt: number;
  /** Headers of this shipment's last event: the cause of the next, time-driven one. */
  last: Headers;
}

export interface ShippingService extends WorkflowService {
  readonly shipments: ReadonlyMap<string, Readonly<Shipment>>;
}

export function shipmentFails(config: ShippingConfig, orderId: string): boolean {
  return decide(config.seed, `shipment:${orderId}`) < config.failRate;
}

export function createShipping(ctx: WorkflowContext, config: ShippingConfig): ShippingService {
  const shipments = new Map<string, Shipment>();
  const seen = new RecentIds();
  // Shipments still to dispatch or deliver, so a tick does not walk every shipment ever made.
  const active = new Set<string>();
  const emit = (
    eventType: ShipmentEventType,
    orderId: string,
    s: Shipment,
    reason: string | null,
    cause: { headers: Headers },
  ): AnyRecord => {
    const record = makeRecord(
      ctx,
      'shipping',
      'shipments',
      { eventType, shipmentId: s.shipmentId, orderId, status: s.status, reason, at: ctx.now() },
      cause,
    );
    s.last = record.headers;
    return record;
  };
  return {
    name: 'shipping',
    topics: SUBSCRIPTIONS.shipping,
    handles: { orders: ['OrderConfirmed'] },
    shipments,
    handle(record) {
      if (record.topic !== 'orders' || !firstTime(seen, eventIdOf(record))) return [];
      const order = record.value;
      if (order.eventType !== 'OrderConfirmed' || shipments.has(order.orderId)) return [];
      const fails = shipmentFails(config, order.orderId);
      const s: Shipment = {
        shipmentId: derivedId('shipment', order.orderId),
        status: fails ? 'FAILED' : 'SCHEDULED',
        dueAt: ctx.now() + config.dispatchAfterMs,
        last: record.headers,
      };
      shipments.set(order.orderId, s);
      if (!fails) active.add(order.orderId);
      return [
        fails
          ? emit('ShipmentFailed', order.orderId, s, 'no carrier capacity', record)
          : emit('ShipmentScheduled', order.orderId, s, null, record),
      ];
    },
    tick() {
      const now = ctx.now();
      const out: AnyRecord[] = [];
      for (const orderId of active) {
        const s = shipments.get(orderId)!;
        if (now < s.dueAt) continue;
        if (s.status === 'SCHEDULED') {
          s.status = 'DISPATCHED';
          s.dueAt = now + config.deliverAfterMs;
          out.push(emit('ShipmentDispatched', orderId, s, null, { headers: s.last }));
        } else if (s.status === 'DISPATCHED') {
          s.status = 'DELIVERED';
          active.delete(orderId);
          out.push(emit('ShipmentDelivered', orderId, s, null, { headers: s.last }));
        }
      }
      return out;
    },
    recoveryTopics: ['shipments'],
    // The next step is due a delay after the shipment's last event, as if the worker had never stopped.
    recover(record) {
      if (record.topic !== 'shipments') return;
      const v = record.value;
      const delay = v.status === 'SCHEDULED' ? config.dispatchAfterMs : config.deliverAfterMs;
      shipments.set(v.orderId, {
        shipmentId: v.shipmentId,
        status: v.status,
        dueAt: v.at + delay,
        last: record.headers,
      });
      if (v.status === 'SCHEDULED' || v.status === 'DISPATCHED') active.add(v.orderId);
      else active.delete(v.orderId);
    },
    recovered: () => [],
  };
}
