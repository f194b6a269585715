// Consumer-group facts read from outside the group: its state and members (DescribeGroups) and its committed
// offsets (OffsetFetch). Neither joins the group, so asking never triggers a rebalance of the live members.
// Both requests are only answered by the group's coordinator, found first with FindCoordinator.

import { ErrorCode } from '../../protocol/error-codes.js';
import type { DecodedResponse } from '../../protocol/message-types.js';
import { DESCRIBE_GROUPS, FIND_COORDINATOR, LIST_GROUPS, OFFSET_FETCH } from '../../protocol/messages/index.js';
import type { GroupDescription, TopicAssignment } from '../admin.js';
import { sleep } from '../../common/time.js';
import { decodeAssignment } from './consumer-protocol.js';
import { GROUP_INFO_LANE, type Cluster } from './cluster.js';
import type { Connection } from './connection.js';
import { KafkaResponseError, UnsupportedVersionError, WireError } from './errors.js';

export interface GroupState {
  groupId: string;
  /** 'Stable' | 'Empty' | 'Dead' | 'PreparingRebalance' | 'CompletingRebalance' | ..., as the broker says */
  state: string;
  members: number;
  /** client ids of the members */
  clients: string[];
}

// Answers of a coordinator that is moving or still loading the group: asking again shortly usually works.
export const COORDINATOR_BUSY = new Set<number>([
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.NOT_COORDINATOR,
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
]);
const ATTEMPTS = 5;
const BACKOFF_MS = 100;

/** FindCoordinator's key types */
export const CoordinatorKey = { GROUP: 0, TRANSACTION: 1 } as const;

/**
 * The node id of the group's coordinator (FindCoordinator, key type 0 = group; 1 finds a transactional id's).
 * Its endpoint is added to the cluster's broker map, since a coordinator need not be among the brokers the
 * metadata listed so far. Throws KafkaResponseError with the broker's code when it names none.
 */
export async function findCoordinator(
  cluster: Cluster,
  groupId: string,
  lane = GROUP_INFO_LANE,
  keyType: number = CoordinatorKey.GROUP,
): Promise<number> {
  if (cluster.brokers.size === 0) await cluster.refreshMetadata([]);
  const node = [...cluster.brokers.keys()][0];
  if (node === undefined) throw new WireError('the cluster lists no brokers', 'protocol', true);
  const conn = await cluster.connection(node, lane);
  const answer = await conn.request(FIND_COORDINATOR, { key: groupId, keyType });
  const what = keyType === CoordinatorKey.GROUP ? 'group' : 'transactional id';
  if (answer.errorCode !== 0)
    throw new KafkaResponseError(answer.errorCode, `FindCoordinator of ${what} ${groupId}`, answer.errorMessage);
  if (!cluster.brokers.has(answer.nodeId)) cluster.brokers.set(answer.nodeId, { host: answer.host, port: answer.port });
  return answer.nodeId;
}

/**
 * `call` on a connection to the group's coordinator. While the coordinator is busy or has moved (as
 * FindCoordinator or `call` report by throwing KafkaResponseError) it is looked up again, a few times with a
 * growing pause.
 */
export async function withCoordinator<T>(
  cluster: Cluster,
  groupId: string,
  call: (conn: Connection) => Promise<T>,
  lane = GROUP_INFO_LANE,
  keyType: number = CoordinatorKey.GROUP,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      const node = await findCoordinator(cluster, groupId, lane, keyType);
      return await call(await cluster.connection(node, lane));
    } catch (err) {
      if (!(err instanceof KafkaResponseError) || !COORDINATOR_BUSY.has(err.code) || attempt >= ATTEMPTS) throw err;
      await sleep(BACKOFF_MS * attempt);
    }
  }
}

/** The partitions a member of a consumer group was given, by topic; nothing for other protocols or unreadable bytes. */
function assignmentsOf(protocolType: string, bytes: Buffer | null): TopicAssignment[] {
  if (protocolType !== 'consumer' || !bytes || bytes.length === 0) return [];
  const byTopic = new Map<string, number[]>();
  try {
    for (const { topic, partition } of decodeAssignment(bytes)) {
      const partitions = byTopic.get(topic);
      if (partitions) partitions.push(partition);
      else byTopic.set(topic, [partition]);
    }
  } catch {
    return [];
  }
  return [...byTopic]
    .map(([topic, partitions]) => ({ topic, partitions: partitions.sort((a, b) => a - b) }))
    .sort((a, b) => a.topic.localeCompare(b.topic));
}

/**
 * The group's state, protocol and members with their assignments (DescribeGroups through the group's
 * coordinator). A group the broker does not know is state 'Dead', with no members.
 */
export async function describeGroup(cluster: Cluster, groupId: string): Promise<GroupDescription> {
  return withCoordinator(cluster, groupId, async (conn) => {
    const answer = await conn.request(DESCRIBE_GROUPS, { groups: [groupId], includeAuthorizedOperations: false });
    const g = answer.groups.find((x) => x.groupId === groupId);
    if (!g)
      throw new WireError(`DescribeGroups of group ${groupId}: the answer does not mention the group`, 'protocol');
    // brokers of the new group protocol say GROUP_ID_NOT_FOUND where older ones describe the group as Dead
    if (g.errorCode === ErrorCode.GROUP_ID_NOT_FOUND)
      return { groupId, state: 'Dead', protocolType: '', protocol: '', members: [] };
    if (g.errorCode !== 0) throw new KafkaResponseError(g.errorCode, `DescribeGroups of group ${groupId}`);
    const protocolType: string = g.protocolType ?? '';
    return {
      groupId,
      state: g.groupState,
      protocolType,
      protocol: g.protocolData ?? '',
      members: g.members
        .map((m) => ({
          memberId: m.memberId,
          clientId: m.clientId,
          host: m.clientHost,
          assignments: assignmentsOf(protocolType, m.memberAssignment),
        }))
        .sort((a, b) => a.clientId.localeCompare(b.clientId) || a.memberId.localeCompare(b.memberId)),
    };
  });
}

