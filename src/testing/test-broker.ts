// startBroker() of evt/testing: an in-memory evt broker on a free port, seeded with topics and records, with
// the hooks a test needs to be deterministic (faults, held requests, a manual clock) and to read back what
// the code under test wrote, without a consumer.

import { startBroker as startEmbeddedBroker, type RunningBroker } from '../broker/broker.js';
import { SYSTEM_CLOCK } from '../broker/clock.js';
import { encodeBatch, type BatchRecord } from '../client/wire/batch-encoder.js';
import { EvtError } from '../common/errors.js';
import { parseDurationText } from '../common/time.js';
import {
  RequestHooks,
  type Fault,
  type FaultOptions,
  type Held,
  type RequestMatch,
  type SeenRequest,
} from './hooks.js';
import { committedOffsets, readRecords, type CommittedOffsetInfo, type StoredRecord } from './inspect.js';
import { ManualClock } from './manual-clock.js';

/** A record to seed or produce: strings are written as UTF-8. */
export interface SeedRecord {
  key?: string | Buffer | null;
  value: string | Buffer | null;
  headers?: Record<string, string | Buffer | null>;
  /** default 0 */
  partition?: number;
  /** epoch ms; the broker's clock by default */
  timestamp?: number;
}

/** A topic to create at start: its partition count, or its partitions, configs and records. */
export type TopicSeed =
  | number
  | {
      partitions?: number;
      /** topic configs as Kafka names them: `{ 'retention.ms': '60000', 'cleanup.policy': 'compact' }` */
      configs?: Record<string, string>;
      records?: SeedRecord[];
    };

export interface TestBrokerOptions {
  /** topics created before the broker answers anything, e.g. `{ orders: 3, payments: { partitions: 1, records } }` */
  topics?: Record<string, TopicSeed>;
  /** whether a Metadata or Produce request for an unknown topic creates it (default true, as Kafka's default) */
  autoCreateTopics?: boolean;
  /** partitions of topics created without a count (default 1) */
  defaultPartitions?: number;
  /** keep the logs in this directory instead of memory (it survives close(); another broker can reopen it) */
  dataDir?: string;
  /**
   * `manual`: time stands still except through `advance()`, which expires group sessions and applies
   * retention exactly when it crosses their deadline (default `system`: real time)
   */
  clock?: 'system' | 'manual';
  /** the lowest session timeout a consumer may ask for (default 100 ms; Kafka's is 6 s) */
  minSessionTimeoutMs?: number;
  /** default 127.0.0.1 */
  host?: string;
  /** default 0: a free port */
  port?: number;
  /** also serve a schema registry (its URL is `registryUrl`) */
  registry?: boolean;
  /** the broker's own log lines (connections closed on bad input, recovery) */
  log?: (message: string) => void;
}

/** A running test broker. */
export interface TestBroker extends AsyncDisposable {
  /** `127.0.0.1:port`, for a client's bootstrap list */
  readonly bootstrap: string;
  /** the same as a list, as kafkajs and `@platformatic/kafka` take it */
  readonly brokers: string[];
  readonly host: string;
  readonly port: number;
  /** `http://127.0.0.1:port` of the schema registry, when `registry: true` */
  readonly registryUrl?: string;

  /**
   * Answers the next `count` (default 1) requests of `api` (naming `topic`/`partition`, when given) with
   * `error` on every topic and partition they name, without doing them (a failed Produce stores nothing).
   * Faults cover Produce, Fetch, ListOffsets, Metadata, OffsetCommit, OffsetFetch, FindCoordinator, JoinGroup,
   * SyncGroup, Heartbeat, LeaveGroup and InitProducerId.
   * @example const fault = broker.fail({ api: 'Produce', error: 'NOT_LEADER_OR_FOLLOWER', count: 2 });
   */
  fail(options: FaultOptions): Fault;
  /**
   * Holds every matching request until `release()`, so that a test decides when it is served. A connection
   * serves its requests in order (as Kafka does), so the requests behind a held one wait too.
   * @example const held = broker.hold({ api: 'Produce' }); send(); await held.arrived(); ...; held.release();
   */
  hold(match: RequestMatch): Held;
  /** Resolves when the next matching request arrives (before it is served). */
  nextRequest(api: string, match?: Omit<RequestMatch, 'api'>): Promise<SeenRequest>;

  /** Creates a topic (with records) after start; see `topics`. */
  createTopic(name: string, seed?: TopicSeed): void;
  /** Appends records to a topic as a producer would (one batch per partition); returns their offsets. */
  produce(topic: string, records: SeedRecord[]): number[];
  /** Every record of a topic (or one partition), in partition then offset order, read without a consumer. */
  records(topic: string, partition?: number): StoredRecord[];
  /** The offsets a consumer group has committed, by topic then partition. */
  committedOffsets(group: string): CommittedOffsetInfo[];

