// Log compaction on the storage layer: 10 versions of 1,000 keys plus tombstones compacted down to the live
// keys with their offsets, tombstones gone after delete.retention.ms, keyless records refused, the cleaned
// log read back after a restart, and a crash at each step of a segment swap recovered at the next open.

import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { LogManager, type LogManagerOptions } from '../../../src/broker/log/log-manager.js';
import { PartitionLog } from '../../../src/broker/log/partition-log.js';
import { readBatchHeader, splitBatches } from '../../../src/broker/log/batch.js';
import { buildBatch, decode, kafkaCode, removeTempDirs, tempDir, type TestRecord } from './helpers.js';

afterEach(removeTempDirs);

const KEYS = 1000;
const VERSIONS = 10;
const TOMBSTONES = 100;
const CONFIGS = {
  'cleanup.policy': 'compact',
  'segment.bytes': String(64 * 1024),
  'delete.retention.ms': '1000',
  'min.cleanable.dirty.ratio': '0.5',
};

interface Env {
  m: LogManager;
  log: PartitionLog;
  clock: { now: number };
}

function open(dataDir: string | null, extra: Partial<LogManagerOptions> = {}): Env {
  const clock = { now: 1_700_000_000_000 };
  const m = LogManager.open({
    dataDir,
    retentionCheckIntervalMs: 0,
    cleanerIntervalMs: 0,
    now: () => clock.now,
    ...extra,
  });
  if (!m.topic('state')) m.createTopic('state', { numPartitions: 1, configs: CONFIGS });
  return { m, log: m.partition('state', 0)!, clock };
}

/** Round r writes key i at offset r * KEYS + i; then tombstones for the first keys; the last segment sealed. */
function fill(env: Env): void {
  for (let r = 0; r < VERSIONS; r++) {
    for (let i = 0; i < KEYS; i += 100) {
      const records: TestRecord[] = Array.from({ length: 100 }, (_, j) => ({
        key: `k${i + j}`,
        value: `v${r}-k${i + j}`,
        timestamp: env.clock.now,
      }));
      env.log.append(buildBatch(records), { now: env.clock.now });
    }
  }
  const tombstones = Array.from({ length: TOMBSTONES }, (_, i) => ({
    key: `k${i}`,
    value: null,
    timestamp: env.clock.now,
  }));
  env.log.append(buildBatch(tombstones), { now: env.clock.now });
  env.log.rollIfOlderThan(env.clock.now + 1, 0);
}

/** Every record from the log start on, following gaps (a batch's last offset says where it ends). */
function readAll(log: PartitionLog): ReturnType<typeof decode> {
  const out: ReturnType<typeof decode> = [];
  let offset = log.logStartOffset;
  while (offset < log.highWatermark) {
    const { records } = log.read(offset, 1 << 20);
    if (records.length === 0) break;
    out.push(...decode(records).filter((r) => r.offset >= offset));
    const batches = splitBatches(records);
    const h = readBatchHeader(batches[batches.length - 1]);
    offset = h.baseOffset + h.lastOffsetDelta + 1;
  }
  return out;
}

/** what a compacted log must hold: each live key's last value at its original offset (and the tombstones) */
function expectCompacted(records: ReturnType<typeof decode>, withTombstones: boolean): void {
  const last = VERSIONS - 1;
  const expected = [];
  for (let i = TOMBSTONES; i < KEYS; i++)
    expected.push({ offset: last * KEYS + i, key: `k${i}`, value: `v${last}-k${i}` });
  if (withTombstones)
    for (let i = 0; i < TOMBSTONES; i++) expected.push({ offset: VERSIONS * KEYS + i, key: `k${i}`, value: null });
  expect(records.map(({ offset, key, value }) => ({ offset, key, value }))).toEqual(expected);
}

