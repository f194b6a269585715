// evt's consumer-group interface (../group-consumer.ts) on the wire client: the classic group protocol
// (FindCoordinator, JoinGroup, SyncGroup, Heartbeat, OffsetFetch, OffsetCommit, LeaveGroup) spoken directly,
// and records read with a PartitionReader per generation. Members speak Kafka's embedded "consumer"
// protocol (subscriptions and assignments as Kafka's clients encode them) with evt's assignors.
//
// Rebalances are eager, as in Kafka's classic consumers: when the coordinator asks for a rejoin, fetching of
// the old generation stops, its unhanded batches are dropped, the batches in hand finish and are committed
// (still under the old generation, which the coordinator accepts while it prepares the rebalance), and only
// then does the member rejoin. The next owner of a partition therefore starts from everything committed.

import { ErrorCode } from '../../protocol/error-codes.js';
import type { EncodableRequest } from '../../protocol/message-types.js';
import {
  FIND_COORDINATOR,
  HEARTBEAT,
  JOIN_GROUP,
  LEAVE_GROUP,
  OFFSET_COMMIT,
  SYNC_GROUP,
  type JoinGroupResponse,
} from '../../protocol/messages/index.js';
import {
  assignCopartitioned,
  assignRange,
  assignSingleton,
  type GroupConsumer,
  type GroupConsumerOptions,
  type MessageBatch,
  type TopicPartition,
} from '../group-consumer.js';
import type { ConsumedRecord } from '../records.js';
import type { ConnectionSettings } from '../settings.js';
import { Cluster, EARLIEST, LATEST } from './cluster.js';
import type { Connection } from './connection.js';
import { KafkaResponseError, WireError, errorName } from './errors.js';
import { PartitionReader, type ReadChunk } from './reader.js';
import { sleep } from '../../common/time.js';
import { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription } from './consumer-protocol.js';
import { COORDINATOR_BUSY, offsetFetch } from './group-info.js';

const OWNS = Buffer.from([1]);
const OWNS_NOTHING = Buffer.from([0]);

// ------------------------------------------------------------------------------------------ consumer

const byTopicPartition = (a: TopicPartition, b: TopicPartition) =>
  a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition;
const keyOf = (topic: string, partition: number) => `${topic}\u0000${partition}`;
const toError = (err: unknown) => (err instanceof Error ? err : new Error(String(err)));

/** A group error that ends the current generation: the member rejoins (fresh: with a new member id). */
class RejoinNeeded extends Error {
  constructor(
    readonly fresh: boolean,
    readonly coordinatorMoved = false,
  ) {
    super('rejoin needed');
  }
}

interface PartitionQueue {
  topic: string;
  partition: number;
  chunks: ReadChunk[];
  busy: boolean;
}

/** batches of one partition merged into one handler call, at most this many records */
const MAX_BATCH_RECORDS = 16_384;
/** chunks queued per partition before its fetching pauses */
const MAX_QUEUED_CHUNKS = 4;

