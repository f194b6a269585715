// The cluster as the wire client sees it: bootstrap within the settings' timeout, the brokers and partition
// leaders from Metadata (refreshed when a leader moves or a topic is unknown), connections per broker and per
// "lane" (a long-polling fetch must not hold up a metadata request: a broker answers one connection's
// requests one at a time), and ListOffsets.

import { ErrorCode } from '../../protocol/error-codes.js';
import type { EncodableRequest } from '../../protocol/message-types.js';
import { LIST_OFFSETS, METADATA, type MetadataResponse } from '../../protocol/messages/index.js';
import { DEFAULT_REFUSED_RETRY_MS, type ConnectionSettings } from '../settings.js';
import {
  Connection,
  ConnectFailure,
  formatEndpoint,
  parseEndpoint,
  type ConnectionOptions,
  type Endpoint,
} from './connection.js';
import { formatDuration, sleep } from '../../common/time.js';
import {
  KafkaResponseError,
  TopicNotFoundError,
  UnreachableError,
  WireError,
  errorName,
  isRetriable,
  needsMetadataRefresh,
} from './errors.js';

export const EARLIEST = -2;
export const LATEST = -1;

export interface PartitionMeta {
  partition: number;
  /** node id of the leader, -1 while there is none */
  leader: number;
  errorCode: number;
}

export interface TopicMeta {
  name: string;
  internal: boolean;
  partitions: PartitionMeta[];
}

export interface OffsetQuery {
  topic: string;
  partition: number;
  /** EARLIEST (-2), LATEST (-1), or epoch ms: the first offset whose timestamp is at or after it */
  timestamp: number;
}

export interface ListedOffset extends OffsetQuery {
  /** -1 when asked for a time after the last record */
  offset: number;
  /** the found record's timestamp for time queries, else -1 */
  foundTimestamp: number;
}

/**
 * What reads see of transactions: read_committed hides aborted records and stops at the last stable offset
 * (the first offset of a transaction still open); read_uncommitted sees every record up to the high watermark.
 */
export type Isolation = 'read_committed' | 'read_uncommitted';

/** The isolation_level of Fetch and ListOffsets requests */
export function isolationLevel(isolation: Isolation): number {
  return isolation === 'read_committed' ? 1 : 0;
}

export interface ClusterOptions {
  /** verbose log lines (retries, leader moves) */
  log?: (message: string) => void;
  /** of fetches and of LATEST offsets (default read_uncommitted, as Kafka's admin tools count lag) */
  isolation?: Isolation;
}

/** Lanes of requests that never wait long, as Metadata does not: they may share the bootstrap connection. */
export const ADMIN_LANE = 'admin';
export const GROUP_INFO_LANE = 'group-info';
const SHORT_REQUEST_LANES: ReadonlySet<string> = new Set(['default', ADMIN_LANE, GROUP_INFO_LANE]);

/** One reason when every address gave the same, else each address with its own. */
function sameOrEach(reasons: Map<string, string>): string {
  const distinct = new Set(reasons.values());
  if (distinct.size === 1) return [...distinct][0];
  return [...reasons].map(([address, reason]) => `${address} ${reason}`).join(', ');
}

export class Cluster {
  readonly brokers = new Map<number, Endpoint>();
  clusterId: string | null = null;
  private topics = new Map<string, TopicMeta>();
  private conns = new Map<string, Promise<Connection>>();
  private metadataConn: Connection | null = null;
  private bootstrap: Endpoint[];
  private closed = false;
  readonly connectionOptions: ConnectionOptions;
  readonly log: (message: string) => void;
  /** the isolation of reads (PartitionReader) and of LATEST in listOffsets: the last stable offset when committed */
  isolation: Isolation;

  private constructor(
    readonly settings: ConnectionSettings,
    options: ClusterOptions,
  ) {
    this.bootstrap = settings.brokers.map(parseEndpoint);
    if (this.bootstrap.length === 0) throw new WireError('no bootstrap brokers given', 'config');
    this.log = options.log ?? (() => {});
    this.isolation = options.isolation ?? 'read_uncommitted';
    this.connectionOptions = {
      clientId: settings.clientId,
      tls: settings.tls,
      sasl: settings.sasl,
      connectTimeoutMs: settings.timeoutMs,
      requestTimeoutMs: settings.timeoutMs,
    };
  }

