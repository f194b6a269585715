// The foreign parcel-delivery system (confluent-kafka-python, librdkafka) against an in-process evt broker: what
// its summary claims is checked on the broker with kafkajs, so that other tests can rely on it: counts per topic,
// every parcel's events found where this system puts its id (key, nested value, snake_case value), CloudEvents
// headers and one trace per parcel, values exactly as json.dumps writes them, Spring-style dead letters that
// point at the record they copy, parcels stuck behind a stopped group, gzip batches, and determinism by seed.

import { randomUUID } from 'node:crypto';
import type { Admin, IHeaders } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker/broker.js';
import { Compression, compressionOf, readBatchHeader } from '../../src/protocol/records/batch-layout.js';
import { kafkaFor, startTestBroker, until } from '../helpers/broker.js';
import { RawClient, rawBatches } from '../helpers/raw-client.js';
import { hasParcelSystem, runParcelSystem, type ParcelSummary } from './parcel-system.js';

const available = hasParcelSystem();

interface Rec {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  raw: string;
  value: any;
  headers: Record<string, Buffer>;
}

let broker: RunningBroker;
let admin: Admin;
let summary: ParcelSummary;
let records: Rec[] = [];

const ce = (r: Rec, name: string) => r.headers[name]?.toString();
const typeOf = (r: Rec) => ce(r, 'ce_type')?.replace('com.acme.logistics.', '');
const at = (topic: string, partition: number, offset: number) =>
  records.find((r) => r.topic === topic && r.partition === partition && r.offset === offset);

/** Where this system keeps the parcel id: the key, value.parcel.parcelId (routes), value.shipment.parcel_id (deliveries). */
function parcelIdOf(r: Rec): string {
  const t = summary.topics;
  if (r.topic === t.routes) return r.value.parcel.parcelId;
  if (r.topic === t.deliveries) return r.value.shipment.parcel_id;
  return r.key!;
}

function headerBuffers(headers: IHeaders | undefined): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (Array.isArray(v)) throw new Error(`header ${k} appears ${v.length} times`);
    if (v !== undefined) out[k] = Buffer.isBuffer(v) ? v : Buffer.from(v);
  }
  return out;
}

async function endOffsets(topic: string): Promise<Map<number, { low: number; high: number }>> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return new Map(offsets.map((o) => [o.partition, { low: Number(o.low), high: Number(o.high) }]));
}

async function committed(groupId: string, topic: string): Promise<Map<number, number>> {
  const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return new Map(t.partitions.map((p) => [p.partition, Number(p.offset)]));
}

/** Every record of every topic of the system, read with a kafkajs consumer group of its own. */
async function readEverything(): Promise<Rec[]> {
  const topics = Object.values(summary.topics);
  let total = 0;
  for (const t of topics) for (const { low, high } of (await endOffsets(t)).values()) total += high - low;
  const consumer = kafkaFor(broker).consumer({ groupId: `verify-${randomUUID()}`, maxWaitTimeInMs: 100 });
  const out: Rec[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const raw = message.value!.toString('latin1');
        out.push({
          topic,
          partition,
          offset: Number(message.offset),
          key: message.key?.toString() ?? null,
          raw,
          value: JSON.parse(raw),
          headers: headerBuffers(message.headers),
        });
      },
    });
    await until(() => out.length >= total, 30_000, `${total} records`);
  } finally {
    await consumer.disconnect();
  }
  return out;
}

/** The lowest Produce version the broker lists in its ApiVersions answer (what librdkafka sees). */
async function produceMinVersion(): Promise<number> {
  const raw = await RawClient.connect(broker.port);
  try {
    const answer = await raw.request(18, 0, {});
    return answer.apiKeys.find((k: { apiKey: number }) => k.apiKey === 0).minVersion;
  } finally {
    raw.close();
  }
}

function versionAtLeast(version: string, min: number[]): boolean {
  const v = version.split('.').map(Number);
  for (let i = 0; i < min.length; i++) if ((v[i] ?? 0) !== min[i]) return (v[i] ?? 0) > min[i];
  return true;
}

