// A workflow record as it travels (topic, key, headers, decoded value), the context handlers run in (clock
// and seeded RNG, injected so runs are reproducible), and the one place the standard headers are built, so
// every service stamps event id, type, correlation, causation, producer and traceparent the same way.

import { createHash } from 'node:crypto';
import { HEADERS, TOPICS, type ServiceName, type TopicName } from './catalogue.js';
import type { TopicValues } from './events.js';
import { uuidFromHex, type Random } from './random.js';

export type Headers = Record<string, string>;

/** A record of one topic; `T` narrows the value type when the topic is known. */
export interface WorkflowRecord<T extends TopicName = TopicName> {
  topic: T;
  key: string;
  headers: Headers;
  value: TopicValues[T];
}

/** Any record, discriminated by topic (narrow with `record.topic === 'orders'`). */
export type AnyRecord = { [T in TopicName]: WorkflowRecord<T> }[TopicName];

/** What a handler may use besides its state and input: time and chance, both injected. */
export interface WorkflowContext {
  now(): number;
  random: Random;
}

/** The id of the event a record carries (the dedupe key). */
export function eventIdOf(record: { headers: Headers }): string {
  return record.headers[HEADERS.eventId] ?? '';
}

/**
 * Build a record produced by `producer`. The correlation id is the order id (or the sku for stock levels,
 * which belong to no order); `cause` is the record that triggered this one: its event id becomes the
 * causation id and its trace id is kept, so one order is one trace. A root event (an order request, a
 * restock) has an empty causation id and starts a new trace.
 *
 * The event id of a caused event is derived from (producer, cause's event id, event type, key) rather than
 * drawn at random: a worker that crashes after publishing and handles the same input again after a restart
 * publishes the same ids, so whatever it re-publishes is a duplicate every consumer's dedupe recognises,
 * and two instances or two runs never mint the same id for different events.
 */
export function makeRecord<T extends TopicName>(
  ctx: WorkflowContext,
  producer: ServiceName,
  topic: T,
  value: TopicValues[T],
  cause?: { headers: Headers },
): WorkflowRecord<T> {
  const spec = TOPICS[topic];
  const key = String((value as unknown as Record<string, unknown>)[spec.key]);
  const eventType = (value as { eventType: string }).eventType;
  const causeId = cause ? eventIdOf(cause) : '';
  const eventId = causeId ? derivedId(producer, causeId, eventType, key) : ctx.random.uuid();
  const parentTrace = cause ? parseTraceparent(cause.headers[HEADERS.traceparent]) : undefined;
  const traceId = parentTrace ?? (causeId ? derivedHex(16, 'trace', causeId) : ctx.random.hex(16));
  const correlation = cause?.headers[HEADERS.correlationId] ?? key;
  const headers: Headers = {
    [HEADERS.eventId]: eventId,
    [HEADERS.eventType]: eventType,
    [HEADERS.correlationId]: spec.key === 'orderId' ? key : correlation,
    [HEADERS.causationId]: causeId,
    [HEADERS.producer]: producer,
    [HEADERS.traceparent]: `00-${traceId}-${derivedHex(8, 'span', eventId)}-01`,
  };
  return { topic, key, headers, value };
}

/** Hex digits fixed by `parts` (a SHA-256 prefix). */
export function derivedHex(bytes: number, ...parts: string[]): string {
  return createHash('sha256')
    .update(parts.join('\u0000'))
    .digest('hex')
    .slice(0, bytes * 2);
}

/** A version-4-shaped uuid fixed by `parts`: the same inputs always give the same id. */
export function derivedId(...parts: string[]): string {
  return uuidFromHex(derivedHex(16, ...parts));
}

/** The trace id of a W3C traceparent (`00-<32 hex>-<16 hex>-<2 hex>`), or undefined when malformed. */
export function parseTraceparent(value: string | undefined): string | undefined {
  const m = value ? /^00-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(value) : null;
  return m ? m[1] : undefined;
}
