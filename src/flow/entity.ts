// Which records carry an entity's id, and where: as the key, as a header value, or as a scalar field anywhere in
// the decoded value (JSON, or Avro through the registry). A flow narrows it to the places it declares for a
// topic; `--field` narrows it to given value paths. The exact test runs on decoded records; the batch decoder
// first passes only records whose raw bytes contain the id (`needles`), which is what makes a search of every
// topic cheap: an id is a few bytes, and most batches do not hold them.

import type { RecordHeader } from '../client/records.js';
import { schemaIdOf } from '../codec/wire-format.js';
import { TYPE_HEADERS, deadLetterOf, firstHeader, typeFromValue, type DeadLetterOrigin } from './conventions.js';
import { pathsOf, scalarIs, valuesAt, type JsonPath } from './json-path.js';
import { flowTopic, type Flow, type IdLocation, type TypeLocation } from './model.js';

/** A record as the matcher sees it: raw key and headers, and its value decoded (undefined: not decodable). */
export interface MatchInput {
  key: Buffer | null;
  headers: readonly RecordHeader[];
  value: unknown;
}

/** Where a record carries the id: "key", "header ce_subject", "value $.parcel.parcelId". */
export type MatchPlace = string;

export class EntityMatcher {
  readonly id: string;
  private readonly idBytes: Buffer;

  constructor(
    id: string,
    /** value paths to look at only (--field); empty: anywhere */
    private readonly fields: readonly JsonPath[] = [],
  ) {
    this.id = id;
    this.idBytes = Buffer.from(id, 'utf8');
  }

  /**
   * The byte strings a carrying record must contain: the id as UTF-8, and as JSON writes it with
   * non-ASCII letters escaped (Python's json.dumps does by default).
   */
  needles(): Buffer[] {
    const out = [this.idBytes];
    const escaped = JSON.stringify(this.id)
      .slice(1, -1)
      .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    if (escaped !== this.id) out.push(Buffer.from(escaped, 'utf8'));
    return out;
  }

  /**
   * Where the record carries the id: at the given locations (a flow's, for its topic), else anywhere (or at the
   * --field paths only). Empty when it does not.
   */
  places(r: MatchInput, locations: readonly IdLocation[] = []): MatchPlace[] {
    if (this.fields.length) return this.atPaths(r.value, this.fields);
    if (locations.length) {
      const out: MatchPlace[] = [];
      for (const l of locations) {
        if (l.from === 'key' && this.isKey(r.key)) out.push('key');
        else if (l.from === 'header' && r.headers.some((h) => h.key === l.name && this.isBytes(h.value)))
          out.push(`header ${l.name}`);
        else if (l.from === 'value') out.push(...this.atPaths(r.value, [l.path]));
      }
      return out;
    }
    const out: MatchPlace[] = [];
    if (this.isKey(r.key)) out.push('key');
    for (const h of r.headers) if (this.isBytes(h.value)) out.push(`header ${h.key}`);
    if (scalarIs(r.value, this.id)) out.push('value');
    else for (const p of pathsOf(r.value, this.id)) out.push(`value ${p}`);
    return out;
  }

  isKey(key: Buffer | null): boolean {
    return key !== null && key.equals(this.idBytes);
  }

  private isBytes(b: Buffer | null): boolean {
    return b !== null && b.equals(this.idBytes);
  }

  private atPaths(value: unknown, paths: readonly JsonPath[]): MatchPlace[] {
    const out: MatchPlace[] = [];
    for (const p of paths) if (valuesAt(value, p).some((v) => scalarIs(v, this.id))) out.push(`value ${p.text}`);
    return out;
  }
}

/** The entity id a record carries at the first of `locations` that has one (for the index and the stuck list). */
export function idAt(r: MatchInput, locations: readonly IdLocation[]): string | null {
  for (const l of locations) {
    if (l.from === 'key') {
      if (r.key !== null && r.key.length) return r.key.toString('utf8');
    } else if (l.from === 'header') {
      for (let i = r.headers.length - 1; i >= 0; i--) {
        const h = r.headers[i];
        if (h.key === l.name && h.value !== null && h.value.length) return h.value.toString('utf8');
      }
    } else {
      const v = valuesAt(r.value, l.path).find((x) => typeof x === 'string' || typeof x === 'number');
      if (v !== undefined) return String(v);
    }
  }
  return null;
}

