// All the logs of the broker: topics (persisted in topics.json), their partitions' logs, topic configs,
// retention, the fsync policy, and the data directory lock.
//
// Data directory:
//   .lock                 the pid of the broker using it (see lock.ts)
//   topics.json           { version, topics: [{ name, id, partitions, configs }] } (atomic writes)
//   <topic>-<partition>/  one PartitionLog each (see partition-log.ts)
// Other parts of the broker keep their own files next to these (meta.json, producer ids, groups).
//
// With `dataDir: null` the same code runs on in-memory files (MemoryStorage), without a lock.

import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { ErrorCode, KafkaError } from '../../protocol/error-codes.js';
import { IGNORE_HEALTH, type WriteHealth } from './disk-health.js';
import { DiskStorage, MemoryStorage, type Storage } from './files.js';
import { DataDirLock } from './lock.js';
import { PartitionLog, type FsyncPolicy } from './partition-log.js';
import { applyConfigOps, type ConfigOperation } from './incremental-config.js';
import {
  brokerTopicDefaults,
  describeTopicConfigs,
  effectiveTopicConfig,
  normalizeTopicConfigs,
  partitionLogConfig,
  retentionApplies,
  type ConfigEntry,
  type ConfigValues,
  type TopicConfig,
} from './topic-config.js';

export type { FsyncPolicy } from './partition-log.js';
export type { ConfigOperation } from './incremental-config.js';
export type { ConfigEntry, ConfigValues, TopicConfig } from './topic-config.js';

export interface LogManagerOptions {
  /** where the logs live; null keeps everything in memory */
  dataDir: string | null;
  /** partitions of topics created without a count (auto-created, or CreateTopics with -1) */
  defaultPartitions?: number;
  /** whether unknown topics may be created on first use (read by the broker; see autoCreateTopic) */
  autoCreate?: boolean;
  /** broker-wide topic config defaults (Kafka's where not given) */
  defaults?: Partial<TopicConfig>;
  /** never: fsync at close only; interval: fsync appended partitions every second; always: fsync each append */
  fsync?: FsyncPolicy;
  /** how often retention runs (ms, default 30 s; 0 disables the timer, runRetention() still works) */
  retentionCheckIntervalMs?: number;
  /** the period of the 'interval' fsync policy (ms, default 1 s) */
  flushIntervalMs?: number;
  /** the time retention judges by (Date.now by default; a test's manual clock) */
  now?: () => number;
  /** warnings (recovery truncations, failed background work) */
  log?: (message: string) => void;
  /** told of every failed write and of the writes that work again (see disk-health.ts) */
  health?: WriteHealth;
}

export interface TopicInfo {
  name: string;
  /** 16 random bytes, hex (Kafka's topic id) */
  topicId: string;
  partitions: number;
  /** the topic's config overrides (canonical values) */
  configs: Record<string, string>;
}

export interface CreateTopicOptions {
  /** -1 or undefined: the broker's default */
  numPartitions?: number;
  configs?: Record<string, string | null | undefined>;
}

export type AppendListener = (topic: string, partition: number) => void;

interface TopicState {
  info: TopicInfo;
  logs: PartitionLog[];
}

interface TopicsFile {
  version: 1;
  topics: Array<{ name: string; id: string; partitions: number; configs: Record<string, string> }>;
}

const TOPICS_FILE = 'topics.json';
const MEMORY_ROOT = '/evt-in-memory';
/** no broker needs more; it keeps a typo from creating a million directories */
export const MAX_PARTITIONS = 10000;
const MAX_TOPIC_NAME = 249;
const LEGAL_TOPIC_NAME = /^[a-zA-Z0-9._-]+$/;

/** Kafka's Topic.validate: INVALID_TOPIC_EXCEPTION for names Kafka refuses. */
export function validateTopicName(name: string): void {
  const bad = (why: string): never => {
    throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, `Topic name "${name}" is illegal, ${why}`);
  };
  if (typeof name !== 'string' || name.length === 0) bad("it can't be empty");
  if (name === '.' || name === '..') bad('it cannot be "." or ".."');
  if (name.length > MAX_TOPIC_NAME) bad(`it can't be longer than ${MAX_TOPIC_NAME} characters`);
  if (!LEGAL_TOPIC_NAME.test(name)) bad("it contains a character other than ASCII alphanumerics, '.', '_' and '-'");
}

