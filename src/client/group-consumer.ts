// evt's consumer-group interface. It is implemented over kafkajs (in maintenance mode), and this is the only
// file that may know about kafkajs consumers: the rest of evt sees records, batches and assignments.

import { AssignerProtocol, type Consumer, type KafkaMessage, type PartitionAssigner } from 'kafkajs';
import { closeClient, createKafka, retryPolicy, type ClientOptions } from './connect.js';
import type { ConsumedRecord, RecordHeader } from './records.js';
import type { ConnectionSettings } from './settings.js';

export type AssignmentStrategy = 'copartitioned' | 'singleton';

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface GroupConsumerOptions {
  groupId: string;
  topics: readonly string[];
  /** copartitioned: partition number p of EVERY subscribed topic goes to the same member (the topics have equal
   *  partition counts; spread partition numbers evenly over members, sorted by member id, deterministic).
   *  singleton: every partition of every topic goes to ONE member (the others are hot standbys); sticky: the member
   *  that already owns everything keeps it when another joins (carry ownership in the protocol userData/metadata). */
  strategy: AssignmentStrategy;
  /** where a partition with no committed offset starts; default true (earliest) */
  fromBeginning?: boolean;
  sessionTimeoutMs?: number; // default 10_000
  heartbeatIntervalMs?: number; // default 1_000
  /** how long the coordinator waits for members to rejoin during a rebalance; default 60_000 */
  rebalanceTimeoutMs?: number;
  /** long-poll wait of a fetch; default 500 */
  maxWaitMs?: number;
  /** batches of different partitions handled concurrently; default 16 */
  concurrency?: number;
  /** kafkajs logging (stderr only) */
  client?: Pick<ClientOptions, 'verbose' | 'log'>;
}

export interface MessageBatch {
  topic: string;
  partition: number;
  records: ConsumedRecord[];
  /** high watermark when fetched */
  highWatermark: number;
}

export interface GroupConsumer {
  /** Joins the group and starts consuming. `handler` gets one batch per partition at a time (never two batches of the same
   *  partition concurrently, batches of different partitions concurrently up to `concurrency`); the batch's offsets are
   *  committed only after the handler's promise resolves (at-least-once). If the handler rejects, nothing of that batch is
   *  committed, consumption stops and `onError` listeners get the error. Resolves once the consumer has joined and has
   *  its first assignment. */
  start(handler: (batch: MessageBatch) => Promise<void>): Promise<void>;
  /** Called after each rebalance with this member's new assignment (possibly empty). */
  onAssignment(listener: (assigned: TopicPartition[]) => void): void;
  onError(listener: (err: Error) => void): void;
  assignment(): TopicPartition[];
  /** Stop fetching (membership and heartbeats go on), and resume. */
  pause(): void;
  resume(): void;
  /** Finish the batch in hand, commit, leave the group (LeaveGroup, so the others rebalance at once), close sockets. Idempotent. */
  stop(): Promise<void>;
}

// ------------------------------------------------------------------------------------ pure assignment

/** memberId → topic → partitions; every member is present, possibly with nothing. */
export type GroupAssignment = Record<string, Record<string, number[]>>;

/**
 * Partition number p of every topic goes to the same member: members sorted by id, p to member p mod n.
 * A topic with fewer partitions than the others simply lacks the higher numbers.
 */
export function assignCopartitioned(memberIds: readonly string[], partitionCounts: Readonly<Record<string, number>>): GroupAssignment {
  const sorted = [...memberIds].sort();
  const result: GroupAssignment = Object.fromEntries(sorted.map((id) => [id, {}]));
  if (sorted.length === 0) return result;
  for (const topic of Object.keys(partitionCounts).sort()) {
    for (let p = 0; p < partitionCounts[topic]; p++) {
      const owner = result[sorted[p % sorted.length]];
      (owner[topic] ??= []).push(p);
    }
  }
  return result;
}

