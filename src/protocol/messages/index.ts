// Every API the broker serves, described as data (see ../schema.ts), sorted by apiKey, and the types of their
// requests and responses derived from the descriptions (../message-types.ts).

import type { ApiSpec } from '../schema.js';
import { LIST_TRANSACTIONS } from './list-transactions.js';
import { DESCRIBE_TRANSACTIONS } from './describe-transactions.js';
import { TXN_OFFSET_COMMIT } from './txn-offset-commit.js';
import { END_TXN } from './end-txn.js';
import { ADD_OFFSETS_TO_TXN } from './add-offsets-to-txn.js';
import { ADD_PARTITIONS_TO_TXN } from './add-partitions-to-txn.js';
import { ALTER_CONFIGS } from './alter-configs.js';
import { API_VERSIONS } from './api-versions.js';
import { CREATE_PARTITIONS } from './create-partitions.js';
import { CREATE_TOPICS } from './create-topics.js';
import { DELETE_GROUPS } from './delete-groups.js';
import { DELETE_RECORDS } from './delete-records.js';
import { DELETE_TOPICS } from './delete-topics.js';
import { DESCRIBE_CLUSTER } from './describe-cluster.js';
import { DESCRIBE_CONFIGS } from './describe-configs.js';
import { DESCRIBE_GROUPS } from './describe-groups.js';
import { FETCH } from './fetch.js';
import { FIND_COORDINATOR } from './find-coordinator.js';
import { HEARTBEAT } from './heartbeat.js';
import { INCREMENTAL_ALTER_CONFIGS } from './incremental-alter-configs.js';
import { INIT_PRODUCER_ID } from './init-producer-id.js';
import { JOIN_GROUP } from './join-group.js';
import { LEAVE_GROUP } from './leave-group.js';
import { LIST_GROUPS } from './list-groups.js';
import { LIST_OFFSETS } from './list-offsets.js';
import { METADATA } from './metadata.js';
import { OFFSET_COMMIT } from './offset-commit.js';
import { OFFSET_DELETE } from './offset-delete.js';
import { OFFSET_FETCH } from './offset-fetch.js';
import { PRODUCE } from './produce.js';
import { SYNC_GROUP } from './sync-group.js';

export {
  LIST_TRANSACTIONS,
  DESCRIBE_TRANSACTIONS,
  TXN_OFFSET_COMMIT,
  END_TXN,
  ADD_OFFSETS_TO_TXN,
  ADD_PARTITIONS_TO_TXN,
  ALTER_CONFIGS,
  API_VERSIONS,
  CREATE_PARTITIONS,
  CREATE_TOPICS,
  DELETE_GROUPS,
  DELETE_RECORDS,
  DELETE_TOPICS,
  DESCRIBE_CLUSTER,
  DESCRIBE_CONFIGS,
  DESCRIBE_GROUPS,
  FETCH,
  FIND_COORDINATOR,
  HEARTBEAT,
  INCREMENTAL_ALTER_CONFIGS,
  INIT_PRODUCER_ID,
  JOIN_GROUP,
  LEAVE_GROUP,
  LIST_GROUPS,
  LIST_OFFSETS,
  METADATA,
  OFFSET_COMMIT,
  OFFSET_DELETE,
  OFFSET_FETCH,
  PRODUCE,
  SYNC_GROUP,
};