/** The group's state and its members' client ids: describeGroup, in short. */
export async function describeGroupState(cluster: Cluster, groupId: string): Promise<GroupState> {
  const g = await describeGroup(cluster, groupId);
  return { groupId, state: g.state, members: g.members.length, clients: g.members.map((m) => m.clientId) };
}

/** Partitions as the `topics` of a request: one entry per topic with its partitions, each as `partition` writes it. */
export function asTopics<P extends { topic: string; partition: number }, Q>(
  partitions: P[],
  partition: (p: P) => Q,
): { name: string; partitions: Q[] }[] {
  const byTopic = new Map<string, Q[]>();
  for (const p of partitions) {
    const list = byTopic.get(p.topic);
    if (list) list.push(partition(p));
    else byTopic.set(p.topic, [partition(p)]);
  }
  return [...byTopic].map(([name, ps]) => ({ name, partitions: ps }));
}

/**
 * The group's committed offsets (OffsetFetch through the coordinator) for these topics' partitions, or for every
 * topic with `null` (OffsetFetch v2+). A partition with nothing committed (-1) is left out; a partition's error
 * code throws.
 */
export async function fetchCommitted(
  cluster: Cluster,
  groupId: string,
  topics: { name: string; partitionIndexes: number[] }[] | null,
): Promise<{ topic: string; partition: number; offset: number }[]> {
  return withCoordinator(cluster, groupId, async (conn) => {
    if (topics === null && conn.versionFor(OFFSET_FETCH) < 2)
      throw new UnsupportedVersionError(
        `broker ${conn.name} cannot list every committed offset of a group (OffsetFetch v2, Kafka 0.10.2)`,
      );
    const answer = await offsetFetch(conn, groupId, topics);
    if (answer.errorCode) throw new KafkaResponseError(answer.errorCode, `OffsetFetch of group ${groupId}`);
    const out: { topic: string; partition: number; offset: number }[] = [];
    for (const t of answer.topics) {
      for (const p of t.partitions) {
        if (p.errorCode !== 0)
          throw new KafkaResponseError(
            p.errorCode,
            `OffsetFetch of group ${groupId} for ${t.name}-${p.partitionIndex}`,
          );
        if (p.committedOffset >= 0) out.push({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset });
      }
    }
    return out;
  });
}

/**
 * OffsetFetch of one group in whichever layout the negotiated version has (v8+ moves the group, and its
 * answer, into `groups`); the answer comes back in the single-group shape either way.
 */
export async function offsetFetch(
  conn: Connection,
  groupId: string,
  topics: { name: string; partitionIndexes: number[] }[] | null,
): Promise<Pick<DecodedResponse<typeof OFFSET_FETCH>, 'errorCode' | 'topics'>> {
  // one request object serves every version: the encoder writes the fields of the one it speaks
  const answer = await conn.request(OFFSET_FETCH, { groupId, topics, groups: [{ groupId, topics }] });
  if (conn.versionFor(OFFSET_FETCH) < 8) return answer;
  const g = answer.groups.find((x) => x.groupId === groupId);
  if (!g) throw new WireError(`OffsetFetch of group ${groupId}: the answer does not mention the group`, 'protocol');
  return { errorCode: g.errorCode, topics: g.topics };
}

/** Committed offsets of the group for these partitions; a partition with nothing committed is absent from the map. Keys are `${topic}:${partition}`. */
export async function committedOffsets(
  cluster: Cluster,
  groupId: string,
  partitions: { topic: string; partition: number }[],
): Promise<Map<string, number>> {
  if (partitions.length === 0) return new Map();
  const topics = asTopics(partitions, (p) => p.partition).map((t) => ({
    name: t.name,
    partitionIndexes: t.partitions,
  }));
  const committed = await fetchCommitted(cluster, groupId, topics);
  return new Map(committed.map((c) => [`${c.topic}:${c.partition}`, c.offset]));
}

/**
 * Every group the cluster knows (ListGroups), asked of each broker: a broker lists only the groups it
 * coordinates. Sorted by id; a broker that answers with an error code makes it throw.
 */
export async function listGroups(
  cluster: Cluster,
  lane = GROUP_INFO_LANE,
): Promise<{ groupId: string; protocolType: string }[]> {
  if (cluster.brokers.size === 0) await cluster.refreshMetadata([]);
  const found = new Map<string, string>();
  await Promise.all(
    [...cluster.brokers.keys()].map(async (node) => {
      const answer = await (await cluster.connection(node, lane)).request(LIST_GROUPS, {});
      if (answer.errorCode !== 0) throw new KafkaResponseError(answer.errorCode, `ListGroups of broker ${node}`);
      for (const g of answer.groups) found.set(g.groupId, g.protocolType);
    }),
  );
  return [...found]
    .map(([groupId, protocolType]) => ({ groupId, protocolType }))
    .sort((a, b) => a.groupId.localeCompare(b.groupId));
}