/**
 * Everything to one member: the one that says it owns everything already (so a joining member does not move
 * the work), else (or when several claim it after a split) the first by id.
 */
export function assignSingleton(members: readonly { memberId: string; owns: boolean }[], partitionCounts: Readonly<Record<string, number>>): GroupAssignment {
  const sorted = [...members].sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0));
  const result: GroupAssignment = Object.fromEntries(sorted.map((m) => [m.memberId, {}]));
  const owner = sorted.find((m) => m.owns) ?? sorted[0];
  if (!owner) return result;
  for (const topic of Object.keys(partitionCounts).sort()) {
    result[owner.memberId][topic] = Array.from({ length: partitionCounts[topic] }, (_, p) => p);
  }
  return result;
}

const OWNS = Buffer.from([1]);
const OWNS_NOTHING = Buffer.from([0]);

/** The kafkajs assigner for a strategy; `ownsEverything` is asked at each join (singleton stickiness). */
function evtAssigner(strategy: AssignmentStrategy, ownsEverything: () => boolean): PartitionAssigner {
  const name = `evt-${strategy}`;
  return ({ cluster }) => ({
    name,
    version: 1,
    protocol({ topics }) {
      const userData = strategy === 'singleton' && ownsEverything() ? OWNS : OWNS_NOTHING;
      return { name, metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData }) };
    },
    async assign({ members, topics }) {
      const counts: Record<string, number> = {};
      for (const topic of topics) counts[topic] = cluster.findTopicPartitionMetadata(topic).length;
      const assignment =
        strategy === 'copartitioned'
          ? assignCopartitioned(members.map((m) => m.memberId), counts)
          : assignSingleton(
              members.map((m) => {
                const userData = AssignerProtocol.MemberMetadata.decode(m.memberMetadata)?.userData;
                return { memberId: m.memberId, owns: userData?.length === 1 && userData[0] === 1 };
              }),
              counts,
            );
      return Object.entries(assignment).map(([memberId, topicPartitions]) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 1, assignment: topicPartitions, userData: Buffer.alloc(0) }),
      }));
    },
  });
}

// ------------------------------------------------------------------------------------------ consumer

function toRecord(topic: string, partition: number, m: KafkaMessage): ConsumedRecord {
  const headers: RecordHeader[] = [];
  for (const [key, v] of Object.entries(m.headers ?? {})) {
    // kafkajs folds repeated header keys into an array
    for (const one of Array.isArray(v) ? v : [v]) {
      headers.push({ key, value: one == null ? null : Buffer.isBuffer(one) ? one : Buffer.from(one) });
    }
  }
  return { topic, partition, offset: Number(m.offset), timestamp: Number(m.timestamp), key: m.key ?? null, value: m.value ?? null, headers };
}

const byTopicPartition = (a: TopicPartition, b: TopicPartition) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition);

