// Metadata: one broker that leads every partition. Unknown topics are created synchronously when auto-create
// is on, and returned ready: kafkajs fails a whole Metadata answer on the first topic error it sees.

import { ErrorCode } from '../../protocol/error-codes.js';
import type { EncodableResponse } from '../../protocol/message-types.js';
import { METADATA } from '../../protocol/messages/index.js';
import type { BrokerState } from '../state.js';
import type { Handler } from './context.js';
import { errorCodeOf } from './errors.js';
import { isInternalTopic } from '../group/offsets-topic.js';

type MetadataAnswer = EncodableResponse<typeof METADATA>;

export function brokerEntry(state: BrokerState): MetadataAnswer['brokers'][number] {
  return { nodeId: state.nodeId, host: state.advertisedHost, port: state.advertisedPort, rack: null };
}

function topicEntry(state: BrokerState, name: string, autoCreate: boolean): MetadataAnswer['topics'][number] {
  let topic = state.logs.topic(name);
  const isInternal = isInternalTopic(name);
  // an internal topic is the coordinator's to create (on first use), never an empty ordinary topic
  if (!topic && autoCreate && !isInternal) {
    try {
      state.logs.createTopic(name, { numPartitions: state.defaultPartitions });
      topic = state.logs.topic(name);
    } catch (err) {
      return { errorCode: errorCodeOf(err), name, isInternal: false, partitions: [] };
    }
  }
  if (!topic) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name, isInternal, partitions: [] };
  const partitions: MetadataAnswer['topics'][number]['partitions'] = [];
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
  return { errorCode: 0, name, isInternal, partitions };
}

export const metadata: Handler<typeof METADATA> = (ctx, req) => {
  const state = ctx.broker;
  // v0: an empty list means every topic; v1+: null means every topic and an empty list none.
  const requested = req.topics;
  const all = requested === null || (ctx.apiVersion === 0 && requested.length === 0);
  const autoCreate = state.autoCreateTopics && (ctx.apiVersion < 4 || req.allowAutoTopicCreation);
  const names = all ? state.logs.topics().map((t) => t.name) : requested.map((t) => t.name);
  return {
    throttleTimeMs: 0,
    brokers: [brokerEntry(state)],
    clusterId: state.clusterId,
    controllerId: state.nodeId,
    topics: names.map((name) => topicEntry(state, name, !all && autoCreate)),
  };
};
