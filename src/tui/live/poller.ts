// The cluster half of a dashboard snapshot: one poll reads every topic's offsets (Metadata, ListOffsets) and
// every consumer group's state and committed offsets (ListGroups, DescribeGroups, OffsetFetch), none of which
// joins a group or changes anything. Rates come from the difference with the previous poll. A failed poll
// keeps the last rows and says why; the next successful one carries on from them.

import { EARLIEST, LATEST, type Cluster } from '../../client/wire/index.js';
import { committedOffsets, describeGroupState, listGroups } from '../../client/wire/group-info.js';
import { WORKER_SERVICES, groupTopics, type WorkerService } from '../../workflow/catalogue.js';
import { workflowNames } from '../../workflow/names.js';
import { HISTORY_CAPACITY, Ring, type ServiceRow, type TopicRow } from '../source.js';

// the workflow's topics and groups under the default prefix (shop.), until the dashboard reads them from a flow
const WORKFLOW = workflowNames();

/** A topic row without what the tail knows (lastEventType). */
export type PolledTopic = Omit<TopicRow, 'lastEventType'>;
/** A service row without what the simulation knows (up). */
export type PolledService = Omit<ServiceRow, 'up'>;

const WORKFLOW_GROUPS = new Map<string, WorkerService>(WORKER_SERVICES.map((s) => [WORKFLOW.group(s), s]));

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

  constructor(private readonly cluster: Cluster) {}

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

  private async readTopics(): Promise<{ name: string; offsets: { partition: number; start: number; end: number }[] }[]> {
    // topicNames refreshes the metadata of all topics (internal ones and names starting with __ left out)
    const names = byWorkflowFirst(await this.cluster.topicNames());
    const parts = names.flatMap((name) => (this.cluster.cachedTopic(name)?.partitions ?? []).map((p) => ({ topic: name, partition: p.partition })));
    const listed = await this.cluster.listOffsets(parts.flatMap((p) => [{ ...p, timestamp: EARLIEST }, { ...p, timestamp: LATEST }]));
    return names.map((name) => ({
      name,
      offsets: parts.flatMap((p, i) => (p.topic === name ? [{ partition: p.partition, start: listed[2 * i].offset, end: listed[2 * i + 1].offset }] : [])),
    }));
  }

  private async readGroups(topics: { name: string; offsets: { partition: number; start: number; end: number }[] }[]): Promise<PolledGroup[]> {
    const parts = new Map(topics.flatMap((t) => t.offsets.map((o) => [`${t.name}:${o.partition}`, { topic: t.name, ...o }] as const)));
    // a cluster that refuses ListGroups (ACLs) still shows the workflow's groups
    const others = (await listGroups(this.cluster).catch(() => [])).map((g) => g.groupId).filter((g) => !WORKFLOW_GROUPS.has(g));
    const groups = [...WORKFLOW_GROUPS.keys(), ...others];
    return Promise.all(
      groups.map(async (group) => {
        const service = WORKFLOW_GROUPS.get(group);
        // a workflow group's partitions are its subscription's; another group's are those it committed on
        const asked = service
          ? groupTopics(service).flatMap((t) => [...parts.values()].filter((p) => p.topic === WORKFLOW.topic(t)))
          : [...parts.values()];
        const [state, committed] = await Promise.all([describeGroupState(this.cluster, group), committedOffsets(this.cluster, group, asked)]);
        const mine = service ? asked : asked.filter((p) => committed.has(`${p.topic}:${p.partition}`));
        return {
          service: service ?? group,
          group,
          state: state.state,
          members: state.members,
          partitions: mine.map((p) => {
            const c = committed.get(`${p.topic}:${p.partition}`) ?? null;
            // workflow workers start at the log start when nothing is committed; of others it is not known
            const lag = c !== null ? Math.max(0, p.end - c) : p.end === p.start ? 0 : service ? p.end - p.start : null;
            return { topic: p.topic, partition: p.partition, committed: c, end: p.end, lag };
          }),
        };
      }),
    );
  }

  private apply(topics: { name: string; offsets: { partition: number; start: number; end: number }[] }[], groups: PolledGroup[], now: number): void {
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
    const records = new Map(this.topics.map((t) => [t.name, t.records]));
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
      const isWorkflow = WORKFLOW_GROUPS.has(g.group);
      return {
        ...g,
        lag,
        lagHistory: history.toArray(),
        processedPerSecond: rate(processed),
        dlq: isWorkflow ? (records.get(WORKFLOW.dlq(g.service as WorkerService)) ?? 0) : 0,
      };
    });
    // the workflow's services first (catalogue order), then the others by name
    this.services = [...rows.filter((r) => WORKFLOW_GROUPS.has(r.group)), ...rows.filter((r) => !WORKFLOW_GROUPS.has(r.group)).sort((a, b) => a.group.localeCompare(b.group))];
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
  state: string;
  members: number;
  partitions: ServiceRow['partitions'];
}

/** The workflow's topics in the order events flow through them, then the dead-letter topics, then the rest. */
function byWorkflowFirst(names: readonly string[]): string[] {
  const rank = (name: string) => {
    const i = WORKFLOW.topics.indexOf(name);
    return i >= 0 ? i : WORKFLOW.isDeadLetter(name) ? WORKFLOW.topics.length : WORKFLOW.topics.length + 1;
  };
  return [...names].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
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
