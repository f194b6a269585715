// Topic-level configs: which ones this broker knows, how their values are checked, their defaults, and how
// they are described. A topic stores only its overrides (as Kafka does); the effective value of anything
// else is the broker default, which is Kafka's default unless `evt broker` flags changed it.

import { ErrorCode, KafkaError } from '../../protocol/error-codes.js';
import type { TimestampType } from './batch.js';
import type { PartitionLogConfig } from './partition-log.js';

export interface TopicConfig {
  /** retention.ms: delete sealed segments whose newest record is older; -1 keeps everything */
  retentionMs: number;
  /** retention.bytes: per partition; negative means no size limit */
  retentionBytes: number;
  /** segment.bytes */
  segmentBytes: number;
  /** segment.ms */
  segmentMs: number;
  /** max.message.bytes: the largest record batch accepted */
  maxMessageBytes: number;
  /** index.interval.bytes */
  indexIntervalBytes: number;
  /**
   * cleanup.policy: "delete", "compact" or "compact,delete". With compact the log cleaner keeps the latest
   * record per key (cleaner.ts); a compact-only topic is not deleted by time or size, as in Kafka.
   */
  cleanupPolicy: string;
  /** delete.retention.ms: how long tombstones stay after the clean that first kept them */
  deleteRetentionMs: number;
  /** min.cleanable.dirty.ratio: the share of the log not yet cleaned that makes it worth cleaning */
  minCleanableDirtyRatio: number;
  /** min.compaction.lag.ms: records younger than this are not compacted */
  minCompactionLagMs: number;
  /** max.compaction.lag.ms: records older than this are compacted whatever the dirty ratio */
  maxCompactionLagMs: number;
  /** message.timestamp.type: CreateTime, or LogAppendTime (the broker stamps each batch on append) */
  messageTimestampType: TimestampType;
  /** min.insync.replicas: stored only; a single broker is always the whole ISR */
  minInsyncReplicas: number;
}

export const KAFKA_TOPIC_DEFAULTS: TopicConfig = {
  retentionMs: 7 * 24 * 3600 * 1000,
  retentionBytes: -1,
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * 24 * 3600 * 1000,
  maxMessageBytes: 1048588,
  indexIntervalBytes: 4096,
  cleanupPolicy: 'delete',
  deleteRetentionMs: 24 * 3600 * 1000,
  minCleanableDirtyRatio: 0.5,
  minCompactionLagMs: 0,
  maxCompactionLagMs: Number.MAX_SAFE_INTEGER,
  messageTimestampType: 'CreateTime',
  minInsyncReplicas: 1,
};

/** One described config, in the shape DescribeConfigs answers. */
export interface ConfigEntry {
  name: string;
  value: string;
  /** true when the topic has no override (the value is the broker's default) */
  isDefault: boolean;
  readOnly: boolean;
  isSensitive: boolean;
}

const INT32_MAX = 0x7fffffff;

function invalid(name: string, value: string, why: string): never {
  throw new KafkaError(ErrorCode.INVALID_CONFIG, `Invalid value ${value} for configuration ${name}: ${why}`);
}

function integer(min: number, max: number) {
  return (name: string, value: string): string => {
    const v = value.trim();
    if (!/^-?\d+$/.test(v)) invalid(name, value, 'not a number');
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n > max) invalid(name, value, `must be at most ${max}`);
    if (n < min) invalid(name, value, `must be at least ${min}`);
    return String(n);
  };
}

function decimal(min: number, max: number) {
  return (name: string, value: string): string => {
    const v = value.trim();
    if (!/^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(v)) invalid(name, value, 'not a number');
    const n = Number(v);
    if (n < min || n > max) invalid(name, value, `must be between ${min} and ${max}`);
    return String(n);
  };
}

function oneOf(values: readonly string[]) {
  return (name: string, value: string): string => {
    const v = value.trim();
    if (!values.includes(v)) invalid(name, value, `must be one of ${values.join(', ')}`);
    return v;
  };
}

function listOf(values: readonly string[]) {
  return (name: string, value: string): string => {
    const items = value
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    if (items.length === 0) invalid(name, value, 'must not be empty');
    for (const item of items)
      if (!values.includes(item)) invalid(name, value, `each item must be one of ${values.join(', ')}`);
    return [...new Set(items)].join(',');
  };
}

interface ConfigDef {
  name: string;
  key: keyof TopicConfig;
  /** checks a value and returns it in canonical form; throws INVALID_CONFIG */
  check: (name: string, value: string) => string;
}