export function createGroupConsumer(settings: ConnectionSettings, options: GroupConsumerOptions): GroupConsumer {
  const topics = [...options.topics];
  const sessionTimeout = options.sessionTimeoutMs ?? 10_000;
  const heartbeatInterval = options.heartbeatIntervalMs ?? 1_000;
  const kafka = createKafka(settings, options.client);

  let assigned: TopicPartition[] = [];
  let paused = false;
  let started = false;
  let stopping = false;
  let failed = false;
  let stopPromise: Promise<void> | undefined;
  let joined: Promise<void> | undefined;
  const assignmentListeners: ((assigned: TopicPartition[]) => void)[] = [];
  const errorListeners: ((err: Error) => void)[] = [];

  const consumer: Consumer = kafka.consumer({
    groupId: options.groupId,
    partitionAssigners: [evtAssigner(options.strategy, () => assigned.length > 0)],
    sessionTimeout,
    heartbeatInterval,
    rebalanceTimeout: options.rebalanceTimeoutMs ?? 60_000,
    maxWaitTimeInMs: options.maxWaitMs ?? 500,
    allowAutoTopicCreation: false,
    // a long-running member restarts after retriable failures, but never once it is being stopped
    retry: { ...retryPolicy(settings.timeoutMs), restartOnFailure: async () => !stopping },
  });

  const pauseAll = () => consumer.pause(topics.map((topic) => ({ topic })));
  const report = (err: Error) => {
    for (const listener of errorListeners) listener(err);
  };

  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    assigned = Object.entries(e.payload.memberAssignment)
      .flatMap(([topic, partitions]) => partitions.map((partition) => ({ topic, partition })))
      .sort(byTopicPartition);
    // after a crash and restart kafkajs has a new consumer group object that knows nothing of the pause
    if (paused) pauseAll();
    for (const listener of assignmentListeners) listener([...assigned]);
  });

  const stop = (): Promise<void> => {
    stopPromise ??= (async () => {
      stopping = true;
      // a stop during the first join would leave kafkajs' runner to start fetching after we disconnected
      if (joined) await joined.catch(() => {});
      try {
        await consumer.disconnect();
      } catch {
        // kafkajs has logged it (to stderr); the sockets are closed below anyway
      } finally {
        assigned = [];
        closeClient(kafka);
      }
    })();
    return stopPromise;
  };

  const fail = (err: Error) => {
    if (failed) return;
    failed = true;
    void stop();
    report(err);
  };

  const start = (handler: (batch: MessageBatch) => Promise<void>): Promise<void> => {
    if (started) return Promise.reject(new Error('the group consumer was already started'));
    if (stopping) return Promise.reject(new Error('the group consumer was stopped'));
    started = true;
    joined = new Promise<void>((resolve, reject) => {
      consumer.on(consumer.events.GROUP_JOIN, () => resolve());
      consumer.on(consumer.events.CRASH, (e) => {
        if (e.payload.restart) return;
        reject(e.payload.error);
        if (!stopping) fail(e.payload.error);
      });
      (async () => {
        await consumer.connect();
        await consumer.subscribe({ topics, fromBeginning: options.fromBeginning ?? true });
        const running = consumer.run({
          autoCommit: true,
          // commitOffsetsIfNecessary commits as soon as anything is resolved: right after each handled batch
          autoCommitThreshold: 1,
          eachBatchAutoResolve: false,
          partitionsConsumedConcurrently: options.concurrency ?? 16,
          eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }) => {
            if (failed || !isRunning() || isStale() || batch.messages.length === 0) return;
            const records = batch.messages.map((m) => toRecord(batch.topic, batch.partition, m));
            // kafkajs only heartbeats between batches: keep the membership alive through a slow handler
            const keepAlive = setInterval(() => void heartbeat().catch(() => {}), heartbeatInterval);
            try {
              await handler({ topic: batch.topic, partition: batch.partition, records, highWatermark: Number(batch.highWatermark) });
            } catch (err) {
              fail(err instanceof Error ? err : new Error(String(err)));
              return;
            } finally {
              clearInterval(keepAlive);
            }
            resolveOffset(batch.messages[batch.messages.length - 1].offset);
            await commitOffsetsIfNecessary();
          },
        });
        // run() creates the consumer group object synchronously: only from here on can it be paused
        if (paused) pauseAll();
        await running;
      })().catch((err: unknown) => {
        const error = err instanceof Error ? err : new Error(String(err));
        reject(error);
        if (!stopping) fail(error);
      });
    });
    return joined.then(() => {
      if (stopping && !failed) throw new Error('the group consumer was stopped before it joined the group');
    });
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
      if (started && !stopping) {
        try {
          pauseAll();
        } catch {
          // not running yet: applied when run() starts
        }
      }
    },
    resume() {
      paused = false;
      if (started && !stopping) {
        try {
          consumer.resume(topics.map((topic) => ({ topic })));
        } catch {
          // not running: nothing is paused
        }
      }
    },
    stop,
  };
}
