// CreateTopics: a single broker, so the replication factor can only be 1 (or -1, the broker default), and
// manual assignments can only name this broker (checked as Kafka does: replica-assignment.ts).

import { ErrorCode } from '../../protocol/error-codes.js';
import { CREATE_TOPICS } from '../../protocol/messages/index.js';
import { isInternalTopic } from '../group/offsets-topic.js';
import { checkTopicAssignments } from '../replica-assignment.js';
import type { Handler } from './context.js';
import { errorCodeOf, errorMessageOf } from './errors.js';

export const createTopics: Handler<typeof CREATE_TOPICS> = (ctx, req) => {
  const { logs, defaultPartitions, nodeId } = ctx.broker;
  const seen = new Set<string>();
  const topics = req.topics.map((t) => {
    const fail = (errorCode: number, errorMessage: string) => ({ name: t.name, errorCode, errorMessage });
    if (seen.has(t.name)) return fail(ErrorCode.INVALID_REQUEST, `topic ${t.name} appears twice in the request`);
    seen.add(t.name);
    // The broker creates __consumer_offsets itself, with the partitions its coordinator spreads groups over
    // (offsets.topic.num.partitions). Kafka 3.x would create it as asked (and refuses __cluster_metadata with
    // this answer); evt refuses, since a topic of another layout would break the coordinator. Once it exists,
    // the answer is TOPIC_ALREADY_EXISTS as for any topic.
    if (isInternalTopic(t.name) && !logs.topic(t.name))
      return fail(ErrorCode.INVALID_REQUEST, `Creation of internal topic ${t.name} is prohibited.`);
    if (t.replicationFactor !== -1 && t.replicationFactor !== 1 && t.assignments.length === 0) {
      return fail(
        ErrorCode.INVALID_REPLICATION_FACTOR,
        `replication factor ${t.replicationFactor} is larger than the 1 available broker`,
      );
    }
    const configs: Record<string, string | null> = {};
    for (const c of t.configs) configs[c.name] = c.value;
    try {
      const numPartitions =
        t.assignments.length > 0
          ? checkTopicAssignments(t, [nodeId])
          : t.numPartitions === -1
            ? defaultPartitions
            : t.numPartitions;
      if (req.validateOnly) logs.validateTopic(t.name, { numPartitions, configs });
      else logs.createTopic(t.name, { numPartitions, configs });
      return { name: t.name, errorCode: 0, errorMessage: null };
    } catch (err) {
      return fail(errorCodeOf(err), errorMessageOf(err));
    }
  });
  return { throttleTimeMs: 0, topics };
};
