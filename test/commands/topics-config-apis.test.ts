// `evt topics config --set/--delete` speaks IncrementalAlterConfigs where the cluster lists it (ApiVersions),
// and AlterConfigs (read, merge, replace) where it does not: a proxy in front of evt broker answers
// ApiVersions without key 44, as a cluster older than Kafka 2.3 does. Either way the overrides not named stay.

import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker/broker.js';
import { API_SPECS, ALTER_CONFIGS, INCREMENTAL_ALTER_CONFIGS } from '../../src/protocol/messages/index.js';
import { startTestBroker } from '../helpers/broker.js';
import { startClusterProxy, type ClusterProxy } from '../helpers/cluster-proxy.js';
import { evt, json, sandbox, type Sandbox } from '../helpers/admin.js';

let broker: RunningBroker;
let proxy: ClusterProxy;
let sb: Sandbox;
const run = (...args: string[]) => evt(['--brokers', proxy.bootstrap, ...args], { sb });

type Configs = { topic: string; configs: { name: string; value: string; source: string }[] };

beforeAll(async () => {
  broker = await startTestBroker({ inMemory: true, autoCreateTopics: false });
  proxy = await startClusterProxy(broker.port, 1);
  sb = sandbox();
});
beforeEach(() => {
  proxy.requests.length = 0;
});
afterAll(async () => {
  await proxy?.close();
  await broker?.close();
});

async function overrides(topic: string): Promise<Record<string, string>> {
  const shown = json<Configs>(await run('topics', 'config', topic, '--json'));
  return Object.fromEntries(shown.configs.map((c) => [c.name, c.value]));
}

it('sends IncrementalAlterConfigs to a cluster that serves it', async () => {
  expect((await run('topics', 'create', 'inc', '-c', 'retention.ms=1000', '-c', 'cleanup.policy=compact')).code).toBe(
    0,
  );
  const r = await run('topics', 'config', 'inc', '--set', 'compression.type=zstd', '--delete', 'retention.ms');
  expect(r.stderr).toBe('updated topic inc: set compression.type, removed retention.ms\n');
  expect(proxy.nodesFor(INCREMENTAL_ALTER_CONFIGS.apiKey)).toEqual([1]);
  expect(proxy.nodesFor(ALTER_CONFIGS.apiKey)).toEqual([]);
  const sent = proxy.requests.find((q) => q.apiKey === INCREMENTAL_ALTER_CONFIGS.apiKey)!.body;
  // SET and DELETE of the two names only: the other override is not sent at all
  expect(sent.resources[0].configs).toEqual([
    { name: 'compression.type', configOperation: 0, value: 'zstd' },
    { name: 'retention.ms', configOperation: 1, value: null },
  ]);
  expect(await overrides('inc')).toEqual({ 'cleanup.policy': 'compact', 'compression.type': 'zstd' });
});

it('falls back to AlterConfigs, merging the current overrides, where ApiVersions does not list it', async () => {
  const old = API_SPECS.filter((s) => s.apiKey !== INCREMENTAL_ALTER_CONFIGS.apiKey);
  proxy.intercept(
    1,
    18,
    () => ({
      errorCode: 0,
      apiKeys: old.map((s) => ({ apiKey: s.apiKey, minVersion: s.minVersion, maxVersion: s.maxVersion })),
      throttleTimeMs: 0,
    }),
    true,
  );
  expect((await run('topics', 'create', 'old', '-c', 'retention.ms=1000', '-c', 'cleanup.policy=compact')).code).toBe(
    0,
  );
  const r = await run('topics', 'config', 'old', '--set', 'max.message.bytes=4096', '--delete', 'retention.ms');
  expect(r.stderr).toBe('updated topic old: set max.message.bytes, removed retention.ms\n');
  expect(proxy.nodesFor(INCREMENTAL_ALTER_CONFIGS.apiKey)).toEqual([]);
  expect(proxy.nodesFor(ALTER_CONFIGS.apiKey)).toEqual([1]);
  const sent = proxy.requests.find((q) => q.apiKey === ALTER_CONFIGS.apiKey)!.body;
  // the whole set: the kept override, the new one
  expect(sent.resources[0].configs).toEqual([
    { name: 'cleanup.policy', value: 'compact' },
    { name: 'max.message.bytes', value: '4096' },
  ]);
  expect(await overrides('old')).toEqual({ 'cleanup.policy': 'compact', 'max.message.bytes': '4096' });

  // a refused value: AlterConfigs says which, and nothing changed
  const bad = await run('topics', 'config', 'old', '--set', 'segment.ms=0');
  expect(bad.code).toBe(1);
  expect(bad.stderr).toBe(
    'evt: topic old: the cluster rejects segment.ms=0 (Invalid value 0 for configuration segment.ms: Value must be at least 1); nothing was changed\n',
  );
  expect(await overrides('old')).toEqual({ 'cleanup.policy': 'compact', 'max.message.bytes': '4096' });
});
