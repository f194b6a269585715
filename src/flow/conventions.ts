// The conventions other teams' event systems follow, recognised without being told: where a record says what
// type of event it is, how it links to other events (event ids, causation, correlation, trace context), and
// how a dead-letter record says where it came from and why it failed. Sources for each header are listed in
// ../shared/docs/reference/tracing-anchors.md (CloudEvents' Kafka binding, Spring Kafka's KafkaHeaders, Spring
// Cloud Stream, Kafka Connect's KIP-298, Axon, W3C trace context, Zipkin B3) and evt's own workflow headers.
//
// Header names are matched without regard to case: the same convention is written `X-B3-TraceId` by one
// library and `x-b3-traceid` by another.

import type { RecordHeader } from '../client/records.js';

/** Headers that name the event type, most specific first. */
export const TYPE_HEADERS = [
  'ce_type',
  '__TypeId__',
  'axon-message-type',
  'evt-event-type',
  'eventType',
  'event_type',
  'event-type',
  'message-type',
] as const;
/** Value fields that name the event type (`type` only when it looks like a type name: see typeFromValue). */
export const TYPE_FIELDS = ['eventType', 'event_type', 'type', '@type'] as const;
export const EVENT_ID_HEADERS = [
  'evt-event-id',
  'ce_id',
  'axon-message-id',
  'messageId',
  'message-id',
  'message_id',
  'eventId',
  'event-id',
  'event_id',
  'id',
] as const;
export const CAUSATION_HEADERS = [
  'evt-causation-id',
  'causationId',
  'causation-id',
  'causation_id',
  'axon-metadata-causationId',
] as const;
export const CORRELATION_HEADERS = [
  'evt-correlation-id',
  'kafka_correlationId',
  'correlationId',
  'correlation-id',
  'correlation_id',
  'X-Correlation-Id',
  'axon-metadata-correlationId',
] as const;
export const PRODUCER_HEADERS = [
  'evt-producer',
  'ce_source',
  'producer',
  'source',
  'app',
  'spring.application.name',
] as const;

/** Headers that never hold an entity id (what inference must not take for one). */
export const NON_ID_HEADERS = new Set(
  [
    ...TYPE_HEADERS,
    'traceparent',
    'tracestate',
    'baggage',
    'b3',
    'x-b3-traceid',
    'x-b3-spanid',
    'x-b3-parentspanid',
    'x-b3-sampled',
    'x-b3-flags',
    'uber-trace-id',
    'content-type',
    'contentType',
    'ce_specversion',
    'ce_time',
    'ce_source',
    'ce_dataschema',
    'ce_datacontenttype',
    'ce_id',
    'evt-event-id',
    'evt-causation-id',
    'evt-producer',
    'axon-message-id',
    'axon-message-timestamp',
    'axon-message-revision',
    'spring_json_header_types',
    '__KeyTypeId__',
    '__ContentTypeId__',
    '__key_schema_id',
    '__value_schema_id',
    'scst_partition',
    'scst_nativeHeadersPresent',
  ].map((h) => h.toLowerCase()),
);

/** One header's value as text (the last of that name, any case), or undefined. */
export function header(headers: readonly RecordHeader[], name: string): string | undefined {
  const want = name.toLowerCase();
  for (let i = headers.length - 1; i >= 0; i--) {
    const h = headers[i];
    if (h.key.length === want.length && h.key.toLowerCase() === want)
      return h.value === null ? '' : h.value.toString('utf8');
  }
  return undefined;
}

function rawHeader(headers: readonly RecordHeader[], name: string): Buffer | null | undefined {
  const want = name.toLowerCase();
  for (let i = headers.length - 1; i >= 0; i--) if (headers[i].key.toLowerCase() === want) return headers[i].value;
  return undefined;
}

/** The first of `names` that the record carries with a non-empty value, and that value. */
export function firstHeader(
  headers: readonly RecordHeader[],
  names: readonly string[],
): { name: string; value: string } | null {
  for (const name of names) {
    const v = header(headers, name);
    if (v) return { name, value: v };
  }
  return null;
}

/** Where an event type was read from, for the trace's details and `flow infer`. */
export type TypeSource =
  | { kind: 'header'; name: string }
  | { kind: 'field'; path: string }
  | { kind: 'schema' }
  | { kind: 'topic' }
  | { kind: 'flow'; location: string };

