// One instance of a workflow service on Kafka: a member of the service's consumer group that decodes each
// record, hands it to the service, publishes what the service returns, and only then lets the group commit
// the record's offset (at-least-once). A record it cannot decode or handle goes to the service's
// dead-letter topic with where it came from and why, and the worker carries on.
//
// The instance keeps no state of its own: whenever the group gives it partitions, it builds a fresh service
// and rebuilds its state from the service's recovery topics on those partitions (see WorkflowService), then
// publishes whatever a crash left owed. That is what makes kill -9 at any moment safe: the handlers' guards
// turn the redelivered records (offsets not yet committed) into no-ops when their outputs were already
// published, and the deterministic event ids make a re-published output a duplicate that consumers drop.

import type { GroupConsumer, MessageBatch, TopicPartition } from '../../client/group-consumer.js';
import { createWireGroupConsumer } from '../../client/wire/group-consumer.js';
import {
  headerText,
  textHeaders,
  type ConsumedRecord,
  type OutgoingRecord,
  type RecordHeader,
} from '../../client/records.js';
import type { ConnectionSettings } from '../../client/settings.js';
import type { Cluster, WireProducer } from '../../client/wire/index.js';
import {
  DLQ_HEADERS,
  GLOBAL_INPUTS,
  HEADERS,
  SINGLETON_SERVICES,
  groupTopics,
  type ServiceName,
  type WorkerService,
} from '../catalogue.js';
import { createService, type WorkflowConfig } from '../config.js';
import { eventIdOf, type AnyRecord } from '../envelope.js';
import type { WorkflowNames } from '../names.js';
import { createRandom, type Random } from '../random.js';
import type { WorkflowService } from '../service.js';
import type { WorkflowCodec } from './codec.js';
import { decodeEach, follow, partitionsOf, readToEnd, type DecodedChunk, type DecodedRecord } from './read-back.js';
import { sleep } from '../../common/time.js';

export { DLQ_HEADERS };

/** Tries of a handler that throws before its record is dead-lettered. */
export const HANDLER_ATTEMPTS = 3;

export interface WorkerRuntime {
  settings: ConnectionSettings;
  cluster: Cluster;
  /** shared by the instances of a process; idempotent, so retries neither duplicate nor reorder */
  producer: WireProducer;
  codec: WorkflowCodec;
  /** the workflow's names on this cluster (the codec's): services and records speak logical topics, the runtime maps them */
  names: WorkflowNames;
  config: WorkflowConfig;
  /** diagnostics (stderr) */
  log(line: string): void;
}

export interface WorkerOptions {
  service: WorkerService;
  /** a label for messages, e.g. payments#2 */
  instance: string;
  /** period of the service's time-driven work (deadlines, shipment progress) */
  tickMs?: number;
  /** extra processing time per record, as a slow dependency would add: a uniform draw in [min, max] */
  latency?: { minMs: number; maxMs: number };
  sessionTimeoutMs?: number;
  maxWaitMs?: number;
}

export interface WorkerStats {
  /** records handed to the service */
  handled: number;
  /** records published */
  produced: number;
  /** records sent to the dead-letter topic */
  deadLettered: number;
  /** times this instance rebuilt its state */
  recoveries: number;
  /** records read back in the last recovery */
  recoveredRecords: number;
  /** partitions this instance owns */
  assigned: TopicPartition[];
}

export class ServiceWorker {
  readonly stats: WorkerStats = {
    handled: 0,
    produced: 0,
    deadLettered: 0,
    recoveries: 0,
    recoveredRecords: 0,
    assigned: [],
  };
  private service: WorkflowService | null = null;
  /** settles once the state for the current assignment is rebuilt; batches and ticks wait for it */
  private ready: Promise<void> = Promise.resolve();
  private generation = 0;
  private consumer: GroupConsumer | null = null;
  private stockFeed: { close(): void } | null = null;
  private ticker: NodeJS.Timeout | null = null;
  private stopping = false;
  private crashed = false;
  private failure: Error | null = null;
  private readonly failureListeners: ((err: Error) => void)[] = [];
  private readonly random: Random;
  private readonly latencyRandom: Random;

  private constructor(
    private readonly rt: WorkerRuntime,
    private readonly options: WorkerOptions,
  ) {
    // root events (restocks, corrective stock levels) need ids no other instance or run can mint
    this.random = createRandom(`${options.instance}:${process.pid}:${Date.now()}:${Math.random()}`);
    this.latencyRandom = createRandom(`${String(rt.config.seed)}:${options.service}:latency`);
  }

  /** Joins the service's group and starts working once it has its partitions and state. */
  static async start(rt: WorkerRuntime, options: WorkerOptions): Promise<ServiceWorker> {
    const worker = new ServiceWorker(rt, options);
    await worker.run();
    return worker;
  }

