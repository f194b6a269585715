// The embeddable broker: `startBroker()` opens the storage and the group coordinator, listens, and returns
// the address clients should use and a `close()` that flushes everything.

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AppendNotifier } from './append-notifier.js';
import { writeFileAtomic } from '../common/atomic-file.js';
import { GroupCoordinator } from './group/coordinator.js';
import {
  DEFAULT_OFFSETS_TOPIC_PARTITIONS,
  OFFSETS_TOPIC,
  OffsetsTopic,
  offsetsTopicPartition,
} from './group/offsets-topic.js';
import { HANDLERS } from './handlers/index.js';
import { DiskHealth } from './log/disk-health.js';
import { describeStartupIoError, prepareDataDir } from './log/data-dir.js';
import { LogManager, type FsyncPolicy } from './log/log-manager.js';
import { ProducerIdAllocator } from './producer-ids.js';
import { TransactionCoordinator } from './txn/coordinator.js';
import type { RunningRegistry } from '../registry/server.js';
import { BrokerServer, type RequestInterceptor } from './server.js';
import { SYSTEM_CLOCK, type BrokerClock } from './clock.js';
import type { BrokerState } from './state.js';

export interface BrokerOptions {
  host?: string;
  port?: number;
  /** the host written into Metadata; defaults to the bound host (127.0.0.1 for a wildcard bind) */
  advertisedHost?: string;
  /** the port written into Metadata; defaults to the bound port (a proxy in front of the broker sets its own) */
  advertisedPort?: number;
  /** where logs, topics and groups live; ignored with inMemory */
  dataDir?: string;
  inMemory?: boolean;
  defaultPartitions?: number;
  autoCreateTopics?: boolean;
  /** default retention.ms of topics; -1 keeps everything */
  retentionMs?: number;
  /** default retention.bytes per partition; -1 means no size limit */
  retentionBytes?: number;
  /** default segment.bytes */
  segmentBytes?: number;
  /** how often the log cleaner looks for compacted partitions to clean (ms, default 15 s; 0: never by itself) */
  cleanerIntervalMs?: number;
  fsync?: FsyncPolicy;
  /** largest request frame accepted (Kafka's socket.request.max.bytes) */
  maxRequestBytes?: number;
  /** lowest session timeout the group coordinator accepts (Kafka's group.min.session.timeout.ms) */
  minSessionTimeoutMs?: number;
  /** partitions of the internal __consumer_offsets topic (Kafka's offsets.topic.num.partitions, 50) */
  offsetsTopicPartitions?: number;
  /** the longest transaction timeout a producer may ask for (Kafka's transaction.max.timeout.ms, 15 min) */
  transactionMaxTimeoutMs?: number;
  /**
   * how often transactions open past their timeout are looked for and aborted (Kafka's
   * transaction.abort.timed.out.transaction.cleanup.interval.ms, 10 s)
   */
  transactionCheckIntervalMs?: number;
  /** serve a Confluent-compatible schema registry on this port (0: a free one); undefined: no registry */
  registryPort?: number;
  log?: (message: string) => void;
  /**
   * What an operator must see even when `log` is quiet: the data dir failing writes (full, read-only, I/O
   * errors) and working again, one line each. `log` by default, else standard error.
   */
  alert?: (message: string) => void;
  /** the time of group sessions, retention and commit timestamps (real time by default); see evt/testing */
  clock?: BrokerClock;
  /** sees every request before its handler (evt/testing's faults and held requests); see server.ts */
  intercept?: RequestInterceptor;
}

export interface RunningBroker {
  host: string;
  port: number;
  /** `host:port`, for clients' bootstrap lists */
  bootstrap: string;
  dataDir: string | null;
  state: BrokerState;
  /** `http://host:port` of the schema registry, when `registryPort` was given */
  registryUrl?: string;
  close(): Promise<void>;
}

export const BROKER_DEFAULTS = {
  host: '127.0.0.1',
  port: 9092,
  dataDir: '.evt/data',
  defaultPartitions: 3,
  retentionMs: 7 * 24 * 3600 * 1000,
  retentionBytes: -1,
  segmentBytes: 1024 * 1024 * 1024,
  fsync: 'never' as FsyncPolicy,
  maxRequestBytes: 100 * 1024 * 1024,
} as const;

function loadClusterId(dataDir: string | null): string {
  const fresh = randomBytes(16).toString('base64url').slice(0, 22);
  if (!dataDir) return fresh;
  const file = path.join(dataDir, 'meta.json');
  if (fs.existsSync(file)) {
    const id = (JSON.parse(fs.readFileSync(file, 'utf8')) as { clusterId?: unknown }).clusterId;
    if (typeof id === 'string' && id) return id;
  }
  writeFileAtomic(file, JSON.stringify({ clusterId: fresh }) + '\n');
  return fresh;
}

/**
 * A test-only pause point: with EVT_TEST_CLEANER_PAUSE=cleaned|swap|deleted, the log cleaner says on stderr
 * that it reached that step of a segment swap and blocks there for good, so that a test can kill -9 the
 * broker at exactly that step and check what the next start recovers (see log/segment-swap.ts).
 */
