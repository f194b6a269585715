// Consumer groups as an administrator sees them, on the wire client: members and their assignments, every
// committed offset, and changing offsets or deleting groups from outside the group. Each request goes to the
// group's coordinator, found again while it is busy or has moved (withCoordinator, group-info.ts); offsets are
// committed as Kafka's AdminClient does (alterConsumerGroupOffsets): a commit without a generation, which the
// coordinator only takes while the group has no members.

import { ErrorCode } from '../../protocol/error-codes.js';
import { DELETE_GROUPS, OFFSET_COMMIT, OFFSET_DELETE } from '../../protocol/messages/index.js';
import {
  notFound,
  type CommittedOffset,
  type GroupDeletion,
  type GroupDescription,
  type OffsetToCommit,
} from '../admin.js';
import { mapLimit } from '../map-limit.js';
import type { Cluster } from './cluster.js';
import { KafkaResponseError, WireError, errorName } from './errors.js';
import {
  asTopics,
  COORDINATOR_BUSY,
  committedOffsets as committedOffsetsOf,
  describeGroup,
  fetchCommitted,
  withCoordinator,
} from './group-info.js';
import { describeTopics } from './topic-admin.js';

/** Groups described, or deleted, at the same time. */
const GROUP_CONCURRENCY = 8;

/** Answers to a commit without a generation that mean the group has members. */
const GROUP_ACTIVE = new Set<number>([
  ErrorCode.UNKNOWN_MEMBER_ID,
  ErrorCode.ILLEGAL_GENERATION,
  ErrorCode.REBALANCE_IN_PROGRESS,
]);

/** State, protocol and members of each group, in the order asked; an unknown group is state 'Dead'. */
export function describeGroups(cluster: Cluster, groupIds: string[]): Promise<GroupDescription[]> {
  return mapLimit(groupIds, GROUP_CONCURRENCY, (id) => describeGroup(cluster, id));
}

const byTopicPartition = (a: CommittedOffset, b: CommittedOffset) =>
  a.topic.localeCompare(b.topic) || a.partition - b.partition;

/** Every offset the group committed (OffsetFetch for all topics, v2+). */
const allCommittedOffsets = (cluster: Cluster, groupId: string): Promise<CommittedOffset[]> =>
  fetchCommitted(cluster, groupId, null);

/**
 * The group's committed offsets: every one it has, or one per partition of `topics` (offset null where it
 * committed nothing). Sorted by topic and partition.
 */
export async function committedOffsets(
  cluster: Cluster,
  groupId: string,
  topics?: string[],
): Promise<CommittedOffset[]> {
  if (topics === undefined) return (await allCommittedOffsets(cluster, groupId)).sort(byTopicPartition);
  const partitions = (await describeTopics(cluster, topics)).flatMap((t) =>
    t.partitions.map((p) => ({ topic: t.name, partition: p.partition })),
  );
  const committed = await committedOffsetsOf(cluster, groupId, partitions);
  return partitions
    .map((p) => ({ ...p, offset: committed.get(`${p.topic}:${p.partition}`) ?? null }))
    .sort(byTopicPartition);
}

/**
 * Per-partition answers of a request to the coordinator: a busy or moved coordinator is thrown for
 * withCoordinator to retry; `onError` turns the other codes into the error to throw (null: none).
 */
function checkPartitions(
  topics: readonly { name: string; partitions: readonly { partitionIndex: number; errorCode: number }[] }[],
  onError: (code: number, topic: string, partition: number) => Error | null,
): void {
  for (const t of topics) {
    for (const p of t.partitions) {
      if (p.errorCode === 0) continue;
      if (COORDINATOR_BUSY.has(p.errorCode))
        throw new KafkaResponseError(p.errorCode, `group request for ${t.name}-${p.partitionIndex}`);
      const err = onError(p.errorCode, t.name, p.partitionIndex);
      if (err) throw err;
    }
  }
}