export function createWireGroupConsumer(settings: ConnectionSettings, options: GroupConsumerOptions): GroupConsumer {
  const topics = [...options.topics];
  const groupId = options.groupId;
  const sessionTimeout = options.sessionTimeoutMs ?? 10_000;
  const heartbeatInterval = options.heartbeatIntervalMs ?? 1_000;
  const rebalanceTimeout = options.rebalanceTimeoutMs ?? 60_000;
  const maxWaitMs = options.maxWaitMs ?? 500;
  const concurrency = Math.max(1, options.concurrency ?? 16);
  const protocolName = options.strategy === 'range' ? 'range' : `evt-${options.strategy}`;
  const log = options.client?.verbose
    ? (options.client.log ?? ((line: string) => process.stderr.write(line + '\n')))
    : () => {};

  let cluster: Cluster | null = null;
  let coordinator = -1;
  let memberId = '';
  let generationId = -1;
  /** a generation is live from SyncGroup until the rejoin (or stop) has drained it */
  let live = false;
  let assigned: TopicPartition[] = [];
  let paused = false;
  let started = false;
  let stopping = false;
  let failed = false;
  let stopPromise: Promise<void> | undefined;
  let membership: Promise<void> | undefined;
  let handler: (batch: MessageBatch) => Promise<void | number> = async () => {};
  const assignmentListeners: ((assigned: TopicPartition[]) => void)[] = [];
  const errorListeners: ((err: Error) => void)[] = [];

  // the wake-up of the membership loop: a rejoin request (heartbeat, commit) or stop
  let rejoin: RejoinNeeded | null = null;
  let wake: (() => void) | null = null;
  const requestRejoin = (r: RejoinNeeded) => {
    if (!rejoin || (r.fresh && !rejoin.fresh) || (r.coordinatorMoved && !rejoin.coordinatorMoved)) rejoin = r;
    wake?.();
  };

  const report = (err: Error) => {
    for (const listener of errorListeners) listener(err);
  };
  const fail = (err: Error) => {
    if (failed) return;
    failed = true;
    void stop();
    report(err);
  };

  // ---------------------------------------------------------------------------------- coordinator requests

  const coordinatorConnection = async (lane: string): Promise<Connection> => {
    const c = cluster!;
    if (coordinator < 0) {
      const deadline = Date.now() + c.timeoutMs;
      for (;;) {
        if (c.brokers.size === 0) await c.refreshMetadata([]);
        const node = [...c.brokers.keys()][0];
        if (node === undefined) throw new WireError('the cluster lists no brokers', 'protocol', true);
        const conn = await c.connection(node, 'group');
        const answer = await conn.request(FIND_COORDINATOR, { key: groupId, keyType: 0 });
        if (answer.errorCode === 0) {
          coordinator = answer.nodeId;
          if (!c.brokers.has(coordinator)) c.brokers.set(coordinator, { host: answer.host, port: answer.port });
          break;
        }
        if (!COORDINATOR_BUSY.has(answer.errorCode) || Date.now() > deadline) {
          throw new KafkaResponseError(answer.errorCode, `FindCoordinator of group ${groupId}`, answer.errorMessage);
        }
        await sleep(100);
      }
    }
    return c.connection(coordinator, lane);
  };

  /** An error code of a group request as an exception: a rejoin for the group codes, else a Kafka error. */
  const groupError = (code: number, what: string): Error => {
    if (code === ErrorCode.REBALANCE_IN_PROGRESS) return new RejoinNeeded(false);
    if (code === ErrorCode.UNKNOWN_MEMBER_ID || code === ErrorCode.ILLEGAL_GENERATION) return new RejoinNeeded(true);
    if (COORDINATOR_BUSY.has(code)) return new RejoinNeeded(false, true);
    return new KafkaResponseError(code, `${what} of group ${groupId}`);
  };

  const metadataFor = (owns: boolean) =>
    encodeSubscription({
      version: 1,
      topics,
      userData: options.strategy === 'singleton' && owns ? OWNS : OWNS_NOTHING,
    });

  /** JoinGroup (again with the member id handed out by MEMBER_ID_REQUIRED) and SyncGroup: the new assignment. */
  const joinAndSync = async (): Promise<TopicPartition[]> => {
    const conn = await coordinatorConnection('join');
    let answer: JoinGroupResponse;
    for (;;) {
      answer = await conn.request(
        JOIN_GROUP,
        {
          groupId,
          sessionTimeoutMs: sessionTimeout,
          rebalanceTimeoutMs: rebalanceTimeout,
          memberId,
          groupInstanceId: null,
          protocolType: 'consumer',
          protocols: [{ name: protocolName, metadata: metadataFor(assigned.length > 0) }],
        },
        { timeoutMs: rebalanceTimeout + cluster!.timeoutMs },
      );
      if (answer.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
        memberId = answer.memberId;
        continue;
      }
      if (answer.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) {
        memberId = '';
        continue;
      }
      if (answer.errorCode !== 0) throw groupError(answer.errorCode, 'JoinGroup');
      break;
    }
    memberId = answer.memberId;
    generationId = answer.generationId;
    let assignments: EncodableRequest<typeof SYNC_GROUP>['assignments'] = [];
    if (answer.leader === memberId) assignments = await leaderAssign(answer.members);
    const synced = await conn.request(
      SYNC_GROUP,
      { groupId, generationId, memberId, groupInstanceId: null, assignments },
      { timeoutMs: rebalanceTimeout + cluster!.timeoutMs },
    );
    if (synced.errorCode !== 0) throw groupError(synced.errorCode, 'SyncGroup');
    return decodeAssignment(synced.assignment).sort(byTopicPartition);
  };

  const leaderAssign = async (
    members: JoinGroupResponse['members'],
  ): Promise<EncodableRequest<typeof SYNC_GROUP>['assignments']> => {
    const subscriptions = members.map((m) => ({ memberId: m.memberId, sub: decodeSubscription(m.metadata) }));
    const wanted = new Set<string>(topics);
    for (const s of subscriptions) for (const t of s.sub?.topics ?? []) wanted.add(t);
    const counts: Record<string, number> = {};
    for (const topic of [...wanted].sort()) counts[topic] = (await cluster!.topic(topic)).partitions.length;
    const memberIds = subscriptions.map((s) => s.memberId);
    const result =
      options.strategy === 'range'
        ? assignRange(
            subscriptions.map((s) => ({ memberId: s.memberId, topics: s.sub?.topics ?? [] })),
            counts,
          )
        : options.strategy === 'copartitioned'
          ? assignCopartitioned(memberIds, counts)
          : assignSingleton(
              subscriptions.map((s) => ({
                memberId: s.memberId,
                owns: s.sub?.userData?.length === 1 && s.sub.userData[0] === 1,
              })),
              counts,
            );
    return Object.entries(result).map(([id, byTopic]) => ({ memberId: id, assignment: encodeAssignment(1, byTopic) }));
  };

  /** Where each assigned partition starts: its committed offset, else earliest or latest. */
  const startOffsets = async (partitions: TopicPartition[]): Promise<Map<string, number>> => {
    const out = new Map<string, number>();
    if (partitions.length === 0) return out;
    const byTopic = new Map<string, number[]>();
    for (const p of partitions) {
      let list = byTopic.get(p.topic);
      if (!list) byTopic.set(p.topic, (list = []));
      list.push(p.partition);
    }
    const conn = await coordinatorConnection('commit');
    const answer = await offsetFetch(
      conn,
      groupId,
      [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes })),
    );
    if (answer.errorCode) throw groupError(answer.errorCode, 'OffsetFetch');
    for (const t of answer.topics) {
      for (const p of t.partitions) {
        if (p.errorCode !== 0) throw groupError(p.errorCode, `OffsetFetch of ${t.name}-${p.partitionIndex}`);
        if (p.committedOffset >= 0) out.set(keyOf(t.name, p.partitionIndex), p.committedOffset);
      }
    }
    for (const p of partitions) {
      const start = out.has(keyOf(p.topic, p.partition)) ? undefined : options.startOffset?.(p.topic, p.partition);
      if (start !== undefined) out.set(keyOf(p.topic, p.partition), start);
    }
    const missing = partitions.filter((p) => !out.has(keyOf(p.topic, p.partition)));
    if (missing.length > 0) {
      const timestamp = (options.fromBeginning ?? true) ? EARLIEST : LATEST;
      for (const l of await cluster!.listOffsets(missing.map((p) => ({ ...p, timestamp }))))
        out.set(keyOf(l.topic, l.partition), l.offset);
    }
    return out;
  };

  const commit = async (gen: number, topic: string, partition: number, offset: number): Promise<void> => {
    const conn = await coordinatorConnection('commit');
    const answer = await conn.request(OFFSET_COMMIT, {
      groupId,
      generationIdOrMemberEpoch: gen,
      memberId,
      groupInstanceId: null,
      retentionTimeMs: -1,
      topics: [
        {
          name: topic,
          partitions: [
            {
              partitionIndex: partition,
              committedOffset: offset,
              committedLeaderEpoch: -1,
              commitTimestamp: -1,
              committedMetadata: null,
            },
          ],
        },
      ],
    });
    for (const t of answer.topics) {
      for (const p of t.partitions)
        if (p.errorCode !== 0) throw groupError(p.errorCode, `OffsetCommit of ${topic}-${partition}`);
    }
  };

  // ------------------------------------------------------------------------------------------ heartbeats

  let heartbeatTimer: NodeJS.Timeout | null = null;
  let heartbeating = false;
  const heartbeat = async () => {
    if (heartbeating || !live || memberId === '') return;
    heartbeating = true;
    const gen = generationId;
    try {
      const conn = await coordinatorConnection('heartbeat');
      const answer = await conn.request(HEARTBEAT, { groupId, generationId: gen, memberId, groupInstanceId: null });
      if (answer.errorCode !== 0 && gen === generationId && live) {
        const e = groupError(answer.errorCode, 'Heartbeat');
        if (e instanceof RejoinNeeded) requestRejoin(e);
        else log(`evt: heartbeat: ${e.message}`);
      }
    } catch (err) {
      // a lost connection: the next heartbeat opens a new one (the session timeout is the limit)
      log(`evt: heartbeat failed: ${toError(err).message}`);
    } finally {
      heartbeating = false;
    }
  };

  // -------------------------------------------------------------------------------------- one generation

  /** The fetching and handling of one generation's assignment. */
  class Generation {
    private readonly queues = new Map<string, PartitionQueue>();
    private readonly inFlight = new Set<Promise<void>>();
    private running = 0;
    private closed = false;
    private reader: PartitionReader | null = null;
    private pumping: Promise<void> = Promise.resolve();

    constructor(
      readonly id: number,
      readonly partitions: TopicPartition[],
    ) {
      for (const p of partitions) this.queues.set(keyOf(p.topic, p.partition), { ...p, chunks: [], busy: false });
    }

    async start(): Promise<void> {
      if (this.partitions.length === 0) return;
      const offsets = await startOffsets(this.partitions);
      if (this.closed) return;
      const reader = new PartitionReader(
        cluster!,
        this.partitions.map((p) => ({ ...p, from: offsets.get(keyOf(p.topic, p.partition))! })),
        { maxWaitMs, maxQueuedBytes: 16 * 1024 * 1024 },
      );
      this.reader = reader;
      if (paused) this.pauseFetching();
      this.pumping = this.pump(reader);
    }

    private async pump(reader: PartitionReader): Promise<void> {
      try {
        for (;;) {
          const chunk = await reader.next();
          if (!chunk || this.closed) return;
          if (chunk.records.length === 0) continue;
          const q = this.queues.get(keyOf(chunk.topic, chunk.partition))!;
          q.chunks.push(chunk);
          if (q.chunks.length >= MAX_QUEUED_CHUNKS) reader.pause(q.topic, q.partition);
          this.dispatch();
        }
      } catch (err) {
        if (this.closed) return;
        const e = toError(err);
        if (e instanceof WireError && e.retriable) {
          log(`evt: fetching failed, rejoining: ${e.message}`);
          requestRejoin(new RejoinNeeded(false));
        } else fail(e);
      }
    }

    pauseFetching(): void {
      for (const p of this.partitions) this.reader?.pause(p.topic, p.partition);
    }

    resumeFetching(): void {
      for (const q of this.queues.values())
        if (q.chunks.length < MAX_QUEUED_CHUNKS) this.reader?.resume(q.topic, q.partition);
      this.dispatch();
    }

    dispatch(): void {
      if (this.closed || paused || failed) return;
      for (const q of this.queues.values()) {
        if (this.running >= concurrency) return;
        if (q.busy || q.chunks.length === 0) continue;
        const run = this.handle(q);
        this.inFlight.add(run);
        void run.finally(() => this.inFlight.delete(run));
      }
    }

    private async handle(q: PartitionQueue): Promise<void> {
      q.busy = true;
      this.running++;
      let records: ConsumedRecord[] = q.chunks[0].records;
      let last = q.chunks[0];
      let n = 1;
      if (q.chunks.length > 1) {
        records = [...records];
        while (n < q.chunks.length && records.length + q.chunks[n].records.length <= MAX_BATCH_RECORDS) {
          last = q.chunks[n];
          for (const r of last.records) records.push(r);
          n++;
        }
      }
      q.chunks.splice(0, n);
      if (!paused && q.chunks.length < MAX_QUEUED_CHUNKS) this.reader?.resume(q.topic, q.partition);
      try {
        let handledUpTo: number;
        try {
          const stoppedAt = await handler({
            topic: q.topic,
            partition: q.partition,
            records,
            highWatermark: last.highWatermark,
          });
          handledUpTo = typeof stoppedAt === 'number' ? stoppedAt : last.position;
        } catch (err) {
          fail(toError(err));
          return;
        }
        try {
          await commit(this.id, q.topic, q.partition, handledUpTo);
        } catch (err) {
          // not committed: whoever owns the partition next gets the batch again (at-least-once)
          this.closed = true;
          const e = toError(err);
          if (e instanceof RejoinNeeded) requestRejoin(e);
          else if (e instanceof WireError && e.retriable) requestRejoin(new RejoinNeeded(false, true));
          else fail(e);
          return;
        }
      } finally {
        q.busy = false;
        this.running--;
      }
      this.dispatch();
    }

    /** Stops fetching, drops what was not handed out, and waits for the batches in hand (and their commits). */
    async close(): Promise<void> {
      this.closed = true;
      this.reader?.close();
      for (const q of this.queues.values()) q.chunks.length = 0;
      await this.pumping;
      while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    }
  }

  let generation: Generation | null = null;

  // ------------------------------------------------------------------------------------ membership loop

  const runMembership = async (joined: { resolve: () => void; reject: (err: Error) => void }): Promise<void> => {
    let pause = 100;
    let first = true;
    while (!stopping) {
      try {
        const partitions = await joinAndSync();
        pause = 100;
        if (stopping) break;
        assigned = partitions;
        rejoin = null;
        live = true;
        generation = new Generation(generationId, partitions);
        for (const listener of assignmentListeners) listener([...assigned]);
        if (first) {
          first = false;
          joined.resolve();
        }
        const signalled = new Promise<void>((resolve) => (wake = resolve));
        await generation.start();
        if (!rejoin && !stopping) await signalled;
        wake = null;
        await generation.close();
        generation = null;
        const r = rejoin as RejoinNeeded | null;
        if (r?.fresh) memberId = '';
        if (r?.coordinatorMoved) coordinator = -1;
      } catch (err) {
        wake = null;
        if (generation) {
          await generation.close();
          generation = null;
        }
        if (stopping) break;
        const e = toError(err);
        if (e instanceof RejoinNeeded) {
          if (e.fresh) memberId = '';
          if (e.coordinatorMoved) coordinator = -1;
          continue;
        }
        if (e instanceof WireError && e.retriable) {
          // the coordinator's connection went away, or it moved: find it again
          log(`evt: group ${groupId}: ${e.message}; retrying`);
          coordinator = -1;
          await sleep(pause);
          pause = Math.min(pause * 2, 2000);
          continue;
        }
        if (first) joined.reject(e);
        fail(e);
        return;
      } finally {
        live = false;
      }
    }
  };

  const leave = async () => {
    if (memberId === '' || !cluster) return;
    try {
      const conn = await coordinatorConnection('join');
      const answer = await conn.request(LEAVE_GROUP, {
        groupId,
        memberId,
        members: [{ memberId, groupInstanceId: null }],
      });
      if (answer.errorCode !== 0) log(`evt: LeaveGroup of group ${groupId}: ${errorName(answer.errorCode)}`);
    } catch (err) {
      log(`evt: LeaveGroup of group ${groupId} failed: ${toError(err).message}`);
    }
  };

  const stop = (): Promise<void> => {
    stopPromise ??= (async () => {
      stopping = true;
      wake?.();
      try {
        if (membership) await membership.catch(() => {});
        await leave();
      } finally {
        if (heartbeatTimer) clearInterval(heartbeatTimer);
        heartbeatTimer = null;
        assigned = [];
        cluster?.close();
      }
    })();
    return stopPromise;
  };

  const start = (h: (batch: MessageBatch) => Promise<void | number>): Promise<void> => {
    if (started) return Promise.reject(new Error('the group consumer was already started'));
    if (stopping) return Promise.reject(new Error('the group consumer was stopped'));
    started = true;
    handler = h;
    const joined = new Promise<void>((resolve, reject) => {
      membership = (async () => {
        try {
          cluster = await Cluster.connect(settings, {
            log: options.client?.verbose ? (m) => log(`evt: ${m}`) : undefined,
            isolation: options.isolation,
          });
        } catch (err) {
          reject(toError(err));
          if (!stopping) fail(toError(err));
          return;
        }
        heartbeatTimer = setInterval(() => void heartbeat(), heartbeatInterval);
        await runMembership({ resolve, reject });
        // stopped before the first assignment
        reject(new Error('the group consumer was stopped before it joined the group'));
      })();
    });
    return joined;
  };

  return {
    start,
    onAssignment(listener) {
      assignmentListeners.push(listener);
    },
    onError(listener) {
      errorListeners.push(listener);
    },
    assignment: () => [...assigned],
    pause() {
      paused = true;
      generation?.pauseFetching();
    },
    resume() {
      paused = false;
      generation?.resumeFetching();
    },
    stop,
  };
}