/** Python's json.dumps with its defaults: ", " and ": " separators, ensure_ascii (\uXXXX, lower-case hex). */
function pyDumps(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `[${v.map(pyDumps).join(', ')}]`;
  if (typeof v === 'object')
    return `{${Object.entries(v)
      .map(([k, x]) => `${pyDumps(k)}: ${pyDumps(x)}`)
      .join(', ')}}`;
  if (typeof v === 'string')
    return JSON.stringify(v).replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return JSON.stringify(v);
}

const EXPECTED_TYPES: Record<string, string[]> = {
  completed: ['ParcelRegistered', 'LabelPrinted', 'RouteAssigned', 'OutForDelivery', 'ParcelDelivered'],
  deliveryFailed: ['ParcelRegistered', 'LabelPrinted', 'RouteAssigned', 'OutForDelivery', 'DeliveryFailed'],
  deadLettered: ['ParcelRegistered', 'LabelPrinted', 'LabelPrinted'], // the second one is the copy in the DLT
  stuckAtRoute: ['ParcelRegistered', 'LabelPrinted', 'RouteAssigned'],
  stuckAtRegistered: ['ParcelRegistered'],
};

function scenarios(s: ParcelSummary): Record<string, string[]> {
  return {
    completed: s.completed,
    deliveryFailed: s.deliveryFailed,
    deadLettered: s.deadLettered.map((d) => d.parcelId),
    stuckAtRoute: s.stuckAtRoute.map((d) => d.parcelId),
    stuckAtRegistered: s.stuckAtRegistered.map((d) => d.parcelId),
  };
}

beforeAll(async () => {
  if (!available) return;
  broker = await startTestBroker({ inMemory: true });
  summary = await runParcelSystem(broker.bootstrap, { seed: 7 });
  admin = kafkaFor(broker).admin();
  await admin.connect();
  records = await readEverything();
}, 120_000);

afterAll(async () => {
  await admin?.disconnect();
  await broker?.close();
});