  /**
   * Reaches the cluster: tries the bootstrap brokers in turn (again and again, with a growing pause) until
   * one answers, for at most `settings.timeoutMs`; then reads the broker list. Throws UnreachableError naming
   * the brokers tried.
   */
  static async connect(settings: ConnectionSettings, options: ClusterOptions = {}): Promise<Cluster> {
    const cluster = new Cluster(settings, options);
    try {
      await cluster.refreshMetadata([]);
    } catch (err) {
      cluster.close();
      throw err;
    }
    return cluster;
  }

  get timeoutMs(): number {
    return this.settings.timeoutMs;
  }

  /** A connection for cluster-wide requests (Metadata), to whichever broker answers. */
  private async anyConnection(): Promise<Connection> {
    if (this.metadataConn && !this.metadataConn.isClosed) return this.metadataConn;
    // until the cluster has answered once, a refusal from every address is the answer (no broker there);
    // afterwards a refusal is a broker restarting, worth the whole timeout
    const bootstrapping = this.brokers.size === 0;
    const candidates = bootstrapping ? this.bootstrap : [...this.brokers.values(), ...this.bootstrap];
    this.metadataConn = await this.openWithRetry(candidates, bootstrapping);
    return this.metadataConn;
  }

  /**
   * Opens a connection to the first candidate that answers, cycling through them with a growing pause until
   * the timeout; when `failFast`, gives up after the short refusal window once every candidate refused.
   */
  private async openWithRetry(candidates: Endpoint[], failFast = false): Promise<Connection> {
    const start = Date.now();
    const deadline = start + this.settings.timeoutMs;
    const refusedWindow = Math.min(this.settings.refusedRetryMs ?? DEFAULT_REFUSED_RETRY_MS, this.settings.timeoutMs);
    const names = [...new Set(candidates.map(formatEndpoint))];
    let lastReason = 'no answer';
    let pause = 100;
    // the reason each address gave in the last full round, when every one of them was definite
    let refusals: Map<string, string> | null = null;
    let rounds = 0;
    for (;;) {
      const round = new Map<string, string>();
      let allDefinite = true;
      let complete = true;
      for (const endpoint of candidates) {
        if (this.closed) throw new WireError('the client was closed', 'closed');
        const left = deadline - Date.now();
        if (left <= 0) {
          complete = false;
          break;
        }
        try {
          return await Connection.open(endpoint, { ...this.connectionOptions, connectTimeoutMs: left });
        } catch (err) {
          if (!(err instanceof ConnectFailure)) throw err;
          lastReason = err.reason;
          if (!err.retriable) throw new UnreachableError([formatEndpoint(endpoint)], err.reason);
          if (rounds === 0) this.log(`cannot connect to ${err.endpoint}: ${err.reason}`);
          if (err.definite) round.set(err.endpoint, err.reason);
          else allDefinite = false;
        }
      }
      if (complete) {
        rounds++;
        refusals = allDefinite ? round : null;
      }
      const now = Date.now();
      if (failFast && refusals) {
        const windowLeft = start + refusedWindow - now;
        if (windowLeft <= 0)
          throw new UnreachableError(names, sameOrEach(refusals), undefined, {
            triedMs: refusedWindow,
            attempts: rounds,
          });
        // the last attempt at the window's end, so that "tried for" is what happened
        await sleep(Math.min(pause, windowLeft));
      } else {
        const left = deadline - now;
        if (left <= 0) throw new UnreachableError(names, lastReason, this.settings.timeoutMs);
        await sleep(Math.min(pause, left));
      }
      pause = Math.min(pause * 2, 1000);
    }
  }

  /**
   * The connection of a lane to a broker (opened on first use, and again after it closed). Lanes keep
   * requests that wait (long-polling fetches) apart from the rest.
   */
  async connection(nodeId: number, lane = 'default'): Promise<Connection> {
    const key = `${nodeId}/${lane}`;
    const existing = this.conns.get(key);
    if (existing) {
      const conn = await existing.catch(() => null);
      if (conn && !conn.isClosed) return conn;
      if (this.conns.get(key) === existing) this.conns.delete(key);
    }
    let endpoint = this.brokers.get(nodeId);
    if (!endpoint) {
      await this.refreshMetadata([]);
      endpoint = this.brokers.get(nodeId);
      if (!endpoint) throw new WireError(`broker ${nodeId} is not in the cluster's metadata`, 'protocol', true);
    }
    // the connection that bootstrapped is already open to this broker when it advertises the address the
    // user gave (a single broker, or the first of a list): a lane of short requests reuses it rather than
    // connecting and negotiating versions a second time (a one-shot command saves a round trip or two)
    const metadataConn = this.metadataConn;
    const reusable =
      SHORT_REQUEST_LANES.has(lane) &&
      metadataConn !== null &&
      !metadataConn.isClosed &&
      formatEndpoint(metadataConn.endpoint) === formatEndpoint(endpoint);
    const opening = reusable ? Promise.resolve(metadataConn) : this.openWithRetry([endpoint]);
    this.conns.set(key, opening);
    opening.catch(() => {
      if (this.conns.get(key) === opening) this.conns.delete(key);
    });
    const conn = await opening;
    if (this.closed) conn.close();
    return conn;
  }

