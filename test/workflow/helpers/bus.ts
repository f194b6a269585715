// A tiny in-memory "bus" for the workflow's pure services: a virtual clock, an append-only log per topic
// (what invariants read back), and a timeline of deliveries to the services subscribed to each topic.
// Each delivery lands after a seeded random latency but never before an earlier record of the same
// (service, topic, key), as a Kafka partition would keep them; with `redeliveryRate` a handled delivery is
// delivered again later, out of order (at-least-once), to prove the handlers idempotent. A paused service
// receives nothing until resumed, then gets what it missed in order.

import { TOPIC_NAMES, type ServiceName, type TopicName } from '../../../src/workflow/catalogue.js';
import type { AnyRecord, WorkflowRecord } from '../../../src/workflow/envelope.js';
import type { TopicLogs } from '../../../src/workflow/invariants.js';
import { createRandom, type Random } from '../../../src/workflow/random.js';
import type { WorkflowService } from '../../../src/workflow/service.js';

interface Entry {
  at: number;
  seq: number;
  run: () => void;
}

export interface BusOptions {
  seed: number | string;
  /** Upper bound of a delivery's latency, ms (at least 1). */
  maxLatencyMs: number;
  /** Chance that a handled delivery is delivered again later. */
  redeliveryRate: number;
  /** Services' tick period, ms. */
  tickMs: number;
}

export class Bus {
  now = 0;
  readonly logs: { [T in TopicName]: WorkflowRecord<T>[] } = Object.fromEntries(
    TOPIC_NAMES.map((t) => [t, []]),
  ) as unknown as { [T in TopicName]: WorkflowRecord<T>[] };
  redeliveries = 0;
  private readonly services: WorkflowService[] = [];
  private readonly timeline: Entry[] = [];
  private seq = 0;
  private readonly lastAt = new Map<string, number>();
  /** service -> time it resumes (Infinity: stopped for good) */
  private readonly paused = new Map<ServiceName, number>();
  // Two streams: latencies and redeliveries draw from separate ones, so adding redeliveries does not move
  // any original delivery, and a run with and without them can be compared record for record.
  private readonly latency: Random;
  private readonly redelivery: Random;

  constructor(private readonly options: BusOptions) {
    this.latency = createRandom(`${String(options.seed)}:latency`);
    this.redelivery = createRandom(`${String(options.seed)}:redelivery`);
  }

  attach(service: WorkflowService): void {
    this.services.push(service);
  }

  /** Run `fn` at virtual time `at`. */
  at(at: number, fn: () => void): void {
    this.schedule(at, this.seq++, fn);
  }

  /** Append a record to its topic's log and schedule its deliveries. */
  publish(record: AnyRecord): void {
    (this.logs[record.topic] as unknown as AnyRecord[]).push(record);
    for (const service of this.services) {
      if (!service.topics.includes(record.topic)) continue;
      const lane = `${service.name}|${record.topic}|${record.key}`;
      const at = Math.max(this.now + this.latency.int(1, this.options.maxLatencyMs), this.lastAt.get(lane) ?? 0);
      this.lastAt.set(lane, at);
      this.deliver(service, record, at, this.seq++);
    }
  }

  /** Stop delivering to a service from `from` for `forMs` (Infinity: for good). */
  pause(service: ServiceName, from: number, forMs: number): void {
    this.at(from, () => this.paused.set(service, from + forMs));
  }

  /** Process the timeline up to virtual time `until`, ticking every service each `tickMs`. */
  run(until: number): void {
    let nextTick = Math.ceil(this.now / this.options.tickMs) * this.options.tickMs;
    for (;;) {
      const head = this.timeline[0];
      if (nextTick <= until && (!head || nextTick < head.at)) {
        this.now = nextTick;
        for (const s of this.services) if (!this.isPaused(s.name)) for (const r of s.tick()) this.publish(r);
        nextTick += this.options.tickMs;
        continue;
      }
      if (!head || head.at > until) break;
      this.timeline.shift();
      this.now = head.at;
      head.run();
    }
    this.now = until;
  }

  private isPaused(name: ServiceName): boolean {
    const until = this.paused.get(name);
    return until !== undefined && this.now < until;
  }

  private deliver(service: WorkflowService, record: AnyRecord, at: number, seq: number): void {
    this.schedule(at, seq, () => {
      const resume = this.paused.get(service.name);
      if (resume !== undefined && this.now < resume) {
        // keep the original seq so missed records come back in their order
        if (resume !== Infinity) this.deliver(service, record, resume, seq);
        return;
      }
      for (const r of service.handle(record)) this.publish(r);
      if (this.redelivery.chance(this.options.redeliveryRate)) {
        this.redeliveries++;
        this.deliver(service, record, this.now + this.redelivery.int(1, 200), this.seq++);
      }
    });
  }

  private schedule(at: number, seq: number, run: () => void): void {
    // binary insertion by (at, seq): the timeline stays sorted, so runs are deterministic
    let lo = 0;
    let hi = this.timeline.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const e = this.timeline[mid];
      if (e.at < at || (e.at === at && e.seq < seq)) lo = mid + 1;
      else hi = mid;
    }
    this.timeline.splice(lo, 0, { at, seq, run });
  }

  topicLogs(): TopicLogs {
    return this.logs;
  }
}
