// The cluster half of a dashboard snapshot: one poll reads every topic's offsets (Metadata, ListOffsets) and
// every consumer group's state and committed offsets (ListGroups, DescribeGroups, OffsetFetch), none of which
// joins a group or changes anything. Rates come from the difference with the previous poll. A failed poll
// keeps the last rows and says why; the next successful one carries on from them.

import { EARLIEST, LATEST, type Cluster } from '../../client/wire/index.js';
import { committedOffsets, describeGroupState, listGroups } from '../../client/wire/group-info.js';
import { isInternalTopic, looksLikeDeadLetterTopic } from '../../flow/conventions.js';
import { flowGroups, type Flow } from '../../flow/model.js';
import { HISTORY_CAPACITY, Ring, type ServiceRow, type TopicRow } from '../source.js';

/** A topic row without what the tail knows (lastEventType). */
export type PolledTopic = Omit<TopicRow, 'lastEventType'>;
/** A service row without what the tail and the simulation know (dead letters, up). */
export type PolledService = Omit<ServiceRow, 'up' | 'dlq'>;

export class ClusterPoller {
  topics: PolledTopic[] = [];
  services: PolledService[] = [];
  reachable = false;
  error: string | null = null;
  /** bumped by every poll, failed or not */
  version = 0;
  private polledAt: number | null = null;
  // the previous poll's high watermarks and committed offsets (replaced by every poll: gone topics drop out)
  private ends = new Map<string, number>();
  private committed = new Map<string, number>();
  private readonly rateHistory = new Map<string, Ring<number>>();
  private readonly lagHistory = new Map<string, Ring<number>>();

  /** the flow's groups, by id, with the name the flow gives them */
  private readonly flowGroups: Map<string, string>;
  /** the topics each flow group is expected to read: those carrying the types it reacts to */
  private readonly expectedTopics: Map<string, string[]>;

  constructor(
    private readonly cluster: Cluster,
    private readonly flow: Flow | null = null,
  ) {
    this.flowGroups = new Map(flow ? flowGroups(flow).map((g) => [g.group, g.service]) : []);
    this.expectedTopics = new Map();
    // a timer's trigger is the group's own event, not something it consumes
    for (const r of (flow?.reactions ?? []).filter((x) => !x.timer)) {
      const topics = flow!.topics.filter((t) => r.on.some((type) => t.types.includes(type))).map((t) => t.name);
      for (const g of r.groups)
        this.expectedTopics.set(g, [...new Set([...(this.expectedTopics.get(g) ?? []), ...topics])]);
    }
  }

  /** One poll; never throws (a failure is recorded in `reachable` and `error`). Returns whether it succeeded. */
  async poll(now: number): Promise<boolean> {
    try {
      const topics = await this.readTopics();
      const services = await this.readGroups(topics);
      this.apply(topics, services, now);
      this.reachable = true;
      this.error = null;
      return true;
    } catch (err) {
      this.reachable = false;
      this.error = oneLine(err);
      return false;
    } finally {
      this.version++;
    }
  }

  /** [start, end) of every partition of the last successful poll, for the tail to start or stop at. */
  partitionEnds(): { topic: string; partition: number; end: number }[] {
    return this.topics.flatMap((t) => t.offsets.map((o) => ({ topic: t.name, partition: o.partition, end: o.end })));
  }

  private async readTopics(): Promise<
    { name: string; offsets: { partition: number; start: number; end: number }[] }[]
  > {
    // topicNames refreshes the metadata of all topics (internal ones and names starting with __ left out)
    const names = this.byFlowFirst((await this.cluster.topicNames()).filter((t) => !isInternalTopic(t)));
    const parts = names.flatMap((name) =>
      (this.cluster.cachedTopic(name)?.partitions ?? []).map((p) => ({ topic: name, partition: p.partition })),
    );
    const listed = await this.cluster.listOffsets(
      parts.flatMap((p) => [
        { ...p, timestamp: EARLIEST },
        { ...p, timestamp: LATEST },
      ]),
    );
    return names.map((name) => ({
      name,
      offsets: parts.flatMap((p, i) =>
        p.topic === name
          ? [{ partition: p.partition, start: listed[2 * i].offset, end: listed[2 * i + 1].offset }]
          : [],
      ),
    }));
  }

  /** The flow's topics in the order events go through them, then dead-letter topics, then the rest by name. */
  private byFlowFirst(names: readonly string[]): string[] {
    const order = new Map((this.flow?.topics ?? []).map((t, i) => [t.name, i]));
    const rank = (name: string) => order.get(name) ?? (looksLikeDeadLetterTopic(name) ? order.size : order.size + 1);
    return [...names].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  }

