// Metadata: one broker that leads every partition. Unknown topics are created synchronously when auto-create
// is on, and returned ready: kafkajs fails a whole Metadata answer on the first topic error it sees.
// v10+ answer each topic's id; v12 lets a request name a topic by id alone (name null), as Kafka does (v10-11
// cannot: Kafka refuses such a request, evt answers that topic INVALID_REQUEST).

import { ErrorCode } from '../../protocol/error-codes.js';
import type { EncodableResponse } from '../../protocol/message-types.js';
import { METADATA, type MetadataRequest } from '../../protocol/messages/index.js';
import { ZERO_UUID } from '../../protocol/schema.js';
import type { BrokerState } from '../state.js';
import type { Handler } from './context.js';
import { errorCodeOf } from './errors.js';
import { isInternalTopic } from '../group/offsets-topic.js';
import { topicById, wireTopicId } from './topic-ids.js';

type MetadataAnswer = EncodableResponse<typeof METADATA>;
type TopicAnswer = MetadataAnswer['topics'][number];
type AskedTopic = MetadataRequest['topics'] extends (infer T)[] | null ? T : never;

/** The first version whose requests may name a topic by id alone. */
const TOPIC_IDS_IN_REQUESTS = 12;

export function brokerEntry(state: BrokerState): MetadataAnswer['brokers'][number] {
  return { nodeId: state.nodeId, host: state.advertisedHost, port: state.advertisedPort, rack: null };
}

function unknownTopic(errorCode: number, name: string | null, isInternal = false): TopicAnswer {
  return { errorCode, name, topicId: ZERO_UUID, isInternal, partitions: [] };
}

/** The answer for a topic asked for by id (v12): its entry, or UNKNOWN_TOPIC_ID with no name. */
function topicByIdEntry(state: BrokerState, asked: AskedTopic, version: number): TopicAnswer {
  if (version < TOPIC_IDS_IN_REQUESTS) return unknownTopic(ErrorCode.INVALID_REQUEST, '');
  const topic = topicById(state, asked.topicId);
  return topic ? topicEntry(state, topic.name, false) : unknownTopic(ErrorCode.UNKNOWN_TOPIC_ID, null);
}

function topicEntry(state: BrokerState, name: string, autoCreate: boolean): TopicAnswer {
  let topic = state.logs.topic(name);
  const isInternal = isInternalTopic(name);
  // an internal topic is the coordinator's to create (on first use), never an empty ordinary topic
  if (!topic && autoCreate && !isInternal) {
    try {
      state.logs.createTopic(name, { numPartitions: state.defaultPartitions });
      topic = state.logs.topic(name);
    } catch (err) {
      return unknownTopic(errorCodeOf(err), name);
    }
  }
  if (!topic) return unknownTopic(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name, isInternal);
  const partitions: TopicAnswer['partitions'] = [];
  for (let i = 0; i < topic.partitions; i++) {
    partitions.push({
      errorCode: 0,
      partitionIndex: i,
      leaderId: state.nodeId,
      replicaNodes: [state.nodeId],
      isrNodes: [state.nodeId],
      offlineReplicas: [],
    });
  }
  return { errorCode: 0, name, topicId: wireTopicId(state, name), isInternal, partitions };
}

export const metadata: Handler<typeof METADATA> = (ctx, req) => {
  const state = ctx.broker;
  // v0: an empty list means every topic; v1+: null means every topic and an empty list none.
  const requested = req.topics;
  const all = requested === null || (ctx.apiVersion === 0 && requested.length === 0);
  const autoCreate = state.autoCreateTopics && (ctx.apiVersion < 4 || req.allowAutoTopicCreation);
  const topics = all
    ? state.logs.topics().map((t) => topicEntry(state, t.name, false))
    : requested.map((t) =>
        t.name === null ? topicByIdEntry(state, t, ctx.apiVersion) : topicEntry(state, t.name, autoCreate),
      );
  return {
    throttleTimeMs: 0,
    brokers: [brokerEntry(state)],
    clusterId: state.clusterId,
    controllerId: state.nodeId,
    topics,
  };
};
