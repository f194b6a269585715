// The acceptance of disk faults: a data dir on a small tmpfs fills up under confluent-kafka (librdkafka
// 2.0.2) producers, idempotent and plain. Whatever a producer was told is what is stored (every acknowledged
// record readable, nothing refused stored, no retry stored twice), the broker says so once, and writes work
// again as soon as space is freed, without a restart.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { kafkaFor, startTestBroker, until } from '../../helpers/broker.js';
import { PYTHON, hasConfluentKafka } from '../../helpers/interop.js';
import { RawClient } from '../../helpers/raw-client.js';
import { mountTmpfs, type Tmpfs } from '../../helpers/tmpfs.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import type { RunningBroker } from '../../../src/broker/broker.js';

const SCRIPT = path.join(import.meta.dirname, 'confluent_disk_full.py');
const VALUE_BYTES = 20_000;
const confluent = hasConfluentKafka();

let disk: Tmpfs | null = null;
let broker: RunningBroker | null = null;
afterEach(async () => {
  await broker?.close();
  broker = null;
  disk?.unmount();
  disk = null;
});

const refusals = (alerts: string[]) => alerts.filter((a) => a.includes('cannot write'));
const recoveries = (alerts: string[]) => alerts.filter((a) => a.includes('writes succeed again'));

type Report = { i?: number; offset?: number; error?: string; stored?: number[]; unflushed?: number };

/** Runs the producer script; `onLine` sees each report as it comes. Resolves with all of them. */
function produce(
  b: RunningBroker,
  first: number,
  count: number,
  idempotent: boolean,
  onLine: (r: Report) => void = () => {},
): Promise<Report[]> {
  return new Promise((resolve, reject) => {
    const args = [SCRIPT, b.bootstrap, 't', String(first), String(count), String(VALUE_BYTES), idempotent ? '1' : '0'];
    const p = spawn(PYTHON, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const reports: Report[] = [];
    let buffered = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => {
      buffered += String(d);
      let nl;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const r = JSON.parse(buffered.slice(0, nl)) as Report;
        buffered = buffered.slice(nl + 1);
        reports.push(r);
        onLine(r);
      }
    });
    p.stderr.on('data', (d: Buffer) => (stderr += String(d)));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(reports) : reject(new Error(`script exit ${code}: ${stderr}`))));
  });
}

async function brokerOnFullingDisk(
  onFull: () => void = () => {},
): Promise<{ b: RunningBroker; alerts: string[]; filler: string } | null> {
  disk = mountTmpfs('2m');
  if (!disk) return null;
  const alerts: string[] = [];
  // small segments: rolls happen while the disk fills, and must fail as cleanly as appends
  broker = await startTestBroker({
    dataDir: path.join(disk.dir, 'data'),
    defaultPartitions: 1,
    segmentBytes: 150_000,
    alert: (m) => {
      alerts.push(m);
      if (refusals(alerts).length === 1 && m.includes('cannot write')) onFull();
    },
  });
  broker.state.logs.createTopic('t', { numPartitions: 1 });
  const filler = path.join(disk.dir, 'filler');
  disk.fillUpTo(filler, 400_000); // room for about 19 of the records
  return { b: broker, alerts, filler };
}

it.skipIf(!confluent)(
  'an idempotent producer is refused while the disk is full and its retries store every record once when space returns',
  async (ctx) => {
    let freed = false;
    // once the broker has said the disk is full, let the producer's retries meet it a while, then make room
    const setup = await brokerOnFullingDisk(() =>
      setTimeout(() => {
        fs.rmSync(setup!.filler);
        freed = true;
      }, 500),
    );
    if (!setup) return ctx.skip();
    const reports = await produce(setup.b, 0, 40, true);
    expect(freed).toBe(true);
    const { alerts } = setup;

    const acked = reports.filter((r) => r.offset !== undefined);
    expect(reports.filter((r) => r.error !== undefined)).toEqual([]);
    expect(acked.map((r) => r.i).sort((x, y) => x! - y!)).toEqual([...Array(40).keys()]);
    // each record once, in the order produced, at the offset it was acknowledged with
    const stored = reports.find((r) => r.stored)!.stored!;
    expect(stored).toEqual([...Array(40).keys()]);
    for (const r of acked) expect(r.offset).toBe(r.i);
    expect(refusals(alerts)).toHaveLength(1);
    expect(refusals(alerts)[0]).toMatch(/cannot write .*: no space left on device \(ENOSPC\)/);
    expect(recoveries(alerts)).toHaveLength(1);
  },
  180_000,
);

