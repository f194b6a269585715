// Where an admin request goes, as Kafka's AdminClient decides it: topic creation, deletion and new partitions
// to the controller; requests about partitions (DeleteRecords) to each partition's leader; requests about
// configs to any broker; group requests to the group's coordinator (withCoordinator, group-info.ts). An answer
// saying the request went to the wrong broker (NOT_CONTROLLER, NOT_LEADER_OR_FOLLOWER, LEADER_NOT_AVAILABLE)
// is sent again after a fresh look at the metadata, until the cluster's timeout has passed.

import { ErrorCode } from '../../protocol/error-codes.js';
import { sleep } from '../../common/time.js';
import { ADMIN_LANE, type Cluster } from './cluster.js';
import type { Connection } from './connection.js';
import { KafkaResponseError, WireError, errorName, isRetriable } from './errors.js';

const FIRST_PAUSE_MS = 50;
const MAX_PAUSE_MS = 1000;

/** A connection to any broker the cluster lists, for requests every broker answers (configs). */
export async function anyBroker(cluster: Cluster): Promise<Connection> {
  if (cluster.brokers.size === 0) await cluster.refreshMetadata([]);
  const node = [...cluster.brokers.keys()][0];
  if (node === undefined) throw new WireError('the cluster lists no brokers', 'protocol', true);
  return cluster.connection(node, ADMIN_LANE);
}

/** The controller's node id from fresh metadata; -1 while the cluster names none. */
async function controllerId(cluster: Cluster): Promise<number> {
  const answer = await cluster.refreshMetadata([]);
  // Metadata v0 has no controller id: the field is then absent
  return typeof answer.controllerId === 'number' ? answer.controllerId : -1;
}

/**
 * `call` on a connection to the controller. When `call` throws NOT_CONTROLLER (the controller moved since the
 * metadata was read), the controller is looked up again and `call` runs again, with a growing pause, until the
 * cluster's timeout; `call` keeps track itself of what is still to be done.
 */
export async function withController<T>(cluster: Cluster, call: (conn: Connection) => Promise<T>): Promise<T> {
  const deadline = Date.now() + cluster.timeoutMs;
  for (let pause = FIRST_PAUSE_MS; ; pause = Math.min(pause * 2, MAX_PAUSE_MS)) {
    try {
      const node = await controllerId(cluster);
      if (node < 0) throw new KafkaResponseError(ErrorCode.NOT_CONTROLLER, 'Metadata: the cluster names no controller');
      // librdkafka's mock cluster names a controller (0) that is none of its brokers: any broker then, which
      // either serves the request or says clearly that it does not
      const conn = cluster.brokers.has(node) ? await cluster.connection(node, ADMIN_LANE) : await anyBroker(cluster);
      return await call(conn);
    } catch (err) {
      if (
        !(err instanceof KafkaResponseError) ||
        err.code !== ErrorCode.NOT_CONTROLLER ||
        Date.now() + pause > deadline
      )
        throw err;
      cluster.log(`${err.message}; looking for the controller again`);
      await sleep(pause);
    }
  }
}

export interface PartitionRef {
  topic: string;
  partition: number;
}

/** Per partition of a request: its result, or the error code of an answer that is worth sending again. */
export type LeaderAnswer<R> = { result: R } | { retry: number };

/**
 * Sends requests about partitions to their leaders: one `send` per leader with that leader's partitions, which
 * answers per partition (in the order given). Partitions whose answer asks for a retry (the leader moved, or
 * there is none yet) are sent again, to the leader fresh metadata names, until the cluster's timeout; then the
 * last code is thrown as a KafkaResponseError. Results come back in the order of `items`.
 */
export async function sendToLeaders<Q extends PartitionRef, R>(
  cluster: Cluster,
  what: string,
  items: Q[],
  send: (conn: Connection, batch: Q[]) => Promise<LeaderAnswer<R>[]>,
): Promise<R[]> {
  const results = new Map<Q, R>();
  const deadline = Date.now() + cluster.timeoutMs;
  let todo = items;
  for (let pause = FIRST_PAUSE_MS; todo.length > 0; pause = Math.min(pause * 2, MAX_PAUSE_MS)) {
    const topics = [...new Set(todo.map((q) => q.topic))];
    for (const topic of topics) if (!cluster.cachedTopic(topic)) await cluster.topic(topic);
    const byLeader = new Map<number, Q[]>();
    for (const q of todo) {
      const meta = cluster.cachedTopic(q.topic)!;
      if (!meta.partitions.some((p) => p.partition === q.partition)) {
        throw new WireError(
          `partition ${q.partition} of ${q.topic} does not exist (the topic has ${meta.partitions.length})`,
          'not-found',
        );
      }
      const leader = cluster.leaderOf(q.topic, q.partition);
      const batch = byLeader.get(leader);
      if (batch) batch.push(q);
      else byLeader.set(leader, [q]);
    }
    const retry: Q[] = [];
    let lastCode: number = ErrorCode.LEADER_NOT_AVAILABLE;
    await Promise.all(
      [...byLeader].map(async ([leader, batch]) => {
        if (leader < 0) {
          retry.push(...batch);
          return;
        }
        const answers = await send(await cluster.connection(leader, ADMIN_LANE), batch);
        batch.forEach((q, i) => {
          const a = answers[i];
          if ('result' in a) results.set(q, a.result);
          else {
            lastCode = a.retry;
            retry.push(q);
          }
        });
      }),
    );
    todo = retry;
    if (todo.length === 0) break;
    if (Date.now() + pause > deadline) throw new KafkaResponseError(lastCode, what);
    cluster.log(`${what}: sending ${todo.length} partition(s) again after ${errorName(lastCode)}`);
    await sleep(pause);
    await cluster.refreshMetadata(topics);
  }
  return items.map((q) => results.get(q)!);
}

/** The answer for one partition: its result when `errorCode` is 0, a retry when the code is retriable. */
export function leaderAnswer<R>(errorCode: number, result: () => R, context: string): LeaderAnswer<R> {
  if (errorCode === 0) return { result: result() };
  if (isRetriable(errorCode)) return { retry: errorCode };
  throw new KafkaResponseError(errorCode, context);
}