/**
 * Commits offsets for a group from outside it (generation -1, no member id), as Kafka's AdminClient does: the
 * coordinator refuses while the group has members, which becomes a WireError 'refused'.
 */
export async function commitOffsets(cluster: Cluster, groupId: string, offsets: OffsetToCommit[]): Promise<void> {
  for (const o of offsets) {
    if (!Number.isSafeInteger(o.offset) || o.offset < 0)
      throw new WireError(
        `refusing to commit offset ${o.offset} for ${o.topic}/${o.partition}: not a concrete offset`,
        'refused',
      );
  }
  if (offsets.length === 0) return;
  const topics = asTopics(offsets, (o) => ({
    partitionIndex: o.partition,
    committedOffset: o.offset,
    committedLeaderEpoch: -1,
    commitTimestamp: -1,
    committedMetadata: '',
  }));
  await withCoordinator(cluster, groupId, async (conn) => {
    const answer = await conn.request(OFFSET_COMMIT, {
      groupId,
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      retentionTimeMs: -1,
      topics,
    });
    checkPartitions(answer.topics, (code, topic, partition) =>
      GROUP_ACTIVE.has(code)
        ? new WireError(
            `group ${groupId} became active while its offsets were being committed (${errorName(code)}); stop its consumers and try again`,
            'refused',
          )
        : code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
          ? new WireError(`cannot commit an offset for ${topic}-${partition}: no such partition`, 'not-found')
          : new KafkaResponseError(code, `committing the offset of group ${groupId} for ${topic}-${partition}`),
    );
  });
}

/**
 * Forgets the group's committed offsets of these partitions (OffsetDelete). The coordinator refuses for
 * topics the group's members consume (GROUP_SUBSCRIBED_TO_TOPIC), which becomes a WireError 'refused'.
 */
export async function deleteCommittedOffsets(
  cluster: Cluster,
  groupId: string,
  partitions: { topic: string; partition: number }[],
): Promise<void> {
  if (partitions.length === 0) return;
  const topics = asTopics(partitions, (p) => ({ partitionIndex: p.partition }));
  await withCoordinator(cluster, groupId, async (conn) => {
    const answer = await conn.request(OFFSET_DELETE, { groupId, topics });
    const code: number = answer.errorCode;
    if (code === ErrorCode.GROUP_ID_NOT_FOUND) throw notFound('group', [groupId]);
    if (code === ErrorCode.NON_EMPTY_GROUP)
      throw new WireError(
        `group ${groupId} has active members: stop its consumers before deleting its offsets`,
        'refused',
      );
    if (code !== 0) throw new KafkaResponseError(code, `OffsetDelete of group ${groupId}`);
    const consumed = new Set<string>();
    checkPartitions(answer.topics, (c, topic, partition) => {
      if (c !== ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC)
        return new KafkaResponseError(c, `deleting the offset of group ${groupId} for ${topic}-${partition}`);
      consumed.add(topic);
      return null;
    });
    if (consumed.size) {
      throw new WireError(
        `group ${groupId} consumes ${[...consumed].sort().join(', ')}: its offsets there can only be deleted once its consumers stop`,
        'refused',
      );
    }
  });
}

/** Deletes groups (DeleteGroups to each one's coordinator); per group, the error that kept it, if any. */
export function deleteGroups(cluster: Cluster, groupIds: string[]): Promise<GroupDeletion[]> {
  return mapLimit(groupIds, GROUP_CONCURRENCY, (groupId) =>
    withCoordinator(cluster, groupId, async (conn) => {
      const answer = await conn.request(DELETE_GROUPS, { groupsNames: [groupId] });
      const code: number =
        answer.results.find((r) => r.groupId === groupId)?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR;
      if (COORDINATOR_BUSY.has(code)) throw new KafkaResponseError(code, `DeleteGroups of group ${groupId}`);
      return code === 0 ? { groupId } : { groupId, error: errorName(code) };
    }),
  );
}
