// evt on an event system it did not build: the parcel-delivery system of parcel_system.py (written and run by
// confluent-kafka-python: CloudEvents headers, traceparent, the parcel id in the key on some topics and nested in
// JSON values, with Python's spacing, on others, a Spring dead-letter topic, librdkafka's own partitioner, a
// consumer group stopped halfway). What a new user would do, as a spawned evt: trace with no configuration, infer
// a flow, trace and list the stuck parcels with it, check it, build its entity index, look at the dashboard.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker/broker.js';
import type { StuckReport } from '../../src/trace/stuck.js';
import type { TraceResult } from '../../src/trace/trace.js';
import type { Snapshot } from '../../src/tui/source.js';
import { runInProcess } from '../helpers/cli.js';
import { startEvt } from '../helpers/spawn.js';
import { startTestBroker, until } from '../helpers/broker.js';
import { hasParcelSystem, runParcelSystem, type ParcelSummary } from './parcel-system.js';

const available = hasParcelSystem();
let broker: RunningBroker;
let parcels: ParcelSummary;
let dir: string;
const T = (name: string) => `logistics.${name}`;
const evt = (args: string[]) => runInProcess(['--brokers', broker.bootstrap, ...args], { cwd: dir, timeoutMs: 45_000 });
async function json<T>(args: string[], code = 0): Promise<T> {
  const r = await evt(['--json', ...args]);
  expect(r.code, `evt ${args.join(' ')}: ${r.stderr}`).toBe(code);
  return JSON.parse(r.stdout) as T;
}

beforeAll(async () => {
  if (!available) return;
  broker = await startTestBroker();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'evt-foreign-'));
  parcels = await runParcelSystem(broker.bootstrap, { seed: 7, parcels: 60 });
}, 120_000);