export type { AddPartitionsToTxnRequest, AddPartitionsToTxnResponse } from './add-partitions-to-txn.js';
export type { AddOffsetsToTxnRequest, AddOffsetsToTxnResponse } from './add-offsets-to-txn.js';
export type { EndTxnRequest, EndTxnResponse } from './end-txn.js';
export type { TxnOffsetCommitRequest, TxnOffsetCommitResponse } from './txn-offset-commit.js';
export type { DescribeTransactionsRequest, DescribeTransactionsResponse } from './describe-transactions.js';
export type { ListTransactionsRequest, ListTransactionsResponse } from './list-transactions.js';
export type { AlterConfigsRequest, AlterConfigsResponse } from './alter-configs.js';
export type { ApiVersionsRequest, ApiVersionsResponse } from './api-versions.js';
export type { CreatePartitionsRequest, CreatePartitionsResponse } from './create-partitions.js';
export type { CreateTopicsRequest, CreateTopicsResponse } from './create-topics.js';
export type { DeleteGroupsRequest, DeleteGroupsResponse } from './delete-groups.js';
export type { DeleteRecordsRequest, DeleteRecordsResponse } from './delete-records.js';
export type { DeleteTopicsRequest, DeleteTopicsResponse } from './delete-topics.js';
export type { DescribeClusterRequest, DescribeClusterResponse } from './describe-cluster.js';
export type { DescribeConfigsRequest, DescribeConfigsResponse } from './describe-configs.js';
export type { DescribeGroupsRequest, DescribeGroupsResponse } from './describe-groups.js';
export type { FetchRequest, FetchResponse } from './fetch.js';
export type { FindCoordinatorRequest, FindCoordinatorResponse } from './find-coordinator.js';
export type { HeartbeatRequest, HeartbeatResponse } from './heartbeat.js';
export type { IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse } from './incremental-alter-configs.js';
export type { InitProducerIdRequest, InitProducerIdResponse } from './init-producer-id.js';
export type { JoinGroupRequest, JoinGroupResponse } from './join-group.js';
export type { LeaveGroupRequest, LeaveGroupResponse } from './leave-group.js';
export type { ListGroupsRequest, ListGroupsResponse } from './list-groups.js';
export type { ListOffsetsRequest, ListOffsetsResponse } from './list-offsets.js';
export type { MetadataRequest, MetadataResponse } from './metadata.js';
export type { OffsetCommitRequest, OffsetCommitResponse } from './offset-commit.js';
export type { OffsetDeleteRequest, OffsetDeleteResponse } from './offset-delete.js';
export type { OffsetFetchRequest, OffsetFetchResponse } from './offset-fetch.js';
export type { ProduceRequest, ProduceResponse } from './produce.js';
export type { SyncGroupRequest, SyncGroupResponse } from './sync-group.js';

export const API_SPECS: readonly ApiSpec[] = [
  PRODUCE, // 0
  FETCH, // 1
  LIST_OFFSETS, // 2
  METADATA, // 3
  OFFSET_COMMIT, // 8
  OFFSET_FETCH, // 9
  FIND_COORDINATOR, // 10
  JOIN_GROUP, // 11
  HEARTBEAT, // 12
  LEAVE_GROUP, // 13
  SYNC_GROUP, // 14
  DESCRIBE_GROUPS, // 15
  LIST_GROUPS, // 16
  API_VERSIONS, // 18
  CREATE_TOPICS, // 19
  DELETE_TOPICS, // 20
  DELETE_RECORDS, // 21
  INIT_PRODUCER_ID, // 22
  ADD_PARTITIONS_TO_TXN, // 24
  ADD_OFFSETS_TO_TXN, // 25
  END_TXN, // 26
  TXN_OFFSET_COMMIT, // 28
  DESCRIBE_CONFIGS, // 32
  ALTER_CONFIGS, // 33
  CREATE_PARTITIONS, // 37
  DELETE_GROUPS, // 42
  INCREMENTAL_ALTER_CONFIGS, // 44
  OFFSET_DELETE, // 47
  DESCRIBE_CLUSTER, // 60
  DESCRIBE_TRANSACTIONS, // 65
  LIST_TRANSACTIONS, // 66
];

const BY_KEY: ReadonlyMap<number, ApiSpec> = new Map(API_SPECS.map((s) => [s.apiKey, s]));

export function specFor(apiKey: number): ApiSpec | undefined {
  return BY_KEY.get(apiKey);
}
