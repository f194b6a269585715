// CreateTopics: a single broker, so the replication factor can only be 1 (or -1, the broker default), and
// manual assignments can only name this broker (checked as Kafka does: replica-assignment.ts). v5+ answer a
// created (or validated) topic's partitions, replication factor and configs, v7+ its topic id.

import { ErrorCode } from '../../protocol/error-codes.js';
import type { EncodableResponse } from '../../protocol/message-types.js';
import { CREATE_TOPICS } from '../../protocol/messages/index.js';
import { ZERO_UUID } from '../../protocol/schema.js';
import { isInternalTopic } from '../group/offsets-topic.js';
import { checkTopicAssignments } from '../replica-assignment.js';
import type { BrokerState } from '../state.js';
import type { Handler } from './context.js';
import { errorCodeOf, errorMessageOf } from './errors.js';
import { wireTopicId } from './topic-ids.js';

type CreatedTopic = EncodableResponse<typeof CREATE_TOPICS>['topics'][number];

/** What Kafka answers for a topic it created: its id (zero when only validated), partitions and configs. */
function created(state: BrokerState, name: string, numPartitions: number, validateOnly: boolean): CreatedTopic {
  const configs = validateOnly ? null : state.logs.describeConfigs(name);
  return {
    name,
    topicId: validateOnly ? ZERO_UUID : wireTopicId(state, name),
    errorCode: 0,
    errorMessage: null,
    numPartitions,
    replicationFactor: 1,
    configs:
      configs?.map((c) => ({
        name: c.name,
        value: c.isSensitive ? null : c.value,
        readOnly: c.readOnly,
        configSource: c.source,
        isSensitive: c.isSensitive,
      })) ?? null,
  };
}

export const createTopics: Handler<typeof CREATE_TOPICS> = (ctx, req) => {
  const { logs, defaultPartitions, nodeId } = ctx.broker;
  const seen = new Set<string>();
  const topics = req.topics.map((t): CreatedTopic => {
    const fail = (errorCode: number, errorMessage: string) => ({
      name: t.name,
      topicId: ZERO_UUID,
      errorCode,
      errorMessage,
    });
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
      return created(ctx.broker, t.name, numPartitions, req.validateOnly);
    } catch (err) {
      return fail(errorCodeOf(err), errorMessageOf(err));
    }
  });
  return { throttleTimeMs: 0, topics };
};