afterAll(async () => {
  await broker?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!available)('a foreign event system, with no configuration', () => {
  it('evt trace finds a completed parcel on every topic with its CloudEvents types, wherever the id is', async () => {
    const id = parcels.completed[0];
    const t = await json<TraceResult>(['trace', id]);
    expect(t.flow).toBeNull();
    expect(t.events.map((e) => e.eventType)).toEqual([
      'com.acme.logistics.ParcelRegistered',
      'com.acme.logistics.LabelPrinted',
      'com.acme.logistics.RouteAssigned',
      'com.acme.logistics.OutForDelivery',
      'com.acme.logistics.ParcelDelivered',
    ]);
    expect(t.events.map((e) => e.topic)).toEqual([
      T('parcels'),
      T('labels'),
      T('routes'),
      T('deliveries'),
      T('deliveries'),
    ]);
    expect(t.events.map((e) => e.typeFrom)).toEqual(Array(5).fill('header ce_type'));
    // the key on the first two topics, nested JSON afterwards (camelCase, then snake_case)
    expect(t.events[0].matchedBy).toContain('key');
    expect(t.events[2].matchedBy).toEqual(['value $.parcel.parcelId']);
    expect(t.events[3].matchedBy).toEqual(['value $.shipment.parcel_id']);
    // one trace per parcel: every hop after the first is in the first one's trace
    expect(t.events.slice(1).map((e) => e.sameTraceAs)).toEqual([1, 1, 1, 1]);
    expect(t.events[0].producer).toBe('/logistics/parcel-intake');
    expect(t.scan.complete).toBe(true);
    expect(t.scan.topics.map((s) => s.topic).sort()).toEqual([
      T('deliveries'),
      T('labels'),
      T('labels.DLT'),
      T('parcels'),
      T('routes'),
    ]);
    // no flow: the verdict says where the newest event stands
    expect(t.verdict.status).toBe('unjudged');
    expect(t.verdict.newest).toMatchObject({ eventType: 'com.acme.logistics.ParcelDelivered', topic: T('deliveries') });
    expect(t.verdict.newest!.consumers.map((c) => [c.group, c.consumed])).toEqual([['audit', true]]);
  });

  it('a dead-lettered parcel: the Spring dead letter is tied to its original record, with the exception message', async () => {
    const dead = parcels.deadLettered[0];
    const t = await json<TraceResult>(['trace', dead.parcelId]);
    const letter = t.events.find((e) => e.deadLetter);
    expect(letter?.topic).toBe(T('labels.DLT'));
    expect(letter?.deadLetter).toEqual({
      scheme: 'spring-kafka',
      topic: dead.originalTopic,
      partition: dead.originalPartition,
      offset: dead.originalOffset,
      error: dead.exceptionMessage,
      exception: dead.exceptionFqcn,
      by: 'router',
      attempts: null,
    });
    expect(t.verdict.deadLetters).toEqual([
      expect.objectContaining({
        origin: `${dead.originalTopic}-${dead.originalPartition}@${dead.originalOffset}`,
        error: dead.exceptionMessage,
        by: 'router',
      }),
    ]);
    const text = await evt(['trace', dead.parcelId]);
    expect(text.stdout).toContain(
      `dead letter of ${dead.originalTopic}-${dead.originalPartition}@${dead.originalOffset} from router: ${dead.exceptionMessage}`,
    );
  });

  it('an unknown id: exit 4 after a complete scan of every topic', async () => {
    const r = await evt(['trace', 'P-00000']);
    expect(r.code).toBe(4);
    expect(r.stderr.trim()).toMatch(/^evt: entity P-00000 not found in a complete scan of 5 topics \(\d+ records\)$/);
  });
});

describe.skipIf(!available)('a foreign event system, with an inferred flow', () => {
  let flowFile: string;
  beforeAll(async () => {
    flowFile = path.join(dir, 'parcels.flow.json');
    const r = await evt(['flow', 'infer', '--output', flowFile, '--name', 'parcels']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`written to ${flowFile}`);
  }, 60_000);

  it('evt flow infer finds the parcel id on every topic, the groups that answer each step, and the final types', () => {
    const f = JSON.parse(fs.readFileSync(flowFile, 'utf8')) as {
      entity: string;
      topics: Record<string, { id?: string | string[]; deadLetter?: boolean; types?: string[] }>;
      reactions: { group: string; on: string; answers: string | string[]; timer?: boolean }[];
      final: string[];
    };
    expect(f.entity).toBe('parcel');
    const first = (id: string | string[] | undefined) => (Array.isArray(id) ? id[0] : id);
    expect(first(f.topics[T('parcels')].id)).toBe('$key');
    expect(first(f.topics[T('labels')].id)).toBe('$key');
    expect(f.topics[T('routes')].id).toBe('$.parcel.parcelId');
    expect(f.topics[T('deliveries')].id).toBe('$.shipment.parcel_id');
    expect(f.topics[T('labels.DLT')]).toEqual({ deadLetter: true });
    const steps = f.reactions.map((r) => [r.on, r.group, r.answers, !!r.timer]);
    expect(steps).toEqual([
      ['com.acme.logistics.ParcelRegistered', 'label-printer', 'com.acme.logistics.LabelPrinted', false],
      ['com.acme.logistics.LabelPrinted', 'router', 'com.acme.logistics.RouteAssigned', false],
      ['com.acme.logistics.RouteAssigned', 'courier-dispatch', 'com.acme.logistics.OutForDelivery', false],
      [
        'com.acme.logistics.OutForDelivery',
        'courier-dispatch',
        ['com.acme.logistics.ParcelDelivered', 'com.acme.logistics.DeliveryFailed'],
        true,
      ],
    ]);
    expect(f.final.sort()).toEqual(['com.acme.logistics.DeliveryFailed', 'com.acme.logistics.ParcelDelivered']);
  });

  it('a parcel stuck behind the stopped group: the verdict names courier-dispatch, its offset, lag and no members', async () => {
    const stuck = parcels.stuckAtRoute[0];
    const t = await json<TraceResult>(['trace', stuck.parcelId, '--flow', flowFile]);
    expect(t.verdict.status).toBe('waiting');
    expect(t.verdict.state).toBe('com.acme.logistics.RouteAssigned');
    const [w] = t.verdict.waits;
    expect(w).toMatchObject({
      service: 'courier-dispatch',
      expects: ['com.acme.logistics.OutForDelivery'],
      diagnosis: 'not-consumed',
      trigger: { topic: stuck.topic, partition: stuck.partition, offset: stuck.offset },
    });
    expect(w.positions).toEqual([
      {
        group: 'courier-dispatch',
        state: 'Empty',
        members: 0,
        committed: expect.any(Number),
        lag: expect.any(Number),
        consumed: false,
      },
    ]);
    expect(w.positions[0].committed).toBeLessThanOrEqual(stuck.offset);
    expect(w.positions[0].lag).toBeGreaterThan(0);
    const text = await evt(['trace', stuck.parcelId, '--flow', flowFile]);
    expect(text.stdout).toContain(
      `courier-dispatch has not consumed com.acme.logistics.RouteAssigned (${stuck.topic}-${stuck.partition}@${stuck.offset}) yet`,
    );
    expect(text.stdout).toContain('no member running (Empty)');
  });

  it('a dead-lettered parcel: the wait is dead-lettered, with the exception message', async () => {
    const dead = parcels.deadLettered[0];
    const t = await json<TraceResult>(['trace', dead.parcelId, '--flow', flowFile]);
    expect(t.verdict.waits).toEqual([expect.objectContaining({ service: 'router', diagnosis: 'dead-lettered' })]);
    expect(t.verdict.waits[0].detail).toBe(
      `router sent com.acme.logistics.LabelPrinted (${dead.originalTopic}-${dead.originalPartition}@${dead.originalOffset}) to ${T('labels.DLT')}: ${dead.exceptionMessage} (${dead.exceptionFqcn})`,
    );
  });

  it('a completed parcel is final, with its end-to-end latency', async () => {
    const t = await json<TraceResult>(['trace', parcels.completed[1], '--flow', flowFile]);
    expect(t.verdict).toMatchObject({ status: 'final', state: 'com.acme.logistics.ParcelDelivered', waits: [] });
    expect(t.verdict.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('trace --stuck lists the stuck and dead-lettered parcels, not the finished ones', async () => {
    const report = await json<StuckReport>(['trace', '--stuck', '--flow', flowFile, '--older-than', '0s']);
    const expected = [
      ...parcels.stuckAtRoute.map((p) => p.parcelId),
      ...parcels.stuckAtRegistered.map((p) => p.parcelId),
      ...parcels.deadLettered.map((p) => p.parcelId),
    ];
    expect(report.entities.map((e) => e.id).sort()).toEqual(expected.sort());
    expect(report.seen).toBe(parcels.parcels);
    const route = report.entities.find((e) => e.id === parcels.stuckAtRoute[0].parcelId)!;
    expect(route.waitingFor).toEqual(['courier-dispatch: com.acme.logistics.OutForDelivery']);
    const dead = report.entities.find((e) => e.id === parcels.deadLettered[0].parcelId)!;
    expect(dead.waitingFor).toEqual([
      'router: com.acme.logistics.RouteAssigned (its com.acme.logistics.LabelPrinted was dead-lettered)',
    ]);
  });

  it('evt flow check passes the inferred flow, and names what does not match in a wrong one (exit 5)', async () => {
    const ok = await evt(['flow', 'check', flowFile]);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    const wrong = JSON.parse(fs.readFileSync(flowFile, 'utf8')) as {
      topics: Record<string, Record<string, unknown>>;
      reactions: Record<string, unknown>[];
    };
    wrong.topics[T('routes')].id = '$.parcelId';
    wrong.topics[T('nope')] = { id: '$key' };
    wrong.reactions[0].group = 'label-printers';
    const wrongFile = path.join(dir, 'wrong.flow.json');
    fs.writeFileSync(wrongFile, JSON.stringify(wrong));
    const r = await evt(['flow', 'check', wrongFile]);
    expect(r.code).toBe(5);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toContain(`MISMATCH  ${T('nope')}: the topic does not exist on the cluster`);
    expect(lines).toContain(
      `MISMATCH  ${T('routes')}: 0% of ${parcels.events[T('routes')]} sampled records have an id at $.parcelId`,
    );
    expect(lines).toContain('MISMATCH  label-printers: the cluster has no such consumer group');
    expect(r.stderr.trim()).toBe('evt: flow parcels does not match the cluster: 3 mismatches');
  });

  it('the entity index answers the trace of a stuck parcel with the same events, and says so', async () => {
    const db = path.join(dir, 'views.db');
    const replay = await evt(['replay', 'entities', '--flow', flowFile, '--db', db]);
    expect(replay.code, replay.stderr).toBe(0);
    const stuck = parcels.stuckAtRoute[0].parcelId;
    const fromTopics = await json<TraceResult>(['trace', stuck, '--flow', flowFile]);
    const fromIndex = await json<TraceResult>(['trace', stuck, '--flow', flowFile, '--db', db]);
    expect(fromIndex.source).toBe('entity index');
    expect(fromIndex.scan.notes[0]).toContain(`answered by the entity index in ${db}`);
    const where = (t: TraceResult) => t.events.map((e) => `${e.topic}-${e.partition}@${e.offset} ${e.eventType}`);
    expect(where(fromIndex)).toEqual(where(fromTopics));
    expect(fromIndex.verdict.waits.map((w) => [w.service, w.diagnosis])).toEqual(
      fromTopics.verdict.waits.map((w) => [w.service, w.diagnosis]),
    );
    // and the stuck list from the index is the one from the topics
    const a = await json<StuckReport>(['trace', '--stuck', '--flow', flowFile, '--older-than', '0s']);
    const b = await json<StuckReport>(['trace', '--stuck', '--flow', flowFile, '--older-than', '0s', '--db', db]);
    expect(b.source).toBe('entity index');
    expect(b.entities.map((e) => [e.id, e.waitingFor])).toEqual(a.entities.map((e) => [e.id, e.waitingFor]));
  });

  it("--follow prints the entity's new events as they come, wherever its id is, until Ctrl-C (exit 130)", async () => {
    const stuck = parcels.stuckAtRoute[1];
    const p = startEvt(['--brokers', broker.bootstrap, 'trace', stuck.parcelId, '--flow', flowFile, '--follow'], {
      cwd: dir,
    });
    await until(() => p.stderr().includes(`following ${stuck.parcelId}`), 30_000, 'the follow to start');
    // another team's record for this parcel, nested in the value, keyed by a courier; and one for another parcel
    const other = parcels.completed[2];
    const produce = (id: string) =>
      runInProcess(['--brokers', broker.bootstrap, 'produce', T('deliveries'), '--json'], {
        cwd: dir,
        input:
          JSON.stringify({
            key: 'C-9',
            headers: { ce_type: 'com.acme.logistics.OutForDelivery' },
            value: JSON.stringify({ shipment: { parcel_id: id } }),
          }) + '\n',
      });
    expect((await produce(other)).code).toBe(0);
    expect((await produce(stuck.parcelId)).code).toBe(0);
    await until(() => p.stdout().includes('com.acme.logistics.OutForDelivery'), 30_000, 'the new event followed');
    p.proc.kill('SIGINT');
    const r = await p.done;
    expect(r.code).toBe(130);
    const followed = r.stdout.slice(r.stdout.lastIndexOf('scanned '));
    expect(followed).toContain('id in value $.shipment.parcel_id');
    expect(followed.match(/OutForDelivery/g)).toHaveLength(1);
  });

  it('"flow" in the project\'s evt.config.json: the verdicts without --flow, and a config rewrite keeps it', async () => {
    const config = path.join(dir, 'evt.config.json');
    fs.writeFileSync(config, JSON.stringify({ flow: 'parcels.flow.json', profiles: {} }));
    try {
      const stuck = parcels.stuckAtRoute[0];
      const t = await json<TraceResult>(['trace', stuck.parcelId]);
      expect(t.flow).toBe(path.join(dir, 'parcels.flow.json'));
      expect(t.verdict.status).toBe('waiting');
      expect(t.scan.notes).toContain(`flow: flow parcels.flow.json from ${config}`);
      // --no-flow still judges by the conventions only
      expect((await json<TraceResult>(['trace', stuck.parcelId, '--no-flow'])).verdict.status).toBe('unjudged');
      // evt config rewrites the file: the flow stays
      const set = await evt(['config', 'set', 'local', '--project', '--brokers', broker.bootstrap]);
      expect(set.code, set.stderr).toBe(0);
      expect(JSON.parse(fs.readFileSync(config, 'utf8'))).toMatchObject({
        flow: 'parcels.flow.json',
        profiles: { local: { brokers: [broker.bootstrap] } },
      });
      // a flow that is not a string is a usage error naming the file
      fs.writeFileSync(config, JSON.stringify({ flow: 3 }));
      const bad = await evt(['trace', stuck.parcelId]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain(`${config}: "flow" must be the path of a flow file`);
    } finally {
      fs.rmSync(config, { force: true });
    }
  });

  it("evt dashboard shows the cluster's groups and none of the demo's services; with the flow, its stuck parcels", async () => {
    const bare = await json<Snapshot>(['dashboard', '--once']);
    expect(bare.flow).toBeNull();
    expect(bare.services.map((s) => s.group).sort()).toEqual(['audit', 'courier-dispatch', 'label-printer', 'router']);
    expect(bare.services.every((s) => !s.inFlow)).toBe(true);
    expect(bare.topics.map((t) => t.name)).toContain(T('labels.DLT'));
    expect(bare.feed.length).toBeGreaterThan(0);
    expect(bare.feed.some((e) => e.eventType === 'com.acme.logistics.ParcelDelivered')).toBe(true);

    const withFlow = await json<Snapshot>([
      'dashboard',
      '--once',
      '--flow',
      flowFile,
      '--stuck-after',
      '0s',
      '--since',
      '1h',
    ]);
    expect(withFlow.flow?.name).toBe('parcels');
    expect(withFlow.services.slice(0, 3).map((s) => [s.group, s.inFlow])).toEqual([
      ['label-printer', true],
      ['router', true],
      ['courier-dispatch', true],
    ]);
    const stuck = withFlow.flow!.stuck.map((s) => s.id).sort();
    expect(stuck).toEqual(
      [
        ...parcels.stuckAtRoute.map((p) => p.parcelId),
        ...parcels.stuckAtRegistered.map((p) => p.parcelId),
        ...parcels.deadLettered.map((p) => p.parcelId),
      ].sort(),
    );
    const final = withFlow.flow!.states.filter((s) => s.final).reduce((n, s) => n + s.count, 0);
    expect(final).toBe(parcels.completed.length + parcels.deliveryFailed.length);
    const routerRow = withFlow.services.find((s) => s.group === 'router')!;
    expect(routerRow.dlq).toBe(parcels.deadLettered.length);
  });
});