  /** Metadata for some topics (null: all topics), recorded in the cache; the raw answer is returned. */
  async refreshMetadata(topics: string[] | null, autoCreate = false): Promise<MetadataResponse> {
    const conn = await this.anyConnection();
    const answer = await conn.request(METADATA, {
      topics: topics === null ? null : topics.map((name) => ({ name })),
      allowAutoTopicCreation: autoCreate,
    });
    this.brokers.clear();
    for (const b of answer.brokers) this.brokers.set(b.nodeId, { host: b.host, port: b.port });
    this.clusterId = answer.clusterId;
    for (const t of answer.topics) {
      // a topic asked for by id alone may come back without a name (Metadata v12); evt asks by name
      if (t.name === null) continue;
      if (t.errorCode !== 0) {
        this.topics.delete(t.name);
        continue;
      }
      const partitions = t.partitions
        .map((p) => ({
          partition: p.partitionIndex,
          leader: p.errorCode === ErrorCode.LEADER_NOT_AVAILABLE ? -1 : p.leaderId,
          errorCode: p.errorCode,
        }))
        .sort((a, b) => a.partition - b.partition);
      this.topics.set(t.name, { name: t.name, internal: t.isInternal, partitions });
    }
    return answer;
  }

  /** The cached metadata of a topic (see `topic()` to fetch it). */
  cachedTopic(name: string): TopicMeta | undefined {
    return this.topics.get(name);
  }

  /**
   * A topic's partitions with a leader for each, waiting (within the timeout) while a new topic gets its
   * leaders. `autoCreate` asks the broker to create a missing topic (it decides). Throws TopicNotFoundError.
   */
  async topic(name: string, { autoCreate = false, refresh = true } = {}): Promise<TopicMeta> {
    if (!refresh) {
      const cached = this.topics.get(name);
      if (cached && cached.partitions.every((p) => p.leader >= 0)) return cached;
    }
    const deadline = Date.now() + this.settings.timeoutMs;
    let pause = 50;
    let unknownSeen = false;
    for (;;) {
      const answer = await this.refreshMetadata([name], autoCreate);
      const t = answer.topics.find((x) => x.name === name);
      const code = t ? t.errorCode : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      const meta = this.topics.get(name);
      if (code === 0 && meta && meta.partitions.length > 0 && meta.partitions.every((p) => p.leader >= 0)) return meta;
      // a broker that creates topics answers LEADER_NOT_AVAILABLE while it does; UNKNOWN_TOPIC_OR_PARTITION
      // (asked twice, in case the topic was just being deleted and re-created) means it will not
      if (code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION && (!autoCreate || unknownSeen)) {
        throw new TopicNotFoundError(name, autoCreate ? ' (and the broker does not create topics on demand)' : '');
      }
      if (code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) unknownSeen = true;
      if (code === ErrorCode.INVALID_TOPIC_EXCEPTION)
        throw new WireError(`"${name}" is not a valid topic name`, 'config');
      if (code !== 0 && !isRetriable(code)) throw new KafkaResponseError(code, `metadata of topic ${name}`);
      if (Date.now() + pause > deadline) {
        throw new KafkaResponseError(
          code || ErrorCode.LEADER_NOT_AVAILABLE,
          `topic ${name} has no leader after ${formatDuration(this.settings.timeoutMs)}`,
        );
      }
      await sleep(pause);
      pause = Math.min(pause * 2, 500);
    }
  }

  /** Every topic name the cluster has (internal topics such as __consumer_offsets included when asked). */
  async topicNames({ internal = false } = {}): Promise<string[]> {
    const answer = await this.refreshMetadata(null);
    return answer.topics
      .flatMap((t) => (t.errorCode === 0 && t.name !== null ? [{ ...t, name: t.name }] : []))
      .filter((t) => internal || !(t.isInternal || t.name.startsWith('__')))
      .map((t) => t.name)
      .sort();
  }

  leaderOf(topic: string, partition: number): number {
    return this.topics.get(topic)?.partitions.find((p) => p.partition === partition)?.leader ?? -1;
  }

