// evt's consumer-group interface, and the assignment of partitions to members that evt's strategies make.
// It is implemented on the wire client (wire/group-consumer.ts); the rest of evt sees records, batches and
// assignments.

import type { ConsumedRecord } from './records.js';
import type { Isolation } from './wire/cluster.js';

export type AssignmentStrategy = 'copartitioned' | 'singleton' | 'range';

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
   *  that already owns everything keeps it when another joins (carry ownership in the protocol userData/metadata).
   *  range: Kafka's RangeAssignor under its own protocol name, `range`, the first of the Java consumer's and
   *  librdkafka's defaults, so that evt can share a group with their consumers (evt's strategies are named
   *  `evt-...`, which no other client offers). */
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
  /**
   * Where a partition the group has no committed offset for starts, when not simply at the beginning or the
   * end (`fromBeginning`): an offset, or undefined to leave it to `fromBeginning`.
   */
  startOffset?: (topic: string, partition: number) => number | undefined;
  /** what the fetches see of transactions; default read_uncommitted */
  isolation?: Isolation;
  /** log lines of the client (retries, rebalances), only with verbose; stderr by default */
  client?: { verbose?: boolean; log?: (line: string) => void };
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
   *  committed only after the handler's promise resolves (at-least-once). A handler that stopped part-way resolves with
   *  the offset of the first record it did not handle, and that offset is committed instead of the batch's end (the
   *  partition's later batches are still handed over: a handler that has stopped answers them with the same offset).
   *  If the handler rejects, nothing of that batch is committed, consumption stops and `onError` listeners get the error.
   *  Resolves once the consumer has joined and has its first assignment. */
  start(handler: (batch: MessageBatch) => Promise<void | number>): Promise<void>;
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
export function assignCopartitioned(
  memberIds: readonly string[],
  partitionCounts: Readonly<Record<string, number>>,
): GroupAssignment {
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
 * Kafka's RangeAssignor: each topic on its own, its partitions split into contiguous ranges over the members
 * subscribed to it, sorted by member id, the first `partitions mod members` members taking one more.
 */
export function assignRange(
  members: readonly { memberId: string; topics: readonly string[] }[],
  partitionCounts: Readonly<Record<string, number>>,
): GroupAssignment {
  const result: GroupAssignment = Object.fromEntries(members.map((m) => [m.memberId, {}]));
  for (const topic of Object.keys(partitionCounts).sort()) {
    const subscribed = members
      .filter((m) => m.topics.includes(topic))
      .map((m) => m.memberId)
      .sort();
    if (subscribed.length === 0) continue;
    const each = Math.floor(partitionCounts[topic] / subscribed.length);
    const extra = partitionCounts[topic] % subscribed.length;
    subscribed.forEach((id, i) => {
      const start = i * each + Math.min(i, extra);
      const length = each + (i < extra ? 1 : 0);
      if (length > 0) result[id][topic] = Array.from({ length }, (_, k) => start + k);
    });
  }
  return result;
}

/**
 * Everything to one member: the one that says it owns everything already (so a joining member does not move
 * the work), else (or when several claim it after a split) the first by id.
 */
export function assignSingleton(
  members: readonly { memberId: string; owns: boolean }[],
  partitionCounts: Readonly<Record<string, number>>,
): GroupAssignment {
  const sorted = [...members].sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0));
  const result: GroupAssignment = Object.fromEntries(sorted.map((m) => [m.memberId, {}]));
  const owner = sorted.find((m) => m.owns) ?? sorted[0];
  if (!owner) return result;
  for (const topic of Object.keys(partitionCounts).sort()) {
    result[owner.memberId][topic] = Array.from({ length: partitionCounts[topic] }, (_, p) => p);
  }
  return result;
}