export class LogManager {
  readonly dataDir: string | null;
  readonly defaultPartitions: number;
  readonly autoCreate: boolean;
  readonly fsync: FsyncPolicy;
  private readonly root: string;
  private readonly storage: Storage;
  /** the topic config defaults the broker sets (its options), under the topic config names */
  readonly brokerDefaults: Readonly<ConfigValues>;
  private readonly warn: (message: string) => void;
  private readonly health: WriteHealth;
  private readonly now: () => number;
  private readonly topicsByName = new Map<string, TopicState>();
  private readonly listeners = new Set<AppendListener>();
  private readonly timers: NodeJS.Timeout[] = [];
  private lock: DataDirLock | null = null;
  private closed = false;

  private constructor(options: LogManagerOptions) {
    this.dataDir = options.dataDir === null ? null : path.resolve(options.dataDir);
    this.root = this.dataDir ?? MEMORY_ROOT;
    this.storage = this.dataDir === null ? new MemoryStorage() : new DiskStorage();
    this.defaultPartitions = options.defaultPartitions ?? 1;
    this.autoCreate = options.autoCreate ?? true;
    this.fsync = options.fsync ?? 'never';
    this.brokerDefaults = brokerTopicDefaults(options.defaults);
    this.warn = options.log ?? (() => {});
    this.health = options.health ?? IGNORE_HEALTH;
    this.now = options.now ?? Date.now;
  }

  /**
   * Locks the data directory, loads topics.json and opens (recovering as needed) every partition log.
   * Throws DataDirInUseError when another live broker holds the directory.
   */
  static open(options: LogManagerOptions): LogManager {
    const m = new LogManager(options);
    m.storage.mkdirp(m.root);
    if (m.dataDir !== null) m.lock = DataDirLock.acquire(m.dataDir);
    try {
      m.loadTopics();
    } catch (err) {
      for (const t of m.topicsByName.values()) for (const log of t.logs) log.close();
      m.lock?.release();
      throw err;
    }
    const retentionEvery = options.retentionCheckIntervalMs ?? 30_000;
    if (retentionEvery > 0) m.every(retentionEvery, () => m.runRetention());
    if (m.fsync === 'interval') m.every(options.flushIntervalMs ?? 1000, () => m.flush());
    return m;
  }

  private every(ms: number, work: () => void): void {
    const timer = setInterval(() => {
      try {
        work();
      } catch (err) {
        this.warn(`background log work failed: ${(err as Error).message}`);
      }
    }, ms);
    timer.unref();
    this.timers.push(timer);
  }

  // ---------------------------------------------------------------------------------------------- topics

  topic(name: string): Readonly<TopicInfo> | undefined {
    return this.topicsByName.get(name)?.info;
  }

  topics(): Readonly<TopicInfo>[] {
    return [...this.topicsByName.values()].map((t) => t.info);
  }

  /** The log of a partition, or undefined when the topic or partition does not exist. */
  partition(topic: string, index: number): PartitionLog | undefined {
    const t = this.topicsByName.get(topic);
    if (!t || !Number.isInteger(index) || index < 0) return undefined;
    return t.logs[index];
  }

  /** The effective config of a topic (defaults plus overrides). */
  topicConfig(name: string): TopicConfig {
    return effectiveTopicConfig(this.brokerDefaults, this.requireTopic(name).info.configs);
  }

  /** Everything createTopic checks, without creating anything (CreateTopics validateOnly). */
  validateTopic(name: string, options: CreateTopicOptions = {}): void {
    this.checkNewTopic(name, options);
  }

