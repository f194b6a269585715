// Topic-level configs: checking the values given to CreateTopics and the AlterConfigs APIs, the effective
// config of a topic, and how each config is described. A topic stores only its overrides (as Kafka does);
// the value of anything else is the broker's default when `evt broker` sets one (--retention...), else
// Kafka's default. The catalogue of configs is topic-config-defs.ts.

import { ErrorCode, KafkaError } from '../../protocol/error-codes.js';
import { parseConfigValue, type ConfigType } from './config-def.js';
import type { TimestampType } from './batch.js';
import type { PartitionLogConfig } from './partition-log.js';
import { TOPIC_CONFIG_BY_NAME, TOPIC_CONFIG_DEFS } from './topic-config-defs.js';

/** The configs evt broker acts on (or another part of it reads), parsed. */
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
  /** cleanup.policy: "delete", "compact", "compact,delete" (or "": neither) */
  cleanupPolicy: string;
  /** message.timestamp.type: CreateTime, or LogAppendTime (the broker stamps each batch on append) */
  messageTimestampType: TimestampType;
  /** min.insync.replicas: stored only; a single broker is always the whole ISR */
  minInsyncReplicas: number;
  /** compression.type: producer (keep the producer's codec), uncompressed, gzip, snappy, lz4, zstd */
  compressionType: string;
  /** delete.retention.ms, min.cleanable.dirty.ratio, min/max.compaction.lag.ms: for the log cleaner */
  deleteRetentionMs: number;
  minCleanableDirtyRatio: number;
  minCompactionLagMs: number;
  maxCompactionLagMs: number;
}

/** Which config each field is. */
const FIELDS: Record<keyof TopicConfig, string> = {
  retentionMs: 'retention.ms',
  retentionBytes: 'retention.bytes',
  segmentBytes: 'segment.bytes',
  segmentMs: 'segment.ms',
  maxMessageBytes: 'max.message.bytes',
  indexIntervalBytes: 'index.interval.bytes',
  cleanupPolicy: 'cleanup.policy',
  messageTimestampType: 'message.timestamp.type',
  minInsyncReplicas: 'min.insync.replicas',
  compressionType: 'compression.type',
  deleteRetentionMs: 'delete.retention.ms',
  minCleanableDirtyRatio: 'min.cleanable.dirty.ratio',
  minCompactionLagMs: 'min.compaction.lag.ms',
  maxCompactionLagMs: 'max.compaction.lag.ms',
};

/** Config name -> canonical value: a topic's overrides, or the defaults the broker sets. */
export type ConfigValues = Record<string, string>;

/** Kafka's ConfigSource (DescribeConfigs v1+). */
export const ConfigSource = {
  DYNAMIC_TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
} as const;

export interface ConfigSynonym {
  name: string;
  value: string;
  source: number;
}

/** One described config, in the shape DescribeConfigs answers. */
export interface ConfigEntry {
  name: string;
  value: string;
  /** a ConfigSource */
  source: number;
  readOnly: boolean;
  isSensitive: boolean;
  /** where the value comes from, highest priority first (Kafka's synonyms) */
  synonyms: ConfigSynonym[];
  type: ConfigType;
  doc: string;
}

export const TOPIC_CONFIG_NAMES: readonly string[] = TOPIC_CONFIG_DEFS.map((d) => d.name);

/** Kafka's defaults of the parsed configs. */
export const KAFKA_TOPIC_DEFAULTS: TopicConfig = effectiveTopicConfig({}, {});

function unknownConfig(name: string): never {
  throw new KafkaError(ErrorCode.INVALID_CONFIG, `Unknown topic config name: ${name}`);
}

/** One value checked and in canonical form: INVALID_CONFIG naming the config and the value otherwise. */
export function checkTopicConfig(name: string, value: string): string {
  const def = TOPIC_CONFIG_BY_NAME.get(name) ?? unknownConfig(name);
  const canonical = parseConfigValue(def.type, name, value);
  def.validate?.(name, canonical);
  return canonical;
}

/**
 * Checks configs given to CreateTopics/AlterConfigs and returns them in canonical form. Unknown names and
 * bad values are INVALID_CONFIG; a null value means "no override" (the default applies). The checks that
 * span configs (Kafka's LogConfig.validateValues) judge the result over `brokerDefaults`.
 */
