// evt's own admin interface over a Kafka client library (kafkajs today), so that commands never import
// kafkajs: topics, configs, partitions, offsets, groups and committed offsets, in plain data types.

import { AssignerProtocol, type Admin, type ConfigEntries, type ConfigResourceTypes, type Kafka } from 'kafkajs';
import { CliError, ExitCode } from '../cli/errors.js';
import { withDeadline } from './deadline.js';
import type { ConnectionSettings } from './settings.js';

// kafkajs' ConfigResourceTypes enum is not among its ESM named exports: the value is Kafka's TOPIC resource type
const TOPIC_RESOURCE = 2 as ConfigResourceTypes;

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

/** Groups in these states have no active members: their offsets may be changed and they may be deleted. */
export const INACTIVE_GROUP_STATES = ['Empty', 'Dead'];

export interface AdminClient {
  cluster(): Promise<ClusterInfo>;
  listTopics(): Promise<string[]>;
  /** exit 4 when one of them does not exist */
  topicMetadata(topics: string[]): Promise<TopicMetadata[]>;
  topicOffsets(topic: string): Promise<PartitionOffsets[]>;
  /** per partition the first offset with a timestamp >= `timestamp`, or the high watermark when none */
  offsetsForTime(topic: string, timestamp: number): Promise<{ partition: number; offset: number }[]>;
  /** false when the topic already exists */
  createTopic(topic: NewTopic): Promise<boolean>;
  deleteTopics(topics: string[]): Promise<void>;
  /** grows the topic to `count` partitions in total */
  createPartitions(topic: string, count: number): Promise<void>;
  topicConfigs(topic: string): Promise<ConfigEntry[]>;
  /**
   * Sets the topic's overrides to exactly `configs`: AlterConfigs replaces the whole set, so every override
   * not given returns to its default (merge with topicConfigs first to keep them).
   */
  replaceTopicConfigs(topic: string, configs: Record<string, string>, options?: { validateOnly?: boolean }): Promise<void>;
  listGroups(): Promise<GroupListing[]>;
  describeGroups(groupIds: string[]): Promise<GroupDescription[]>;
  /** all partitions the group has committed offsets for, or those of `topics` (null offset = none) */
  committedOffsets(groupId: string, topics?: string[]): Promise<CommittedOffset[]>;
  /**
   * Commits these offsets for an inactive group (concrete offsets, never -1/-2) and checks that the group
   * then holds exactly them; refuses while the group has active members.
   */
  commitOffsets(groupId: string, offsets: OffsetToCommit[]): Promise<void>;
  deleteGroups(groupIds: string[]): Promise<GroupDeletion[]>;
}

const num = (v: string | number) => Number(v);

const CONFIG_SOURCES: Record<number, string> = {
  0: 'unknown',
  1: 'topic',
  2: 'broker (dynamic)',
  3: 'broker default (dynamic)',
  4: 'broker',
  5: 'default',
  6: 'broker logger',
};

function configEntry(e: ConfigEntries): ConfigEntry {
  const hasSource = typeof e.configSource === 'number' && e.configSource > 0;
  return {
    name: e.configName,
    value: e.configValue ?? null,
    isDefault: e.isDefault,
    isOverride: hasSource ? e.configSource === 1 : !e.isDefault && !e.readOnly,
    readOnly: e.readOnly,
    sensitive: e.isSensitive,
    source: hasSource ? (CONFIG_SOURCES[e.configSource] ?? String(e.configSource)) : e.isDefault ? 'default' : 'topic',
  };
}

function decodeAssignment(protocolType: string, buffer: Buffer | null | undefined): TopicAssignment[] {
  if (protocolType !== 'consumer' || !buffer || buffer.length === 0) return [];
  try {
    const decoded = AssignerProtocol.MemberAssignment.decode(buffer);
    if (!decoded) return [];
    return Object.entries(decoded.assignment)
      .map(([topic, partitions]) => ({ topic, partitions: [...partitions].sort((a, b) => a - b) }))
      .sort((a, b) => a.topic.localeCompare(b.topic));
  } catch {
    return [];
  }
}

/** Kafka's name of the error code ("INVALID_CONFIG", ...) behind a client error, however deeply wrapped. */
export function kafkaErrorType(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; e && typeof e === 'object' && depth < 10; depth++) {
    const type = (e as { type?: unknown }).type;
    if (typeof type === 'string') return type;
    e = (e as { cause?: unknown; originalError?: unknown }).cause ?? (e as { originalError?: unknown }).originalError;
  }
  return undefined;
}

export function notFound(what: string): CliError {
  return new CliError(what, ExitCode.NOT_FOUND);
}

