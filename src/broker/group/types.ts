// The request and response objects the group coordinator takes and returns. Field names are the camelCase of
// Apache Kafka's JSON message definitions (JoinGroupRequest.json, ...), i.e. exactly what the broker's generic
// decoder produces and its encoder consumes. Request fields that only exist in some versions are optional,
// so that callers (and tests) can build requests by hand; responses always carry every field of every
// version we serve, and the encoder writes the ones the version has.

export type FsyncPolicy = 'never' | 'interval' | 'always';

export interface ConnectionContext {
  clientId: string;
  clientHost: string;
}

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

// ------------------------------------------------------------------------------------------ JoinGroup (11)

export interface JoinGroupProtocol {
  name: string;
  metadata: Buffer;
}

export interface JoinGroupRequest {
  groupId: string;
  sessionTimeoutMs: number;
  /** v1+; v0 uses sessionTimeoutMs */
  rebalanceTimeoutMs?: number;
  memberId: string;
  /** v5+ (static membership) */
  groupInstanceId?: string | null;
  protocolType: string;
  protocols: JoinGroupProtocol[];
  /** v8+ */
  reason?: string | null;
}

export interface JoinGroupResponseMember {
  memberId: string;
  groupInstanceId: string | null;
  metadata: Buffer;
}

export interface JoinGroupResponse {
  throttleTimeMs: number;
  errorCode: number;
  generationId: number;
  /** v7+ (nullable there) */
  protocolType: string | null;
  /** nullable from v7; '' before */
  protocolName: string | null;
  leader: string;
  /** v9+ */
  skipAssignment: boolean;
  memberId: string;
  /** only the leader's response lists the members */
  members: JoinGroupResponseMember[];
}

// ------------------------------------------------------------------------------------------ SyncGroup (14)

export interface SyncGroupRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  /** v3+ */
  groupInstanceId?: string | null;
  /** v5+ */
  protocolType?: string | null;
  /** v5+ */
  protocolName?: string | null;
  assignments: Array<{ memberId: string; assignment: Buffer }>;
}

export interface SyncGroupResponse {
  throttleTimeMs: number;
  errorCode: number;
  /** v5+ */
  protocolType: string | null;
  /** v5+ */
  protocolName: string | null;
  assignment: Buffer;
}

// ------------------------------------------------------------------------------------------ Heartbeat (12)

export interface HeartbeatRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  /** v3+ */
  groupInstanceId?: string | null;
}

export interface HeartbeatResponse {
  throttleTimeMs: number;
  errorCode: number;
}

// ----------------------------------------------------------------------------------------- LeaveGroup (13)

export interface LeaveGroupRequest {
  groupId: string;
  /** v0-2 */
  memberId?: string;
  /** v3+ */
  members?: Array<{ memberId: string; groupInstanceId?: string | null; reason?: string | null }>;
}

export interface LeaveGroupResponse {
  throttleTimeMs: number;
  errorCode: number;
  /** v3+ */
  members: Array<{ memberId: string; groupInstanceId: string | null; errorCode: number }>;
}

// --------------------------------------------------------------------------------------- OffsetCommit (8)

export interface OffsetCommitRequestPartition {
  partitionIndex: number;
  committedOffset: number;
  /** v6+ */
  committedLeaderEpoch?: number;
  /** v1 only; -1 means "now" */
  commitTimestamp?: number;
  committedMetadata: string | null;
}

export interface OffsetCommitRequest {
  groupId: string;
  /** v1+ (default -1). Newer Kafka JSON calls it generationIdOrMemberEpoch; either name is accepted. */
  generationId?: number;
  generationIdOrMemberEpoch?: number;
  /** v1+ */
  memberId?: string;
  /** v7+ */
  groupInstanceId?: string | null;
  /** v2-4; accepted and ignored (committed offsets do not expire here) */
  retentionTimeMs?: number;
  topics: Array<{ name: string; partitions: OffsetCommitRequestPartition[] }>;
}

export interface OffsetCommitResponse {
  throttleTimeMs: number;
  topics: Array<{ name: string; partitions: Array<{ partitionIndex: number; errorCode: number }> }>;
}

// ---------------------------------------------------------------------------------------- OffsetFetch (9)

export interface OffsetFetchRequest {
  groupId: string;
  /** null (v2+) = every committed offset of the group */
  topics: Array<{ name: string; partitionIndexes: number[] }> | null;
  /** v7+; there are no transactions here, so every offset is stable */
  requireStable?: boolean;
}

export interface OffsetFetchResponsePartition {
  partitionIndex: number;
  committedOffset: number;
  committedLeaderEpoch: number;
  metadata: string | null;
  errorCode: number;
}

export interface OffsetFetchResponse {
  throttleTimeMs: number;
  topics: Array<{ name: string; partitions: OffsetFetchResponsePartition[] }>;
  /** v2+ */
  errorCode: number;
}

// ------------------------------------------------------------------------------------ DescribeGroups (15)

export interface DescribeGroupsRequest {
  groups: string[];
  /** v3+ */
  includeAuthorizedOperations?: boolean;
}

export interface DescribedGroupMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  memberMetadata: Buffer;
  memberAssignment: Buffer;
}

export interface DescribedGroup {
  errorCode: number;
  /** v6+ */
  errorMessage: string | null;
  groupId: string;
  groupState: GroupState | '';
  protocolType: string;
  protocolData: string;
  members: DescribedGroupMember[];
  /** v3+ */
  authorizedOperations: number;
}

export interface DescribeGroupsResponse {
  throttleTimeMs: number;
  groups: DescribedGroup[];
}

// ---------------------------------------------------------------------------------------- ListGroups (16)

export interface ListGroupsRequest {
  /** v4+ */
  statesFilter?: string[];
  /** v5+ */
  typesFilter?: string[];
}

export interface ListGroupsResponse {
  throttleTimeMs: number;
  errorCode: number;
  /** groupState is v4+, groupType v5+ */
  groups: Array<{ groupId: string; protocolType: string; groupState: GroupState; groupType: string }>;
}

// -------------------------------------------------------------------------------------- DeleteGroups (42)

export interface DeleteGroupsRequest {
  /** Kafka's own spelling */
  groupsNames: string[];
}

export interface DeleteGroupsResponse {
  throttleTimeMs: number;
  results: Array<{ groupId: string; errorCode: number }>;
}

// -------------------------------------------------------------------------------------- OffsetDelete (47)

export interface OffsetDeleteRequest {
  groupId: string;
  topics: Array<{ name: string; partitions: Array<{ partitionIndex: number }> }>;
}

export interface OffsetDeleteResponse {
  errorCode: number;
  throttleTimeMs: number;
  topics: Array<{ name: string; partitions: Array<{ partitionIndex: number; errorCode: number }> }>;
}
