// What the cluster says about the consumer groups a verdict points at: their state and members
// (DescribeGroups), their committed offsets on the partitions in question (OffsetFetch) and those partitions'
// ends (ListOffsets). Without a flow, every group is asked whether it reads the newest event's topic. Nothing
// here joins a group, so asking never disturbs the live members.

import { LATEST, type Cluster } from '../client/wire/index.js';
import { committedOffsets, describeGroupState, listGroups } from '../client/wire/group-info.js';
import type { FactsWanted, GroupFacts } from './verdict.js';

/** Groups asked at once: a cluster may have hundreds, and each costs a coordinator round trip. */
const CONCURRENCY = 8;

export async function gatherFacts(cluster: Cluster, wanted: FactsWanted): Promise<GroupFacts> {
  const facts: GroupFacts = { groups: new Map(), committed: new Map(), ends: new Map() };
  const asks = new Map(wanted.groups);
  const partitions = new Map<string, { topic: string; partition: number }>();
  for (const list of asks.values()) for (const p of list) partitions.set(`${p.topic}:${p.partition}`, p);

  if (wanted.readersOf) {
    const { topic, partition } = wanted.readersOf;
    partitions.set(`${topic}:${partition}`, wanted.readersOf);
    // a group reads the topic when it has committed on any of its partitions
    const all = (await cluster.topic(topic, { refresh: false })).partitions.map((p) => ({
      topic,
      partition: p.partition,
    }));
    const groups = await listGroups(cluster).catch(() => []);
    await eachLimited(groups, CONCURRENCY, async ({ groupId }) => {
      const committed = await committedOffsets(cluster, groupId, all).catch(() => new Map<string, number>());
      if (committed.size === 0) return;
      asks.set(groupId, [wanted.readersOf!]);
      for (const [k, v] of committed) facts.committed.set(`${groupId}|${k}`, v);
    });
  }

  await eachLimited([...asks], CONCURRENCY, async ([group, parts]) => {
    try {
      const g = await describeGroupState(cluster, group);
      facts.groups.set(group, { state: g.state, members: g.members });
      for (const [k, v] of await committedOffsets(cluster, group, parts)) facts.committed.set(`${group}|${k}`, v);
    } catch {
      // a cluster that refuses group requests (ACLs) still gets a verdict, with the group's side unknown
    }
  });
  if (partitions.size) {
    for (const l of await cluster.listOffsets([...partitions.values()].map((p) => ({ ...p, timestamp: LATEST }))))
      facts.ends.set(`${l.topic}:${l.partition}`, l.offset);
  }
  return facts;
}

async function eachLimited<T>(items: readonly T[], limit: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await run(items[next++]);
  });
  await Promise.all(workers);
}