function cleanerPausePoint(): ((phase: string, partition: string) => void) | undefined {
  const at = process.env.EVT_TEST_CLEANER_PAUSE;
  if (!at) return undefined;
  return (phase, partition) => {
    if (phase !== at) return;
    fs.writeSync(2, `evt broker: cleaner paused at ${phase} of ${partition} (EVT_TEST_CLEANER_PAUSE)\n`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  };
}

function advertisedHostFor(bound: string, explicit?: string): string {
  if (explicit) return explicit;
  // A wildcard bind is reachable on loopback; `localhost` is avoided on purpose (librdkafka may resolve it to
  // ::1, and kafkajs cannot parse IPv6 literals).
  if (bound === '0.0.0.0' || bound === '::' || bound === 'localhost') return '127.0.0.1';
  return bound;
}

export async function startBroker(options: BrokerOptions = {}): Promise<RunningBroker> {
  const o = { ...BROKER_DEFAULTS, ...stripUndefined(options) };
  const clock = o.clock;
  const dataDir = o.inMemory ? null : path.resolve(o.dataDir);
  const log = o.log ?? (() => {});
  const alert = o.alert ?? o.log ?? ((m: string) => process.stderr.write(`evt broker: ${m}\n`));
  const health = dataDir ? new DiskHealth(dataDir, alert) : undefined;
  if (dataDir) prepareDataDir(dataDir);

  let logs: LogManager;
  try {
    logs = LogManager.open({
      dataDir,
      defaultPartitions: o.defaultPartitions,
      autoCreate: o.autoCreateTopics ?? true,
      defaults: { retentionMs: o.retentionMs, retentionBytes: o.retentionBytes, segmentBytes: o.segmentBytes },
      fsync: o.fsync,
      log,
      health,
      ...(clock ? { now: () => clock.now() } : {}),
      ...(o.cleanerIntervalMs !== undefined ? { cleanerIntervalMs: o.cleanerIntervalMs } : {}),
      onCleanerSwapPhase: cleanerPausePoint(),
    });
  } catch (err) {
    throw dataDir ? describeStartupIoError(dataDir, err) : err;
  }
  let groups: GroupCoordinator | undefined;
  let transactions: TransactionCoordinator | undefined;
  let server: BrokerServer | undefined;
  let registry: RunningRegistry | undefined;
  const offsetsPartitions = o.offsetsTopicPartitions ?? DEFAULT_OFFSETS_TOPIC_PARTITIONS;
  try {
    groups = new GroupCoordinator({
      dataDir,
      fsync: o.fsync,
      partitionExists: (topic, partition) => logs.partition(topic, partition) !== undefined,
      offsetsTopic: new OffsetsTopic(logs, offsetsPartitions, clock ? () => clock.now() : undefined),
      onWarning: log,
      health,
      ...(o.clock ? { clock: o.clock } : {}),
      ...(o.minSessionTimeoutMs !== undefined ? { minSessionTimeoutMs: o.minSessionTimeoutMs } : {}),
    });
    // every append, whoever makes it, wakes the fetches waiting on that partition
    const appends = new AppendNotifier();
    logs.onAppend((topic, partition) => appends.notify(topic, partition));
    const producerIds = ProducerIdAllocator.inDir(dataDir);
    const groupCoordinator = groups;
    // opened after the logs and the groups: recovery writes the markers and offsets of decided transactions
    transactions = new TransactionCoordinator({
      dataDir,
      fsync: o.fsync,
      allocateProducerId: () => producerIds.allocate(),
      partition: (topic, partition) => logs.partition(topic, partition),
      offsetsPartition: (groupId) => [OFFSETS_TOPIC, offsetsTopicPartition(groupId, offsetsPartitions)],
      offsets: groupCoordinator,
      clock: clock ?? SYSTEM_CLOCK,
      onWarning: log,
      ...(o.transactionMaxTimeoutMs !== undefined ? { maxTimeoutMs: o.transactionMaxTimeoutMs } : {}),
      ...(o.transactionCheckIntervalMs !== undefined ? { checkIntervalMs: o.transactionCheckIntervalMs } : {}),
    });
    const state: BrokerState = {
      nodeId: 1,
      advertisedHost: '',
      advertisedPort: 0,
      clusterId: loadClusterId(dataDir),
      autoCreateTopics: o.autoCreateTopics ?? true,
      defaultPartitions: o.defaultPartitions,
      logs,
      groups,
      appends,
      producerIds,
      transactions,
      log,
    };
    server = new BrokerServer({
      host: o.host,
      port: o.port,
      maxRequestBytes: o.maxRequestBytes,
      handlers: HANDLERS,
      log,
      ...(o.intercept ? { intercept: o.intercept } : {}),
      makeContext: (header, conn) => ({
        broker: state,
        apiVersion: header.apiVersion,
        clientId: header.clientId ?? '',
        clientHost: conn.remoteAddress,
        onConnectionClose: conn.onClose,
      }),
    });
    const bound = await server.listen();
    state.advertisedHost = advertisedHostFor(o.host, o.advertisedHost);
    state.advertisedPort = o.advertisedPort ?? bound.port;
    if (o.registryPort !== undefined) {
      // loaded only when asked for
      const { startRegistry } = await import('../registry/server.js');
      registry = await startRegistry({ host: o.host, port: o.registryPort, dataDir, log });
    }

    let closing: Promise<void> | undefined;
    const close = () =>
      (closing ??= (async () => {
        appends.wakeAll();
        await registry?.close();
        await server!.close();
        transactions!.close();
        groups!.close();
        logs.close();
      })());
    return {
      host: state.advertisedHost,
      port: bound.port,
      bootstrap: `${state.advertisedHost}:${state.advertisedPort}`,
      dataDir,
      state,
      ...(registry ? { registryUrl: registry.url } : {}),
      close,
    };
  } catch (err) {
    await registry?.close().catch(() => {});
    await server?.close().catch(() => {});
    transactions?.close();
    groups?.close();
    logs.close();
    throw dataDir ? describeStartupIoError(dataDir, err) : err;
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
