// The entity index of a flow: one row per event of every entity, id -> (topic, partition, offset, time, type),
// with the record's envelope (what `evt tail --json` prints), kept exactly once like every view (its offsets
// commit with its rows). `evt trace` answers from it in milliseconds when it has read every partition the
// entity can be on to its end: nothing is fetched but the partitions' ends, whatever the size of the batches
// the events sit in (and the events outlive the topics' retention). `evt trace --stuck` folds it instead of
// the topics.
//
// Dead-letter records are indexed under the id they carry where the topic they came from keeps it (else where
// any of the flow's topics keeps it), so that a trace from the index still shows them.

import type { Database } from 'better-sqlite3';
import type { ConsumedRecord } from '../client/records.js';
import { envelopeWith, type RecordEnvelope } from '../codec/envelope.js';
import { LATEST, type Cluster } from '../client/wire/index.js';
import { partitionForKey } from '../client/wire/partitioner.js';
import { FlowFacts, structuredValue } from '../flow/entity.js';
import { flowTopic, type Flow } from '../flow/model.js';
import type { ViewDefinition, ViewEvent } from './definition.js';

export const ENTITY_INDEX = 'entities';
const TABLE = 'entity_events';

/** The index view of a flow over `topics` (its topics and the dead-letter topics that go with them). */
export function entityIndexView(flow: Flow, topics: readonly string[], name = ENTITY_INDEX): ViewDefinition {
  const facts = new FlowFacts(flow);
  return {
    name,
    description: `one row per event of every ${flow.entity} of flow ${flow.name}: id, topic, partition, offset, time, type, the origin of a dead letter (what evt trace reads)`,
    topics,
    table: TABLE,
    keyColumn: 'entity_id',
    source: `flow ${flow.name} (${flow.source})`,
    tables: [TABLE],
    create(db: Database) {
      db.exec(`CREATE TABLE IF NOT EXISTS ${TABLE} (entity_id TEXT NOT NULL, topic TEXT NOT NULL, partition INTEGER NOT NULL, offset INTEGER NOT NULL,
        timestamp INTEGER NOT NULL, event_type TEXT NOT NULL, dead_letter_of TEXT, record TEXT NOT NULL, PRIMARY KEY (topic, partition, offset));
        CREATE INDEX IF NOT EXISTS ${TABLE}_entity ON ${TABLE} (entity_id, timestamp);`);
    },
    prepare(db: Database) {
      // keyed by position: replaying the same event again (a rebuild, a resumed batch) writes the same row
      const insert = db.prepare(`INSERT OR REPLACE INTO ${TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
      return (event: ViewEvent) => {
        const raw = event.raw ?? rawOf(event);
        const row = facts.of({
          topic: event.topic,
          key: raw.key,
          headers: raw.headers,
          value: () => structuredValue(event.value),
          rawValue: event.raw?.value,
        });
        const origin = row?.deadLetter
          ? `${row.deadLetter.topic}:${row.deadLetter.partition}:${row.deadLetter.offset}`
          : null;
        if (!row) return;
        const envelope = event.raw
          ? envelopeWith(event.raw, event.decoded ?? { value: event.value })
          : {
              topic: event.topic,
              partition: event.partition,
              offset: event.offset,
              timestamp: event.timestamp,
              key: event.key,
              headers: event.headers,
              value: event.value,
            };
        insert.run(
          row.id,
          event.topic,
          event.partition,
          event.offset,
          event.timestamp,
          row.type,
          origin,
          JSON.stringify(envelope),
        );
      };
    },
  };
}

/** The raw key and headers of an event that did not come with its record (a test's hand-made event). */
function rawOf(e: ViewEvent): Pick<ConsumedRecord, 'key' | 'headers'> {
  return {
    key: e.key === null ? null : Buffer.from(e.key, 'utf8'),
    headers: Object.entries(e.headers).map(([key, v]) => ({ key, value: Buffer.from(v, 'utf8') })),
  };
}

/** The index's rows for one entity, in time order: where each event is, its type, and its envelope. */
export function indexedEvents(db: Database, id: string): { type: string; envelope: RecordEnvelope }[] {
  const rows = db.prepare(`SELECT event_type, record FROM ${TABLE} WHERE entity_id = ? ORDER BY timestamp`).all(id) as {
    event_type: string;
    record: string;
  }[];
  return rows.map((r) => ({ type: r.event_type, envelope: JSON.parse(r.record) as RecordEnvelope }));
}

/**
 * The events of an entity from the index in `db`, when the index of this flow has read every partition the
 * entity can be on to its current end; else why not (null: there is no such index, nothing to say).
 */
export async function indexedRecords(o: {
  cluster: Cluster;
  db: string;
  flow: Flow;
  id: string;
  topics: readonly string[];
}): Promise<{ events: { type: string; envelope: RecordEnvelope }[] | null; note: string } | null> {
  const fs = await import('node:fs');
  if (!fs.existsSync(o.db)) return null;
  const { openDatabase, positions, registeredView } = await import('./store.js');
  let db: Database;
  try {
    db = openDatabase(o.db, { readonly: true });
  } catch {
    return null;
  }
  try {
    // the index of this flow (its rows are not counted: that would read them all)
    const view = registeredView(db, ENTITY_INDEX);
    if (!view?.source.startsWith(`flow ${o.flow.name} `)) return null;
    const missing = o.topics.filter((t) => !view.topics.includes(t) && !flowTopic(o.flow, t)?.deadLetter);
    if (missing.length)
      return {
        events: null,
        note: `the entity index in ${o.db} does not cover ${missing.join(', ')}: read the topics (evt replay ${ENTITY_INDEX} --flow ... --rebuild)`,
      };
    const stored = new Map(positions(db, ENTITY_INDEX).map((p) => [`${p.topic}:${p.partition}`, p.nextOffset]));
    // only the partitions the entity can be on need to be caught up (an index kept live by replay --follow is
    // always a little behind somewhere): the id's partition where the flow says the key is the id
    const parts: { topic: string; partition: number }[] = [];
    const key = Buffer.from(o.id, 'utf8');
    for (const topic of view.topics) {
      const meta = await o.cluster.topic(topic, { refresh: false }).catch(() => null);
      if (!meta) continue;
      const keyed = flowTopic(o.flow, topic)?.idAt[0]?.from === 'key';
      if (keyed) parts.push({ topic, partition: partitionForKey(key, meta.partitions.length) });
      else for (const p of meta.partitions) parts.push({ topic, partition: p.partition });
    }
    const ends = parts.length ? await o.cluster.listOffsets(parts.map((p) => ({ ...p, timestamp: LATEST }))) : [];
    const behind = ends.reduce((n, e) => n + Math.max(0, e.offset - (stored.get(`${e.topic}:${e.partition}`) ?? 0)), 0);
    if (behind > 0)
      return {
        events: null,
        note: `the entity index in ${o.db} is ${behind} events behind on the partitions this ${o.flow.entity} can be on: read the topics`,
      };
    const events = indexedEvents(db, o.id);
    return {
      events,
      note: `answered by the entity index in ${o.db} (up to date on the ${parts.length} partitions this ${o.flow.entity} can be on; ${events.length} rows)`,
    };
  } finally {
    db.close();
  }
}
