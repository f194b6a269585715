// A found record as an event of the entity: decoded (the record envelope, as `evt tail --json` prints it), the
// exact test of where it carries the id, and what the conventions or the flow say of it: its type, its links
// to other events, and for a dead letter, the record it stands for and why that failed.

import type { ConsumedRecord, RecordHeader } from '../client/records.js';
import { keyAndHeaders, toEnvelope, type RecordEnvelope } from '../codec/envelope.js';
import type { ValueCodec } from '../codec/value-codec.js';
import { schemaIdOf } from '../codec/wire-format.js';
import {
  conventionalType,
  deadLetterOf,
  linksOf,
  type DeadLetterOrigin,
  type TypeSource,
} from '../flow/conventions.js';
import { notRegistryEncoded, structuredValue, type EntityMatcher, type MatchPlace } from '../flow/entity.js';
import { valuesAt } from '../flow/json-path.js';
import { flowTopic, formatIdLocation, type Flow, type TypeLocation } from '../flow/model.js';

export type { DeadLetterOrigin };
export { structuredValue };

/** An event found for the entity, decoded, with what the conventions say of it. */
export interface FoundEvent extends RecordEnvelope {
  eventType: string;
  /** where the type was read: "header ce_type", "value $.eventType", "schema", "topic", "flow header:x" */
  typeFrom: string;
  /** where the record carries the id: "key", "header ce_subject", "value $.parcel.parcelId" */
  matchedBy: MatchPlace[];
  producer: string | null;
  eventId: string | null;
  causationId: string | null;
  correlationId: string | null;
  traceId: string | null;
  /** set for a record of a dead-letter topic: the record that failed and why */
  deadLetter?: DeadLetterOrigin;
}

/**
 * Decodes the records that passed the byte filter and keeps those that carry the id (schemas are looked up
 * first, as the registry decoder needs), where the flow says their topic keeps it (anywhere without a flow).
 */
export async function decodeFound(
  records: readonly ConsumedRecord[],
  codec: ValueCodec,
  matcher: EntityMatcher | null,
  flow: Flow | null,
): Promise<FoundEvent[]> {
  if (codec.registry && records.length) await codec.registry.prepare(records);
  const out: FoundEvent[] = [];
  for (const r of records) {
    const schemaId = schemaIdOf(r.value);
    const schemaName = schemaId !== null ? (codec.registry?.schemaName(schemaId) ?? null) : null;
    const e = foundEvent(toEnvelope(r, codec), r, { matcher, flow, schemaName });
    if (e) out.push(e);
  }
  return out;
}

/** An event from an envelope the entity index stored, with the type the index read (null: not the id's). */
export function foundFromEnvelope(
  env: RecordEnvelope,
  type: string,
  o: { matcher: EntityMatcher | null; flow: Flow | null },
): FoundEvent | null {
  const { key, headers } = keyAndHeaders(env as unknown as Record<string, unknown>);
  return foundEvent(env, { topic: env.topic, key, headers }, { ...o, schemaName: null, type });
}

/**
 * The event of a record: where it carries the id (null when it does not), its type, links and dead-letter
 * origin. `raw.value`, when known, is checked against a flow's promise of registry-encoded values.
 */
function foundEvent(
  env: RecordEnvelope,
  raw: { topic: string; key: Buffer | null; headers: readonly RecordHeader[]; value?: Buffer | null },
  o: { matcher: EntityMatcher | null; flow: Flow | null; schemaName: string | null; type?: string },
): FoundEvent | null {
  const { matcher, flow } = o;
  const value = structuredValue(env.value);
  const topic = flow ? flowTopic(flow, raw.topic) : undefined;
  const deadLetter = deadLetterOf(raw.headers);
  // a dead letter is a copy of another topic's record: the id is where that topic keeps it, or anywhere
  const locations = deadLetter ? (flow ? flowTopic(flow, deadLetter.topic)?.idAt : undefined) : topic?.idAt;
  const matchedBy = matcher ? matcher.places({ key: raw.key, headers: raw.headers, value }, locations ?? []) : [];
  if (matcher && matchedBy.length === 0) return null;
  const typeTopic = deadLetter && flow ? flowTopic(flow, deadLetter.topic) : topic;
  const typed =
    o.type !== undefined
      ? { type: o.type, from: { kind: 'flow', location: 'the entity index' } as TypeSource }
      : typeTopic?.typeAt
        ? typeAt(typeTopic.typeAt, raw, value)
        : null;
  const { type, from } =
    typed ??
    conventionalType({ topic: deadLetter?.topic ?? raw.topic, headers: raw.headers, value, schemaName: o.schemaName });
  const e: FoundEvent = { ...env, eventType: type, typeFrom: typeSourceText(from), matchedBy, ...linksOf(raw.headers) };
  if (deadLetter) e.deadLetter = deadLetter;
  else if (!e.error && notRegistryEncoded(topic?.values ?? null, raw.value))
    e.error = `not in the schema registry wire format, which flow ${flow!.name} says ${raw.topic} carries`;
  return e;
}

/** The type at a flow's declared location, or null when the record has none there. */
function typeAt(
  l: TypeLocation,
  r: { topic: string; headers: readonly RecordHeader[] },
  value: unknown,
): { type: string; from: TypeSource } | null {
  const from: TypeSource = { kind: 'flow', location: formatIdLocation(l) };
  switch (l.from) {
    case 'topic':
      return { type: r.topic, from };
    case 'fixed':
      return { type: l.type, from };
    case 'header': {
      const h = r.headers.find((x) => x.key === l.name);
      return h?.value ? { type: h.value.toString('utf8'), from } : null;
    }
    case 'value': {
      const v = valuesAt(value, l.path).find((x) => typeof x === 'string');
      return typeof v === 'string' ? { type: v, from } : null;
    }
  }
}

export function typeSourceText(s: TypeSource): string {
  switch (s.kind) {
    case 'header':
      return `header ${s.name}`;
    case 'field':
      return `value ${s.path}`;
    case 'schema':
      return 'schema';
    case 'topic':
      return 'topic';
    case 'flow':
      return `flow ${s.location}`;
  }
}