  get name(): ServiceName {
    return this.options.service;
  }

  get instance(): string {
    return this.options.instance;
  }

  /** The service of the current assignment (its state is what the instance holds now). */
  get current(): WorkflowService | null {
    return this.service;
  }

  /** Called once if the instance fails for good (it has left its group by then). */
  onFailure(listener: (err: Error) => void): void {
    this.failureListeners.push(listener);
  }

  private async run(): Promise<void> {
    const { service } = this.options;
    const { names } = this.rt;
    const consumer = createWireGroupConsumer(this.rt.settings, {
      groupId: names.group(service),
      topics: groupTopics(service).map(names.topic),
      strategy: SINGLETON_SERVICES.includes(service) ? 'singleton' : 'copartitioned',
      fromBeginning: true,
      sessionTimeoutMs: this.options.sessionTimeoutMs ?? 6_000,
      heartbeatIntervalMs: Math.max(100, Math.floor((this.options.sessionTimeoutMs ?? 6_000) / 10)),
      maxWaitMs: this.options.maxWaitMs ?? 500,
    });
    this.consumer = consumer;
    consumer.onAssignment((assigned) => this.assign(assigned));
    consumer.onError((err) => void this.fail(err));
    await consumer.start((batch) => this.handleBatch(batch));
    await this.ready; // started means working: the first assignment's state is rebuilt
    const tickMs = this.options.tickMs ?? 100;
    this.ticker = setInterval(() => void this.tick(), tickMs);
    this.ticker.unref?.();
  }

  /** A new assignment: a fresh service, its state rebuilt from the assigned partitions of its topics. */
  private assign(assigned: TopicPartition[]): void {
    const generation = ++this.generation;
    this.stats.assigned = assigned;
    this.service = null;
    this.stockFeed?.close();
    this.stockFeed = null;
    const numbers = [...new Set(assigned.map((a) => a.partition))];
    this.ready = this.recover(generation, numbers).catch((err: Error) => {
      void this.fail(new Error(`${this.options.instance}: rebuilding state failed: ${err.message}`));
      throw err;
    });
    // a failed recovery is reported through fail(); nothing else awaits this copy
    this.ready.catch(() => {});
  }

  private async recover(generation: number, partitionNumbers: number[]): Promise<void> {
    const { service: name } = this.options;
    const service = createService(name, { now: Date.now, random: this.random }, this.rt.config);
    if (partitionNumbers.length === 0) return; // a standby: nothing to rebuild until it owns something
    const singleton = SINGLETON_SERVICES.includes(name);
    const partitions = await partitionsOf(
      this.rt.cluster,
      service.recoveryTopics.map(this.rt.names.topic),
      singleton ? undefined : partitionNumbers,
    );
    const seen = new Set<string>();
    let count = 0;
    await readToEnd(this.rt.cluster, this.rt.codec, partitions, (chunk) => {
      for (const r of chunk.records) {
        const id = eventIdOf(r);
        if (id && seen.has(id)) continue;
        if (id) seen.add(id);
        service.recover(r);
        count++;
      }
    });
    if (generation !== this.generation) return; // reassigned meanwhile: that recovery wins
    await this.startGlobalInputs(service, generation);
    this.stats.recoveries++;
    this.stats.recoveredRecords = count;
    this.service = service;
    await this.publish(service.recovered());
  }

  /** Local views of whole topics (orders' stock view): read up to now before work starts, then followed. */
  private async startGlobalInputs(service: WorkflowService, generation: number): Promise<void> {
    const topics = GLOBAL_INPUTS[this.options.service] ?? [];
    if (topics.length === 0) return;
    const partitions = await partitionsOf(this.rt.cluster, topics.map(this.rt.names.topic));
    const apply = (chunk: DecodedChunk) => {
      for (const r of chunk.records) service.handle(r);
    };
    const reached = await readToEnd(this.rt.cluster, this.rt.codec, partitions, apply);
    if (generation !== this.generation) return;
    this.stockFeed = follow(this.rt.cluster, this.rt.codec, partitions, apply, (err) => void this.fail(err), reached);
  }

