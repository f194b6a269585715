// evt's admin interface: what commands and the workflow ask of a cluster (topics, configs, partitions,
// offsets, records, groups and their committed offsets), in plain data types. It is implemented on the wire
// client (wire/admin.ts); the operations built on it live in topic-ops.ts and group-ops.ts.

import { WireError } from './wire/errors.js';

export interface BrokerInfo {
  nodeId: number;
  host: string;
  port: number;
}

export interface ClusterInfo {
  clusterId: string;
  /** null when the cluster does not say */
  controller: number | null;
  brokers: BrokerInfo[];
}

export interface PartitionMetadata {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
}

export interface TopicMetadata {
  name: string;
  partitions: PartitionMetadata[];
}

export interface PartitionOffsets {
  partition: number;
  /** first offset still in the log */
  low: number;
  /** the high watermark: the offset the next record gets */
  high: number;
}

export interface ConfigEntry {
  name: string;
  /** null for sensitive values the cluster does not reveal */
  value: string | null;
  isDefault: boolean;
  /** true when the topic itself overrides it (not a broker or built-in default) */
  isOverride: boolean;
  readOnly: boolean;
  sensitive: boolean;
  /** "topic", "broker", "default", ... */
  source: string;
}

export interface NewTopic {
  name: string;
  /** -1 or absent: the broker's default */
  partitions?: number;
  replicationFactor?: number;
  configs?: Record<string, string>;
}

export interface GroupListing {
  groupId: string;
  protocolType: string;
}

export interface TopicAssignment {
  topic: string;
  partitions: number[];
}

export interface GroupMember {
  memberId: string;
  clientId: string;
  host: string;
  /** decoded for consumer groups; empty otherwise */
  assignments: TopicAssignment[];
}

export interface GroupDescription {
  groupId: string;
  /** Empty, Stable, PreparingRebalance, CompletingRebalance, Dead (= unknown group) */
  state: string;
  protocolType: string;
  /** the assignor, e.g. "range" or "roundrobin" */
  protocol: string;
  members: GroupMember[];
}

export interface CommittedOffset {
  topic: string;
  partition: number;
  /** null when the group has committed nothing for this partition */
  offset: number | null;
}

export interface OffsetToCommit {
  topic: string;
  partition: number;
  offset: number;
}

export interface GroupDeletion {
  groupId: string;
  /** absent when deleted; e.g. "GROUP_ID_NOT_FOUND", "NON_EMPTY_GROUP" */
  error?: string;
}

/** A transactional id as ListTransactions names it. */
export interface TransactionListing {
  transactionalId: string;
  producerId: number;
  /** Kafka's TransactionState: 'Empty', 'Ongoing', 'PrepareCommit', 'CompleteCommit', ... */
  state: string;
}

/** A transactional id as its coordinator describes it (DescribeTransactions). */
export interface TransactionDescription extends TransactionListing {
  producerEpoch: number;
  timeoutMs: number;
  /** when its open transaction started (epoch ms), null when none is open */
  startTime: number | null;
  /** the partitions of the open transaction */
  partitions: { topic: string; partition: number }[];
}

/** Groups in these states have no active members: their offsets may be changed and they may be deleted. */
export const INACTIVE_GROUP_STATES = ['Empty', 'Dead'];

export interface AdminClient {
  cluster(): Promise<ClusterInfo>;
  /** every topic, internal ones included */
  listTopics(): Promise<string[]>;
  /** in the order asked; a WireError 'not-found' when one of them does not exist */
  topicMetadata(topics: string[]): Promise<TopicMetadata[]>;
  topicOffsets(topic: string): Promise<PartitionOffsets[]>;
  /** per partition the first offset with a timestamp >= `timestamp`, or the high watermark when none */
  offsetsForTime(topic: string, timestamp: number): Promise<{ partition: number; offset: number }[]>;
  /** false when the topic already exists; once true, every partition has a leader */
  createTopic(topic: NewTopic): Promise<boolean>;
  deleteTopics(topics: string[]): Promise<void>;
  /** grows the topic to `count` partitions in total */
  createPartitions(topic: string, count: number): Promise<void>;
  /** deletes the records before `offset` in each partition (-1: all of them); answers the new log start offsets */
  deleteRecords(
    topic: string,
    before: { partition: number; offset: number }[],
  ): Promise<{ partition: number; low: number }[]>;
  topicConfigs(topic: string): Promise<ConfigEntry[]>;
  /**
   * Sets the topic's overrides to exactly `configs`: AlterConfigs replaces the whole set, so every override
   * not given returns to its default (merge with topicConfigs first to keep them).
   */
  replaceTopicConfigs(
    topic: string,
    configs: Record<string, string>,
    options?: { validateOnly?: boolean },
  ): Promise<void>;
  /**
   * Sets and deletes overrides of the topic and keeps the others (IncrementalAlterConfigs); false, with
   * nothing changed, when the cluster does not serve that API (then merge and replaceTopicConfigs).
   */
  alterTopicConfigs(
    topic: string,
    set: Record<string, string>,
    remove: readonly string[],
    options?: { validateOnly?: boolean },
  ): Promise<boolean>;
  listGroups(): Promise<GroupListing[]>;
  describeGroups(groupIds: string[]): Promise<GroupDescription[]>;
  /** all partitions the group has committed offsets for, or every partition of `topics` (null offset = none) */
  committedOffsets(groupId: string, topics?: string[]): Promise<CommittedOffset[]>;
  /**
   * Commits these offsets for a group without active members (concrete offsets, never -1/-2); a WireError
   * 'refused' when the group has members.
   */
  commitOffsets(groupId: string, offsets: OffsetToCommit[]): Promise<void>;
  /** forgets the group's committed offsets of these partitions (not of topics its members consume) */
  deleteCommittedOffsets(groupId: string, partitions: { topic: string; partition: number }[]): Promise<void>;
  deleteGroups(groupIds: string[]): Promise<GroupDeletion[]>;
  /** every transactional id of every broker, filtered by state names (none: all), sorted by id */
  listTransactions(states?: string[]): Promise<TransactionListing[]>;
  /** in the order asked; a WireError 'not-found' naming the ids no coordinator knows */
  describeTransactions(transactionalIds: string[]): Promise<TransactionDescription[]>;
}

/** `topic "a" not found`, `groups "a", "b" not found`: the not-found error of admin operations (exit 4). */
export function notFound(what: 'topic' | 'group' | 'transactional id', names: string[]): WireError {
  return new WireError(
    `${names.length === 1 ? what : `${what}s`} ${names.map((n) => `"${n}"`).join(', ')} not found`,
    'not-found',
  );
}
