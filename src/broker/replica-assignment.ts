// Manual replica assignments in CreateTopics and CreatePartitions, checked as Kafka's controller checks them
// (ReplicationControlManager, with its messages): every broker named must exist, none twice in a partition,
// every partition with as many replicas as the others (and, for new partitions, as the topic's existing
// ones), the partitions of a new topic numbered 0..n-1. evt broker is one broker, so the only assignment that
// passes is [its id] per partition.

import { ErrorCode, KafkaError } from '../protocol/error-codes.js';

function invalidAssignment(message: string): never {
  throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, message);
}

/** One partition's replicas; `replicas` is the count the other partitions have, when known. */
function checkReplicas(brokerIds: readonly number[], brokers: readonly number[], replicas: number | undefined): void {
  if (brokerIds.length === 0) invalidAssignment('The manual partition assignment includes an empty replica list.');
  const sorted = [...brokerIds].sort((a, b) => a - b);
  sorted.forEach((id, i) => {
    if (!brokers.includes(id))
      invalidAssignment(`The manual partition assignment includes broker ${id}, but no such broker is registered.`);
    if (i > 0 && sorted[i - 1] === id)
      invalidAssignment(`The manual partition assignment includes the broker ${id} more than once.`);
  });
  if (replicas !== undefined && sorted.length !== replicas)
    invalidAssignment(
      `The manual partition assignment includes a partition with ${sorted.length} replica(s), but this is not consistent with previous partitions, which have ${replicas} replica(s).`,
    );
}

/**
 * CreateTopics with assignments: numPartitions and replicationFactor must then be -1 (INVALID_REQUEST), and
 * the assignments valid. Returns the partition count they give.
 */
export function checkTopicAssignments(
  topic: {
    numPartitions: number;
    replicationFactor: number;
    assignments: readonly { partitionIndex: number; brokerIds: readonly number[] }[];
  },
  brokers: readonly number[],
): number {
  if (topic.replicationFactor !== -1)
    throw new KafkaError(
      ErrorCode.INVALID_REQUEST,
      'A manual partition assignment was specified, but replication factor was not set to -1.',
    );
  if (topic.numPartitions !== -1)
    throw new KafkaError(
      ErrorCode.INVALID_REQUEST,
      'A manual partition assignment was specified, but numPartitions was not set to -1.',
    );
  const seen = new Set<number>();
  let replicas: number | undefined;
  for (const a of topic.assignments) {
    if (seen.has(a.partitionIndex))
      invalidAssignment(`Found multiple manual partition assignments for partition ${a.partitionIndex}`);
    seen.add(a.partitionIndex);
    checkReplicas(a.brokerIds, brokers, replicas);
    replicas = a.brokerIds.length;
  }
  for (let i = 0; i < seen.size; i++)
    if (!seen.has(i)) invalidAssignment('partitions should be a consecutive 0-based integer sequence');
  return seen.size;
}

/** CreatePartitions with assignments: one per added partition, each with the topic's replica count. */
export function checkNewPartitionAssignments(
  added: number,
  assignments: readonly { brokerIds: readonly number[] }[],
  brokers: readonly number[],
  replicationFactor: number,
): void {
  if (assignments.length !== added)
    invalidAssignment(
      `Attempted to add ${added} additional partition(s), but only ${assignments.length} assignment(s) were specified.`,
    );
  for (const a of assignments) checkReplicas(a.brokerIds, brokers, replicationFactor);
}
