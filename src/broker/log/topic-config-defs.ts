// Every topic config of Kafka 3.9 (apache/kafka: TopicConfig.java, LogConfig.java's ConfigDef, and
// ServerTopicConfigSynonyms for the broker configs that give their defaults): type, Kafka's default, its
// validator, the broker-level synonym, and whether evt broker acts on it. The rest are accepted, checked and
// stored as Kafka stores them, so that tools and scripts written for Kafka run unchanged.

import {
  atLeast,
  between,
  eachOneOf,
  invalidConfig,
  listItems,
  oneOf,
  type ConfigType,
  type Validator,
} from './config-def.js';

export interface TopicConfigDef {
  name: string;
  type: ConfigType;
  /** Kafka's default, in canonical form */
  default: string;
  validate?: Validator;
  /** the broker config whose value is the topic default (null: none, the default is Kafka's own) */
  brokerSynonym: string | null;
  /** what evt broker does with it; undefined: accepted and stored only */
  actedOn?: string;
  /** one line of documentation (DescribeConfigs v3 include_documentation) */
  doc: string;
}

const LONG_MAX = '9223372036854775807';
const WEEK_MS = String(7 * 24 * 3600 * 1000);

/** Kafka's ThrottledReplicaListValidator: "*" or partition:broker pairs. */
const throttledReplicas: Validator = (name, value) => {
  const items = listItems(value);
  if (value === '*' || items.every((i) => /^\d+:\d+$/.test(i))) return;
  invalidConfig(
    name,
    `[${items.join(', ')}]`,
    `${name} must be the literal '*' or a list of replicas in the following format: [partitionId]:[brokerId],[partitionId]:[brokerId],...`,
  );
};

/** gzip levels: Deflater's 1..9, or -1 for its default. */
const gzipLevel: Validator = (name, value) => {
  const n = Number(value);
  if (n > 9 || (n < 1 && n !== -1)) invalidConfig(name, value, 'Value must be between 1 and 9 or equal to -1');
};

/** Kafka's MetadataVersionValidator, loosely: a release ("2.8", "0.10.2") with an optional "-IVn". */
const messageFormatVersion: Validator = (name, value) => {
  if (!/^[0-3]\.\d+(\.\d+)?(-IV\d+)?$/.test(value))
    invalidConfig(name, value, `Version ${value} is not a valid version`);
};

/** Without a tiered storage system (Kafka's remote.log.storage.system.enable, false by default) Kafka refuses it. */
const noRemoteStorage: Validator = (name, value) => {
  if (value === 'true')
    invalidConfig(
      name,
      value,
      'Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage.',
    );
};