  private async readGroups(
    topics: { name: string; offsets: { partition: number; start: number; end: number }[] }[],
  ): Promise<PolledGroup[]> {
    const parts = new Map(
      topics.flatMap((t) => t.offsets.map((o) => [`${t.name}:${o.partition}`, { topic: t.name, ...o }] as const)),
    );
    // a cluster that refuses ListGroups (ACLs) still shows the flow's groups
    const others = (await listGroups(this.cluster).catch(() => []))
      .map((g) => g.groupId)
      .filter((g) => !this.flowGroups.has(g));
    const groups = [...this.flowGroups.keys(), ...others];
    return Promise.all(
      groups.map(async (group) => {
        const expected = new Set(this.expectedTopics.get(group) ?? []);
        // every partition is asked: a group's own are those it committed on, and those the flow expects it to read
        const asked = [...parts.values()];
        const [state, committed] = await Promise.all([
          describeGroupState(this.cluster, group),
          committedOffsets(this.cluster, group, asked),
        ]);
        const mine = asked.filter((p) => committed.has(`${p.topic}:${p.partition}`) || expected.has(p.topic));
        return {
          service: this.flowGroups.get(group) ?? group,
          group,
          inFlow: this.flowGroups.has(group),
          state: state.state,
          members: state.members,
          partitions: mine.map((p) => {
            const c = committed.get(`${p.topic}:${p.partition}`) ?? null;
            // with nothing committed, where a group would start is not known (auto.offset.reset)
            const lag = c !== null ? Math.max(0, p.end - c) : p.end === p.start ? 0 : null;
            return { topic: p.topic, partition: p.partition, committed: c, end: p.end, lag };
          }),
        };
      }),
    );
  }

  private apply(
    topics: { name: string; offsets: { partition: number; start: number; end: number }[] }[],
    groups: PolledGroup[],
    now: number,
  ): void {
    const seconds = this.polledAt === null ? 0 : (now - this.polledAt) / 1000;
    const rate = (delta: number) => (seconds > 0 ? delta / seconds : 0);
    const ends = new Map<string, number>();
    const committed = new Map<string, number>();
    this.topics = topics.map((t) => {
      let appended = 0;
      for (const o of t.offsets) {
        const key = `${t.name}:${o.partition}`;
        const before = this.ends.get(key);
        if (before !== undefined) appended += Math.max(0, o.end - before);
        ends.set(key, o.end);
      }
      const perSecond = rate(appended);
      const history = ringOf(this.rateHistory, t.name);
      history.push(perSecond);
      return {
        name: t.name,
        partitions: t.offsets.length,
        records: t.offsets.reduce((n, o) => n + o.end - o.start, 0),
        perSecond,
        rateHistory: history.toArray(),
        offsets: t.offsets,
      };
    });
    const rows = groups.map((g) => {
      let processed = 0;
      for (const p of g.partitions) {
        if (p.committed === null) continue;
        const key = `${g.group}|${p.topic}:${p.partition}`;
        const before = this.committed.get(key);
        if (before !== undefined) processed += Math.max(0, p.committed - before);
        committed.set(key, p.committed);
      }
      const known = g.partitions.filter((p) => p.lag !== null);
      const lag = known.length || g.partitions.length === 0 ? known.reduce((n, p) => n + p.lag!, 0) : null;
      const history = ringOf(this.lagHistory, g.group);
      history.push(lag ?? 0);
      return { ...g, lag, lagHistory: history.toArray(), processedPerSecond: rate(processed) };
    });
    // the flow's groups first (the flow's order), then the others by name
    this.services = [
      ...rows.filter((r) => r.inFlow),
      ...rows.filter((r) => !r.inFlow).sort((a, b) => a.group.localeCompare(b.group)),
    ];
    this.polledAt = now;
    this.ends = ends;
    this.committed = committed;
    prune(this.rateHistory, new Set(this.topics.map((t) => t.name)));
    prune(this.lagHistory, new Set(this.services.map((s) => s.group)));
  }
}

interface PolledGroup {
  service: string;
  group: string;
  inFlow: boolean;
  state: string;
  members: number;
  partitions: ServiceRow['partitions'];
}

function prune(rings: Map<string, unknown>, keep: Set<string>): void {
  for (const key of [...rings.keys()]) if (!keep.has(key)) rings.delete(key);
}

function ringOf(rings: Map<string, Ring<number>>, key: string): Ring<number> {
  let ring = rings.get(key);
  if (!ring) rings.set(key, (ring = new Ring<number>(HISTORY_CAPACITY)));
  return ring;
}

export function oneLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0].trim() || 'unknown error';
}
