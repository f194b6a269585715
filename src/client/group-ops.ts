// Consumer-group operations built on the AdminClient: lag per partition, per topic and in total, and offset
// resets planned as data (a dry run is the plan; --execute commits it).

import {
  INACTIVE_GROUP_STATES,
  notFound,
  type AdminClient,
  type GroupDescription,
  type GroupMember,
  type PartitionOffsets,
} from './admin.js';
import { mapLimit } from './map-limit.js';
import { WireError } from './wire/errors.js';

export interface PartitionLag {
  topic: string;
  partition: number;
  /** null: nothing committed */
  committed: number | null;
  /** null when the topic no longer exists */
  low: number | null;
  high: number | null;
  /** high watermark - committed; null when either is unknown */
  lag: number | null;
  /** client id of the member the partition is assigned to */
  member: string | null;
}

export interface TopicLag {
  topic: string;
  partitions: number;
  /** sum of the known partition lags; null when none is known */
  lag: number | null;
}

export interface GroupDetail {
  groupId: string;
  state: string;
  protocolType: string;
  protocol: string;
  members: GroupMember[];
  partitions: PartitionLag[];
  topics: TopicLag[];
  lag: number | null;
}

export interface GroupSummary {
  groupId: string;
  state: string;
  members: number;
  protocolType: string;
  protocol: string;
  /** total lag over the partitions it committed offsets for; null when there are none */
  lag: number | null;
}

const sumKnown = (xs: (number | null)[]): number | null => {
  const known = xs.filter((x): x is number => x !== null);
  return known.length ? known.reduce((a, b) => a + b, 0) : null;
};

/** Topic offsets fetched at most once per topic, and never for topics that do not exist. */
function offsetCache(admin: AdminClient, existing: Set<string>) {
  const cache = new Map<string, Promise<PartitionOffsets[] | null>>();
  return (topic: string) => {
    let p = cache.get(topic);
    if (!p) {
      p = existing.has(topic) ? admin.topicOffsets(topic) : Promise.resolve(null);
      cache.set(topic, p);
    }
    return p;
  };
}

async function lagOf(
  admin: AdminClient,
  group: GroupDescription,
  offsetsOf: (topic: string) => Promise<PartitionOffsets[] | null>,
  existing: Set<string>,
): Promise<PartitionLag[]> {
  const owner = new Map<string, string>();
  for (const m of group.members)
    for (const a of m.assignments) for (const p of a.partitions) owner.set(`${a.topic}\0${p}`, m.clientId);
  // committed offsets of every topic it committed to, and of the topics assigned to its members
  const committed = await admin.committedOffsets(group.groupId);
  const assignedTopics = [...new Set(group.members.flatMap((m) => m.assignments.map((a) => a.topic)))].filter((t) =>
    existing.has(t),
  );
  const committedTopics = new Set(committed.map((c) => c.topic));
  const extraTopics = assignedTopics.filter((t) => !committedTopics.has(t));
  if (extraTopics.length) committed.push(...(await admin.committedOffsets(group.groupId, extraTopics)));

  const rows = new Map<string, PartitionLag>();
  const topics = [...new Set([...committed.map((c) => c.topic), ...assignedTopics])].sort();
  for (const topic of topics) {
    const offsets = await offsetsOf(topic);
    const partitionIds = new Set<number>([
      ...(offsets ?? []).filter(() => assignedTopics.includes(topic)).map((o) => o.partition),
      ...committed.filter((c) => c.topic === topic).map((c) => c.partition),
    ]);
    for (const partition of [...partitionIds].sort((a, b) => a - b)) {
      const c = committed.find((x) => x.topic === topic && x.partition === partition);
      const o = offsets?.find((x) => x.partition === partition);
      const value = c?.offset ?? null;
      const high = o?.high ?? null;
      rows.set(`${topic}\0${partition}`, {
        topic,
        partition,
        committed: value,
        low: o?.low ?? null,
        high,
        lag: value !== null && high !== null ? Math.max(0, high - value) : null,
        member: owner.get(`${topic}\0${partition}`) ?? null,
      });
    }
  }
  // committed offsets that are all "none" and unassigned say nothing
  return [...rows.values()].filter((r) => r.committed !== null || r.member !== null);
}

function topicLags(partitions: PartitionLag[]): TopicLag[] {
  const topics = [...new Set(partitions.map((p) => p.topic))];
  return topics.map((topic) => {
    const ps = partitions.filter((p) => p.topic === topic);
    return { topic, partitions: ps.length, lag: sumKnown(ps.map((p) => p.lag)) };
  });
}

/** Exit 4 for groups the cluster does not know (described as Dead). */
export async function requireGroups(admin: AdminClient, groupIds: string[]): Promise<GroupDescription[]> {
  const groups = await admin.describeGroups(groupIds);
  const missing = groups.filter((g) => g.state === 'Dead').map((g) => g.groupId);
  if (missing.length) throw notFound('group', missing);
  return groups;
}

export async function describeGroup(admin: AdminClient, groupId: string): Promise<GroupDetail> {
  const [group] = await requireGroups(admin, [groupId]);
  const existing = new Set(await admin.listTopics());
  const partitions = await lagOf(admin, group, offsetCache(admin, existing), existing);
  return {
    groupId,
    state: group.state,
    protocolType: group.protocolType,
    protocol: group.protocol,
    members: group.members,
    partitions,
    topics: topicLags(partitions),
    lag: sumKnown(partitions.map((p) => p.lag)),
  };
}

