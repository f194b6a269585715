// Log compaction through real clients: kafkajs writes 10 versions of 1,000 keys plus tombstones (gzip
// batches, which the cleaner recompresses), kcat and kafkajs read back each key's last value at its offset,
// and the tombstones are gone after delete.retention.ms; produce and fetch go on while a large clean runs; a
// spawned `evt broker` killed with -9 in the middle of a segment swap restarts with every latest value.

import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { CompressionTypes, ConfigResourceTypes, type Kafka } from 'kafkajs';
import { ManualClock } from '../../src/testing/manual-clock.js';
import type { RunningBroker } from '../../src/broker/broker.js';
import { buildBatch } from './log/helpers.js';
import { kafkaFor, startTestBroker, tempDir, until } from '../helpers/broker.js';
import { hasKcat, run } from '../helpers/interop.js';
import { spawnBroker, type SpawnedBroker } from '../helpers/spawn.js';

const KEYS = 1000;
const VERSIONS = 10;
const TOMBSTONES = 100;

const brokers: RunningBroker[] = [];
const procs: SpawnedBroker[] = [];
afterEach(async () => {
  for (const p of procs.splice(0)) p.proc.kill('SIGKILL');
  for (const b of brokers.splice(0)) await b.close();
});

async function createCompacted(kafka: Kafka, topic: string, configs: Record<string, string>): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const configEntries = Object.entries({ 'cleanup.policy': 'compact', ...configs }).map(([name, value]) => ({
    name,
    value,
  }));
  await admin.createTopics({ topics: [{ topic, numPartitions: 1, configEntries }] });
  await admin.disconnect();
}

/** Round r writes key i at offset r * KEYS + i, then tombstones for the first TOMBSTONES keys. */
async function produceVersions(kafka: Kafka, topic: string): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  for (let r = 0; r < VERSIONS; r++) {
    for (let i = 0; i < KEYS; i += 100) {
      const messages = Array.from({ length: 100 }, (_, j) => ({ key: `k${i + j}`, value: `v${r}-k${i + j}` }));
      await producer.send({ topic, compression: CompressionTypes.GZIP, messages });
    }
  }
  const tombstones = Array.from({ length: TOMBSTONES }, (_, i) => ({ key: `k${i}`, value: null }));
  await producer.send({ topic, messages: tombstones });
  await producer.disconnect();
}

/** `offset key value` lines of the compacted log as it must be (value '-' for a tombstone) */
function expectedLines(withTombstones: boolean): string[] {
  const out: string[] = [];
  for (let i = TOMBSTONES; i < KEYS; i++) out.push(`${(VERSIONS - 1) * KEYS + i} k${i} v${VERSIONS - 1}-k${i}`);
  if (withTombstones) for (let i = 0; i < TOMBSTONES; i++) out.push(`${VERSIONS * KEYS + i} k${i} -`);
  return out;
}

