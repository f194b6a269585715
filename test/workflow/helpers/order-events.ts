// Reading one order's events back from Kafka for the workflow tests: the decoded logs of every workflow
// topic (optionally from given offsets), and per order the event types per topic in log order.

import { TOPIC_NAMES, type TopicName } from '../../../src/workflow/catalogue.js';
import type { AnyRecord } from '../../../src/workflow/envelope.js';
import type { ConsumedRecord } from '../../../src/client/records.js';
import {
  offsetRanges,
  partitionKey,
  partitionsOf,
  readToEnd,
  readTopics,
} from '../../../src/workflow/runtime/read-back.js';
import type { WorkerRuntime } from '../../../src/workflow/runtime/worker.js';

export type Logs = Map<TopicName, AnyRecord[]>;

/** Where every given (physical) topic ends now: pass it as `since` to read only what comes after. */
export async function endOffsets(rt: WorkerRuntime, topics: readonly string[]): Promise<Map<string, number>> {
  const ranges = await offsetRanges(rt.cluster, await partitionsOf(rt.cluster, topics));
  return new Map(ranges.map((r) => [partitionKey(r.topic, r.partition), r.until!]));
}

/** The decoded logs of every workflow topic. */
export async function readWorkflowLogs(rt: WorkerRuntime, since?: ReadonlyMap<string, number>): Promise<Logs> {
  return (await readTopics(rt.cluster, rt.codec, TOPIC_NAMES, since)).logs;
}

/** The records of (physical) `topics` that do not decode as workflow records: all of a dead-letter topic's. */
export async function readUndecodable(
  rt: WorkerRuntime,
  topics: readonly string[],
  since?: ReadonlyMap<string, number>,
): Promise<ConsumedRecord[]> {
  const out: ConsumedRecord[] = [];
  await readToEnd(
    rt.cluster,
    rt.codec,
    await partitionsOf(rt.cluster, topics),
    (chunk) => out.push(...chunk.undecodable.map((u) => u.record)),
    since,
  );
  return out;
}

/** One order's records of a topic, in log order (one order is on one partition). */
export function recordsOf(logs: Logs, topic: TopicName, orderId: string): AnyRecord[] {
  return (logs.get(topic) ?? []).filter((r) => (r.value as { orderId?: string }).orderId === orderId);
}

/** One order's event types per topic, in log order; topics without any are left out. */
export function eventsOf(logs: Logs, orderId: string): Partial<Record<TopicName, string[]>> {
  const out: Partial<Record<TopicName, string[]>> = {};
  for (const topic of TOPIC_NAMES) {
    if (topic === 'inventory.stock') continue;
    const types = recordsOf(logs, topic, orderId).map((r) => r.value.eventType as string);
    if (types.length) out[topic] = types;
  }
  return out;
}