export async function listGroupSummaries(admin: AdminClient): Promise<GroupSummary[]> {
  const listed = await admin.listGroups();
  if (listed.length === 0) return [];
  const [groups, topics] = await Promise.all([admin.describeGroups(listed.map((g) => g.groupId)), admin.listTopics()]);
  const existing = new Set(topics);
  const offsetsOf = offsetCache(admin, existing);
  return mapLimit(groups, 4, async (g) => {
    const partitions = await lagOf(admin, g, offsetsOf, existing);
    return {
      groupId: g.groupId,
      state: g.state,
      members: g.members.length,
      protocolType: g.protocolType,
      protocol: g.protocol,
      lag: sumKnown(partitions.map((p) => p.lag)),
    };
  });
}

// ------------------------------------------------------------------------------------------------- reset

export type ResetTarget =
  | { kind: 'earliest' }
  | { kind: 'latest' }
  | { kind: 'time'; timestamp: number }
  | { kind: 'offset'; offset: number }
  | { kind: 'shift'; by: number };

export interface ResetRow {
  topic: string;
  partition: number;
  /** the committed offset now (null: none) */
  current: number | null;
  /** the offset to commit (null: this partition is left alone, see note) */
  target: number | null;
  low: number;
  high: number;
  note?: string;
}

export interface ResetPlan {
  groupId: string;
  state: string;
  target: ResetTarget;
  rows: ResetRow[];
}

export function describeTarget(t: ResetTarget): string {
  switch (t.kind) {
    case 'earliest':
    case 'latest':
      return t.kind;
    case 'time':
      return `@${new Date(t.timestamp).toISOString()}`;
    case 'offset':
      return `offset ${t.offset}`;
    case 'shift':
      return `shift by ${t.by >= 0 ? '+' : ''}${t.by}`;
  }
}

function refuseActive(group: GroupDescription): void {
  if (INACTIVE_GROUP_STATES.includes(group.state)) return;
  const n = group.members.length;
  throw new WireError(
    `group ${group.groupId} has ${n} active member${n === 1 ? '' : 's'} (state ${group.state}): stop its consumers before resetting its offsets`,
    'refused',
  );
}

/** What a reset would commit, partition by partition. Refuses (exit 1) while the group has active members. */
export async function planReset(
  admin: AdminClient,
  groupId: string,
  scope: { topics: string[] } | { allTopics: true },
  target: ResetTarget,
): Promise<ResetPlan> {
  const [group] = await requireGroups(admin, [groupId]);
  refuseActive(group);
  let topics: string[];
  if ('allTopics' in scope) {
    const committed = await admin.committedOffsets(groupId);
    topics = [...new Set(committed.filter((c) => c.offset !== null).map((c) => c.topic))].sort();
    if (topics.length === 0)
      throw new WireError(`group ${groupId} has no committed offsets: name the topics with --topic`, 'refused');
    const existing = new Set(await admin.listTopics());
    const gone = topics.filter((t) => !existing.has(t));
    if (gone.length)
      throw new WireError(
        `group ${groupId} has offsets for ${gone.join(', ')}, which no longer exist${gone.length === 1 ? 's' : ''}; name the topics with --topic`,
        'not-found',
      );
  } else {
    topics = [...new Set(scope.topics)];
    await admin.topicMetadata(topics);
  }
  const committed = await admin.committedOffsets(groupId, topics);
  const rows: ResetRow[] = [];
  for (const topic of topics) {
    const offsets = await admin.topicOffsets(topic);
    const byTime =
      target.kind === 'time'
        ? new Map((await admin.offsetsForTime(topic, target.timestamp)).map((o) => [o.partition, o.offset]))
        : null;
    for (const { partition, low, high } of offsets) {
      const current = committed.find((c) => c.topic === topic && c.partition === partition)?.offset ?? null;
      const clamp = (n: number): { value: number; note?: string } =>
        n < low
          ? { value: low, note: `clamped to the earliest offset ${low}` }
          : n > high
            ? { value: high, note: `clamped to the latest offset ${high}` }
            : { value: n };
      let row: ResetRow;
      switch (target.kind) {
        case 'earliest':
          row = { topic, partition, current, target: low, low, high };
          break;
        case 'latest':
          row = { topic, partition, current, target: high, low, high };
          break;
        case 'time': {
          // the first offset at or after the time; the high watermark when every record is older
          const found = byTime!.get(partition);
          row = {
            topic,
            partition,
            current,
            low,
            high,
            ...clampTo(clamp(found === undefined || found < 0 ? high : found)),
          };
          break;
        }
        case 'offset':
          row = { topic, partition, current, low, high, ...clampTo(clamp(target.offset)) };
          break;
        case 'shift':
          row =
            current === null
              ? {
                  topic,
                  partition,
                  current,
                  target: null,
                  low,
                  high,
                  note: 'nothing committed to shift from: left alone',
                }
              : { topic, partition, current, low, high, ...clampTo(clamp(current + target.by)) };
          break;
      }
      rows.push(row);
    }
  }
  return { groupId, state: group.state, target, rows };
}

function clampTo(c: { value: number; note?: string }): { target: number; note?: string } {
  return c.note ? { target: c.value, note: c.note } : { target: c.value };
}

/** Commits the plan's offsets (concrete offsets only), after checking once more that the group is inactive. */
export async function applyReset(admin: AdminClient, plan: ResetPlan): Promise<number> {
  const [group] = await admin.describeGroups([plan.groupId]);
  if (group) refuseActive(group);
  const offsets = plan.rows
    .filter((r) => r.target !== null)
    .map((r) => ({ topic: r.topic, partition: r.partition, offset: r.target! }));
  if (offsets.length) await admin.commitOffsets(plan.groupId, offsets);
  const committed = offsets.length;
  return committed;
}
