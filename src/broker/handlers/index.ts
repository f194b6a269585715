// Every API the broker serves: its description paired with its handler (checked against each other by
// `serve`). ApiVersions advertises what the message registry holds, so every API listed there needs an entry
// here (a test checks both agree).

import * as messages from '../../protocol/messages/index.js';
import { alterConfigs, describeConfigs, incrementalAlterConfigs } from './configs.js';
import { apiVersions } from './api-versions.js';
import { createPartitions } from './create-partitions.js';
import { createTopics } from './create-topics.js';
import { deleteRecords } from './delete-records.js';
import { deleteTopics } from './delete-topics.js';
import { describeCluster } from './describe-cluster.js';
import { fetch } from './fetch.js';
import { findCoordinator } from './find-coordinator.js';
import * as groups from './groups.js';
import { initProducerId } from './init-producer-id.js';
import { listOffsets } from './list-offsets.js';
import { metadata } from './metadata.js';
import { produce } from './produce.js';
import { serve, type ServedApi } from './served-api.js';
import * as txn from './transactions.js';

const SERVED: ServedApi[] = [
  serve(messages.PRODUCE, produce),
  serve(messages.FETCH, fetch),
  serve(messages.LIST_OFFSETS, listOffsets),
  serve(messages.METADATA, metadata),
  serve(messages.OFFSET_COMMIT, groups.offsetCommit),
  serve(messages.OFFSET_FETCH, groups.offsetFetch),
  serve(messages.FIND_COORDINATOR, findCoordinator),
  serve(messages.JOIN_GROUP, groups.joinGroup),
  serve(messages.HEARTBEAT, groups.heartbeat),
  serve(messages.LEAVE_GROUP, groups.leaveGroup),
  serve(messages.SYNC_GROUP, groups.syncGroup),
  serve(messages.DESCRIBE_GROUPS, groups.describeGroups),
  serve(messages.LIST_GROUPS, groups.listGroups),
  serve(messages.API_VERSIONS, apiVersions),
  serve(messages.CREATE_TOPICS, createTopics),
  serve(messages.DELETE_TOPICS, deleteTopics),
  serve(messages.DELETE_RECORDS, deleteRecords),
  serve(messages.INIT_PRODUCER_ID, initProducerId),
  serve(messages.ADD_PARTITIONS_TO_TXN, txn.addPartitionsToTxn),
  serve(messages.ADD_OFFSETS_TO_TXN, txn.addOffsetsToTxn),
  serve(messages.END_TXN, txn.endTxn),
  serve(messages.TXN_OFFSET_COMMIT, txn.txnOffsetCommit),
  serve(messages.DESCRIBE_CONFIGS, describeConfigs),
  serve(messages.ALTER_CONFIGS, alterConfigs),
  serve(messages.CREATE_PARTITIONS, createPartitions),
  serve(messages.DELETE_GROUPS, groups.deleteGroups),
  serve(messages.INCREMENTAL_ALTER_CONFIGS, incrementalAlterConfigs),
  serve(messages.OFFSET_DELETE, groups.offsetDelete),
  serve(messages.DESCRIBE_CLUSTER, describeCluster),
  serve(messages.DESCRIBE_TRANSACTIONS, txn.describeTransactions),
  serve(messages.LIST_TRANSACTIONS, txn.listTransactions),
];

/** The served APIs by API key. */
export const HANDLERS: ReadonlyMap<number, ServedApi> = new Map(SERVED.map((served) => [served.spec.apiKey, served]));
