// Every codec both ways, with the reference clients: batches kcat and confluent-kafka compress with gzip,
// snappy, lz4 and zstd are read by `evt tail`, `evt trace` and `evt replay` (and accepted by the broker), and
// what `evt produce --compression X` writes is read by kcat and confluent-kafka. librdkafka 2.0.2 compresses
// gzip/snappy/lz4 only for brokers that list Produce v2, which evt broker does (it serves Produce from v0).
// Each test checks the stored batches do carry the codec.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker/broker.js';
import type { TraceResult } from '../../src/trace/trace.js';
import { startTestBroker } from '../helpers/broker.js';
import { runInProcess } from '../helpers/cli.js';
import { PYTHON, hasConfluentKafka, hasKcat, run } from '../helpers/interop.js';
import { storedCodecs as storedCodecsOf } from '../helpers/stored-codecs.js';

const CODECS = ['gzip', 'snappy', 'lz4', 'zstd'] as const;
const kcatOk = hasKcat();
const confluentOk = hasConfluentKafka();
let broker: RunningBroker;
let dir: string;

const evt = (args: string[], input?: string) =>
  runInProcess(['--brokers', broker.bootstrap, ...args], { input, cwd: dir, timeoutMs: 45_000 });

/** compressible records: keyed, JSON, with an id trace can find */
const lines = (tag: string, n = 200) =>
  Array.from(
    { length: n },
    (_, i) => `k${i % 5}:${JSON.stringify({ orderId: `${tag}-${i}`, note: 'the same words again '.repeat(4), i })}`,
  );

/** The codecs of the batches stored in a topic (read raw, not decoded). */
const storedCodecs = (topic: string) => storedCodecsOf(broker.bootstrap, topic);

async function tailValues(topic: string): Promise<string[]> {
  const r = await evt(['tail', topic, '--from', 'beginning', '--format', '%k:%s\n']);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).not.toContain('cannot be decoded');
  return r.stdout.trim().split('\n').sort();
}

/** tail, trace and replay all read the topic's records */
async function expectEvtReads(topic: string, tag: string, written: string[]): Promise<void> {
  expect(await tailValues(topic)).toEqual([...written].sort());
  const t = await evt(['--json', 'trace', `${tag}-17`]);
  expect(t.code, t.stderr).toBe(0);
  const trace = JSON.parse(t.stdout) as TraceResult;
  expect(trace.events.map((e) => e.topic)).toEqual([topic]);
  const db = path.join(dir, `${topic}.db`);
  const replay = await evt(['replay', 'latest', topic, '--db', db]);
  expect(replay.code, replay.stderr).toBe(0);
  const row = await evt(['view', 'get', `latest-${topic}`, 'k2', '--db', db]);
  expect(row.code, row.stderr).toBe(0);
  // the last record with key k2 is record 197
  expect(row.stdout).toContain(`${tag}-197`);
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'evt-codecs-'));
  broker = await startTestBroker();
});

afterAll(async () => {
  await broker?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!kcatOk)('kcat', () => {
  for (const codec of CODECS) {
    it(`kcat -z ${codec}: evt tail, trace and replay read the records`, async () => {
      const topic = `kcat-${codec}`;
      const written = lines(`kc${codec}`);
      const p = await run('kcat', ['-b', broker.bootstrap, '-P', '-t', topic, '-K:', '-z', codec], {
        input: written.join('\n') + '\n',
      });
      expect(p.status, p.stderr).toBe(0);
      expect(await storedCodecs(topic)).toEqual([codec]);
      await expectEvtReads(topic, `kc${codec}`, written);
    });

    it(`evt produce --compression ${codec}: kcat reads the records`, async () => {
      const topic = `evt-kcat-${codec}`;
      const written = lines(`ek${codec}`);
      const p = await evt(['produce', topic, '-K', ':', '--compression', codec], written.join('\n') + '\n');
      expect(p.code, p.stderr).toBe(0);
      expect(await storedCodecs(topic)).toEqual([codec]);
      const c = await run('kcat', ['-b', broker.bootstrap, '-C', '-t', topic, '-e', '-q', '-f', '%k:%s\n']);
      expect(c.status, c.stderr).toBe(0);
      expect(c.stdout.trim().split('\n').sort()).toEqual([...written].sort());
    });
  }
});

const CONFLUENT = String.raw`
import json, sys
from confluent_kafka import Consumer, Producer
bootstrap, mode, topic, codec = sys.argv[1:5]
if mode == 'produce':
    p = Producer({'bootstrap.servers': bootstrap, 'compression.type': codec, 'linger.ms': 50})
    for line in sys.stdin.read().splitlines():
        k, v = line.split(':', 1)
        p.produce(topic, key=k.encode(), value=v.encode())
    sys.exit(1 if p.flush(20) else 0)
c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'codecs-' + topic, 'auto.offset.reset': 'earliest',
              'enable.partition.eof': True})
c.subscribe([topic])
out, eof = [], set()
while len(eof) < 3:
    m = c.poll(10)
    if m is None: sys.exit('timed out')
    if m.error():
        if m.error().code() == -191: eof.add(m.partition()); continue
        sys.exit(str(m.error()))
    out.append(m.key().decode() + ':' + m.value().decode())
c.close()
print('\n'.join(out))
`;

describe.skipIf(!confluentOk)('confluent-kafka', () => {
  const python = (args: string[], input?: string) =>
    run(PYTHON, ['-c', CONFLUENT, broker.bootstrap, ...args], { input });

  for (const codec of CODECS) {
    it(`compression.type=${codec}: evt tail, trace and replay read the records`, async () => {
      const topic = `ck-${codec}`;
      const written = lines(`ck${codec}`);
      const p = await python(['produce', topic, codec], written.join('\n'));
      expect(p.status, p.stderr).toBe(0);
      expect(await storedCodecs(topic)).toEqual([codec]);
      await expectEvtReads(topic, `ck${codec}`, written);
    });

    it(`evt produce --compression ${codec}: confluent-kafka reads the records`, async () => {
      const topic = `evt-ck-${codec}`;
      const written = lines(`ec${codec}`);
      const p = await evt(['produce', topic, '-K', ':', '--compression', codec], written.join('\n') + '\n');
      expect(p.code, p.stderr).toBe(0);
      const c = await python(['consume', topic, codec]);
      expect(c.status, c.stderr).toBe(0);
      expect(c.stdout.trim().split('\n').sort()).toEqual([...written].sort());
    });
  }
});
