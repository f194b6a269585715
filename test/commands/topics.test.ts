// `evt topics`: create, list, describe, config and delete against an in-process broker.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigSource, type Admin, type Producer } from 'kafkajs';
import type { RunningBroker } from '../../src/broker/broker.js';
import { kafkaFor, startTestBroker } from '../helpers/broker.js';
import { evt, json, sandbox, type Sandbox } from '../helpers/admin.js';

let broker: RunningBroker;
let admin: Admin;
let producer: Producer;
let sb: Sandbox;
const run = (...args: string[]) => evt(['--brokers', broker.bootstrap, ...args], { sb });

beforeAll(async () => {
  broker = await startTestBroker({ inMemory: true, autoCreateTopics: false });
  sb = sandbox();
  const kafka = kafkaFor(broker);
  admin = kafka.admin();
  producer = kafka.producer();
  await Promise.all([admin.connect(), producer.connect()]);
});
afterAll(async () => {
  await Promise.all([admin?.disconnect(), producer?.disconnect()]);
  await broker?.close();
});

type Configs = { topic: string; configs: { name: string; value: string; source: string }[] };

describe('evt topics', () => {
  it('create makes a topic with partitions and configs; an existing one is exit 1 unless --if-not-exists', async () => {
    const r = await run(
      'topics',
      'create',
      'orders',
      '-p',
      '3',
      '--config',
      'retention.ms=86400000',
      '-c',
      'cleanup.policy=delete',
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('created topic orders (3 partitions)\n');
    const meta = await admin.fetchTopicMetadata({ topics: ['orders'] });
    expect(meta.topics[0].partitions).toHaveLength(3);

    const again = await run('topics', 'create', 'orders');
    expect(again.code).toBe(1);
    expect(again.stderr).toBe('evt: topic orders already exists (--if-not-exists accepts that)\n');
    const idem = await run('topics', 'create', 'orders', '--if-not-exists', '--json');
    expect(idem.code).toBe(0);
    expect(json(idem)).toMatchObject({ topic: 'orders', created: false, partitions: 3 });

    const bad = await run('topics', 'create', 'bad name!');
    expect(bad.code).toBe(2);
    const badConfig = await run('topics', 'create', 'x', '--config', 'nonsense');
    expect(badConfig.code).toBe(2);
    expect(badConfig.stderr).toBe('evt: --config: "nonsense" is not name=value\n');
  });

  it('list shows partitions and records (high - low), as a table and as JSON', async () => {
    await run('topics', 'create', 'payments', '-p', '2');
    await producer.send({
      topic: 'orders',
      messages: Array.from({ length: 7 }, (_, i) => ({ partition: i % 3, value: `o${i}` })),
    });
    await producer.send({ topic: 'payments', messages: [{ partition: 1, value: 'p' }] });
    const r = await run('topics', 'list');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^TOPIC\s+PARTITIONS\s+RECORDS$/);
    expect(lines).toContainEqual(expect.stringMatching(/^orders\s+3\s+7$/));
    expect(lines).toContainEqual(expect.stringMatching(/^payments\s+2\s+1$/));
    const j = json(await run('topics', 'list', '--json'));
    expect(j.topics).toEqual(
      expect.arrayContaining([
        { name: 'orders', partitions: 3, records: 7 },
        { name: 'payments', partitions: 2, records: 1 },
      ]),
    );
  });

  it('list hides internal topics (__consumer_offsets) unless --internal', async () => {
    await admin.setOffsets({ groupId: 'lister', topic: 'orders', partitions: [{ partition: 0, offset: '1' }] });
    const names = async (...extra: string[]) =>
      (json(await run('topics', 'list', '--json', ...extra)).topics as Array<{ name: string }>).map((t) => t.name);
    expect(await names()).not.toContain('__consumer_offsets');
    expect(await names()).toContain('orders');
    expect(await names('--internal')).toContain('__consumer_offsets');
  });

  it('describe shows each partition (leader, replicas, isr, offsets, records) and the overridden configs', async () => {
    const r = await run('topics', 'describe', 'orders');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^topic\s+orders$/m);
    expect(r.stdout).toMatch(/^records\s+7$/m);
    expect(r.stdout).toMatch(/^PARTITION\s+LEADER\s+REPLICAS\s+ISR\s+LOW\s+HIGH\s+RECORDS$/m);
    expect(r.stdout).toMatch(/^\s+0\s+1\s+1\s+1\s+0\s+3\s+3$/m);
    expect(r.stdout).toMatch(/^retention\.ms\s+86400000\s+topic$/m);
    expect(r.stdout).not.toMatch(/segment\.bytes/); // defaults only with --all-configs

    const j = json(await run('topics', 'describe', 'orders', '--json'));
    expect(j.records).toBe(7);
    expect(j.partitions).toEqual([
      { partition: 0, leader: 1, replicas: [1], isr: [1], low: 0, high: 3, records: 3 },
      { partition: 1, leader: 1, replicas: [1], isr: [1], low: 0, high: 2, records: 2 },
      { partition: 2, leader: 1, replicas: [1], isr: [1], low: 0, high: 2, records: 2 },
    ]);
    expect(j.configs).toEqual(
      expect.arrayContaining([
        { name: 'retention.ms', value: '86400000', source: 'topic' },
        { name: 'cleanup.policy', value: 'delete', source: 'topic' },
      ]),
    );
    const all = json(await run('topics', 'describe', 'orders', '--all-configs', '--json'));
    expect(all.configs.find((c: { name: string }) => c.name === 'segment.bytes')).toMatchObject({ source: 'default' });
  });

  it('an unknown topic is exit 4 for describe, config and delete', async () => {
    for (const args of [
      ['topics', 'describe', 'nope'],
      ['topics', 'config', 'nope'],
      ['topics', 'config', 'nope', '--set', 'retention.ms=1'],
      ['topics', 'delete', 'nope', '--yes'],
    ]) {
      const r = await run(...args);
      expect(r.code, args.join(' ')).toBe(4);
      expect(r.stderr).toBe('evt: topic "nope" not found\n');
    }
  });

  it('config shows overrides and changes them without losing the ones it does not name', async () => {
    const shown = json<Configs>(await run('topics', 'config', 'orders', '--json'));
    expect(shown.configs.map((c) => c.name).sort()).toEqual(['cleanup.policy', 'retention.ms']);

    const set = await run('topics', 'config', 'orders', '--set', 'max.message.bytes=2048');
    expect(set.code).toBe(0);
    expect(set.stderr).toBe('updated topic orders: set max.message.bytes\n');
    const after = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: 'orders' }] });
    const overrides = Object.fromEntries(
      after.resources[0].configEntries
        .filter((e) => e.configSource === ConfigSource.TOPIC_CONFIG)
        .map((e) => [e.configName, e.configValue]),
    );
    // IncrementalAlterConfigs changed the one config named: the earlier overrides are still there
    expect(overrides).toEqual({ 'retention.ms': '86400000', 'cleanup.policy': 'delete', 'max.message.bytes': '2048' });

    const del = await run(
      'topics',
      'config',
      'orders',
      '--delete',
      'retention.ms',
      '--set',
      'cleanup.policy=compact',
      '--json',
    );
    expect(del.code).toBe(0);
    expect(json<Configs>(del).configs).toEqual([
      { name: 'cleanup.policy', value: 'compact', source: 'topic' },
      { name: 'max.message.bytes', value: '2048', source: 'topic' },
    ]);

    const invalid = await run('topics', 'config', 'orders', '--set', 'no.such.config=1');
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toBe(
      'evt: topic orders: the cluster rejects no.such.config=1 (Unknown topic config name: no.such.config); nothing was changed\n',
    );
    const bad = await run('topics', 'config', 'orders', '--set', 'min.cleanable.dirty.ratio=2');
    expect(bad.stderr).toBe(
      'evt: topic orders: the cluster rejects min.cleanable.dirty.ratio=2 (Invalid value 2.0 for configuration min.cleanable.dirty.ratio: Value must be no more than 1); nothing was changed\n',
    );
    const unchanged = json<Configs>(await run('topics', 'config', 'orders', '--json'));
    expect(unchanged.configs.map((c) => c.name)).toEqual(['cleanup.policy', 'max.message.bytes']);
  });

  it('delete needs --yes without a terminal (exit 2, nothing deleted), and deletes with it', async () => {
    const refused = await run('topics', 'delete', 'payments');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      'evt: refusing to delete topic payments without confirmation: pass --yes (there is no terminal to ask on)\n',
    );
    expect(await admin.listTopics()).toContain('payments');

    // one unknown topic: nothing is deleted
    const partial = await run('topics', 'delete', 'payments', 'ghost', '--yes');
    expect(partial.code).toBe(4);
    expect(await admin.listTopics()).toContain('payments');

    const ok = await run('topics', 'delete', 'payments', '--yes');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe('deleted topic payments\n');
    expect(await admin.listTopics()).not.toContain('payments');
    const gone = await run('topics', 'delete', 'payments', '--yes', '--if-exists');
    expect(gone.code).toBe(0);
  });
});
