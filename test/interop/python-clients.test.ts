// The Debian Python clients against the broker: kafka-python 2.0.2 and confluent-kafka-python (librdkafka).

import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker/broker.js';
import { startTestBroker } from '../helpers/broker.js';
import { hasConfluentKafka, hasKafkaPython, PYTHON, run } from '../helpers/interop.js';

const script = (name: string) => fileURLToPath(new URL(name, import.meta.url));
const kafkaPython = hasKafkaPython();
const confluent = hasConfluentKafka();
let broker: RunningBroker;

beforeAll(async () => {
  if (kafkaPython || confluent) broker = await startTestBroker();
});
afterAll(async () => {
  await broker?.close();
});

async function runScript(name: string, topic: string, count: number) {
  const r = await run(PYTHON, [script(name), broker.bootstrap, topic, String(count)], { timeoutMs: 90_000 });
  expect(r.status, `${name} failed: ${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

const expectedValues = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`).sort();

describe.skipIf(!kafkaPython)('kafka-python', () => {
  it('produces and group-consumes keyed records with headers, and commits', async () => {
    const out = await runScript('kafka_python_roundtrip.py', 'py-topic', 200);
    expect(out.sent).toBe(200);
    expect([...out.received].sort()).toEqual(expectedValues('py', 200));
    expect(out.keys_ok).toBe(true);
    expect(out.headers_ok).toBe(true);
    expect(out.committed).toBe(200);
  });
});

describe.skipIf(!confluent)('confluent-kafka-python', () => {
  it('produces idempotently and group-consumes with headers, and commits', async () => {
    const out = await runScript('confluent_kafka_roundtrip.py', 'ck-topic', 200);
    expect(out.errors).toEqual([]);
    expect(out.delivered).toBe(200);
    expect([...out.received].sort()).toEqual(expectedValues('ck', 200));
    expect(out.headers_ok).toBe(true);
    expect(out.committed).toBe(200);
  });
});