export const TOPIC_CONFIG_DEFS: readonly TopicConfigDef[] = [
  {
    name: 'cleanup.policy',
    type: 'LIST',
    default: 'delete',
    validate: eachOneOf('compact', 'delete'),
    brokerSynonym: 'log.cleanup.policy',
    actedOn: 'retention applies only with delete',
    doc: 'delete (old segments are deleted by retention) and/or compact (the latest record per key is kept)',
  },
  {
    name: 'compression.gzip.level',
    type: 'INT',
    default: '-1',
    validate: gzipLevel,
    brokerSynonym: 'compression.gzip.level',
    doc: 'the gzip level when compression.type is gzip',
  },
  {
    name: 'compression.lz4.level',
    type: 'INT',
    default: '9',
    validate: between(1, 17),
    brokerSynonym: 'compression.lz4.level',
    doc: 'the lz4 level when compression.type is lz4',
  },
  {
    name: 'compression.type',
    type: 'STRING',
    default: 'producer',
    validate: oneOf('uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'),
    brokerSynonym: 'compression.type',
    actedOn: 'batches are stored in this codec (recompressed on append); producer keeps the producer’s codec',
    doc: "the codec batches are stored in; producer keeps the producer's",
  },
  {
    name: 'compression.zstd.level',
    type: 'INT',
    default: '3',
    validate: between(-131072, 22),
    brokerSynonym: 'compression.zstd.level',
    doc: 'the zstd level when compression.type is zstd',
  },
  {
    name: 'delete.retention.ms',
    type: 'LONG',
    default: '86400000',
    validate: atLeast(0),
    brokerSynonym: 'log.cleaner.delete.retention.ms',
    doc: 'how long tombstones stay readable in a compacted topic',
  },
  {
    name: 'file.delete.delay.ms',
    type: 'LONG',
    default: '60000',
    validate: atLeast(0),
    brokerSynonym: 'log.segment.delete.delay.ms',
    doc: 'how long a deleted segment file is kept before it is removed from disk',
  },
  {
    name: 'flush.messages',
    type: 'LONG',
    default: LONG_MAX,
    validate: atLeast(1),
    brokerSynonym: 'log.flush.interval.messages',
    doc: 'fsync the log after this many records',
  },
  {
    name: 'flush.ms',
    type: 'LONG',
    default: LONG_MAX,
    validate: atLeast(0),
    brokerSynonym: 'log.flush.interval.ms',
    doc: 'fsync the log after this long',
  },
  {
    name: 'follower.replication.throttled.replicas',
    type: 'LIST',
    default: '',
    validate: throttledReplicas,
    brokerSynonym: null,
    doc: 'replicas whose replication is throttled on the follower side',
  },
  {
    name: 'index.interval.bytes',
    type: 'INT',
    default: '4096',
    validate: atLeast(0),
    brokerSynonym: 'log.index.interval.bytes',
    actedOn: 'bytes between offset index entries',
    doc: 'how many bytes of records lie between two offset index entries',
  },
  {
    name: 'leader.replication.throttled.replicas',
    type: 'LIST',
    default: '',
    validate: throttledReplicas,
    brokerSynonym: null,
    doc: 'replicas whose replication is throttled on the leader side',
  },
  {
    name: 'local.retention.bytes',
    type: 'LONG',
    default: '-2',
    validate: atLeast(-2),
    brokerSynonym: 'log.local.retention.bytes',
    doc: 'with tiered storage, the bytes kept locally (-2: retention.bytes)',
  },
  {
    name: 'local.retention.ms',
    type: 'LONG',
    default: '-2',
    validate: atLeast(-2),
    brokerSynonym: 'log.local.retention.ms',
    doc: 'with tiered storage, how long records are kept locally (-2: retention.ms)',
  },
  {
    name: 'max.compaction.lag.ms',
    type: 'LONG',
    default: LONG_MAX,
    validate: atLeast(1),
    brokerSynonym: 'log.cleaner.max.compaction.lag.ms',
    doc: 'the longest a record stays uncompacted',
  },
  {
    name: 'max.message.bytes',
    type: 'INT',
    default: '1048588',
    validate: atLeast(0),
    brokerSynonym: 'message.max.bytes',
    actedOn: 'larger batches are refused (MESSAGE_TOO_LARGE)',
    doc: 'the largest record batch the topic accepts',
  },
  {
    name: 'message.downconversion.enable',
    type: 'BOOLEAN',
    default: 'true',
    brokerSynonym: 'log.message.downconversion.enable',
    doc: 'whether fetches of old versions get records converted to the old formats',
  },
  {
    name: 'message.format.version',
    type: 'STRING',
    default: '3.0-IV1',
    validate: messageFormatVersion,
    brokerSynonym: 'log.message.format.version',
    doc: 'deprecated since Kafka 3.0, which always writes record batch v2',
  },
  {
    name: 'message.timestamp.after.max.ms',
    type: 'LONG',
    default: LONG_MAX,
    validate: atLeast(0),
    brokerSynonym: 'log.message.timestamp.after.max.ms',
    doc: 'how far ahead of the broker clock a CreateTime timestamp may be',
  },
  {
    name: 'message.timestamp.before.max.ms',
    type: 'LONG',
    default: LONG_MAX,
    validate: atLeast(0),
    brokerSynonym: 'log.message.timestamp.before.max.ms',
    doc: 'how far behind the broker clock a CreateTime timestamp may be',
  },
  {
    name: 'message.timestamp.difference.max.ms',
    type: 'LONG',
    default: LONG_MAX,
    validate: atLeast(0),
    brokerSynonym: 'log.message.timestamp.difference.max.ms',
    doc: 'deprecated: see message.timestamp.before.max.ms and message.timestamp.after.max.ms',
  },
  {
    name: 'message.timestamp.type',
    type: 'STRING',
    default: 'CreateTime',
    validate: oneOf('CreateTime', 'LogAppendTime'),
    brokerSynonym: 'log.message.timestamp.type',
    actedOn: 'LogAppendTime: the broker stamps each batch on append',
    doc: "CreateTime (the producer's timestamps) or LogAppendTime (the broker's on append)",
  },
  {
    name: 'min.cleanable.dirty.ratio',
    type: 'DOUBLE',
    default: '0.5',
    validate: between(0, 1),
    brokerSynonym: 'log.cleaner.min.cleanable.ratio',
    doc: 'the share of uncompacted log that makes a partition worth compacting',
  },
  {
    name: 'min.compaction.lag.ms',
    type: 'LONG',
    default: '0',
    validate: atLeast(0),
    brokerSynonym: 'log.cleaner.min.compaction.lag.ms',
    doc: 'the least time a record stays uncompacted',
  },
  {
    name: 'min.insync.replicas',
    type: 'INT',
    default: '1',
    validate: atLeast(1),
    brokerSynonym: 'min.insync.replicas',
    doc: 'replicas that must have a write for acks=all to succeed',
  },
  {
    name: 'preallocate',
    type: 'BOOLEAN',
    default: 'false',
    brokerSynonym: 'log.preallocate',
    doc: 'whether segment files are preallocated',
  },
  {
    name: 'remote.log.copy.disable',
    type: 'BOOLEAN',
    default: 'false',
    brokerSynonym: null,
    doc: 'with tiered storage, stop copying segments to remote storage',
  },
  {
    name: 'remote.log.delete.on.disable',
    type: 'BOOLEAN',
    default: 'false',
    brokerSynonym: null,
    doc: 'with tiered storage, delete remote segments when it is turned off',
  },
  {
    name: 'remote.storage.enable',
    type: 'BOOLEAN',
    default: 'false',
    validate: noRemoteStorage,
    brokerSynonym: null,
    doc: 'tiered storage (not available on evt broker, as on a Kafka broker without a remote storage system)',
  },
  {
    name: 'retention.bytes',
    type: 'LONG',
    default: '-1',
    brokerSynonym: 'log.retention.bytes',
    actedOn: 'oldest segments deleted beyond this size per partition',
    doc: 'the size a partition may grow to before its oldest segments are deleted (-1: no limit)',
  },
  {
    name: 'retention.ms',
    type: 'LONG',
    default: WEEK_MS,
    validate: atLeast(-1),
    brokerSynonym: 'log.retention.ms',
    actedOn: 'segments deleted once their newest record is older',
    doc: 'how long records are kept (-1: forever)',
  },
  {
    name: 'segment.bytes',
    type: 'INT',
    default: '1073741824',
    // LegacyRecord.RECORD_OVERHEAD_V0
    validate: atLeast(14),
    brokerSynonym: 'log.segment.bytes',
    actedOn: 'segments roll at this size',
    doc: 'the size of a segment file',
  },
  {
    name: 'segment.index.bytes',
    type: 'INT',
    default: '10485760',
    validate: atLeast(4),
    brokerSynonym: 'log.index.size.max.bytes',
    doc: 'the size of the offset index preallocated per segment',
  },
  {
    name: 'segment.jitter.ms',
    type: 'LONG',
    default: '0',
    validate: atLeast(0),
    brokerSynonym: 'log.roll.jitter.ms',
    doc: 'a random delay subtracted from segment.ms, so that segments do not roll all at once',
  },
  {
    name: 'segment.ms',
    type: 'LONG',
    default: WEEK_MS,
    validate: atLeast(1),
    brokerSynonym: 'log.roll.ms',
    actedOn: 'segments roll at this age',
    doc: 'how long before a segment rolls even when not full',
  },
  {
    name: 'unclean.leader.election.enable',
    type: 'BOOLEAN',
    default: 'false',
    brokerSynonym: 'unclean.leader.election.enable',
    doc: 'whether a replica out of the ISR may become leader (data loss)',
  },
];

export const TOPIC_CONFIG_BY_NAME: ReadonlyMap<string, TopicConfigDef> = new Map(
  TOPIC_CONFIG_DEFS.map((d) => [d.name, d]),
);