/**
 * Commits offsets the way a member of the group does: a consumer of our own joins the (inactive) group with
 * every topic of `offsets`, seeks each partition (which commits it) without fetching a record, and leaves.
 * kafkajs' admin.setOffsets does the same for one topic, but waits out a whole fetch wait (5 s) per topic
 * and stores -1/-2 literally; this joins once for all topics and waits 100 ms.
 */
async function commitAsMember(kafka: Kafka, groupId: string, offsets: OffsetToCommit[]): Promise<void> {
  const topics = [...new Set(offsets.map((o) => o.topic))];
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, sessionTimeout: 10_000, heartbeatInterval: 1000, allowAutoTopicCreation: false });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    const description = await consumer.describeGroup();
    if (!INACTIVE_GROUP_STATES.includes(description.state)) {
      throw new CliError(`group ${groupId} became active (state ${description.state}) while its offsets were being reset; stop its consumers and try again`);
    }
    await new Promise<void>((resolve, reject) => {
      consumer.on(consumer.events.FETCH, () => resolve());
      consumer.on(consumer.events.CRASH, (e) => reject(e.payload.error));
      consumer.run({ autoCommit: true, eachBatchAutoResolve: false, eachBatch: async () => {} }).catch(reject);
      // nothing is to be consumed: every partition stays paused, and the seeks are committed on the first fetch
      consumer.pause(topics.map((topic) => ({ topic })));
      for (const o of offsets) consumer.seek({ topic: o.topic, partition: o.partition, offset: String(o.offset) });
    });
  } finally {
    await withDeadline(consumer.disconnect(), 10_000, 'leaving the group').catch(() => {});
  }
}

