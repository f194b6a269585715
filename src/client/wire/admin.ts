// The AdminClient (../admin.ts) on the wire client: one connected Cluster serves every operation, each sent
// to the broker Kafka's AdminClient would send it to (see admin-routing.ts).

import type { AdminClient } from '../admin.js';
import type { Cluster } from './cluster.js';
import { alterTopicConfigs, topicConfigs, replaceTopicConfigs } from './config-admin.js';
import {
  commitOffsets,
  committedOffsets,
  deleteCommittedOffsets,
  deleteGroups,
  describeGroups,
} from './group-admin.js';
import { listGroups } from './group-info.js';
import {
  createPartitions,
  createTopic,
  deleteRecords,
  deleteTopics,
  describeCluster,
  describeTopics,
  listTopics,
  offsetsForTime,
  topicOffsets,
} from './topic-admin.js';
import { describeTransactions, listTransactions } from './txn-admin.js';

export function createAdminClient(cluster: Cluster): AdminClient {
  return {
    cluster: () => describeCluster(cluster),
    listTopics: () => listTopics(cluster),
    topicMetadata: (topics) => describeTopics(cluster, topics),
    topicOffsets: (topic) => topicOffsets(cluster, topic),
    offsetsForTime: (topic, timestamp) => offsetsForTime(cluster, topic, timestamp),
    createTopic: (topic) => createTopic(cluster, topic),
    deleteTopics: (topics) => deleteTopics(cluster, topics),
    createPartitions: (topic, count) => createPartitions(cluster, topic, count),
    deleteRecords: (topic, before) => deleteRecords(cluster, topic, before),
    topicConfigs: (topic) => topicConfigs(cluster, topic),
    replaceTopicConfigs: (topic, configs, options) => replaceTopicConfigs(cluster, topic, configs, options),
    alterTopicConfigs: (topic, set, remove, options) => alterTopicConfigs(cluster, topic, set, remove, options),
    listGroups: () => listGroups(cluster),
    describeGroups: (groupIds) => describeGroups(cluster, groupIds),
    committedOffsets: (groupId, topics) => committedOffsets(cluster, groupId, topics),
    commitOffsets: (groupId, offsets) => commitOffsets(cluster, groupId, offsets),
    deleteCommittedOffsets: (groupId, partitions) => deleteCommittedOffsets(cluster, groupId, partitions),
    deleteGroups: (groupIds) => deleteGroups(cluster, groupIds),
    listTransactions: (states) => listTransactions(cluster, states),
    describeTransactions: (ids) => describeTransactions(cluster, ids),
  };
}
