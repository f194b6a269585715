// Old clients against the broker: kcat (librdkafka 2.0.2) made to speak as to Kafka 0.9 and 0.10 (no ApiVersions,
// Produce/Fetch v1 with message format v0, v2 with v1) and kafka-python with api_version (0, 9) / (0, 10)
// produce and consume through the broker's conversions; kcat's compressed message sets (gzip, snappy, lz4) are
// stored as compressed record batches; and fetch.max.bytes below three partitions' first batches still reads
// every record (KIP-74).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker/broker.js';
import { startTestBroker } from '../helpers/broker.js';
import { PYTHON, hasKafkaPython, hasKcat, run } from '../helpers/interop.js';
import { storedCodecs } from '../helpers/stored-codecs.js';

const kcatOk = hasKcat();
const kafkaPythonOk = hasKafkaPython();
let broker: RunningBroker;

const kcat = (args: string[], input?: string) => run('kcat', ['-b', broker.bootstrap, ...args], { input });

/** librdkafka set to a Kafka version without ApiVersions: it then speaks that version's protocol */
const fallback = (version: string) => ['-X', 'api.version.request=false', '-X', `broker.version.fallback=${version}`];

interface KcatRecord {
  key: string | null;
  payload: string | null;
  partition: number;
  offset: number;
  ts: number;
}

async function consumeAll(topic: string, extra: string[] = []): Promise<KcatRecord[]> {
  const c = await kcat(['-C', '-t', topic, '-e', '-J', '-o', 'beginning', ...extra]);
  expect(c.status, c.stderr).toBe(0);
  return c.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as KcatRecord);
}

beforeAll(async () => {
  broker = await startTestBroker();
});

afterAll(async () => {
  await broker?.close();
});