  /** The broker's time (epoch ms): the manual clock's, or real time. */
  now(): number;
  /**
   * Moves the manual clock forward (`'10m'`, `'30s'`, or milliseconds): group members whose session runs
   * out on the way are removed (their group rebalances), then retention runs at the new time.
   */
  advance(by: string | number): void;

  /** Closes every connection and the broker; held requests are released first. */
  close(): Promise<void>;
}

export async function startBroker(options: TestBrokerOptions = {}): Promise<TestBroker> {
  const clock = options.clock === 'manual' ? new ManualClock(Date.now()) : undefined;
  if (options.clock !== undefined && options.clock !== 'manual' && options.clock !== 'system') {
    throw new EvtError(`clock must be 'system' or 'manual', not ${String(options.clock)}`, 'usage');
  }
  const hooks = new RequestHooks();
  const running = await startEmbeddedBroker({
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : { inMemory: true }),
    defaultPartitions: options.defaultPartitions ?? 1,
    autoCreateTopics: options.autoCreateTopics ?? true,
    minSessionTimeoutMs: options.minSessionTimeoutMs ?? 100,
    ...(options.registry ? { registryPort: 0 } : {}),
    ...(options.log ? { log: options.log } : {}),
    ...(clock ? { clock } : {}),
    intercept: hooks.intercept,
  });
  hooks.attach(running.state);
  try {
    const now = (clock ?? SYSTEM_CLOCK).now();
    for (const [name, seed] of Object.entries(options.topics ?? {})) createTopic(running, name, seed, now);
  } catch (err) {
    await running.close();
    throw err;
  }
  return testBroker(running, hooks, clock);
}

function testBroker(running: RunningBroker, hooks: RequestHooks, clock: ManualClock | undefined): TestBroker {
  const state = running.state;
  const timeNow = () => (clock ?? SYSTEM_CLOCK).now();
  const close = async () => {
    hooks.releaseAll();
    await running.close();
  };
  return {
    bootstrap: running.bootstrap,
    brokers: [running.bootstrap],
    host: running.host,
    port: running.port,
    ...(running.registryUrl ? { registryUrl: running.registryUrl } : {}),
    fail: (o) => hooks.fail(o),
    hold: (m) => hooks.hold(m),
    nextRequest: (api, match) => hooks.nextRequest({ ...match, api }),
    createTopic: (name, seed) => createTopic(running, name, seed, timeNow()),
    produce: (topic, records) => produce(running, topic, records, timeNow()),
    records: (topic, partition) => readRecords(state, topic, partition),
    committedOffsets: (group) => committedOffsets(state, group),
    now: timeNow,
    advance(by) {
      if (!clock) throw new EvtError("advance: the broker was started without clock: 'manual'", 'usage');
      const ms = typeof by === 'number' ? by : parseDurationText(by);
      if (ms === null || !(ms >= 0)) throw new EvtError(`advance: "${by}" is not a duration (e.g. 30s, 10m)`, 'usage');
      clock.advance(ms);
      state.logs.runRetention();
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

function createTopic(running: RunningBroker, name: string, seed: TopicSeed = {}, now: number): void {
  const spec = typeof seed === 'number' ? { partitions: seed } : seed;
  running.state.logs.createTopic(name, {
    numPartitions: spec.partitions ?? running.state.defaultPartitions,
    configs: spec.configs ?? {},
  });
  if (spec.records?.length) produce(running, name, spec.records, now);
}

const bytes = (v: string | Buffer | null | undefined): Buffer | null =>
  v === null || v === undefined ? null : typeof v === 'string' ? Buffer.from(v) : v;

function produce(running: RunningBroker, topic: string, records: SeedRecord[], now: number): number[] {
  const logs = running.state.logs;
  if (!logs.topic(topic)) throw new EvtError(`produce: no topic ${topic}`, 'not-found');
  const byPartition = new Map<number, Array<{ index: number; record: BatchRecord }>>();
  records.forEach((r, index) => {
    const partition = r.partition ?? 0;
    if (!logs.partition(topic, partition))
      throw new EvtError(`produce: topic ${topic} has no partition ${partition}`, 'not-found');
    const record: BatchRecord = {
      key: bytes(r.key),
      value: bytes(r.value),
      headers: Object.entries(r.headers ?? {}).map(([key, value]) => ({ key, value: bytes(value) })),
      timestamp: r.timestamp ?? now,
    };
    const list = byPartition.get(partition) ?? [];
    list.push({ index, record });
    byPartition.set(partition, list);
  });
  const offsets = new Array<number>(records.length);
  for (const [partition, list] of byPartition) {
    const { baseOffset } = logs.partition(topic, partition)!.append(encodeBatch(list.map((e) => e.record)));
    list.forEach((e, i) => (offsets[e.index] = baseOffset + i));
  }
  return offsets;
}