describe.each([
  ['on disk', () => tempDir()],
  ['in memory', () => null],
])('compaction %s', (_, dir) => {
  it('keeps the last value of each key at its offset, then drops the tombstones after delete.retention.ms', async () => {
    const dataDir = dir();
    let env = open(dataDir);
    fill(env);
    const before = env.log.segmentInfos().length;
    expect(readAll(env.log)).toHaveLength(VERSIONS * KEYS + TOMBSTONES);

    const [stats] = await env.m.compactNow();
    expect(stats).toMatchObject({ partition: 'state-0', abandoned: null, recordsKept: KEYS });
    expectCompacted(readAll(env.log), true);
    expect(env.log.highWatermark).toBe(VERSIONS * KEYS + TOMBSTONES);
    expect(env.log.segmentInfos().length).toBeLessThan(before);
    // a reader inside a removed range goes on at the next kept offset
    const { records } = env.log.read(5, 1 << 20);
    expect(decode(records)[0].offset).toBe(last() * KEYS + TOMBSTONES);

    // before the horizon the tombstones stay, after it they go
    env.clock.now += 999;
    await env.m.compactNow();
    expectCompacted(readAll(env.log), true);
    env.clock.now += 2;
    await env.m.compactNow();
    expectCompacted(readAll(env.log), false);

    if (dataDir) {
      env.m.close();
      env = open(dataDir);
      expectCompacted(readAll(env.log), false);
      expect(env.log.highWatermark).toBe(VERSIONS * KEYS + TOMBSTONES);
    }
    env.m.close();
  });
});

function last(): number {
  return VERSIONS - 1;
}

it('refuses records without a key on a compacted topic (INVALID_RECORD), as Kafka does', () => {
  const env = open(null);
  expect(
    kafkaCode(() =>
      env.log.append(
        buildBatch([
          { key: 'a', value: '1' },
          { key: null, value: '2' },
        ]),
      ),
    ),
  ).toBe(ErrorCode.INVALID_RECORD);
  expect(env.log.highWatermark).toBe(0);
  env.log.append(buildBatch([{ key: 'a', value: '1' }]));
  expect(env.log.highWatermark).toBe(1);
  env.m.close();
});

it('keeps the active segment and records younger than min.compaction.lag.ms', async () => {
  const env = open(null);
  env.m.alterConfigs('state', { ...CONFIGS, 'min.compaction.lag.ms': '60000' });
  fill(env);
  expect(await env.m.compactNow()).toEqual([]);
  env.clock.now += 60_001;
  const [stats] = await env.m.compactNow();
  expect(stats.recordsKept).toBe(KEYS);
  env.m.close();
});

describe.each(['cleaned', 'swap', 'deleted'] as const)('a crash at the %s step of a swap', (phase) => {
  it('leaves a log that reopens complete', async () => {
    const dataDir = tempDir();
    let crashed = false;
    const env = open(dataDir, {
      onCleanerSwapPhase: (p) => {
        if (p === phase && !crashed) {
          crashed = true;
          throw new Error(`crash at ${p}`);
        }
      },
      log: () => {},
    });
    fill(env);
    await env.m.compactNow();
    expect(crashed).toBe(true);
    // what a kill -9 leaves: the files as they are; the next start opens them
    const reopened = PartitionLog.open({ dir: path.join(dataDir, 'state-0') });
    const records = readAll(reopened);
    const latest = new Map(records.map((r) => [r.key, r]));
    for (let i = TOMBSTONES; i < KEYS; i++) expect(latest.get(`k${i}`)?.value).toBe(`v${last()}-k${i}`);
    for (let i = 0; i < TOMBSTONES; i++) expect(latest.get(`k${i}`)?.value).toBeNull();
    const offsets = records.map((r) => r.offset);
    expect(offsets).toEqual([...new Set(offsets)].sort((a, b) => a - b));
    expect(reopened.highWatermark).toBe(VERSIONS * KEYS + TOMBSTONES);
    reopened.close();
    env.m.close();
  });
});
