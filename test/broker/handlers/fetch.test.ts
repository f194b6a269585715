// Fetch limits as KIP-74 sets them, and the old Fetch versions' message formats, asked with evt's own codec
// (test/helpers/raw-client.ts) so that the exact answer can be looked at: which partitions carry records and
// how many bytes.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../../src/broker/broker.js';
import { splitBatches } from '../../../src/broker/log/batch.js';
import { encodeBatch } from '../../../src/protocol/records/batch-encoder.js';
import { readMessageSet } from '../../../src/protocol/records/legacy.js';
import { startTestBroker } from '../../helpers/broker.js';
import { RawClient } from '../../helpers/raw-client.js';

let broker: RunningBroker;
let raw: RawClient;

const KB = 1024;

/** Appends batches of one record each, of `valueBytes` bytes, to every partition of a new topic. */
function fill(topic: string, partitions: number, batchesPerPartition: number, valueBytes: number): number {
  broker.state.logs.createTopic(topic, { numPartitions: partitions });
  let batchSize = 0;
  for (let p = 0; p < partitions; p++) {
    for (let i = 0; i < batchesPerPartition; i++) {
      const value = Buffer.alloc(valueBytes, 97 + p);
      const batch = encodeBatch([
        { key: Buffer.from(`k${p}-${i}`), value, headers: [], timestamp: 1_700_000_000_000 + i },
      ]);
      batchSize = batch.length;
      broker.state.logs.partition(topic, p)!.append(batch);
    }
  }
  return batchSize;
}

interface FetchAsk {
  version?: number;
  maxBytes: number;
  partitionMaxBytes: number;
  partitions: number[];
  fetchOffsets?: number[];
}

/** One Fetch; per partition asked, its records (a Buffer, empty when none) and error code. */
async function fetch(topic: string, ask: FetchAsk): Promise<{ records: Buffer; errorCode: number; hwm: number }[]> {
  const answer = await raw.request(1, ask.version ?? 11, {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes: ask.maxBytes,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic,
        partitions: ask.partitions.map((partition, i) => ({
          partition,
          fetchOffset: ask.fetchOffsets?.[i] ?? 0,
          partitionMaxBytes: ask.partitionMaxBytes,
        })),
      },
    ],
    forgottenTopicsData: [],
    rackId: '',
  });
  return answer.responses[0].partitions.map(
    (p: { records: Buffer | null; errorCode: number; highWatermark: number }) => ({
      records: p.records ?? Buffer.alloc(0),
      errorCode: p.errorCode,
      hwm: p.highWatermark,
    }),
  );
}

beforeAll(async () => {
  broker = await startTestBroker({ inMemory: true });
  raw = await RawClient.connect(broker.port);
});

afterAll(async () => {
  raw?.close();
  await broker?.close();
});

describe('Fetch limits (KIP-74)', () => {
  it("three partitions of 900 KB batches under max_bytes 1,000,000: the first partition's batch only", async () => {
    const size = fill('big', 3, 1, 900_000);
    const parts = await fetch('big', { maxBytes: 1_000_000, partitionMaxBytes: 1_048_576, partitions: [0, 1, 2] });
    expect(parts.map((p) => p.records.length)).toEqual([size, 0, 0]);
    expect(parts.map((p) => p.errorCode)).toEqual([0, 0, 0]);
    // the partitions left out still tell their offsets
    expect(parts.map((p) => p.hwm)).toEqual([1, 1, 1]);
    // asked from the second partition on, the second one is served first
    const rest = await fetch('big', { maxBytes: 1_000_000, partitionMaxBytes: 1_048_576, partitions: [1, 2] });
    expect(rest.map((p) => p.records.length)).toEqual([size, 0]);
  });

  it('the first batch goes over both limits, so that a consumer progresses; no other batch does', async () => {
    const size = fill('over', 2, 2, 200 * KB);
    const parts = await fetch('over', { maxBytes: 50 * KB, partitionMaxBytes: 50 * KB, partitions: [0, 1] });
    expect(parts.map((p) => p.records.length)).toEqual([size, 0]);
    expect(splitBatches(parts[0].records)).toHaveLength(1);
  });

  it('the first non-empty partition is the one allowed over: an empty one before it does not count', async () => {
    const size = fill('skip', 3, 1, 100 * KB);
    const parts = await fetch('skip', {
      maxBytes: 10 * KB,
      partitionMaxBytes: 10 * KB,
      partitions: [0, 1, 2],
      fetchOffsets: [1, 0, 0], // partition 0 is read at its end: nothing
    });
    expect(parts.map((p) => p.records.length)).toEqual([0, size, 0]);
  });

  it('each partition gets at most partition_max_bytes of whole batches, the total at most max_bytes', async () => {
    const size = fill('small', 3, 10, 10 * KB);
    const perPartition = await fetch('small', {
      maxBytes: 10_000 * KB,
      partitionMaxBytes: 3 * size + 10,
      partitions: [0, 1, 2],
    });
    expect(perPartition.map((p) => p.records.length)).toEqual([3 * size, 3 * size, 3 * size]);
    const total = await fetch('small', { maxBytes: 5 * size, partitionMaxBytes: 3 * size, partitions: [0, 1, 2] });
    expect(total.map((p) => p.records.length)).toEqual([3 * size, 2 * size, 0]);
    const sum = total.reduce((n, p) => n + p.records.length, 0);
    expect(sum).toBeLessThanOrEqual(5 * size);
  });

  it('Fetch v3 respects max_bytes too; v0-v2, which have none, partition_max_bytes alone', async () => {
    fill('v3', 3, 4, 10 * KB);
    const v3 = await fetch('v3', { version: 3, maxBytes: 25 * KB, partitionMaxBytes: 1 << 20, partitions: [0, 1, 2] });
    const v3Counts = v3.map((p) => (p.records.length ? readMessageSet(p.records).records.length : 0));
    expect(v3Counts.reduce((a, b) => a + b)).toBeLessThan(12);
    expect(v3Counts[0]).toBeGreaterThan(0);
    const v2 = await fetch('v3', { version: 2, maxBytes: 25 * KB, partitionMaxBytes: 1 << 20, partitions: [0, 1, 2] });
    expect(v2.map((p) => readMessageSet(p.records).records.length)).toEqual([4, 4, 4]);
  });
});

describe('Fetch v0-v3: message formats v0 and v1', () => {
  it('v0/v1 answer magic 0 and v2/v3 magic 1 messages, with the keys, values, offsets and (v1) timestamps', async () => {
    fill('old', 1, 3, 100);
    for (const [version, magic] of [
      [0, 0],
      [1, 0],
      [2, 1],
      [3, 1],
    ] as const) {
      const [p] = await fetch('old', {
        version,
        maxBytes: 1 << 20,
        partitionMaxBytes: 1 << 20,
        partitions: [0],
        fetchOffsets: [1],
      });
      expect(p.errorCode).toBe(0);
      const set = readMessageSet(p.records);
      expect(set.magic, `Fetch v${version}`).toBe(magic);
      expect(set.records.map((r) => r.offset)).toEqual([1, 2]);
      expect(set.records.map((r) => r.key?.toString())).toEqual(['k0-1', 'k0-2']);
      expect(set.records[0].value).toEqual(Buffer.alloc(100, 97));
      expect(set.records.map((r) => r.timestamp)).toEqual(
        magic === 0 ? [-1, -1] : [1_700_000_000_001, 1_700_000_000_002],
      );
    }
  });
});
