import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LogManager, type LogManagerOptions } from '../../../src/broker/log/log-manager.js';
import { ConfigSource } from '../../../src/broker/log/topic-config.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { buildBatch, decode, kafkaCode, removeTempDirs, tempDir, values } from './helpers.js';

const open: LogManager[] = [];
function manager(options: Partial<LogManagerOptions> & { dataDir: string | null }): LogManager {
  const m = LogManager.open({ defaultPartitions: 2, retentionCheckIntervalMs: 0, ...options });
  open.push(m);
  return m;
}

afterEach(() => {
  for (const m of open.splice(0)) m.close();
  removeTempDirs();
});

describe('data dir lock', () => {
  it('refuses a second broker on the same directory, with a clear message', () => {
    const dir = tempDir();
    const first = manager({ dataDir: dir });
    expect(fs.readFileSync(path.join(dir, '.lock'), 'utf8').trim()).toBe(String(process.pid));
    expect(() => LogManager.open({ dataDir: dir })).toThrow(
      `data dir ${fs.realpathSync(dir)} is in use by another evt broker (pid ${process.pid})`,
    );
    first.close();
    expect(fs.existsSync(path.join(dir, '.lock'))).toBe(false);
    manager({ dataDir: dir });
  });

  it('refuses a directory locked by another live process', async () => {
    const dir = tempDir();
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => child.once('spawn', resolve));
      fs.writeFileSync(path.join(dir, '.lock'), `${child.pid}\n`);
      expect(() => LogManager.open({ dataDir: dir })).toThrow(/is in use by another evt broker \(pid \d+\)/);
      expect(() => LogManager.open({ dataDir: dir })).toThrow(`(pid ${child.pid})`);
    } finally {
      child.kill();
    }
  });

  it('takes over a stale lock left by a dead process', () => {
    const dir = tempDir();
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    fs.writeFileSync(path.join(dir, '.lock'), `${dead}\n`);
    manager({ dataDir: dir });
    expect(fs.readFileSync(path.join(dir, '.lock'), 'utf8').trim()).toBe(String(process.pid));
  });

  it('takes over a lock carrying its own pid from a previous life', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, '.lock'), `${process.pid}\n`);
    manager({ dataDir: dir });
  });
});