  private async handleBatch(batch: MessageBatch): Promise<void> {
    await this.ready;
    if (this.crashed) throw new Error(`${this.options.instance} crashed`);
    const service = this.service;
    if (!service) return; // assignment changed while waiting: the batch will be fetched again by its new owner
    const decoded = await this.decodeBatch(service, batch);
    const outputs: AnyRecord[] = [];
    const dead: OutgoingDead[] = [];
    for (const item of decoded) {
      if ('error' in item) {
        dead.push({ record: item.record, error: item.error, attempts: 1 });
        continue;
      }
      let lastError: Error | null = null;
      let attempts = 0;
      while (attempts < HANDLER_ATTEMPTS) {
        attempts++;
        try {
          outputs.push(...service.handle(item.value));
          lastError = null;
          break;
        } catch (err) {
          lastError = err as Error;
        }
      }
      this.stats.handled++;
      if (lastError) dead.push({ record: item.record, error: `${lastError.name}: ${lastError.message}`, attempts });
    }
    if (this.options.latency) await sleep(this.sampleLatency(decoded.length));
    if (this.crashed) throw new Error(`${this.options.instance} crashed`);
    await Promise.all([this.publish(outputs), ...dead.map((d) => this.deadLetter(d))]);
  }

  /** The batch decoded, without the records whose event type (by header) the service does not act on. */
  private decodeBatch(service: WorkflowService, batch: MessageBatch): Promise<DecodedRecord[]> {
    const topic = this.rt.names.logical(batch.topic);
    const wanted = topic && service.handles?.[topic];
    // a record that claims no event type is decoded: if it is garbage, it belongs in the dead-letter topic
    const records = wanted
      ? batch.records.filter((r) => wanted.includes(headerText(r.headers, HEADERS.eventType) || wanted[0]))
      : batch.records;
    return decodeEach(this.rt.codec, records);
  }

  /** The longest of `n` draws: the batch's outputs wait for its slowest record. */
  private sampleLatency(n: number): number {
    const { minMs, maxMs } = this.options.latency!;
    let longest = 0;
    for (let i = 0; i < Math.max(1, n); i++)
      longest = Math.max(longest, minMs + this.latencyRandom.next() * (maxMs - minMs));
    return longest;
  }

  private async tick(): Promise<void> {
    const service = this.service;
    if (!service || this.stopping || this.crashed) return;
    try {
      await this.publish(service.tick());
    } catch (err) {
      void this.fail(err as Error);
    }
  }

  /** Publishes records and resolves once every one is acknowledged. */
  private publish(records: readonly AnyRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    return this.send(
      records.map((r) => ({ topic: this.rt.names.topic(r.topic), record: this.rt.codec.encode(r) })),
    ).then(() => {
      this.stats.produced += records.length;
    });
  }

  private deadLetter(d: OutgoingDead): Promise<void> {
    const { record } = d;
    const copy = (b: Buffer | null) => (b === null ? null : Buffer.from(b));
    const headers: RecordHeader[] = [
      ...record.headers.map((h) => ({ key: h.key, value: copy(h.value) })),
      ...textHeaders({
        [DLQ_HEADERS.topic]: record.topic,
        [DLQ_HEADERS.partition]: String(record.partition),
        [DLQ_HEADERS.offset]: String(record.offset),
        [DLQ_HEADERS.error]: d.error,
        [DLQ_HEADERS.attempts]: String(d.attempts),
        [DLQ_HEADERS.service]: this.options.service,
        [DLQ_HEADERS.at]: String(Date.now()),
      }),
    ];
    const dlq = this.rt.names.dlq(this.options.service);
    this.rt.log(
      `evt: ${this.options.instance}: ${record.topic}-${record.partition}@${record.offset} sent to ${dlq}: ${d.error}`,
    );
    return this.send([{ topic: dlq, record: { key: copy(record.key), value: copy(record.value), headers } }]).then(
      () => {
        this.stats.deadLettered++;
      },
    );
  }

  private send(records: { topic: string; record: OutgoingRecord }[]): Promise<void> {
    return new Promise((resolve, reject) => {
      let left = records.length;
      let failed = false;
      for (const { topic, record } of records) {
        this.rt.producer.write(topic, record, (err) => {
          if (failed) return;
          if (err) {
            failed = true;
            reject(err);
          } else if (--left === 0) resolve();
        });
      }
    });
  }

  private async fail(err: Error): Promise<void> {
    if (this.failure || this.stopping) return;
    this.failure = err;
    this.rt.log(`evt: ${this.options.instance} failed: ${err.message}`);
    await this.stop();
    for (const l of this.failureListeners) l(err);
  }

  /** Finishes the batch in hand, commits, leaves the group. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.ticker) clearInterval(this.ticker);
    this.stockFeed?.close();
    await this.consumer?.stop();
  }

  /**
   * An in-process stand-in for kill -9: the batches in hand are abandoned uncommitted (what they already
   * published stays published), and the instance leaves. `evt simulate --processes` kills real processes.
   */
  async crash(): Promise<void> {
    this.crashed = true;
    await this.stop();
  }
}

interface OutgoingDead {
  record: ConsumedRecord;
  error: string;
  attempts: number;
}