  private checkNewTopic(
    name: string,
    options: CreateTopicOptions,
  ): { numPartitions: number; configs: Record<string, string> } {
    this.checkOpen();
    validateTopicName(name);
    if (this.topicsByName.has(name))
      throw new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${name}' already exists.`);
    // '.' and '_' collide in metric names, so Kafka refuses topics that differ only by them
    const folded = name.replace(/\./g, '_');
    for (const other of this.topicsByName.keys()) {
      if (other.replace(/\./g, '_') === folded) {
        throw new KafkaError(
          ErrorCode.INVALID_TOPIC_EXCEPTION,
          `Topic '${name}' collides with existing topic: ${other}`,
        );
      }
    }
    const requested = options.numPartitions;
    const numPartitions = requested === undefined || requested === -1 ? this.defaultPartitions : requested;
    if (!Number.isInteger(numPartitions) || numPartitions < 1) {
      throw new KafkaError(
        ErrorCode.INVALID_PARTITIONS,
        `Number of partitions must be larger than 0, got ${requested}.`,
      );
    }
    if (numPartitions > MAX_PARTITIONS) {
      throw new KafkaError(
        ErrorCode.INVALID_PARTITIONS,
        `Number of partitions ${numPartitions} exceeds this broker's limit of ${MAX_PARTITIONS}.`,
      );
    }
    return { numPartitions, configs: normalizeTopicConfigs(options.configs, this.brokerDefaults) };
  }