/** Whether reading a record's id from these locations needs its value decoded. */
export function needsValue(locations: readonly IdLocation[]): boolean {
  return locations.some((l) => l.from === 'value');
}

/** What the flow says of one record: the entity it belongs to, its event type, and its origin if it is a dead letter. */
export interface RecordFacts {
  id: string;
  type: string;
  deadLetter: DeadLetterOrigin | null;
}

/** A record to read facts from; its value is decoded only when a location or the type needs it. */
export interface FactsInput {
  topic: string;
  key: Buffer | null;
  headers: readonly RecordHeader[];
  value(): unknown;
  /** the registry schema's record name, when the value is in the registry's wire format */
  schemaName?: () => string | null;
  /** the value's bytes, to check a topic whose flow says its values are registry-encoded */
  rawValue?: Buffer | null;
}

/**
 * Reads the id and type of records by a flow, looking at the value only when the flow's locations for the
 * topic (or the lack of a type header) call for it: the entity index, the stuck list and the dashboard read
 * every record of a flow's topics through it.
 */
export class FlowFacts {
  /** every id location of the flow: where a dead letter of a topic outside the flow may keep the id */
  private readonly everyLocation: IdLocation[];

  constructor(readonly flow: Flow) {
    const seen = new Set<string>();
    this.everyLocation = flow.topics.flatMap((t) => t.idAt).filter((l) => !seen.has(l.text) && seen.add(l.text));
  }

  of(r: FactsInput): RecordFacts | null {
    const origin = r.headers.length ? deadLetterOf(r.headers) : null;
    const spec = flowTopic(this.flow, origin?.topic ?? r.topic);
    const locations = spec?.idAt.length ? spec.idAt : origin ? this.everyLocation : [];
    if (locations.length === 0) return null;
    // garbage that merely looks like an event (the right headers, a value not in the wire format) is none
    if (!origin && notRegistryEncoded(spec?.values ?? null, r.rawValue)) return null;
    let decoded: { v: unknown } | null = null;
    const value = () => (decoded ??= { v: r.value() }).v;
    const id = idAt(
      {
        key: r.key,
        headers: r.headers,
        get value() {
          return value();
        },
      },
      locations,
    );
    if (id === null) return null;
    const topic = origin?.topic ?? r.topic;
    return { id, type: typeOf(spec?.typeAt ?? null, topic, r.headers, value, r.schemaName), deadLetter: origin };
  }
}

function typeOf(
  at: TypeLocation | null,
  topic: string,
  headers: readonly RecordHeader[],
  value: () => unknown,
  schemaName?: () => string | null,
): string {
  if (at) {
    if (at.from === 'fixed') return at.type;
    if (at.from === 'topic') return topic;
    if (at.from === 'header') {
      const h = firstHeader(headers, [at.name]);
      if (h) return h.value;
    } else {
      const v = valuesAt(value(), at.path).find((x) => typeof x === 'string');
      if (typeof v === 'string') return v;
    }
  }
  const h = firstHeader(headers, TYPE_HEADERS);
  if (h) return h.value;
  return typeFromValue(value())?.type ?? schemaName?.() ?? topic;
}

/**
 * The value as matchers and rules read it: JSON written with other spacing than evt's own (Python's json.dumps,
 * Jackson's pretty printer) is shown by the record envelope as text (it would not encode back to the same
 * bytes), but it is JSON all the same.
 */
export function structuredValue(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const first = value.trimStart().charCodeAt(0);
  if (first !== 0x7b /* { */ && first !== 0x5b /* [ */) return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

/** Whether a value breaks its topic's promise of the registry's wire format (magic byte 0 and a schema id). */
export function notRegistryEncoded(values: 'registry' | null, raw: Buffer | null | undefined): boolean {
  return values === 'registry' && raw !== undefined && raw !== null && schemaIdOf(raw) === null;
}