const DEFS: readonly ConfigDef[] = [
  { name: 'cleanup.policy', key: 'cleanupPolicy', check: listOf(['compact', 'delete']) },
  { name: 'delete.retention.ms', key: 'deleteRetentionMs', check: integer(0, Number.MAX_SAFE_INTEGER) },
  { name: 'index.interval.bytes', key: 'indexIntervalBytes', check: integer(0, INT32_MAX) },
  { name: 'max.message.bytes', key: 'maxMessageBytes', check: integer(0, INT32_MAX) },
  { name: 'max.compaction.lag.ms', key: 'maxCompactionLagMs', check: integer(1, Number.MAX_SAFE_INTEGER) },
  { name: 'message.timestamp.type', key: 'messageTimestampType', check: oneOf(['CreateTime', 'LogAppendTime']) },
  { name: 'min.cleanable.dirty.ratio', key: 'minCleanableDirtyRatio', check: decimal(0, 1) },
  { name: 'min.compaction.lag.ms', key: 'minCompactionLagMs', check: integer(0, Number.MAX_SAFE_INTEGER) },
  { name: 'min.insync.replicas', key: 'minInsyncReplicas', check: integer(1, INT32_MAX) },
  { name: 'retention.bytes', key: 'retentionBytes', check: integer(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER) },
  { name: 'retention.ms', key: 'retentionMs', check: integer(-1, Number.MAX_SAFE_INTEGER) },
  // Kafka's minimum: LegacyRecord.RECORD_OVERHEAD_V0
  { name: 'segment.bytes', key: 'segmentBytes', check: integer(14, INT32_MAX) },
  { name: 'segment.ms', key: 'segmentMs', check: integer(1, Number.MAX_SAFE_INTEGER) },
];

const BY_NAME = new Map(DEFS.map((d) => [d.name, d]));

export const TOPIC_CONFIG_NAMES: readonly string[] = DEFS.map((d) => d.name);

/**
 * Checks configs given to CreateTopics/AlterConfigs and returns them in canonical form. Unknown names and
 * bad values are INVALID_CONFIG; a null value means "no override" (the default applies).
 */
export function normalizeTopicConfigs(
  entries: Record<string, string | null | undefined> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(entries ?? {})) {
    const def = BY_NAME.get(name);
    if (!def)
      throw new KafkaError(
        ErrorCode.INVALID_CONFIG,
        `Unknown topic config name: ${name} (supported: ${TOPIC_CONFIG_NAMES.join(', ')})`,
      );
    if (value === null || value === undefined) continue;
    out[name] = def.check(name, String(value));
  }
  return out;
}

function parseValue(key: keyof TopicConfig, value: string): number | string {
  return typeof KAFKA_TOPIC_DEFAULTS[key] === 'number' ? Number(value) : value;
}

/** The broker defaults: Kafka's, with the broker's own settings on top. */
export function topicDefaults(overrides: Partial<TopicConfig> = {}): TopicConfig {
  const out = { ...KAFKA_TOPIC_DEFAULTS };
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

/** The effective config of a topic from the broker defaults and its (normalized) overrides. */
export function effectiveTopicConfig(defaults: TopicConfig, overrides: Record<string, string>): TopicConfig {
  const out: TopicConfig = { ...defaults };
  for (const [name, value] of Object.entries(overrides)) {
    const def = BY_NAME.get(name);
    if (def) (out as unknown as Record<string, number | string>)[def.key] = parseValue(def.key, value);
  }
  return out;
}

/** What a partition log needs of its topic's config. */
export function partitionLogConfig(c: TopicConfig): PartitionLogConfig {
  return {
    segmentBytes: c.segmentBytes,
    segmentMs: maxSegmentMs(c),
    maxMessageBytes: c.maxMessageBytes,
    indexIntervalBytes: c.indexIntervalBytes,
    timestampType: c.messageTimestampType,
    compacted: compactionApplies(c),
  };
}

/** Whether the log cleaner compacts the topic (cleanup.policy contains "compact"). */
export function compactionApplies(c: TopicConfig): boolean {
  return c.cleanupPolicy.split(',').includes('compact');
}

/**
 * How old the active segment may get before it rolls (Kafka's LogConfig.maxSegmentMs): segment.ms, or
 * max.compaction.lag.ms when lower on a compacted topic, since only closed segments are cleaned.
 */
export function maxSegmentMs(c: TopicConfig): number {
  return compactionApplies(c) ? Math.min(c.segmentMs, c.maxCompactionLagMs) : c.segmentMs;
}

/** Whether time/size retention applies (cleanup.policy contains "delete"). */
export function retentionApplies(c: TopicConfig): boolean {
  return c.cleanupPolicy.split(',').includes('delete');
}

/** Every supported config with its value, for DescribeConfigs. */
export function describeTopicConfigs(defaults: TopicConfig, overrides: Record<string, string>): ConfigEntry[] {
  return DEFS.map((d) => {
    const override = overrides[d.name];
    return {
      name: d.name,
      value: override ?? String(defaults[d.key]),
      isDefault: override === undefined,
      readOnly: false,
      isSensitive: false,
    };
  });
}