describe.skipIf(!available)('the parcel system (confluent-kafka-python) on evt broker', () => {
  it('puts every parcel in exactly one scenario, and every scenario has parcels', () => {
    const all = Object.values(scenarios(summary)).flat();
    expect(all).toHaveLength(summary.parcels);
    expect(new Set(all).size).toBe(summary.parcels);
    for (const [name, ids] of Object.entries(scenarios(summary))) {
      expect(ids.length, name).toBeGreaterThan(0);
      for (const id of ids) expect(id).toMatch(/^P-\d{5}$/);
    }
    expect(summary.completed.length).toBeGreaterThan(summary.parcels / 2);
    expect(summary.topics).toEqual({
      parcels: 'logistics.parcels',
      labels: 'logistics.labels',
      routes: 'logistics.routes',
      deliveries: 'logistics.deliveries',
      deadLetter: 'logistics.labels.DLT',
    });
  });

  it('has on the broker exactly the records the summary counts, as many as the scenarios imply', async () => {
    const n = scenarios(summary);
    const t = summary.topics;
    const finished = n.completed.length + n.deliveryFailed.length;
    expect(summary.events).toEqual({
      [t.parcels]: summary.parcels,
      [t.labels]: summary.parcels - n.stuckAtRegistered.length,
      [t.routes]: finished + n.stuckAtRoute.length,
      [t.deliveries]: 2 * finished,
      [t.deadLetter]: n.deadLettered.length,
    });
    for (const [topic, count] of Object.entries(summary.events)) {
      const ends = await endOffsets(topic);
      expect(ends.size, topic).toBe(3);
      expect(
        [...ends.values()].reduce((s, o) => s + o.high - o.low, 0),
        topic,
      ).toBe(count);
      expect(
        records.filter((r) => r.topic === topic),
        topic,
      ).toHaveLength(count);
    }
  });

  it("finds each parcel's events by key, nested value or snake_case value: those of its scenario, in order", () => {
    const t = summary.topics;
    const byParcel = new Map<string, Rec[]>();
    for (const r of records) {
      const id = parcelIdOf(r);
      byParcel.set(id, [...(byParcel.get(id) ?? []), r]);
    }
    expect(byParcel.size).toBe(summary.parcels);
    const topicOrder = [t.parcels, t.labels, t.routes, t.deliveries, t.deadLetter];
    for (const [scenario, ids] of Object.entries(scenarios(summary))) {
      for (const id of ids) {
        const events = byParcel
          .get(id)!
          .sort((a, b) => topicOrder.indexOf(a.topic) - topicOrder.indexOf(b.topic) || a.offset - b.offset);
        expect(events.map(typeOf), `${scenario} ${id}`).toEqual(EXPECTED_TYPES[scenario]);
      }
    }
    // the keys: parcel id on parcels and labels, route id on routes, courier on deliveries
    for (const r of records) {
      if (r.topic === t.routes) {
        expect(r.key).toMatch(/^R-\d{4}$/);
        expect(r.key).toBe(r.value.route.routeId);
        expect(r.key).not.toContain(r.value.parcel.parcelId);
      } else if (r.topic === t.deliveries) {
        expect(r.key).toMatch(/^C-\d$/);
        expect(r.key).toBe(r.value.courier);
      } else {
        expect(r.key).toMatch(/^P-\d{5}$/);
      }
    }
  });

  it('gives a completed parcel five CloudEvents sharing one trace id, a new span per hop, no evt-* headers', () => {
    const id = summary.completed[0];
    const events = records.filter((r) => parcelIdOf(r) === id);
    expect(new Set(events.map(typeOf))).toEqual(new Set(EXPECTED_TYPES.completed));
    const spans = new Set<string>();
    for (const r of events) {
      expect(Object.keys(r.headers).sort()).toEqual([
        'ce_id',
        'ce_source',
        'ce_specversion',
        'ce_time',
        'ce_type',
        'content-type',
        'traceparent',
      ]);
      expect(ce(r, 'ce_specversion')).toBe('1.0');
      expect(ce(r, 'content-type')).toBe('application/json');
      expect(ce(r, 'ce_id')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(ce(r, 'ce_source')).toMatch(/^\/logistics\/(parcel-intake|label-printer|router|courier-dispatch)$/);
      expect(ce(r, 'ce_time')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(Number.isNaN(Date.parse(ce(r, 'ce_time')))).toBe(false);
      const m = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(ce(r, 'traceparent'));
      expect(m, ce(r, 'traceparent')).not.toBeNull();
      expect(m![1]).toBe(summary.traceIds[id]);
      spans.add(m![2]);
    }
    expect(spans.size).toBe(5);
    expect(new Set(events.map((r) => ce(r, 'ce_id'))).size).toBe(5);
    for (const r of records) expect(Object.keys(r.headers).filter((k) => k.startsWith('evt-'))).toEqual([]);
    // every parcel has its own trace
    expect(new Set(Object.values(summary.traceIds)).size).toBe(summary.parcels);
    for (const r of records) expect(ce(r, 'traceparent').split('-')[1]).toBe(summary.traceIds[parcelIdOf(r)]);
  });

  it("writes values exactly as Python's json.dumps does by default (non-ASCII names as \\u escapes)", () => {
    let escaped = 0;
    for (const r of records) {
      expect(r.raw, `${r.topic}@${r.offset}`).toMatch(/^[\x20-\x7e]+$/);
      // json.dumps writes 3.0 where JavaScript writes 3: compare with whole floats' ".0" dropped
      expect(r.raw.replace(/(\d)\.0(?=[,}\]])/g, '$1'), `${r.topic}@${r.offset}`).toBe(pyDumps(r.value));
      if (/\\u00[0-9a-f]{2}/.test(r.raw)) escaped++;
    }
    expect(escaped).toBeGreaterThan(0);
    const names = records
      .filter((r) => r.topic === summary.topics.parcels)
      .map((r) => r.value.recipient.name as string);
    expect(names.some((n) => /[^\x00-\x7f]/.test(n))).toBe(true);
  });

  it("dead-letters like Spring's DeadLetterPublishingRecoverer: the consumed record plus kafka_dlt-* headers locating it", () => {
    const t = summary.topics;
    for (const d of summary.deadLettered) {
      const copies = records.filter((r) => r.topic === t.deadLetter && r.key === d.parcelId);
      expect(copies, d.parcelId).toHaveLength(1);
      const [dlt] = copies;
      const h = dlt.headers;
      expect(h['kafka_dlt-original-topic'].toString()).toBe(t.labels);
      expect(d.originalTopic).toBe(t.labels);
      expect(h['kafka_dlt-original-partition']).toHaveLength(4);
      expect(h['kafka_dlt-original-partition'].readInt32BE(0)).toBe(d.originalPartition);
      expect(h['kafka_dlt-original-offset']).toHaveLength(8);
      expect(Number(h['kafka_dlt-original-offset'].readBigInt64BE(0))).toBe(d.originalOffset);
      expect(h['kafka_dlt-original-timestamp']).toHaveLength(8);
      expect(Number(h['kafka_dlt-original-timestamp'].readBigInt64BE(0))).toBe(d.originalTimestamp);
      expect(h['kafka_dlt-original-consumer-group'].toString()).toBe('router');
      expect(h['kafka_dlt-exception-fqcn'].toString()).toBe('com.acme.logistics.InvalidPostcodeException');
      expect(h['kafka_dlt-exception-message'].toString()).toBe(d.exceptionMessage);
      expect(d.exceptionMessage).toMatch(/^postcode \d{5} is not served$/);
      // the headers point at the LabelPrinted record the router consumed: same key, value and original headers
      const original = at(t.labels, d.originalPartition, d.originalOffset)!;
      expect(original, `${t.labels}[${d.originalPartition}]@${d.originalOffset}`).toBeDefined();
      expect(original.key).toBe(dlt.key);
      expect(original.raw).toBe(dlt.raw);
      expect(dlt.partition).toBe(original.partition);
      for (const [k, v] of Object.entries(original.headers)) expect(h[k], k).toEqual(v);
      expect(original.value.recipient.postcode).toBe(d.exceptionMessage.split(' ')[1]);
    }
  });

  it('leaves parcels at RouteAssigned behind courier-dispatch, which has lag there and no members', async () => {
    const t = summary.topics;
    const commits = await committed('courier-dispatch', t.routes);
    const ends = await endOffsets(t.routes);
    for (const s of summary.stuckAtRoute) {
      expect(s.group).toBe('courier-dispatch');
      expect(s.topic).toBe(t.routes);
      const r = at(s.topic, s.partition, s.offset)!;
      expect(typeOf(r)).toBe('RouteAssigned');
      expect(r.value.parcel.parcelId).toBe(s.parcelId);
      expect(r.key).toBe(s.routeId);
      const c = commits.get(s.partition)!; // -1: never committed there, i.e. from the start
      expect(s.offset).toBeGreaterThanOrEqual(Math.max(c, 0));
      expect(ends.get(s.partition)!.high - Math.max(c, 0)).toBeGreaterThan(0);
    }
    // it did consume and commit the routes of the parcels that went on
    expect([...commits.values()].reduce((s, o) => s + Math.max(o, 0), 0)).toBe(
      summary.completed.length + summary.deliveryFailed.length,
    );
    const { groups } = await admin.describeGroups(['courier-dispatch']);
    expect(groups[0].members).toEqual([]);
    expect(groups[0].state).toBe('Empty');
  });

  it('leaves the last parcels at ParcelRegistered behind label-printer, which has no members either', async () => {
    const t = summary.topics;
    const commits = await committed('label-printer', t.parcels);
    for (const s of summary.stuckAtRegistered) {
      expect(s.group).toBe('label-printer');
      const r = at(s.topic, s.partition, s.offset)!;
      expect(typeOf(r)).toBe('ParcelRegistered');
      expect(r.key).toBe(s.parcelId);
      expect(s.offset).toBeGreaterThanOrEqual(Math.max(commits.get(s.partition)!, 0));
    }
    const { groups } = await admin.describeGroups(['label-printer']);
    expect(groups[0].members).toEqual([]);
    expect(groups[0].state).toBe('Empty');
  });

  it('closes every group cleanly with its offsets committed: router and audit caught up', async () => {
    const t = summary.topics;
    const { groups } = await admin.describeGroups(['label-printer', 'router', 'courier-dispatch', 'audit']);
    for (const g of groups) {
      expect(g.state, g.groupId).toBe('Empty');
      expect(g.members, g.groupId).toEqual([]);
    }
    const caughtUp = async (group: string, topic: string) => {
      const commits = await committed(group, topic);
      for (const [p, { high }] of await endOffsets(topic))
        expect(Math.max(commits.get(p)!, 0), `${group} ${topic}[${p}]`).toBe(high);
    };
    await caughtUp('router', t.labels);
    for (const topic of Object.values(t)) await caughtUp('audit', topic);
  });

  it('stores the labels topic in gzip batches where librdkafka compresses (and the others uncompressed)', async () => {
    expect(summary.gzipTopics).toEqual([summary.topics.labels]);
    // librdkafka before 2.11.1 compresses with gzip only when the broker lists Produce v0 (it checks gzip support
    // against Produce v0: librdkafka #4948, fixed by #5130); evt broker, like Kafka 3.x, starts Produce at v0
    // (Kafka 4.0 starts it at v3).
    const produceMin = await produceMinVersion();
    const compresses = produceMin === 0 || versionAtLeast(summary.client.librdkafka, [2, 11, 1]);
    if (!compresses) {
      console.warn(
        `KNOWN ISSUE: librdkafka ${summary.client.librdkafka} sends ${summary.topics.labels} UNCOMPRESSED despite ` +
          `compression.type=gzip, because evt broker lists Produce from v${produceMin} and this librdkafka checks gzip ` +
          'support against Produce v0; the parcel system has no gzip batches on evt broker',
      );
    }
    let labelRecords = 0;
    for (let p = 0; p < 3; p++) {
      const batches = await rawBatches(broker.port, summary.topics.labels, p);
      expect(batches.length).toBeGreaterThan(0);
      for (const b of batches) {
        const h = readBatchHeader(b);
        expect(compressionOf(h.attributes), `${summary.topics.labels}[${p}]@${h.baseOffset}`).toBe(
          compresses ? Compression.GZIP : Compression.NONE,
        );
        labelRecords += h.recordsCount;
      }
      for (const b of await rawBatches(broker.port, summary.topics.parcels, p))
        expect(compressionOf(readBatchHeader(b).attributes)).toBe(Compression.NONE);
    }
    expect(labelRecords).toBe(summary.events[summary.topics.labels]);
  });

  it('is deterministic for a seed: same parcels and scenarios under another prefix, other trace ids', async () => {
    const again = await runParcelSystem(broker.bootstrap, { seed: 7, prefix: 'again.' });
    expect(again.topics.parcels).toBe('again.parcels');
    expect(scenarios(again)).toEqual(scenarios(summary));
    expect(again.deadLettered.map((d) => d.exceptionMessage)).toEqual(
      summary.deadLettered.map((d) => d.exceptionMessage),
    );
    expect(Object.keys(again.traceIds)).toEqual(Object.keys(summary.traceIds));
    for (const id of Object.keys(again.traceIds)) expect(again.traceIds[id]).not.toBe(summary.traceIds[id]);
    const other = await runParcelSystem(broker.bootstrap, { seed: 8, prefix: 'other.', parcels: 20 });
    expect(other.parcels).toBe(20);
    const seven = new Set(Object.keys(summary.traceIds));
    expect(Object.keys(other.traceIds).every((id) => seven.has(id))).toBe(false);
  }, 120_000);
});