  /** Creates a topic with empty partitions. Throws INVALID_TOPIC_EXCEPTION, TOPIC_ALREADY_EXISTS, INVALID_PARTITIONS, INVALID_CONFIG. */
  createTopic(name: string, options: CreateTopicOptions = {}): Readonly<TopicInfo> {
    const { numPartitions, configs } = this.checkNewTopic(name, options);
    const info: TopicInfo = { name, topicId: randomBytes(16).toString('hex'), partitions: numPartitions, configs };
    const state: TopicState = { info, logs: [] };
    try {
      for (let p = 0; p < numPartitions; p++) state.logs.push(this.openPartition(info, p, true));
    } catch (err) {
      for (const log of state.logs) log.destroy();
      this.health.failed(`${name}-${state.logs.length}`, err);
      throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `cannot create topic ${name}: ${(err as Error).message}`);
    }
    this.topicsByName.set(name, state);
    this.saveTopics(`cannot create topic ${name}`, () => {
      this.topicsByName.delete(name);
      for (const log of state.logs) log.destroy();
    });
    return info;
  }

  /** The topic, created with the default partition count when it is missing and auto-creation is on. */
  autoCreateTopic(name: string): Readonly<TopicInfo> | undefined {
    const existing = this.topic(name);
    if (existing || !this.autoCreate) return existing;
    return this.createTopic(name);
  }

  /** Deletes a topic and its data. UNKNOWN_TOPIC_OR_PARTITION when missing. */
  deleteTopic(name: string): void {
    this.checkOpen();
    const t = this.requireTopic(name);
    this.topicsByName.delete(name);
    this.saveTopics(`cannot delete topic ${name}`, () => this.topicsByName.set(name, t));
    for (const log of t.logs) {
      try {
        log.destroy();
      } catch (err) {
        this.warn(`deleting ${log.dir} failed: ${(err as Error).message}`);
      }
    }
  }

  /** CreatePartitions validateOnly: UNKNOWN_TOPIC_OR_PARTITION, or INVALID_PARTITIONS unless `total` is larger. */
  validatePartitionCount(name: string, total: number): void {
    this.checkOpen();
    const t = this.requireTopic(name);
    if (!Number.isInteger(total) || total <= t.info.partitions) {
      throw new KafkaError(
        ErrorCode.INVALID_PARTITIONS,
        `Topic currently has ${t.info.partitions} partitions, which is higher than or equal to the requested ${total}.`,
      );
    }
    if (total > MAX_PARTITIONS)
      throw new KafkaError(
        ErrorCode.INVALID_PARTITIONS,
        `${total} partitions exceed this broker's limit of ${MAX_PARTITIONS}.`,
      );
  }

  /** Grows a topic to `total` partitions. */
  createPartitions(name: string, total: number): void {
    this.validatePartitionCount(name, total);
    const t = this.requireTopic(name);
    const added: PartitionLog[] = [];
    try {
      for (let p = t.info.partitions; p < total; p++) added.push(this.openPartition(t.info, p, true));
    } catch (err) {
      for (const log of added) log.destroy();
      this.health.failed(`${name}-${t.info.partitions + added.length}`, err);
      throw new KafkaError(
        ErrorCode.KAFKA_STORAGE_ERROR,
        `cannot add partitions to ${name}: ${(err as Error).message}`,
      );
    }
    const before = t.info.partitions;
    t.logs.push(...added);
    t.info.partitions = total;
    this.saveTopics(`cannot add partitions to ${name}`, () => {
      t.logs.length = before;
      t.info.partitions = before;
      for (const log of added) log.destroy();
    });
  }

  // ---------------------------------------------------------------------------------------------- configs

  /** Every supported config of a topic with its value (DescribeConfigs). UNKNOWN_TOPIC_OR_PARTITION when missing. */
  describeConfigs(name: string): ConfigEntry[] {
    return describeTopicConfigs(this.brokerDefaults, this.requireTopic(name).info.configs);
  }

  /**
   * AlterConfigs: the given configs become the topic's overrides, and every config not given returns to its
   * default (replace semantics, as the legacy AlterConfigs API has). INVALID_CONFIG for unknown names or
   * bad values, in which case nothing changes.
   */
  alterConfigs(
    name: string,
    entries: Record<string, string | null | undefined>,
    options: { validateOnly?: boolean } = {},
  ): void {
    this.checkOpen();
    this.replaceConfigs(name, normalizeTopicConfigs(entries, this.brokerDefaults), options);
  }

  /**
   * IncrementalAlterConfigs: SET, DELETE, APPEND or SUBTRACT the configs named, the other overrides stay.
   * INVALID_CONFIG / INVALID_REQUEST (nothing changes) as applyConfigOps and normalizeTopicConfigs say.
   */
  incrementalAlterConfigs(
    name: string,
    ops: readonly ConfigOperation[],
    options: { validateOnly?: boolean } = {},
  ): void {
    this.checkOpen();
    const t = this.requireTopic(name);
    const entries = applyConfigOps(t.info.configs, this.brokerDefaults, ops);
    this.replaceConfigs(name, normalizeTopicConfigs(entries, this.brokerDefaults), options);
  }

  private replaceConfigs(name: string, configs: ConfigValues, options: { validateOnly?: boolean }): void {
    const t = this.requireTopic(name);
    if (options.validateOnly) return;
    const previous = t.info.configs;
    t.info.configs = configs;
    // stored before it applies: configs that could not be stored would be lost at the next start
    this.saveTopics(`cannot store the configs of ${name}`, () => (t.info.configs = previous));
    const logConfig = partitionLogConfig(effectiveTopicConfig(this.brokerDefaults, configs));
    for (const log of t.logs) log.configure(logConfig);
  }

  // ---------------------------------------------------------------------------------------------- events

  /** Calls `listener` after every append to any partition; returns a function that unregisters it. */
  onAppend(listener: AppendListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emitAppend(topic: string, partition: number): void {
    for (const listener of this.listeners) {
      try {
        listener(topic, partition);
      } catch (err) {
        this.warn(`append listener failed: ${(err as Error).message}`);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------- upkeep

  /**
   * One retention pass over every topic whose cleanup.policy includes delete (runs every 30 s by itself).
   * Returns the number of segments deleted.
   */
  runRetention(now = this.now()): number {
    if (this.closed) return 0;
    let deleted = 0;
    for (const t of this.topicsByName.values()) {
      const c = effectiveTopicConfig(this.brokerDefaults, t.info.configs);
      if (!retentionApplies(c)) continue;
      for (const log of t.logs) {
        try {
          deleted += log.applyRetention(now, c.retentionMs, c.retentionBytes);
        } catch (err) {
          this.warn(`retention of ${log.name} failed: ${(err as Error).message}`);
        }
      }
    }
    return deleted;
  }

  /** fsyncs every partition appended to since its last flush. */
  flush(): void {
    if (this.closed) return;
    let first: Error | undefined;
    for (const t of this.topicsByName.values()) {
      for (const log of t.logs) {
        if (!log.needsFlush) continue;
        try {
          log.flush();
        } catch (err) {
          first ??= err as Error; // one failing partition must not keep the others from being flushed
        }
      }
    }
    if (first) throw first;
  }

  /** Flushes and closes every log (each writes its clean-shutdown marker) and releases the lock. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearInterval(timer);
    let first: Error | undefined;
    for (const t of this.topicsByName.values()) {
      for (const log of t.logs) {
        try {
          log.close();
        } catch (err) {
          first ??= err as Error;
          this.warn(`closing ${log.name} failed: ${(err as Error).message}`);
        }
      }
    }
    this.lock?.release();
    this.lock = null;
    if (first) throw first;
  }

  // ---------------------------------------------------------------------------------------------- internals

  private checkOpen(): void {
    if (this.closed) throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, 'the log manager is closed');
  }

  private requireTopic(name: string): TopicState {
    const t = this.topicsByName.get(name);
    if (!t) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `This server does not host this topic: ${name}`);
    return t;
  }

  private partitionDir(topic: string, partition: number): string {
    return path.join(this.root, `${topic}-${partition}`);
  }

  private openPartition(info: TopicInfo, partition: number, fresh: boolean): PartitionLog {
    const dir = this.partitionDir(info.name, partition);
    // A new partition must not pick up the files of a deleted topic of the same name that a crash left behind.
    if (fresh) this.storage.removeDir(dir);
    return PartitionLog.open({
      dir,
      storage: this.storage,
      config: partitionLogConfig(effectiveTopicConfig(this.brokerDefaults, info.configs)),
      fsync: this.fsync,
      name: `${info.name}-${partition}`,
      log: this.warn,
      health: this.health,
      onAppend: () => this.emitAppend(info.name, partition),
    });
  }

  private loadTopics(): void {
    const file = path.join(this.root, TOPICS_FILE);
    const raw = this.storage.readFile(file);
    if (!raw) return;
    let parsed: TopicsFile;
    try {
      parsed = JSON.parse(raw.toString('utf8')) as TopicsFile;
    } catch (err) {
      throw new Error(`${file} is not valid JSON (${(err as Error).message}); fix or remove it`);
    }
    if (!parsed || !Array.isArray(parsed.topics)) throw new Error(`${file} has no topics list; fix or remove it`);
    let repaired = false;
    for (const entry of parsed.topics) {
      if (typeof entry?.name !== 'string' || !Number.isInteger(entry.partitions) || entry.partitions < 1) {
        throw new Error(`${file} holds an invalid topic entry ${JSON.stringify(entry)}`);
      }
      let configs: Record<string, string>;
      try {
        configs = normalizeTopicConfigs(entry.configs ?? {});
      } catch (err) {
        this.warn(`topic ${entry.name}: ignoring stored configs (${(err as Error).message})`);
        configs = {};
        repaired = true;
      }
      const validId = typeof entry.id === 'string' && /^[0-9a-f]{32}$/.test(entry.id);
      if (!validId) repaired = true;
      const info: TopicInfo = {
        name: entry.name,
        topicId: validId ? entry.id : randomBytes(16).toString('hex'),
        partitions: entry.partitions,
        configs,
      };
      const state: TopicState = { info, logs: [] };
      this.topicsByName.set(info.name, state);
      for (let p = 0; p < info.partitions; p++) state.logs.push(this.openPartition(info, p, false));
    }
    if (repaired) this.writeTopics();
  }

  /**
   * Writes topics.json after a change made in memory; when it cannot be written, `undo` takes the change
   * back (a topic that is not in the file would vanish at the next start) and the request gets
   * KAFKA_STORAGE_ERROR.
   */
  private saveTopics(what: string, undo: () => void): void {
    try {
      this.writeTopics();
    } catch (err) {
      undo();
      this.health.failed(TOPICS_FILE, err);
      throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `${what}: ${(err as Error).message}`);
    }
    this.health.succeeded(TOPICS_FILE);
  }

  private writeTopics(): void {
    const doc: TopicsFile = {
      version: 1,
      topics: [...this.topicsByName.values()].map(({ info }) => ({
        name: info.name,
        id: info.topicId,
        partitions: info.partitions,
        configs: info.configs,
      })),
    };
    this.storage.writeFileAtomic(path.join(this.root, TOPICS_FILE), JSON.stringify(doc, null, 2) + '\n');
  }
}

/** The topic id as the 16 bytes the protocol's uuid fields carry. */
export function topicIdBytes(topicId: string): Buffer {
  return Buffer.from(topicId, 'hex');
}

// re-exported for callers that only import the manager
export { PartitionLog } from './partition-log.js';
export { DataDirInUseError } from './lock.js';