export interface TypedEvent {
  type: string;
  from: TypeSource;
}

/** A `type` value looks like an event type (`OrderPlaced`, `com.acme.parcel.registered.v1`), not data ("express"). */
const TYPE_LIKE = /^(?:[A-Z][A-Za-z0-9]*|[a-z][a-z0-9_-]*(?:[.:/][A-Za-z0-9_-]+)+)(?:[.:/$][A-Za-z0-9_-]+)*$/;

/** The event type a value names: eventType, event_type, a type-like `type`, or CloudEvents structured mode. */
export function typeFromValue(value: unknown): TypedEvent | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const v = value as Record<string, unknown>;
  for (const field of TYPE_FIELDS) {
    const t = v[field];
    if (typeof t !== 'string' || !t) continue;
    // a structured CloudEvent's `type` is always its type; elsewhere `type` must look like one
    if (field === 'type' && typeof v.specversion !== 'string' && !TYPE_LIKE.test(t)) continue;
    return { type: t, from: { kind: 'field', path: `$.${field}` } };
  }
  return null;
}

/**
 * The event type of a record by the conventions: a type header, a type field of the value, the registry
 * schema's record name, else the topic.
 */
export function conventionalType(r: {
  topic: string;
  headers: readonly RecordHeader[];
  value: unknown;
  schemaName?: string | null;
}): TypedEvent {
  const h = firstHeader(r.headers, TYPE_HEADERS);
  if (h) return { type: h.value, from: { kind: 'header', name: h.name } };
  const f = typeFromValue(r.value);
  if (f) return f;
  if (r.schemaName) return { type: r.schemaName, from: { kind: 'schema' } };
  return { type: r.topic, from: { kind: 'topic' } };
}

/** How an event links to others. */
export interface Links {
  eventId: string | null;
  /** the event id of the event that caused this one */
  causationId: string | null;
  /** a correlation id shared by the events of one conversation or entity */
  correlationId: string | null;
  /** a distributed-trace id (W3C traceparent, B3, Jaeger) shared by the events of one trace */
  traceId: string | null;
  /** the service that produced it, when a header says */
  producer: string | null;
}

export function linksOf(headers: readonly RecordHeader[]): Links {
  return {
    eventId: firstHeader(headers, EVENT_ID_HEADERS)?.value ?? null,
    causationId: firstHeader(headers, CAUSATION_HEADERS)?.value ?? null,
    correlationId: correlationOf(headers),
    traceId: traceIdOf(headers),
    producer: firstHeader(headers, PRODUCER_HEADERS)?.value ?? null,
  };
}

/** Spring writes kafka_correlationId as raw bytes (a UUID's 16): those are shown as hex. */
function correlationOf(headers: readonly RecordHeader[]): string | null {
  for (const name of CORRELATION_HEADERS) {
    const raw = rawHeader(headers, name);
    if (!raw || raw.length === 0) continue;
    return isText(raw) ? raw.toString('utf8') : raw.toString('hex');
  }
  return null;
}

/** The trace id of W3C `traceparent`, single-header `b3`, `X-B3-TraceId` or Jaeger's `uber-trace-id`. */
export function traceIdOf(headers: readonly RecordHeader[]): string | null {
  const tp = header(headers, 'traceparent');
  const w3c = tp ? /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}/i.exec(tp.trim()) : null;
  if (w3c) return w3c[1].toLowerCase();
  const b3 = header(headers, 'b3');
  const single = b3 ? /^([0-9a-f]{16}|[0-9a-f]{32})-[0-9a-f]{16}/i.exec(b3.trim()) : null;
  if (single) return single[1].toLowerCase();
  const multi = header(headers, 'X-B3-TraceId');
  if (multi && /^[0-9a-f]{16,32}$/i.test(multi.trim())) return multi.trim().toLowerCase();
  const jaeger = header(headers, 'uber-trace-id');
  const j = jaeger ? /^([0-9a-f]{1,32}):/i.exec(jaeger.trim()) : null;
  return j ? j[1].toLowerCase() : null;
}