it.skipIf(!confluent)(
  'a plain producer gets KAFKA_STORAGE_ERROR for exactly the records not stored, and the next produce works once space is freed',
  async (ctx) => {
    const setup = await brokerOnFullingDisk();
    if (!setup) return ctx.skip();
    const { b, alerts, filler } = setup;
    const reports = await produce(b, 0, 40, false);
    const acked = reports.filter((r) => r.offset !== undefined).map((r) => r.i!);
    const refused = reports.filter((r) => r.error !== undefined);
    expect(refused.length).toBeGreaterThan(0);
    expect(acked.length).toBeGreaterThan(0);
    expect(new Set(refused.map((r) => r.error))).toEqual(new Set(['KAFKA_STORAGE_ERROR']));
    // what was acknowledged is stored and readable, nothing refused is
    expect(reports.find((r) => r.stored)!.stored).toEqual(acked.sort((x, y) => x - y));
    expect(refusals(alerts)).toHaveLength(1);
    expect(recoveries(alerts)).toEqual([]);

    fs.rmSync(filler);
    const again = await produce(b, 100, 5, false);
    expect(again.filter((r) => r.error !== undefined)).toEqual([]);
    expect(again.find((r) => r.stored)!.stored).toEqual([...acked, 100, 101, 102, 103, 104]);
    await until(() => recoveries(alerts).length === 1, 5000, 'the recovery line');
    expect(refusals(alerts)).toHaveLength(1);
  },
  180_000,
);

it('with the disk full, a new topic and a commit are refused and leave nothing behind; both work once space is freed', async (ctx) => {
  disk = mountTmpfs('2m');
  if (!disk) return ctx.skip();
  const alerts: string[] = [];
  const dataDir = path.join(disk.dir, 'data');
  broker = await startTestBroker({ dataDir, defaultPartitions: 1, alert: (m) => alerts.push(m) });
  broker.state.logs.createTopic('t', { numPartitions: 1 });
  const topicsJson = fs.readFileSync(path.join(dataDir, 'topics.json'), 'utf8');
  const admin = kafkaFor(broker, { retry: { retries: 1, initialRetryTime: 50 } }).admin();
  await admin.connect();
  try {
    const filler = path.join(disk.dir, 'filler');
    disk.fillUpTo(filler, 0);

    await expect(admin.createTopics({ topics: [{ topic: 'new' }] })).rejects.toThrow();
    expect(broker.state.logs.topic('new')).toBeUndefined();
    expect(fs.readFileSync(path.join(dataDir, 'topics.json'), 'utf8')).toBe(topicsJson);
    // the refused topic's files were removed: fill what they held too
    const filler2 = path.join(disk.dir, 'filler2');
    disk.fillUpTo(filler2, 0);
    // a bare OffsetCommit, to see its error code (kafkajs' setOffsets lets a refused commit pass unnoticed)
    const commit = async (): Promise<number> => {
      const raw = await RawClient.connect(broker!.port);
      try {
        const answer = await raw.request(8, 2, {
          groupId: 'g',
          generationIdOrMemberEpoch: -1,
          memberId: '',
          retentionTimeMs: -1,
          topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 0, committedMetadata: '' }] }],
        });
        const topics = answer.topics as Array<{ partitions: Array<{ errorCode: number }> }>;
        return topics[0].partitions[0].errorCode;
      } finally {
        raw.close();
      }
    };
    expect(await commit()).toBe(ErrorCode.NOT_COORDINATOR);
    expect(await admin.fetchOffsets({ groupId: 'g', topics: ['t'] })).toEqual([
      { topic: 't', partitions: [{ partition: 0, offset: '-1', metadata: null }] },
    ]);
    expect(refusals(alerts)).toHaveLength(1);

    fs.rmSync(filler);
    fs.rmSync(filler2, { force: true });
    expect(await admin.createTopics({ topics: [{ topic: 'new' }] })).toBe(true);
    expect(await commit()).toBe(ErrorCode.NONE);
    expect(await admin.fetchOffsets({ groupId: 'g', topics: ['t'] })).toEqual([
      { topic: 't', partitions: [{ partition: 0, offset: '0', metadata: null }] },
    ]);
    expect(recoveries(alerts)).toHaveLength(1);
  } finally {
    await admin.disconnect();
  }
}, 60_000);

it('shuts down cleanly on a full disk, and the next start recovers every record', async (ctx) => {
  disk = mountTmpfs('2m');
  if (!disk) return ctx.skip();
  const dataDir = path.join(disk.dir, 'data');
  const alerts: string[] = [];
  broker = await startTestBroker({ dataDir, defaultPartitions: 1, alert: (m) => alerts.push(m) });
  const reports = await produceWithKafkajs(broker, 3);
  disk.fillUpTo(path.join(disk.dir, 'filler'), 0);
  await broker.close(); // the clean-shutdown markers cannot be written: said, not thrown
  broker = null;
  expect(refusals(alerts)).toHaveLength(1);
  fs.rmSync(path.join(disk.dir, 'filler'));

  broker = await startTestBroker({ dataDir, defaultPartitions: 1 });
  const log = broker.state.logs.partition('t', 0)!;
  expect(log.recovery.cleanShutdown).toBe(false);
  expect(log.highWatermark).toBe(reports);
});

async function produceWithKafkajs(b: RunningBroker, count: number): Promise<number> {
  const producer = kafkaFor(b).producer();
  await producer.connect();
  await producer.send({ topic: 't', messages: Array.from({ length: count }, (_, i) => ({ value: `v${i}` })) });
  await producer.disconnect();
  return count;
}
