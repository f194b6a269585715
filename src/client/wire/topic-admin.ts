// Topics as an administrator sees them, on the wire client: the cluster's brokers and controller, topic
// metadata (leaders, replicas, in-sync replicas), offsets, and creating, deleting, growing and truncating
// topics. Creation, deletion and new partitions go to the controller, DeleteRecords to the partitions'
// leaders (admin-routing.ts).

import { ErrorCode } from '../../protocol/error-codes.js';
import { CREATE_PARTITIONS, CREATE_TOPICS, DELETE_RECORDS, DELETE_TOPICS } from '../../protocol/messages/index.js';
import { notFound, type ClusterInfo, type NewTopic, type PartitionOffsets, type TopicMetadata } from '../admin.js';
import { sleep } from '../../common/time.js';
import { leaderAnswer, sendToLeaders, withController } from './admin-routing.js';
import { EARLIEST, LATEST, type Cluster, type TopicMeta } from './cluster.js';
import { KafkaResponseError, TopicNotFoundError, WireError } from './errors.js';

/** How long a broker may take over a request that says how long to wait (CreateTopics, DeleteRecords, ...). */
function brokerWaitMs(cluster: Cluster): number {
  return Number.isFinite(cluster.timeoutMs) ? Math.min(cluster.timeoutMs, 0x7fffffff) : 60_000;
}

const byPartition = (a: { partition: number }, b: { partition: number }) => a.partition - b.partition;

export async function describeCluster(cluster: Cluster): Promise<ClusterInfo> {
  const answer = await cluster.refreshMetadata([]);
  const controller = answer.controllerId >= 0 ? answer.controllerId : null;
  return {
    clusterId: answer.clusterId ?? '',
    controller,
    brokers: answer.brokers
      .map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port }))
      .sort((a, b) => a.nodeId - b.nodeId),
  };
}

export function listTopics(cluster: Cluster): Promise<string[]> {
  return cluster.topicNames({ internal: true });
}

/** Leaders, replicas and in-sync replicas of every partition, in the order asked; a not-found error for unknown topics. */
export async function describeTopics(cluster: Cluster, names: string[]): Promise<TopicMetadata[]> {
  if (names.length === 0) return [];
  const answer = await cluster.refreshMetadata(names);
  const byName = new Map(answer.topics.map((t) => [t.name, t]));
  const missing = names.filter((n) => {
    const code = byName.get(n)?.errorCode ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    return code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION || code === ErrorCode.INVALID_TOPIC_EXCEPTION;
  });
  if (missing.length) throw notFound('topic', missing);
  return names.map((name) => {
    const t = byName.get(name)!;
    // a partition without a leader still has replicas to show; any other topic error is the cluster's to explain
    if (t.errorCode !== 0 && t.errorCode !== ErrorCode.LEADER_NOT_AVAILABLE)
      throw new KafkaResponseError(t.errorCode, `metadata of topic ${name}`);
    return {
      name,
      partitions: t.partitions
        .map((p) => ({
          partition: p.partitionIndex,
          leader: p.leaderId,
          replicas: [...p.replicaNodes],
          isr: [...p.isrNodes],
        }))
        .sort(byPartition),
    };
  });
}

/** The log start offset and high watermark of every partition (ListOffsets to each leader). */
export async function topicOffsets(cluster: Cluster, topic: string): Promise<PartitionOffsets[]> {
  const { partitions } = await cluster.topic(topic);
  const listed = await cluster.listOffsets(
    partitions.flatMap((p) => [EARLIEST, LATEST].map((timestamp) => ({ topic, partition: p.partition, timestamp }))),
  );
  return partitions.map((p, i) => ({
    partition: p.partition,
    low: listed[2 * i].offset,
    high: listed[2 * i + 1].offset,
  }));
}

/** Per partition the first offset at or after `timestamp`, or the high watermark when every record is older. */
export async function offsetsForTime(
  cluster: Cluster,
  topic: string,
  timestamp: number,
): Promise<{ partition: number; offset: number }[]> {
  const { partitions } = await cluster.topic(topic);
  const listed = await cluster.listOffsets(
    partitions.flatMap((p) => [timestamp, LATEST].map((t) => ({ topic, partition: p.partition, timestamp: t }))),
  );
  return partitions.map((p, i) => {
    const found = listed[2 * i].offset;
    return { partition: p.partition, offset: found >= 0 ? found : listed[2 * i + 1].offset };
  });
}

/**
 * The topic once every partition has a leader. Right after CreateTopics a broker other than the controller may
 * not know the topic yet: "unknown" means "not yet" here, until the cluster's timeout.
 */