describe.skipIf(!kcatOk)('kcat as an old client', () => {
  for (const [version, magic] of [
    ['0.9.0.1', 0],
    ['0.10.0.0', 1],
  ] as const) {
    it(`broker.version.fallback=${version}: produces and consumes keys and values (message v${magic})`, async () => {
      const topic = `old-${magic}`;
      const lines = Array.from({ length: 30 }, (_, i) => `k${i % 3}:value ${i}`);
      const before = Date.now();
      const p = await kcat(['-P', '-t', topic, '-K:', ...fallback(version)], lines.join('\n') + '\n');
      expect(p.status, p.stderr).toBe(0);
      // read back both by the old client and by a current one (Fetch v11, record batches)
      for (const reader of [fallback(version), []]) {
        const records = await consumeAll(topic, ['-K:', ...reader]);
        expect(records.map((r) => `${r.key}:${r.payload}`).sort()).toEqual([...lines].sort());
        for (const r of records) {
          // message v0 has no timestamp (stored as -1, which the old reader does not see either); v1 has the producer's
          if (magic === 1) expect(r.ts).toBeGreaterThanOrEqual(before - 1000);
          else if (reader.length === 0) expect(r.ts).toBe(-1);
        }
      }
    });
  }

  it("a current producer's records (headers dropped) are read by an old consumer, from an offset inside a batch", async () => {
    const topic = 'new-to-old';
    const lines = Array.from({ length: 10 }, (_, i) => `key:v${i}`);
    const p = await kcat(
      ['-P', '-t', topic, '-p', '0', '-K:', '-H', 'h=1', '-X', 'linger.ms=50'],
      lines.join('\n') + '\n',
    );
    expect(p.status, p.stderr).toBe(0);
    const c = await kcat(['-C', '-t', topic, '-p', '0', '-e', '-J', '-o', '4', ...fallback('0.10.0.0')]);
    expect(c.status, c.stderr).toBe(0);
    const records = c.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as KcatRecord);
    expect(records.map((r) => [r.offset, r.payload])).toEqual([4, 5, 6, 7, 8, 9].map((o) => [o, `v${o}`]));
  });

  for (const codec of ['gzip', 'snappy', 'lz4'] as const) {
    it(`kcat -z ${codec}: stored compressed, as a current client and as an old one`, async () => {
      const lines = Array.from({ length: 100 }, (_, i) => `k:${'the same words again '.repeat(5)}${i}`);
      for (const [name, args] of [
        ['current', []],
        ['0.10', fallback('0.10.0.0')],
        ['0.9', fallback('0.9.0.1')],
      ] as const) {
        const topic = `z-${codec}-${name}`;
        const p = await kcat(['-P', '-t', topic, '-K:', '-z', codec, '-d', 'msg', ...args], lines.join('\n') + '\n');
        expect(p.status, p.stderr).toBe(0);
        expect(p.stderr).not.toContain('not compressing');
        expect(await storedCodecs(broker.bootstrap, topic), `${name} client`).toEqual([codec]);
        const records = await consumeAll(topic, ['-K:', ...args]);
        expect(records.map((r) => `${r.key}:${r.payload}`).sort()).toEqual([...lines].sort());
      }
    });
  }

  it("fetch.max.bytes below the sum of three partitions' first batches: every record is read", async () => {
    const topic = 'kip74';
    broker.state.logs.createTopic(topic, { numPartitions: 3 });
    const big = 'x'.repeat(900_000);
    for (let partition = 0; partition < 3; partition++) {
      const input = Array.from({ length: 2 }, (_, i) => `p${partition}-${i}:${big}`).join('\n') + '\n';
      const p = await kcat(['-P', '-t', topic, '-p', String(partition), '-K:', '-X', 'batch.num.messages=1'], input);
      expect(p.status, p.stderr).toBe(0);
    }
    const c = await kcat([
      '-C',
      '-t',
      topic,
      '-e',
      '-o',
      'beginning',
      '-f',
      '%k %S\n',
      '-X',
      'fetch.max.bytes=1000000',
      '-X',
      'receive.message.max.bytes=1000512',
    ]);
    expect(c.status, c.stderr.slice(-2000)).toBe(0);
    expect(c.stderr).not.toContain('Invalid response size');
    const got = c.stdout.trim().split('\n').sort();
    expect(got).toEqual(['p0-0', 'p0-1', 'p1-0', 'p1-1', 'p2-0', 'p2-1'].map((k) => `${k} 900000`));
  });
});

describe.skipIf(!kafkaPythonOk)('kafka-python as an old client', () => {
  for (const apiVersion of ['0, 9', '0, 10']) {
    it(`api_version=(${apiVersion}): produces and consumes`, async () => {
      const topic = `kp-${apiVersion.replace(', ', '-')}`;
      const script = `
import json, sys
from kafka import KafkaProducer, KafkaConsumer
bootstrap, topic = sys.argv[1], sys.argv[2]
version = (${apiVersion})
producer = KafkaProducer(bootstrap_servers=bootstrap, api_version=version)
for i in range(20):
    producer.send(topic, key=('k%d' % (i % 4)).encode(), value=('v%d' % i).encode(), timestamp_ms=(1700000000000 + i) if version >= (0, 10) else None)
producer.flush()
consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, api_version=version, auto_offset_reset='earliest',
                         consumer_timeout_ms=5000, enable_auto_commit=False)
out = [{'key': m.key.decode(), 'value': m.value.decode(), 'ts': m.timestamp} for m in consumer]
print(json.dumps(out))
`;
      const r = await run(PYTHON, ['-c', script, broker.bootstrap, topic]);
      expect(r.status, r.stderr).toBe(0);
      const got = JSON.parse(r.stdout) as { key: string; value: string; ts: number }[];
      expect(got.map((m) => `${m.key}:${m.value}`).sort()).toEqual(
        Array.from({ length: 20 }, (_, i) => `k${i % 4}:v${i}`).sort(),
      );
      if (apiVersion === '0, 10')
        expect(got.map((m) => m.ts - 1_700_000_000_000).sort((a, b) => a - b)).toEqual([...Array(20).keys()]);
    });
  }
});
