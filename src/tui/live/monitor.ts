// What the live source and the one-shot snapshot share: a poller of the cluster, a tail of its topics (the
// flow's, or every topic's newest records) feeding an aggregator, and the assembly of a Snapshot from the three.
// The live source calls `poll` on a timer and follows the topics; the one-shot snapshot polls once and reads
// the window up to the ends it saw.

import type { Cluster } from '../../client/wire/index.js';
import type { ValueCodec } from '../../codec/value-codec.js';
import { isInternalTopic, looksLikeDeadLetterTopic } from '../../flow/conventions.js';
import type { Flow } from '../../flow/model.js';
import type { SimulationStatus, Snapshot } from '../source.js';
import { TailAggregator, type AggregatorLimits } from './aggregator.js';
import { ClusterPoller, oneLine } from './poller.js';
import { Tail } from './tail.js';

export interface MonitorOptions {
  cluster: Cluster;
  /** what the system is expected to do (null: topics, groups and the feed only) */
  flow: Flow | null;
  /** decodes values where the flow keeps ids, types or reasons in them; trace uses it too */
  codec: ValueCodec;
  clusterName: string;
  brokers: string[];
  /** how far back from now the tail starts (default 10 min) */
  sinceMs?: number;
  /** an entity not final for longer is stuck (default 5000 ms) */
  stuckAfterMs?: number;
  simulation?: () => SimulationStatus | null;
  now?: () => number;
  limits?: AggregatorLimits;
}

export const DEFAULT_SINCE_MS = 10 * 60_000;
/** Without a flow the feed needs only the newest records: this many back from each partition's end. */
export const FEED_BACK_PER_PARTITION = 50;
export const DEFAULT_STUCK_AFTER_MS = 5_000;

export class Monitor {
  readonly now: () => number;
  readonly startedAt: number;
  readonly aggregator: TailAggregator;
  readonly poller: ClusterPoller;
  readonly tail: Tail;
  private readonly stuckAfterMs: number;

  constructor(
    private readonly o: MonitorOptions,
    follow: boolean,
  ) {
    this.now = o.now ?? Date.now;
    this.startedAt = this.now();
    this.stuckAfterMs = o.stuckAfterMs ?? DEFAULT_STUCK_AFTER_MS;
    const since = this.startedAt - (o.sinceMs ?? DEFAULT_SINCE_MS);
    this.aggregator = new TailAggregator(o.flow, since, o.limits);
    this.poller = new ClusterPoller(o.cluster, o.flow);
    const flow = o.flow;
    const flowTopics = new Set(flow?.topics.map((t) => t.name) ?? []);
    // with a flow: its topics and the dead-letter topics that go with them; without: every topic's newest records
    const isTailed = flow
      ? (t: string) =>
          flowTopics.has(t) ||
          (looksLikeDeadLetterTopic(t) &&
            ((flow.prefix !== '' && t.startsWith(flow.prefix)) || flow.topics.some((x) => t.includes(x.name))))
      : (t: string) => !isInternalTopic(t);
    this.tail = new Tail({
      cluster: o.cluster,
      codec: o.codec,
      aggregator: this.aggregator,
      isTailed,
      startAt: since,
      maxBack: flow ? null : FEED_BACK_PER_PARTITION,
      follow,
    });
  }

  /** Anything that may change a snapshot: the publisher skips a snapshot when this did not move. */
  get version(): number {
    return this.poller.version + this.aggregator.version;
  }

  /** One poll, then readers for the tailed topics it listed that have none yet. Never throws. */
  async poll(): Promise<void> {
    if (!(await this.poller.poll(this.now()))) return;
    await this.tail.cover(this.poller.partitionEnds()).catch((err: unknown) => {
      this.tail.error = oneLine(err);
    });
  }

  /** A snapshot of everything as it stands; every array in it is fresh (a paused screen may keep it). */
  snapshot(): Snapshot {
    const at = this.now();
    const simulation = this.o.simulation?.() ?? null;
    const down = new Set(simulation?.down ?? []);
    const { poller, aggregator } = this;
    return {
      at,
      startedAt: this.startedAt,
      cluster: {
        name: this.o.clusterName,
        brokers: [...this.o.brokers],
        reachable: poller.reachable,
        error: poller.error ?? (this.tail.error && `tail: ${this.tail.error}`),
      },
      simulation: simulation && { ...simulation, down: [...simulation.down] },
      flow: aggregator.flowStatus(at, this.stuckAfterMs),
      services: poller.services.map((s) => ({
        ...s,
        lagHistory: [...s.lagHistory],
        partitions: s.partitions.map((p) => ({ ...p })),
        dlq: aggregator.deadLettersBy(s.group) + (s.service !== s.group ? aggregator.deadLettersBy(s.service) : 0),
        up: s.members > 0 && !down.has(s.service),
      })),
      topics: poller.topics.map((t) => ({
        ...t,
        rateHistory: [...t.rateHistory],
        offsets: t.offsets.map((x) => ({ ...x })),
        lastEventType: aggregator.lastEventType(t.name),
      })),
      feed: aggregator.feedEvents(),
    };
  }
}