/** The AdminClient over a connected kafkajs admin (and the Kafka client it came from). */
export function createAdminClient(admin: Admin, kafka: Kafka, settings: ConnectionSettings): AdminClient {
  // Joining a group (to commit offsets) takes a few rebalance rounds: give it more than a single request.
  const slowMs = Number.isFinite(settings.timeoutMs) ? Math.max(30_000, settings.timeoutMs * 3) : Number.POSITIVE_INFINITY;
  const requestMs = Number.isFinite(settings.timeoutMs) ? Math.max(5000, settings.timeoutMs * 2) : Number.POSITIVE_INFINITY;
  const bounded = <T>(what: string, p: Promise<T>, ms = requestMs) => withDeadline(p, ms, what);

  const client: AdminClient = {
    async cluster() {
      const c = await bounded('describing the cluster', admin.describeCluster());
      return {
        clusterId: c.clusterId,
        controller: c.controller,
        brokers: c.brokers.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port })).sort((a, b) => a.nodeId - b.nodeId),
      };
    },

    async listTopics() {
      return (await bounded('listing topics', admin.listTopics())).sort();
    },

    async topicMetadata(topics) {
      const existing = new Set(await client.listTopics());
      const missing = topics.filter((t) => !existing.has(t));
      if (missing.length) throw notFound(`${missing.length === 1 ? 'topic' : 'topics'} ${missing.map((t) => `"${t}"`).join(', ')} not found`);
      if (topics.length === 0) return [];
      const { topics: meta } = await bounded('reading topic metadata', admin.fetchTopicMetadata({ topics }));
      return meta.map((t) => ({
        name: t.name,
        partitions: t.partitions
          .map((p) => ({ partition: p.partitionId, leader: p.leader, replicas: [...p.replicas], isr: [...p.isr] }))
          .sort((a, b) => a.partition - b.partition),
      }));
    },

    async topicOffsets(topic) {
      const offsets = await bounded(`reading the offsets of ${topic}`, admin.fetchTopicOffsets(topic));
      return offsets.map((o) => ({ partition: o.partition, low: num(o.low), high: num(o.high) })).sort((a, b) => a.partition - b.partition);
    },

    async offsetsForTime(topic, timestamp) {
      const offsets = await bounded(`looking up offsets by time in ${topic}`, admin.fetchTopicOffsetsByTimestamp(topic, timestamp));
      return offsets.map((o) => ({ partition: o.partition, offset: num(o.offset) })).sort((a, b) => a.partition - b.partition);
    },

    async createTopic(t) {
      return bounded(
        `creating topic ${t.name}`,
        admin.createTopics({
          waitForLeaders: true,
          topics: [
            {
              topic: t.name,
              numPartitions: t.partitions ?? -1,
              replicationFactor: t.replicationFactor ?? -1,
              configEntries: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
            },
          ],
        }),
      );
    },

    async deleteTopics(topics) {
      await bounded(`deleting ${topics.join(', ')}`, admin.deleteTopics({ topics, timeout: Math.min(requestMs, 30_000) }));
    },

    async createPartitions(topic, count) {
      await bounded(`adding partitions to ${topic}`, admin.createPartitions({ topicPartitions: [{ topic, count }] }));
    },

    async topicConfigs(topic) {
      const r = await bounded(
        `reading the configs of ${topic}`,
        admin.describeConfigs({ includeSynonyms: false, resources: [{ type: TOPIC_RESOURCE, name: topic }] }),
      );
      const resource = r.resources[0];
      if (!resource) return [];
      if (resource.errorCode === 3) throw notFound(`topic "${topic}" not found`);
      if (resource.errorCode) throw new CliError(`reading the configs of ${topic} failed: ${resource.errorMessage || `error ${resource.errorCode}`}`);
      return resource.configEntries.map(configEntry).sort((a, b) => a.name.localeCompare(b.name));
    },

    async replaceTopicConfigs(topic, configs, options = {}) {
      await bounded(
        `changing the configs of ${topic}`,
        admin.alterConfigs({
          validateOnly: !!options.validateOnly,
          resources: [{ type: TOPIC_RESOURCE, name: topic, configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })) }],
        }),
      );
    },

    async listGroups() {
      const { groups } = await bounded('listing groups', admin.listGroups());
      return groups.map((g) => ({ groupId: g.groupId, protocolType: g.protocolType })).sort((a, b) => a.groupId.localeCompare(b.groupId));
    },

    async describeGroups(groupIds) {
      if (groupIds.length === 0) return [];
      const { groups } = await bounded('describing groups', admin.describeGroups(groupIds));
      return groups.map((g) => ({
        groupId: g.groupId,
        state: g.state,
        protocolType: g.protocolType,
        protocol: g.protocol,
        members: g.members
          .map((m) => ({ memberId: m.memberId, clientId: m.clientId, host: m.clientHost, assignments: decodeAssignment(g.protocolType, m.memberAssignment) }))
          .sort((a, b) => a.clientId.localeCompare(b.clientId) || a.memberId.localeCompare(b.memberId)),
      }));
    },

    async committedOffsets(groupId, topics) {
      const result = await bounded(`reading the committed offsets of ${groupId}`, admin.fetchOffsets({ groupId, topics: topics ?? [] }));
      const out: CommittedOffset[] = [];
      for (const t of result) {
        for (const p of t.partitions) {
          const offset = num(p.offset);
          out.push({ topic: t.topic, partition: p.partition, offset: offset < 0 ? null : offset });
        }
      }
      return out.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
    },

    async commitOffsets(groupId, offsets) {
      for (const o of offsets) {
        if (!Number.isSafeInteger(o.offset) || o.offset < 0) throw new CliError(`refusing to commit offset ${o.offset} for ${o.topic}/${o.partition}: not a concrete offset`);
      }
      let pending = offsets;
      // A consumer commits only for partitions it fetches from, and it is stopped after its first fetch: with
      // partitions led by several brokers some may be missed, so check and go again for those.
      for (let attempt = 1; pending.length > 0; attempt++) {
        await bounded(`committing offsets of group ${groupId}`, commitAsMember(kafka, groupId, pending), slowMs);
        const topics = [...new Set(pending.map((o) => o.topic))];
        const now = await client.committedOffsets(groupId, topics);
        const held = (o: OffsetToCommit) => now.find((c) => c.topic === o.topic && c.partition === o.partition)?.offset;
        const missed = pending.filter((o) => held(o) !== o.offset);
        if (missed.length && attempt >= 3) {
          const list = missed.map((o) => `${o.topic}/${o.partition} (wanted ${o.offset}, holds ${held(o) ?? 'none'})`).join(', ');
          throw new CliError(`group ${groupId}: the cluster did not take the new offsets of ${list}`);
        }
        pending = missed;
      }
    },

    async deleteGroups(groupIds) {
      if (groupIds.length === 0) return [];
      try {
        const results = await bounded('deleting groups', admin.deleteGroups(groupIds));
        return results.map((r) => ({ groupId: r.groupId, ...(r.errorCode ? { error: r.error?.type ?? String(r.errorCode) } : {}) }));
      } catch (err) {
        const failed = (err as { groups?: { groupId: string; errorCode: number; error?: { type?: string } }[] }).groups;
        if (!Array.isArray(failed)) throw err;
        const byId = new Map(failed.map((f) => [f.groupId, f.error?.type ?? String(f.errorCode)]));
        return groupIds.map((groupId) => (byId.has(groupId) ? { groupId, error: byId.get(groupId) } : { groupId }));
      }
    },
  };
  return client;
}
