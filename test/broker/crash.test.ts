// Crashes: kill -9 of a broker process under load loses no acknowledged record; a torn segment tail is
// truncated at start-up and the rest is served.

import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { kafkaFor, startTestBroker, tempDir, until } from '../helpers/broker.js';
import { spawnBroker, type SpawnedBroker } from '../helpers/spawn.js';

const procs: SpawnedBroker[] = [];
afterEach(() => {
  for (const p of procs.splice(0)) p.proc.kill('SIGKILL');
});

async function readAllValues(bootstrap: string, topic: string, expectedAtLeast: number): Promise<string[]> {
  const consumer = kafkaFor({ bootstrap }).consumer({
    groupId: `reader-${Date.now()}`,
    sessionTimeout: 6000,
    maxWaitTimeInMs: 500,
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen: string[] = [];
  await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
  await until(() => seen.length >= expectedAtLeast, 30_000, `at least ${expectedAtLeast} records`);
  await consumer.disconnect();
  return seen;
}

it('kill -9 while an acks=-1 producer runs loses no acknowledged record', async () => {
  const dataDir = tempDir();
  const first = await spawnBroker(['--data-dir', dataDir]);
  procs.push(first);
  const producer = kafkaFor(first, { retry: { retries: 0 } }).producer();
  await producer.connect();
  const acked: string[] = [];
  let n = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const batch = Array.from({ length: 20 }, () => ({ key: `k${n % 7}`, value: `r${n++}` }));
      try {
        await producer.send({ topic: 'crashy', acks: -1, messages: batch });
        acked.push(...batch.map((m) => m.value));
      } catch {
        return; // the broker is gone: what was not acknowledged may or may not be there
      }
    }
  })();
  await until(() => acked.length >= 2000, 30_000, '2000 acknowledged records');
  first.proc.kill('SIGKILL');
  expect(await first.exited).toBe('SIGKILL');
  stopped = true;
  await loop;
  await producer.disconnect().catch(() => {});

  const second = await spawnBroker(['--data-dir', dataDir]);
  procs.push(second);
  const values = await readAllValues(second.bootstrap, 'crashy', acked.length);
  const have = new Set(values);
  const missing = acked.filter((v) => !have.has(v));
  expect(missing).toEqual([]);
  expect(values.length).toBe(have.size); // nothing stored twice
});

it('truncates a torn last batch at start-up and serves everything before it', async () => {
  const dataDir = tempDir();
  let broker = await startTestBroker({ dataDir });
  const kafka = kafkaFor(broker);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'torn', numPartitions: 1 }] });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  for (let i = 0; i < 5; i++)
    await producer.send({ topic: 'torn', messages: [{ value: `batch${i}-a` }, { value: `batch${i}-b` }] });
  await producer.disconnect();
  await broker.close();

  const dir = path.join(dataDir, 'torn-0');
  const segment = fs.readdirSync(dir).find((f) => f.endsWith('.log'))!;
  const file = path.join(dir, segment);
  fs.truncateSync(file, fs.statSync(file).size - 7); // a write cut short inside the last batch

  broker = await startTestBroker({ dataDir });
  try {
    const seen = await readAllValues(broker.bootstrap, 'torn', 8);
    expect(seen).toEqual([
      'batch0-a',
      'batch0-b',
      'batch1-a',
      'batch1-b',
      'batch2-a',
      'batch2-b',
      'batch3-a',
      'batch3-b',
    ]);
    // appends continue right after the last whole batch
    const again = kafkaFor(broker).producer();
    await again.connect();
    const [res] = await again.send({ topic: 'torn', messages: [{ value: 'after' }] });
    await again.disconnect();
    expect(res.baseOffset).toBe('8');
  } finally {
    await broker.close();
  }
});
