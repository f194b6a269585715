// Test helpers: an in-process broker on a free port with its own temp data dir, and kafkajs clients for it.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kafka, logLevel, type Admin, type KafkaConfig, type Producer } from 'kafkajs';
import { startBroker, type BrokerOptions, type RunningBroker } from '../../src/broker/broker.js';

export function tempDir(prefix = 'evt-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function startTestBroker(options: BrokerOptions = {}): Promise<RunningBroker> {
  return startBroker({
    port: 0,
    dataDir: options.inMemory ? undefined : tempDir(),
    minSessionTimeoutMs: 1000,
    ...options,
  });
}

export function kafkaFor(broker: { bootstrap: string }, extra: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({
    clientId: 'evt-test',
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 5, initialRetryTime: 100 },
    ...extra,
  });
}

export interface BrokerWithClients {
  broker: RunningBroker;
  admin: Admin;
  producer: Producer;
  /** disconnects the clients, then closes the broker */
  close(): Promise<void>;
}

/** A broker of its own with a connected kafkajs admin and producer. */
export async function startBrokerWithClients(options: BrokerOptions = {}): Promise<BrokerWithClients> {
  const broker = await startTestBroker(options);
  const kafka = kafkaFor(broker);
  const admin = kafka.admin();
  await admin.connect();
  const producer = kafka.producer();
  await producer.connect();
  return {
    broker,
    admin,
    producer,
    async close() {
      await producer.disconnect();
      await admin.disconnect();
      await broker.close();
    },
  };
}

export async function until<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