  /**
   * ListOffsets for many partitions, grouped by leader; retried after a metadata refresh when a leader moved.
   * Answers come back in the order of the queries.
   */
  async listOffsets(queries: OffsetQuery[]): Promise<ListedOffset[]> {
    const results = new Map<string, ListedOffset>();
    const keyOf = (q: { topic: string; partition: number; timestamp: number }) =>
      `${q.topic}\u0000${q.partition}\u0000${q.timestamp}`;
    let todo = queries;
    const deadline = Date.now() + this.settings.timeoutMs;
    while (todo.length > 0) {
      for (const topic of new Set(todo.map((q) => q.topic))) if (!this.topics.has(topic)) await this.topic(topic);
      const byLeader = new Map<number, OffsetQuery[]>();
      for (const q of todo) {
        const leader = this.leaderOf(q.topic, q.partition);
        if (leader < 0) {
          const meta = this.topics.get(q.topic);
          if (meta && !meta.partitions.some((p) => p.partition === q.partition)) {
            throw new WireError(`partition ${q.partition} of ${q.topic} does not exist`, 'not-found');
          }
        }
        let list = byLeader.get(leader);
        if (!list) byLeader.set(leader, (list = []));
        list.push(q);
      }
      const retry: OffsetQuery[] = [];
      // queries for a partition already in this round's request: the next round, at once (nothing failed)
      const deferred: OffsetQuery[] = [];
      let lastCode = 0;
      await Promise.all(
        [...byLeader].map(async ([leader, qs]) => {
          if (leader < 0) {
            retry.push(...qs);
            return;
          }
          const conn = await this.connection(leader);
          const version = conn.versionFor(LIST_OFFSETS);
          const topics = new Map<string, EncodableRequest<typeof LIST_OFFSETS>['topics'][number]['partitions']>();
          for (const q of qs) {
            let ps = topics.get(q.topic);
            if (!ps) topics.set(q.topic, (ps = []));
            // one query per partition per request: the same partition asked twice goes in another round
            if (ps.some((p) => p.partitionIndex === q.partition)) {
              deferred.push(q);
              continue;
            }
            ps.push({ partitionIndex: q.partition, timestamp: q.timestamp, maxNumOffsets: 1 });
          }
          const answer = await conn.request(LIST_OFFSETS, {
            replicaId: -1,
            // ListOffsets v2+: with read_committed, LATEST is the last stable offset
            isolationLevel: isolationLevel(this.isolation),
            topics: [...topics].map(([name, partitions]) => ({ name, partitions })),
          });
          for (const t of answer.topics) {
            for (const p of t.partitions) {
              const q = qs.find(
                (x) => x.topic === t.name && x.partition === p.partitionIndex && !results.has(keyOf(x)),
              );
              if (!q) continue;
              if (p.errorCode !== 0) {
                if (isRetriable(p.errorCode)) {
                  lastCode = p.errorCode;
                  retry.push(q);
                  continue;
                }
                throw new KafkaResponseError(p.errorCode, `ListOffsets of ${t.name}-${p.partitionIndex}`);
              }
              const offset = version === 0 ? (p.oldStyleOffsets[0] ?? -1) : p.offset;
              results.set(keyOf(q), { ...q, offset, foundTimestamp: version === 0 ? -1 : p.timestamp });
            }
          }
        }),
      );
      todo = [...retry, ...deferred];
      if (retry.length > 0) {
        if (Date.now() > deadline)
          throw new KafkaResponseError(lastCode || ErrorCode.LEADER_NOT_AVAILABLE, 'ListOffsets');
        if (lastCode === 0 || needsMetadataRefresh(lastCode))
          await this.refreshMetadata([...new Set(todo.map((q) => q.topic))]);
        this.log(`ListOffsets: retrying ${retry.length} partition(s) after ${errorName(lastCode)}`);
        await sleep(50);
      }
    }
    return queries.map((q) => results.get(keyOf(q))!);
  }

  /** Closes the connections of one lane (a reader that is done with its fetch connections). */
  closeLane(lane: string): void {
    for (const [key, p] of [...this.conns]) {
      if (key.slice(key.indexOf('/') + 1) !== lane) continue;
      this.conns.delete(key);
      p.then(
        (c) => c.close(),
        () => {},
      );
    }
  }

  close(): void {
    this.closed = true;
    this.metadataConn?.close();
    for (const p of this.conns.values())
      p.then(
        (c) => c.close(),
        () => {},
      );
    this.conns.clear();
  }
}
