// The broker's storage: record batches, segments, partition logs and the log manager.

export * from './batch.js';
export { BatchIndex } from './batch-index.js';
export { DiskStorage, MemoryStorage, type LogFile, type Storage } from './files.js';
export { DataDirInUseError, DataDirLock, LOCK_FILE } from './lock.js';
export {
  LogManager,
  MAX_PARTITIONS,
  topicIdBytes,
  validateTopicName,
  type AppendListener,
  type CreateTopicOptions,
  type LogManagerOptions,
  type TopicInfo,
} from './log-manager.js';
export {
  DEFAULT_PARTITION_LOG_CONFIG,
  PartitionLog,
  type AppendOptions,
  type AppendResult,
  type FsyncPolicy,
  type PartitionLogConfig,
  type PartitionLogOptions,
  type ReadResult,
  type RecoveryReport,
  type SegmentInfo,
  type TimestampLookup,
} from './partition-log.js';
export { ProducerState, PRODUCER_WINDOW } from './producer-state.js';
export { Segment, parseLogFileName, scanBatches, segmentFileName } from './segment.js';
export {
  ConfigSource,
  KAFKA_TOPIC_DEFAULTS,
  TOPIC_CONFIG_NAMES,
  describeTopicConfigs,
  effectiveTopicConfig,
  normalizeTopicConfigs,
  type ConfigEntry,
  type ConfigValues,
  type TopicConfig,
} from './topic-config.js';
export { TOPIC_CONFIG_DEFS, type TopicConfigDef } from './topic-config-defs.js';
