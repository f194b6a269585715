// A found record as an event of the entity: decoded (the record envelope, as `evt tail --json` prints it), the
// exact test of where it carries the id, and what the conventions or the flow say of it: its type, its links
// to other events, and for a dead letter, the record it stands for and why that failed.

import type { ConsumedRecord } from '../client/records.js';
import { toEnvelope, type RecordEnvelope } from '../cli/envelope.js';
import type { ValueCodec } from '../codec/value-codec.js';
import { schemaIdOf } from '../codec/wire-format.js';
import { conventionalType, deadLetterOf, linksOf, type DeadLetterOrigin, type TypeSource } from '../flow/conventions.js';
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
 * first, as the registry decoder needs). `locationsOf` gives the flow's id locations for a topic (none: anywhere).
 */
export async function decodeFound(records: readonly ConsumedRecord[], codec: ValueCodec, matcher: EntityMatcher | null, flow: Flow | null): Promise<FoundEvent[]> {
  if (codec.registry && records.length) await codec.registry.prepare(records);
  const out: FoundEvent[] = [];
  for (const r of records) {
    const env = toEnvelope(r, codec);
    const value = structuredValue(env.value);
    const topic = flow ? flowTopic(flow, r.topic) : undefined;
    const deadLetter = deadLetterOf(r.headers);
    // a dead letter is a copy of another topic's record: the id is where that topic keeps it, or anywhere
    const locations = deadLetter ? (flow ? flowTopic(flow, deadLetter.topic)?.idAt : undefined) : topic?.idAt;
    const matchedBy = matcher ? matcher.places({ key: r.key, headers: r.headers, value }, locations ?? []) : [];
    if (matcher && matchedBy.length === 0) continue;
    const schemaId = schemaIdOf(r.value);
    const schemaName = schemaId !== null ? (codec.registry?.schemaName(schemaId) ?? null) : null;
    const typeTopic = deadLetter && flow ? flowTopic(flow, deadLetter.topic) : topic;
    const typed = typeTopic?.typeAt ? typeAt(typeTopic.typeAt, r, value) : null;
    const { type, from } = typed ?? conventionalType({ topic: deadLetter?.topic ?? r.topic, headers: r.headers, value, schemaName });
    const links = linksOf(r.headers);
    const e: FoundEvent = { ...env, eventType: type, typeFrom: typeSourceText(from), matchedBy, ...links };
    if (deadLetter) e.deadLetter = deadLetter;
    else if (!e.error && notRegistryEncoded(topic?.values ?? null, r.value)) e.error = `not in the schema registry wire format, which flow ${flow!.name} says ${r.topic} carries`;
    out.push(e);
  }
  return out;
}

/** The type at a flow's declared location, or null when the record has none there. */
function typeAt(l: TypeLocation, r: ConsumedRecord, value: unknown): { type: string; from: TypeSource } | null {
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
