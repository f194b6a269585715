// `evt status`: the cluster's brokers, id, controller and counts; `--wait` for a broker that starts later.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker/broker.js';
import { kafkaFor, startTestBroker } from '../helpers/broker.js';
import { evt, json, sandbox } from '../helpers/admin.js';
import { unusedPort } from '../helpers/ports.js';

let broker: RunningBroker;
beforeAll(async () => {
  broker = await startTestBroker({ inMemory: true });
  const admin = kafkaFor(broker).admin();
  await admin.connect();
  await admin.createTopics({
    topics: [
      { topic: 'a', numPartitions: 1 },
      { topic: 'b', numPartitions: 2 },
    ],
  });
  await admin.setOffsets({ groupId: 'g1', topic: 'a', partitions: [{ partition: 0, offset: '0' }] });
  await admin.disconnect();
});
afterAll(async () => {
  await broker?.close();
});

it('prints the cluster id, controller, brokers and topic and group counts', async () => {
  const sb = sandbox();
  const r = await evt(['--brokers', broker.bootstrap, 'status'], { sb });
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^cluster\s+\S+$/m);
  expect(r.stdout).toMatch(/^controller\s+1$/m);
  expect(r.stdout).toMatch(/^topics\s+2$/m);
  expect(r.stdout).toMatch(/^groups\s+1$/m);
  expect(r.stdout).toMatch(new RegExp(`^\\s*1\\s+127\\.0\\.0\\.1:${broker.port}\\s+controller$`, 'm'));

  const j = json(await evt(['--brokers', broker.bootstrap, 'status', '--json'], { sb }));
  expect(j).toEqual({
    clusterId: broker.state.clusterId,
    controller: 1,
    brokers: [{ nodeId: 1, host: '127.0.0.1', port: broker.port, controller: true }],
    topics: 2,
    groups: 1,
  });
});

it('--wait waits for a broker that starts later', async () => {
  const sb = sandbox();
  const port = await unusedPort();
  const waiting = evt(['--brokers', `127.0.0.1:${port}`, '--timeout', '1s', 'status', '--wait', '30s', '--json'], {
    sb,
    timeoutMs: 45_000,
  });
  await new Promise((r) => setTimeout(r, 2500));
  const late = await startTestBroker({ inMemory: true, port });
  try {
    const r = await waiting;
    expect(r.code, r.stderr).toBe(0);
    expect(json(r).brokers).toEqual([{ nodeId: 1, host: '127.0.0.1', port, controller: true }]);
  } finally {
    await late.close();
  }
});

it('--wait gives up with exit 3 when the time passes', async () => {
  const sb = sandbox();
  const port = await unusedPort();
  const r = await evt(['--brokers', `127.0.0.1:${port}`, 'status', '--wait', '2s'], { sb });
  expect(r.code).toBe(3);
  expect(r.stderr).toBe(
    `evt: the cluster at 127.0.0.1:${port} (from --brokers) did not answer within 2s (--wait): connection refused\n`,
  );
});