async function readWithKafkajs(kafka: Kafka, topic: string, count: number): Promise<string[]> {
  const consumer = kafka.consumer({ groupId: `reader-${topic}-${Date.now()}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen: string[] = [];
  await consumer.run({
    eachMessage: async ({ message: m }) =>
      void seen.push(`${m.offset} ${m.key?.toString()} ${m.value === null ? '-' : m.value.toString()}`),
  });
  await until(() => seen.length >= count, 30_000, `${count} records`);
  await consumer.disconnect();
  return seen;
}

const kcatOk = hasKcat();

describe('a compacted topic read back by real clients', () => {
  it('keeps the last value per key at its offset; tombstones go after delete.retention.ms', async () => {
    const clock = new ManualClock(Date.now());
    const broker = await startTestBroker({ inMemory: true, clock, cleanerIntervalMs: 0 });
    brokers.push(broker);
    const kafka = kafkaFor(broker);
    const topic = 'stock';
    await createCompacted(kafka, topic, {
      'segment.bytes': String(16 * 1024),
      'segment.ms': '60000',
      'delete.retention.ms': '1000',
    });
    await produceVersions(kafka, topic);
    clock.advance(120_000); // the active segment, holding the tombstones, is older than segment.ms: it rolls
    const [stats] = await broker.state.logs.compactNow();
    expect(stats.recordsKept).toBe(KEYS);

    expect(await readWithKafkajs(kafka, topic, KEYS)).toEqual(expectedLines(true));
    if (kcatOk) {
      const k = await run('kcat', ['-b', broker.bootstrap, '-C', '-t', topic, '-e', '-q', '-f', '%o %k %S\n']);
      expect(k.status, k.stderr).toBe(0);
      const lines = expectedLines(true).map((l) =>
        l.replace(/ (v\S+|-)$/, (_, v: string) => ` ${v === '-' ? -1 : v.length}`),
      );
      expect(k.stdout.trim().split('\n')).toEqual(lines);
    }

    clock.advance(1001);
    await broker.state.logs.compactNow();
    expect(await readWithKafkajs(kafka, topic, KEYS - TOMBSTONES)).toEqual(expectedLines(false));
  });

  it('refuses records without a key (INVALID_RECORD) and takes keyed ones', async () => {
    const broker = await startTestBroker({ inMemory: true, cleanerIntervalMs: 0 });
    brokers.push(broker);
    const kafka = kafkaFor(broker, { retry: { retries: 0 } });
    await createCompacted(kafka, 'keyed', {});
    const producer = kafka.producer();
    await producer.connect();
    await expect(producer.send({ topic: 'keyed', messages: [{ value: 'no key' }] })).rejects.toThrow(/invalid|record/i);
    await producer.send({ topic: 'keyed', messages: [{ key: 'a', value: 'keyed' }] });
    await producer.disconnect();
    expect(broker.state.logs.partition('keyed', 0)!.highWatermark).toBe(1);
  });
});

it('produce and fetch go on while a large clean runs', async () => {
  const broker = await startTestBroker({ inMemory: true, cleanerIntervalMs: 0 });
  brokers.push(broker);
  const { logs } = broker.state;
  logs.createTopic('big', {
    numPartitions: 1,
    configs: { 'cleanup.policy': 'compact', 'segment.bytes': String(1 << 20) },
  });
  logs.createTopic('side', { numPartitions: 1 });
  const log = logs.partition('big', 0)!;
  const value = 'x'.repeat(200);
  for (let n = 0; n < 100_000; n += 500)
    log.append(buildBatch(Array.from({ length: 500 }, (_, j) => ({ key: `k${(n + j) % 2000}`, value }))));
  log.rollIfOlderThan(Date.now() + 1, 0);

  const kafka = kafkaFor(broker);
  const consumer = kafka.consumer({ groupId: 'side-reader', maxWaitTimeInMs: 50 });
  await consumer.connect();
  await consumer.subscribe({ topic: 'side', fromBeginning: true });
  let fetched = 0;
  await consumer.run({ eachMessage: async () => void fetched++ });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: 'side', messages: [{ value: 'warm-up' }] });
  await until(() => fetched >= 1, 20_000, 'the consumer to start');

  // reference: the same produce loop without a clean, for as many requests as a clean takes here (about 10)
  const quiet = monitorEventLoopDelay({ resolution: 1 });
  quiet.enable();
  for (let i = 0; i < 10; i++) await producer.send({ topic: 'side', messages: [{ value: `quiet-${i}` }] });
  quiet.disable();

  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  let done = false;
  const cleaning = logs.compactNow().finally(() => (done = true));
  let producedDuring = 0;
  let fetchedDuring = 0;
  const fetchedBefore = fetched;
  while (!done) {
    await producer.send({ topic: 'side', messages: [{ value: `during-${producedDuring}` }] });
    if (!done) {
      producedDuring++;
      fetchedDuring = fetched - fetchedBefore;
    }
  }
  const [stats] = await cleaning;
  delay.disable();
  const mb = stats.bytesRead / 1e6;
  console.log(
    `cleaned ${mb.toFixed(1)} MB in ${stats.durationMs.toFixed(0)} ms (${(mb / (stats.durationMs / 1000)).toFixed(1)} MB/s); ` +
      `meanwhile ${producedDuring} produce requests and ${fetchedDuring} records fetched; ` +
      `event-loop delay max ${(delay.max / 1e6).toFixed(1)} ms (without a clean, same loop: ${(quiet.max / 1e6).toFixed(1)} ms)`,
  );
  expect(stats.recordsKept).toBe(2000);
  expect(producedDuring).toBeGreaterThan(0);
  expect(fetchedDuring).toBeGreaterThan(0);
  await producer.disconnect();
  await consumer.disconnect();
});

it('kill -9 of a spawned evt broker in the middle of a segment swap: the restarted log is complete', async () => {
  const dataDir = tempDir();
  process.env.EVT_TEST_CLEANER_PAUSE = 'swap';
  let first: SpawnedBroker;
  try {
    first = await spawnBroker(['--data-dir', dataDir, '--cleaner-backoff', '200ms']);
  } finally {
    delete process.env.EVT_TEST_CLEANER_PAUSE;
  }
  procs.push(first);
  const topic = 'state';
  const configs = { 'segment.bytes': String(16 * 1024), 'segment.ms': '300', 'min.cleanable.dirty.ratio': '0.01' };
  // nothing is cleanable while the records are written (the pause would hold the producer too)...
  await createCompacted(kafkaFor(first), topic, { ...configs, 'min.compaction.lag.ms': String(24 * 3600_000) });
  await produceVersions(kafkaFor(first), topic);
  // ...then everything is
  const admin = kafkaFor(first).admin();
  await admin.connect();
  const configEntries = Object.entries({ 'cleanup.policy': 'compact', ...configs }).map(([name, value]) => ({
    name,
    value,
  }));
  await admin.alterConfigs({
    validateOnly: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries }],
  });
  await admin.disconnect();
  await until(() => first.stderr().includes('cleaner paused at swap'), 30_000, 'the cleaner to reach its swap');
  first.proc.kill('SIGKILL');
  expect(await first.exited).toBe('SIGKILL');

  const second = await spawnBroker(['--data-dir', dataDir, '--cleaner-backoff', '200ms']);
  procs.push(second);
  const kafka = kafkaFor(second);
  const read = await readWithKafkajs(kafka, topic, KEYS);
  const latest = new Map(read.map((l) => [l.split(' ')[1], l]));
  expect([...latest.values()].sort()).toEqual(expectedLines(true).sort());
  const offsets = read.map((l) => Number(l.split(' ')[0]));
  expect(offsets).toEqual([...new Set(offsets)].sort((a, b) => a - b));
  // and the restarted broker's cleaner finishes the job
  const compacted = await until(
    async () => {
      const lines = await readWithKafkajs(kafka, topic, KEYS);
      return lines.length === KEYS ? lines : false;
    },
    30_000,
    'the log compacted',
  );
  expect(compacted).toEqual(expectedLines(true));
});