/** Where a dead-letter record came from and why, by whichever scheme wrote it. */
export interface DeadLetterOrigin {
  /** evt, spring-kafka, spring-cloud-stream or kafka-connect */
  scheme: DeadLetterScheme;
  topic: string;
  partition: number | null;
  offset: number | null;
  /** the exception message (or evt's error line) */
  error: string;
  /** the exception class, when the scheme names it */
  exception: string | null;
  /** the consumer group, service or connector that gave up on it, when the scheme names it */
  by: string | null;
  attempts: number | null;
}

export type DeadLetterScheme = 'evt' | 'spring-kafka' | 'spring-cloud-stream' | 'kafka-connect';

interface SchemeHeaders {
  scheme: DeadLetterScheme;
  topic: string;
  partition: string;
  offset: string;
  error: string;
  exception?: string;
  by?: string;
  attempts?: string;
}

const DEAD_LETTER_SCHEMES: readonly SchemeHeaders[] = [
  {
    scheme: 'evt',
    topic: 'evt-dlq-topic',
    partition: 'evt-dlq-partition',
    offset: 'evt-dlq-offset',
    error: 'evt-dlq-error',
    by: 'evt-dlq-service',
    attempts: 'evt-dlq-attempts',
  },
  {
    scheme: 'spring-kafka',
    topic: 'kafka_dlt-original-topic',
    partition: 'kafka_dlt-original-partition',
    offset: 'kafka_dlt-original-offset',
    error: 'kafka_dlt-exception-message',
    exception: 'kafka_dlt-exception-fqcn',
    by: 'kafka_dlt-original-consumer-group',
  },
  {
    scheme: 'spring-cloud-stream',
    topic: 'x-original-topic',
    partition: 'x-original-partition',
    offset: 'x-original-offset',
    error: 'x-exception-message',
    exception: 'x-exception-fqcn',
  },
  {
    scheme: 'kafka-connect',
    topic: '__connect.errors.topic',
    partition: '__connect.errors.partition',
    offset: '__connect.errors.offset',
    error: '__connect.errors.exception.message',
    exception: '__connect.errors.exception.class.name',
    by: '__connect.errors.connector.name',
  },
];

/** The origin of a dead-letter record, or null when its headers follow none of the known schemes. */
export function deadLetterOf(headers: readonly RecordHeader[]): DeadLetterOrigin | null {
  if (headers.length === 0) return null;
  for (const s of DEAD_LETTER_SCHEMES) {
    const topic = header(headers, s.topic);
    if (!topic) continue;
    const text = (name: string | undefined) => (name ? (header(headers, name) ?? null) : null);
    return {
      scheme: s.scheme,
      topic,
      partition: numberHeader(rawHeader(headers, s.partition)),
      offset: numberHeader(rawHeader(headers, s.offset)),
      error: text(s.error) ?? '',
      exception: text(s.exception),
      by: text(s.by),
      attempts: numberHeader(s.attempts ? rawHeader(headers, s.attempts) : undefined),
    };
  }
  return null;
}

/**
 * A number in a header: text ("17"), or big-endian binary as Spring writes partitions (4 bytes) and offsets and
 * timestamps (8 bytes). Binary that happens to be digits is read as text, which is what a writer of text meant.
 */
export function numberHeader(raw: Buffer | null | undefined): number | null {
  if (!raw || raw.length === 0) return null;
  if (/^-?\d+$/.test(raw.toString('latin1'))) return Number(raw.toString('latin1'));
  if (raw.length === 4) return raw.readInt32BE(0);
  if (raw.length === 8) return Number(raw.readBigInt64BE(0));
  return null;
}

function isText(b: Buffer): boolean {
  for (const c of b) if (c < 0x20 || c > 0x7e) return false;
  return true;
}

/** Topics that belong to the cluster or its tools, not to anybody's event flow. */
export function isInternalTopic(name: string): boolean {
  return name.startsWith('__') || name === '_schemas' || name.startsWith('_confluent') || name.startsWith('_connect');
}

/** Names that dead-letter topics go by: `orders.DLT` (Spring), `orders-dlt`, `orders.dlq`, `dlq-orders`, `evt.dlq.x`. */
export function looksLikeDeadLetterTopic(name: string): boolean {
  return /(^|[._-])(dlt|dlq|dead[._-]?letters?)([._-]|$)/i.test(name);
}