async function awaitLeaders(cluster: Cluster, name: string): Promise<TopicMeta> {
  const deadline = Date.now() + cluster.timeoutMs;
  for (let pause = 50; ; pause = Math.min(pause * 2, 500)) {
    try {
      return await cluster.topic(name);
    } catch (err) {
      if (!(err instanceof TopicNotFoundError) || Date.now() + pause > deadline) throw err;
    }
    await sleep(pause);
  }
}

/** Creates a topic (CreateTopics to the controller) and waits for its leaders; false when it already exists. */
export async function createTopic(cluster: Cluster, t: NewTopic): Promise<boolean> {
  const created = await withController(cluster, async (conn) => {
    const answer = await conn.request(CREATE_TOPICS, {
      topics: [
        {
          name: t.name,
          numPartitions: t.partitions ?? -1,
          replicationFactor: t.replicationFactor ?? -1,
          assignments: [],
          configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
        },
      ],
      timeoutMs: brokerWaitMs(cluster),
      validateOnly: false,
    });
    const result = answer.topics.find((r) => r.name === t.name);
    const code: number = result?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR;
    if (code === ErrorCode.TOPIC_ALREADY_EXISTS) return false;
    if (code !== 0) throw new KafkaResponseError(code, `creating topic ${t.name}`, result?.errorMessage);
    return true;
  });
  if (created) await awaitLeaders(cluster, t.name);
  return created;
}

/** Deletes topics (DeleteTopics to the controller); a topic that does not exist is a not-found error. */
export async function deleteTopics(cluster: Cluster, names: string[]): Promise<void> {
  let pending = names;
  await withController(cluster, async (conn) => {
    const answer = await conn.request(DELETE_TOPICS, {
      topicNames: pending, // v0-5
      topics: pending.map((name) => ({ name })), // v6+
      timeoutMs: brokerWaitMs(cluster),
    });
    // asked by name, each answer names its topic (v6 answers null only for a topic asked by id)
    const results = answer.responses.map((r) => ({ ...r, name: r.name ?? '' }));
    const unknown = results.filter((r) => r.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION).map((r) => r.name);
    if (unknown.length) throw notFound('topic', unknown);
    const failed = results.find((r) => r.errorCode !== 0 && r.errorCode !== ErrorCode.NOT_CONTROLLER);
    if (failed) throw new KafkaResponseError(failed.errorCode, `deleting topic ${failed.name}`, failed.errorMessage);
    // what reached a broker that is no longer the controller goes again, to the new one
    pending = results.filter((r) => r.errorCode === ErrorCode.NOT_CONTROLLER).map((r) => r.name);
    if (pending.length) throw new KafkaResponseError(ErrorCode.NOT_CONTROLLER, `deleting ${pending.join(', ')}`);
  });
}

/** Grows a topic to `count` partitions (CreatePartitions to the controller). */
export async function createPartitions(cluster: Cluster, topic: string, count: number): Promise<void> {
  await withController(cluster, async (conn) => {
    const answer = await conn.request(CREATE_PARTITIONS, {
      topics: [{ name: topic, count, assignments: null }],
      timeoutMs: brokerWaitMs(cluster),
      validateOnly: false,
    });
    const result = answer.results.find((r) => r.name === topic);
    const code: number = result?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR;
    if (code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) throw notFound('topic', [topic]);
    if (code !== 0) throw new KafkaResponseError(code, `adding partitions to ${topic}`, result?.errorMessage);
  });
}

/**
 * Deletes the records before `offset` of each partition (DeleteRecords to each partition's leader; -1 deletes
 * everything up to the high watermark). Answers the new log start offsets, in the order given.
 */
export async function deleteRecords(
  cluster: Cluster,
  topic: string,
  before: { partition: number; offset: number }[],
): Promise<{ partition: number; low: number }[]> {
  const items = before.map((b) => ({ topic, ...b }));
  const lows = await sendToLeaders(cluster, `DeleteRecords of ${topic}`, items, async (conn, batch) => {
    const answer = await conn.request(DELETE_RECORDS, {
      topics: [{ name: topic, partitions: batch.map((b) => ({ partitionIndex: b.partition, offset: b.offset })) }],
      timeoutMs: brokerWaitMs(cluster),
    });
    const answered = new Map((answer.topics[0]?.partitions ?? []).map((p) => [p.partitionIndex, p]));
    return batch.map((b) => {
      const p = answered.get(b.partition);
      if (!p)
        throw new WireError(
          `DeleteRecords of ${topic}-${b.partition}: the answer does not mention the partition`,
          'protocol',
        );
      if (p.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
        throw new KafkaResponseError(
          p.errorCode,
          `deleting the records of ${topic}-${b.partition} before offset ${b.offset}: beyond the end of the partition`,
        );
      }
      return leaderAnswer(p.errorCode, () => p.lowWatermark, `deleting the records of ${topic}-${b.partition}`);
    });
  });
  return before.map((b, i) => ({ partition: b.partition, low: lows[i] }));
}