describe('topics', () => {
  it('persists topics with their ids, partition counts and configs in topics.json', () => {
    const dir = tempDir();
    const m = manager({ dataDir: dir });
    const created = m.createTopic('orders', {
      numPartitions: 3,
      configs: { 'retention.ms': '60000', 'cleanup.policy': 'compact, delete' },
    });
    m.createTopic('events');
    expect(created.topicId).toMatch(/^[0-9a-f]{32}$/);
    m.partition('orders', 1)!.append(buildBatch(values(0, 3)));
    m.close();

    const stored = JSON.parse(fs.readFileSync(path.join(dir, 'topics.json'), 'utf8'));
    expect(stored.topics).toEqual([
      {
        name: 'orders',
        id: created.topicId,
        partitions: 3,
        configs: { 'retention.ms': '60000', 'cleanup.policy': 'compact,delete' },
      },
      { name: 'events', id: expect.stringMatching(/^[0-9a-f]{32}$/), partitions: 2, configs: {} },
    ]);
    expect(fs.existsSync(path.join(dir, 'orders-2'))).toBe(true);

    const again = manager({ dataDir: dir });
    expect(again.topics().map((t) => t.name)).toEqual(['orders', 'events']);
    expect(again.topic('orders')).toEqual({
      name: 'orders',
      topicId: created.topicId,
      partitions: 3,
      configs: { 'retention.ms': '60000', 'cleanup.policy': 'compact,delete' },
    });
    expect(again.topicConfig('orders').retentionMs).toBe(60000);
    expect(decode(again.partition('orders', 1)!.read(0, 1000).records).map((r) => r.value)).toEqual(['v0', 'v1', 'v2']);
    expect(again.partition('orders', 3)).toBeUndefined();
    expect(again.partition('nope', 0)).toBeUndefined();
  });

  it('answers Kafka error codes for bad topic creations', () => {
    const m = manager({ dataDir: tempDir() });
    m.createTopic('a.b');
    expect(kafkaCode(() => m.createTopic('a.b'))).toBe(ErrorCode.TOPIC_ALREADY_EXISTS);
    for (const bad of ['', '.', '..', 'has space', 'x'.repeat(250), 'ünï', 'a/b']) {
      expect(
        kafkaCode(() => m.createTopic(bad)),
        bad,
      ).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    }
    expect(kafkaCode(() => m.createTopic('a_b'))).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    m.createTopic('x'.repeat(249), { numPartitions: 1 });
    expect(kafkaCode(() => m.createTopic('p', { numPartitions: 0 }))).toBe(ErrorCode.INVALID_PARTITIONS);
    expect(kafkaCode(() => m.createTopic('p', { configs: { 'no.such.config': '1' } }))).toBe(ErrorCode.INVALID_CONFIG);
    for (const [name, value] of [
      ['retention.ms', 'abc'],
      ['retention.ms', '-2'],
      ['segment.bytes', '10'],
      ['segment.bytes', '4294967296'],
      ['cleanup.policy', 'shred'],
      ['message.timestamp.type', 'WallTime'],
      ['min.insync.replicas', '0'],
      ['max.message.bytes', '1.5'],
    ]) {
      expect(
        kafkaCode(() => m.createTopic('p', { configs: { [name]: value } })),
        `${name}=${value}`,
      ).toBe(ErrorCode.INVALID_CONFIG);
    }
    expect(m.topic('p')).toBeUndefined();
    m.validateTopic('p', { numPartitions: 4 });
    expect(m.topic('p')).toBeUndefined();
    expect(m.createTopic('p', { numPartitions: -1 }).partitions).toBe(2);
  });

  it('grows partitions, never shrinks them', () => {
    const dir = tempDir();
    const m = manager({ dataDir: dir });
    m.createTopic('t', { numPartitions: 3 });
    expect(kafkaCode(() => m.createPartitions('t', 2))).toBe(ErrorCode.INVALID_PARTITIONS);
    expect(kafkaCode(() => m.createPartitions('t', 3))).toBe(ErrorCode.INVALID_PARTITIONS);
    expect(kafkaCode(() => m.createPartitions('nope', 5))).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    m.validatePartitionCount('t', 5);
    expect(m.topic('t')!.partitions).toBe(3);
    m.createPartitions('t', 5);
    expect(m.topic('t')!.partitions).toBe(5);
    expect(m.partition('t', 4)!.append(buildBatch(values(0, 1))).baseOffset).toBe(0);
    m.close();
    expect(manager({ dataDir: dir }).topic('t')!.partitions).toBe(5);
  });

  it('deletes a topic and its data; the name can be reused from scratch', () => {
    const dir = tempDir();
    const m = manager({ dataDir: dir });
    m.createTopic('gone', { numPartitions: 1 });
    const log = m.partition('gone', 0)!;
    log.append(buildBatch(values(0, 5)));
    m.deleteTopic('gone');
    expect(m.topic('gone')).toBeUndefined();
    expect(m.partition('gone', 0)).toBeUndefined();
    expect(fs.existsSync(path.join(dir, 'gone-0'))).toBe(false);
    expect(kafkaCode(() => log.read(0, 100))).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(kafkaCode(() => m.deleteTopic('gone'))).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    m.createTopic('gone', { numPartitions: 1 });
    expect(m.partition('gone', 0)!.highWatermark).toBe(0);
  });

  it('auto-creates topics only when allowed', () => {
    const on = manager({ dataDir: null, autoCreate: true });
    expect(on.autoCreateTopic('new')!.partitions).toBe(2);
    const off = manager({ dataDir: null, autoCreate: false });
    expect(off.autoCreateTopic('new')).toBeUndefined();
  });
});