export function normalizeTopicConfigs(
  entries: Record<string, string | null | undefined> | undefined,
  brokerDefaults: ConfigValues = {},
): ConfigValues {
  const out: ConfigValues = {};
  for (const [name, value] of Object.entries(entries ?? {})) {
    if (!TOPIC_CONFIG_BY_NAME.has(name)) unknownConfig(name);
    if (value === null || value === undefined) continue;
    out[name] = checkTopicConfig(name, String(value));
  }
  const c = effectiveTopicConfig(brokerDefaults, out);
  if (c.minCompactionLagMs > c.maxCompactionLagMs) {
    throw new KafkaError(
      ErrorCode.INVALID_CONFIG,
      `conflict topic config setting min.compaction.lag.ms (${c.minCompactionLagMs}) > max.compaction.lag.ms (${c.maxCompactionLagMs})`,
    );
  }
  return out;
}

/** The value of a config: the topic's override, else the broker's default, else Kafka's. */
function valueOf(name: string, brokerDefaults: ConfigValues, overrides: ConfigValues): string {
  return overrides[name] ?? brokerDefaults[name] ?? TOPIC_CONFIG_BY_NAME.get(name)!.default;
}

/** The effective config of a topic from the broker defaults and its (canonical) overrides. */
export function effectiveTopicConfig(brokerDefaults: ConfigValues, overrides: ConfigValues): TopicConfig {
  const out: Record<string, string | number> = {};
  for (const [key, name] of Object.entries(FIELDS)) {
    const value = valueOf(name, brokerDefaults, overrides);
    const type = TOPIC_CONFIG_BY_NAME.get(name)!.type;
    out[key] = type === 'STRING' || type === 'LIST' ? value : Number(value);
  }
  return out as unknown as TopicConfig;
}

/**
 * The defaults a broker sets (its options, under the topic config names), in canonical form; the ones
 * equal to Kafka's own are left out, so that they are described as Kafka's defaults.
 */
export function brokerTopicDefaults(options: Partial<TopicConfig> = {}): ConfigValues {
  const out: ConfigValues = {};
  for (const [key, value] of Object.entries(options)) {
    const name = FIELDS[key as keyof TopicConfig];
    if (value === undefined || !name) continue;
    const canonical = checkTopicConfig(name, String(value));
    if (canonical !== TOPIC_CONFIG_BY_NAME.get(name)!.default) out[name] = canonical;
  }
  return out;
}

/** What a partition log needs of its topic's config. */
export function partitionLogConfig(c: TopicConfig): PartitionLogConfig {
  return {
    segmentBytes: c.segmentBytes,
    segmentMs: c.segmentMs,
    maxMessageBytes: c.maxMessageBytes,
    indexIntervalBytes: c.indexIntervalBytes,
    timestampType: c.messageTimestampType,
  };
}

/** Whether time/size retention applies (cleanup.policy contains "delete"). */
export function retentionApplies(c: TopicConfig): boolean {
  return c.cleanupPolicy.split(',').includes('delete');
}

/**
 * Every topic config with its value and source (Kafka's ConfigHelper): the topic's override
 * (DYNAMIC_TOPIC_CONFIG), else the broker's setting of its synonym (STATIC_BROKER_CONFIG), else Kafka's
 * default (DEFAULT_CONFIG). The synonyms list each level that has a value, highest priority first, the
 * broker levels under the broker config's name (log.retention.ms).
 */
export function describeTopicConfigs(brokerDefaults: ConfigValues, overrides: ConfigValues): ConfigEntry[] {
  return TOPIC_CONFIG_DEFS.map((def) => {
    const synonyms: ConfigSynonym[] = [];
    const override = overrides[def.name];
    if (override !== undefined)
      synonyms.push({ name: def.name, value: override, source: ConfigSource.DYNAMIC_TOPIC_CONFIG });
    const brokerName = def.brokerSynonym ?? def.name;
    const brokerSet = brokerDefaults[def.name];
    if (brokerSet !== undefined && def.brokerSynonym)
      synonyms.push({ name: brokerName, value: brokerSet, source: ConfigSource.STATIC_BROKER_CONFIG });
    synonyms.push({ name: brokerName, value: def.default, source: ConfigSource.DEFAULT_CONFIG });
    return {
      name: def.name,
      value: synonyms[0].value,
      source: synonyms[0].source,
      readOnly: false,
      isSensitive: false,
      synonyms,
      type: def.type,
      doc: def.doc,
    };
  });
}
