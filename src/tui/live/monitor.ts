// What the live source and the one-shot snapshot share: a poller of the cluster, a tail of the workflow topics
// feeding an aggregator, and the assembly of a Snapshot from the three. The live source calls `poll` on a
// timer and follows the topics; the one-shot snapshot polls once and reads the window up to the ends it saw.

import type { Cluster } from '../../client/wire/index.js';
import type { ValueCodec } from '../../codec/value-codec.js';
import type { SimulationStatus, Snapshot } from '../source.js';
import { WorkflowAggregator, type AggregatorLimits } from './aggregator.js';
import { ClusterPoller, oneLine } from './poller.js';
import { Tail } from './tail.js';

export interface MonitorOptions {
  cluster: Cluster;
  /** decodes OrderRejected values (their reason); trace uses it too */
  codec: ValueCodec;
  clusterName: string;
  brokers: string[];
  /** how far back from now the tail starts (default 10 min) */
  sinceMs?: number;
  /** an order not final for longer is stuck (default 5000 ms) */
  stuckAfterMs?: number;
  simulation?: () => SimulationStatus | null;
  now?: () => number;
  limits?: AggregatorLimits;
}

export const DEFAULT_SINCE_MS = 10 * 60_000;
export const DEFAULT_STUCK_AFTER_MS = 5_000;

export class Monitor {
  readonly now: () => number;
  readonly startedAt: number;
  readonly aggregator: WorkflowAggregator;
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
    this.aggregator = new WorkflowAggregator(since, o.limits);
    this.poller = new ClusterPoller(o.cluster);
    this.tail = new Tail({ cluster: o.cluster, codec: o.codec, aggregator: this.aggregator, startAt: since, follow });
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
      workflow: aggregator.workflow(at, this.stuckAfterMs),
      services: poller.services.map((s) => ({
        ...s,
        lagHistory: [...s.lagHistory],
        partitions: s.partitions.map((p) => ({ ...p })),
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