describe('topic configs', () => {
  it('describes every supported config, its value and whether it is a default', () => {
    const m = manager({ dataDir: null, defaults: { retentionMs: 3600000 } });
    m.createTopic('t', { configs: { 'segment.bytes': '2048' } });
    const entries = m.describeConfigs('t');
    expect(entries.map((e) => e.name)).toEqual(
      expect.arrayContaining([
        'retention.ms',
        'retention.bytes',
        'segment.bytes',
        'segment.ms',
        'cleanup.policy',
        'max.message.bytes',
        'message.timestamp.type',
        'min.insync.replicas',
      ]),
    );
    const byName = Object.fromEntries(entries.map((e) => [e.name, e]));
    expect(byName['segment.bytes']).toMatchObject({
      name: 'segment.bytes',
      value: '2048',
      source: ConfigSource.DYNAMIC_TOPIC_CONFIG,
      readOnly: false,
      isSensitive: false,
      type: 'INT',
    });
    // the broker's own default (its --retention) is a static broker config, under Kafka's broker name
    expect(byName['retention.ms']).toMatchObject({ value: '3600000', source: ConfigSource.STATIC_BROKER_CONFIG });
    expect(byName['retention.ms'].synonyms).toEqual([
      { name: 'log.retention.ms', value: '3600000', source: ConfigSource.STATIC_BROKER_CONFIG },
      { name: 'log.retention.ms', value: '604800000', source: ConfigSource.DEFAULT_CONFIG },
    ]);
    expect(byName['max.message.bytes']).toMatchObject({ value: '1048588', source: ConfigSource.DEFAULT_CONFIG });
    expect(byName['cleanup.policy']).toMatchObject({ value: 'delete', source: ConfigSource.DEFAULT_CONFIG });
    expect(kafkaCode(() => m.describeConfigs('nope'))).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('alters configs with replace semantics and applies them to the partitions', () => {
    const dir = tempDir();
    const m = manager({ dataDir: dir });
    m.createTopic('t', { numPartitions: 1, configs: { 'retention.ms': '1000', 'max.message.bytes': '100000' } });
    m.alterConfigs('t', { 'max.message.bytes': '200' });
    expect(m.topic('t')!.configs).toEqual({ 'max.message.bytes': '200' });
    const log = m.partition('t', 0)!;
    expect(kafkaCode(() => log.append(buildBatch(values(0, 1, { size: 300 }))))).toBe(ErrorCode.MESSAGE_TOO_LARGE);
    // invalid: nothing changes
    expect(kafkaCode(() => m.alterConfigs('t', { 'max.message.bytes': '300', 'retention.ms': 'soon' }))).toBe(
      ErrorCode.INVALID_CONFIG,
    );
    expect(m.topic('t')!.configs).toEqual({ 'max.message.bytes': '200' });
    // validateOnly: nothing changes
    m.alterConfigs('t', { 'segment.ms': '5000' }, { validateOnly: true });
    expect(m.topic('t')!.configs).toEqual({ 'max.message.bytes': '200' });
    m.alterConfigs('t', {});
    expect(log.append(buildBatch(values(0, 1, { size: 300 }))).baseOffset).toBe(0);
    m.alterConfigs('t', { 'message.timestamp.type': 'LogAppendTime' });
    m.close();
    const again = manager({ dataDir: dir });
    expect(again.describeConfigs('t').find((e) => e.name === 'message.timestamp.type')).toMatchObject({
      value: 'LogAppendTime',
      source: ConfigSource.DYNAMIC_TOPIC_CONFIG,
    });
    expect(
      again.partition('t', 0)!.append(buildBatch([{ value: 'x', timestamp: 1 }]), { now: 777 }).logAppendTime,
    ).toBe(777);
  });
});

describe('retention, fsync and listeners', () => {
  it('runs retention on delete topics only', () => {
    const m = manager({ dataDir: tempDir(), defaults: { segmentBytes: 200, retentionBytes: 200, retentionMs: -1 } });
    m.createTopic('d', { numPartitions: 1 });
    m.createTopic('c', { numPartitions: 1, configs: { 'cleanup.policy': 'compact' } });
    for (const t of ['d', 'c']) {
      const log = m.partition(t, 0)!;
      for (let i = 0; i < 6; i++) log.append(buildBatch(values(i, 1, { size: 120 })));
    }
    expect(m.partition('d', 0)!.segmentInfos().length).toBe(6);
    expect(m.runRetention()).toBe(4);
    expect(
      m
        .partition('d', 0)!
        .segmentInfos()
        .map((s) => s.baseOffset),
    ).toEqual([4, 5]);
    expect(m.partition('d', 0)!.logStartOffset).toBe(4);
    expect(m.partition('c', 0)!.segmentInfos().length).toBe(6);
  });

  it('calls append listeners with the topic and partition', () => {
    const m = manager({ dataDir: null });
    m.createTopic('t');
    const seen: Array<[string, number]> = [];
    const off = m.onAppend((t, p) => seen.push([t, p]));
    m.partition('t', 1)!.append(buildBatch(values(0, 1)));
    off();
    m.partition('t', 0)!.append(buildBatch(values(0, 1)));
    expect(seen).toEqual([['t', 1]]);
  });

  it('flushes appended partitions under the interval policy', async () => {
    const m = manager({ dataDir: tempDir(), fsync: 'interval', flushIntervalMs: 20 });
    m.createTopic('t', { numPartitions: 1 });
    const log = m.partition('t', 0)!;
    log.append(buildBatch(values(0, 1)));
    expect(log.needsFlush).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    expect(log.needsFlush).toBe(false);
  });

  it('works with fsync=always', () => {
    const dir = tempDir();
    const m = manager({ dataDir: dir, fsync: 'always' });
    m.createTopic('t', { numPartitions: 1 });
    for (let i = 0; i < 3; i++) m.partition('t', 0)!.append(buildBatch(values(i, 1)));
    m.close();
    expect(decode(manager({ dataDir: dir }).partition('t', 0)!.read(0, 1000).records).map((r) => r.value)).toEqual([
      'v0',
      'v1',
      'v2',
    ]);
  });
});

describe('in-memory mode', () => {
  it('works the same without touching the disk', () => {
    const m = manager({ dataDir: null, defaults: { segmentBytes: 300 } });
    m.createTopic('t', { numPartitions: 1, configs: { 'retention.bytes': '300' } });
    const log = m.partition('t', 0)!;
    for (let i = 0; i < 8; i++) log.append(buildBatch(values(i, 1, { size: 100, timestamp: 1000 + i })));
    expect(log.segmentInfos().length).toBeGreaterThan(2);
    expect(decode(log.read(3, 150).records).map((r) => r.value?.slice(0, 3))).toEqual(['v3:']);
    expect(log.offsetForTimestamp(1005)).toEqual({ offset: 5, timestamp: 1005 });
    expect(m.runRetention()).toBeGreaterThan(0);
    expect(log.logStartOffset).toBeGreaterThan(0);
    expect(log.highWatermark).toBe(8);
    // another in-memory manager shares nothing
    expect(manager({ dataDir: null }).topic('t')).toBeUndefined();
  });
});
