// Helpers for the group coordinator tests: coordinators with short timers, request builders, and a consumer
// protocol subscription encoder (what kafkajs and the Java client put in JoinGroup metadata).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GroupCoordinator, type GroupCoordinatorOptions } from '../../../src/broker/group/coordinator.js';
import { sleep } from '../../../src/common/time.js';
import type {
  DescribeGroupsRequest,
  HeartbeatRequest,
  JoinGroupRequest,
  JoinGroupResponse,
  LeaveGroupRequest,
  ListGroupsRequest,
  OffsetFetchRequest,
  SyncGroupRequest,
  SyncGroupResponse,
} from '../../../src/protocol/messages/index.js';

export const ctxA = { clientId: 'client-a', clientHost: '/127.0.0.1' };
export const ctxB = { clientId: 'client-b', clientHost: '/127.0.0.2' };
export const ctxC = { clientId: 'client-c', clientHost: '/127.0.0.3' };

const open: GroupCoordinator[] = [];

/** A coordinator with timers short enough for tests; closed by closeAll(). */
export function coordinator(options: Partial<GroupCoordinatorOptions> = {}): GroupCoordinator {
  const c = new GroupCoordinator({
    dataDir: null,
    fsync: 'never',
    minSessionTimeoutMs: 10,
    initialRebalanceDelayMs: 0,
    ...options,
  });
  open.push(c);
  return c;
}

export function closeAll(): void {
  for (const c of open.splice(0)) c.close();
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'evt-group-'));
}

export function subscription(topics: string[]): Buffer {
  const parts = [Buffer.from([0, 0]), int32(topics.length)];
  for (const t of topics) {
    const b = Buffer.from(t);
    const len = Buffer.alloc(2);
    len.writeInt16BE(b.length);
    parts.push(len, b);
  }
  parts.push(int32(-1)); // null user data
  return Buffer.concat(parts);
}

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

// Requests as the broker's decoder hands them to the coordinator: every field present. The builders fill in
// what a test leaves out with what the decoder gives a client that did not send it (a version without it).

/** T with the fields K optional */
type Optional<T, K extends keyof T> = Omit<T, K> & Partial<Pick<T, K>>;

export const heartbeatReq = (req: Optional<HeartbeatRequest, 'groupInstanceId'>): HeartbeatRequest => ({
  groupInstanceId: null,
  ...req,
});
/** v3 adds groupInstanceId, v5 the protocol type and name (null: not named) */
export const syncReq = (
  req: Optional<SyncGroupRequest, 'groupInstanceId' | 'protocolType' | 'protocolName'>,
): SyncGroupRequest => ({
  groupInstanceId: null,
  protocolType: null,
  protocolName: null,
  ...req,
});
type LeavingMember = LeaveGroupRequest['members'][number];

/** v0-2 name one member (memberId), v3+ a batch (members), v5 with a reason each (null: none given) */
export const leaveReq = (
  req: Omit<Optional<LeaveGroupRequest, 'memberId'>, 'members'> & {
    members?: Optional<LeavingMember, 'reason'>[];
  },
): LeaveGroupRequest => ({
  memberId: '',
  ...req,
  members: (req.members ?? []).map((m) => ({ reason: null, ...m })),
});
export const describeReq = (
  req: Optional<DescribeGroupsRequest, 'includeAuthorizedOperations'>,
): DescribeGroupsRequest => ({
  includeAuthorizedOperations: false,
  ...req,
});

/** v1-7 name one group (groupId, topics), v8 several (groups); requireStable from v7 */
export const fetchReq = (req: Optional<OffsetFetchRequest, 'groups' | 'requireStable'>): OffsetFetchRequest => ({
  groups: [],
  requireStable: false,
  ...req,
});
/** v0-3 carry no filters; v4 a states filter, v5 a types filter (empty: every group) */
export const listReq = (req: Partial<ListGroupsRequest> = {}): ListGroupsRequest => ({
  statesFilter: [],
  typesFilter: [],
  ...req,
});

export function joinReq(over: Partial<JoinGroupRequest> = {}): JoinGroupRequest {
  return {
    groupId: 'g',
    sessionTimeoutMs: 1000,
    rebalanceTimeoutMs: 1000,
    memberId: '',
    groupInstanceId: null,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: subscription(['t']) }],
    reason: null,
    ...over,
  };
}

/** Whether a promise is still pending after the microtasks and timers queued so far have run. */
export async function isPending(p: Promise<unknown>, waitMs = 20): Promise<boolean> {
  const marker = Symbol('pending');
  const winner = await Promise.race([p, sleep(waitMs).then(() => marker)]);
  return winner === marker;
}

/** The v4+ dance: a join without a member id gets MEMBER_ID_REQUIRED and an id, then joins with it. */
export async function memberIdFor(
  c: GroupCoordinator,
  ctx = ctxA,
  over: Partial<JoinGroupRequest> = {},
): Promise<string> {
  const r = await c.joinGroup(joinReq(over), 5, ctx);
  if (r.errorCode !== 79) throw new Error(`expected MEMBER_ID_REQUIRED, got ${r.errorCode}`);
  return r.memberId;
}

/** Joins (v3, no dance) a group of members that all join now, syncs with the leader's assignment, returns the ids. */
export async function stableGroup(
  c: GroupCoordinator,
  n: number,
  over: Partial<JoinGroupRequest> = {},
): Promise<{
  joins: JoinGroupResponse[];
  syncs: SyncGroupResponse[];
  ids: string[];
  generationId: number;
  leader: string;
}> {
  const ctxs = [ctxA, ctxB, ctxC];
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push(await memberIdFor(c, ctxs[i % 3], over));
  const joins = await Promise.all(
    ids.map((memberId, i) => c.joinGroup(joinReq({ ...over, memberId }), 5, ctxs[i % 3])),
  );
  const generationId = joins[0].generationId;
  const leader = joins[0].leader;
  const syncs = await Promise.all(
    ids.map((memberId) =>
      c.syncGroup(
        syncReq({
          groupId: over.groupId ?? 'g',
          generationId,
          memberId,
          assignments:
            memberId === leader ? ids.map((id) => ({ memberId: id, assignment: Buffer.from(`for ${id}`) })) : [],
        }),
        3,
      ),
    ),
  );
  return { joins, syncs, ids, generationId, leader };
}
