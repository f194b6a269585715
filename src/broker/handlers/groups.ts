// The group APIs are served by the group coordinator; these adapters only pass the connection's details,
// and mark OffsetFetch's partitions whose offsets an open transaction holds (require_stable, v7+).

import { ErrorCode } from '../../protocol/error-codes.js';

import type {
  DELETE_GROUPS,
  DESCRIBE_GROUPS,
  HEARTBEAT,
  JOIN_GROUP,
  LEAVE_GROUP,
  LIST_GROUPS,
  OFFSET_COMMIT,
  OFFSET_DELETE,
  OFFSET_FETCH,
  OffsetFetchResponse,
  SYNC_GROUP,
} from '../../protocol/messages/index.js';
import type { TransactionCoordinator } from '../txn/coordinator.js';
import type { Handler } from './context.js';

export const joinGroup: Handler<typeof JOIN_GROUP> = (ctx, req) =>
  ctx.broker.groups.joinGroup(req, ctx.apiVersion, { clientId: ctx.clientId, clientHost: ctx.clientHost });
export const syncGroup: Handler<typeof SYNC_GROUP> = (ctx, req) => ctx.broker.groups.syncGroup(req, ctx.apiVersion);
export const heartbeat: Handler<typeof HEARTBEAT> = (ctx, req) => ctx.broker.groups.heartbeat(req, ctx.apiVersion);
export const leaveGroup: Handler<typeof LEAVE_GROUP> = (ctx, req) => ctx.broker.groups.leaveGroup(req, ctx.apiVersion);
export const offsetCommit: Handler<typeof OFFSET_COMMIT> = (ctx, req) =>
  ctx.broker.groups.offsetCommit(req, ctx.apiVersion);
export const offsetFetch: Handler<typeof OFFSET_FETCH> = (ctx, req) => {
  const answer = ctx.broker.groups.offsetFetch(req, ctx.apiVersion);
  if (!req.requireStable) return answer;
  markUnstable(ctx.broker.transactions, req.groupId, answer.topics);
  for (const g of answer.groups) markUnstable(ctx.broker.transactions, g.groupId, g.topics);
  return answer;
};

/**
 * Kafka's answer to require_stable: a partition with offsets pending in an open transaction has no offset
 * yet but UNSTABLE_OFFSET_COMMIT (the consumer retries until the transaction ends).
 */
function markUnstable(
  txns: TransactionCoordinator,
  groupId: string,
  topics: OffsetFetchResponse['topics'] | OffsetFetchResponse['groups'][number]['topics'],
): void {
  for (const t of topics) {
    for (const p of t.partitions) {
      if (!txns.hasPendingOffset(groupId, t.name, p.partitionIndex)) continue;
      p.committedOffset = -1;
      p.errorCode = ErrorCode.UNSTABLE_OFFSET_COMMIT;
    }
  }
}
export const describeGroups: Handler<typeof DESCRIBE_GROUPS> = (ctx, req) =>
  ctx.broker.groups.describeGroups(req, ctx.apiVersion);
export const listGroups: Handler<typeof LIST_GROUPS> = (ctx, req) => ctx.broker.groups.listGroups(req, ctx.apiVersion);
export const deleteGroups: Handler<typeof DELETE_GROUPS> = (ctx, req) =>
  ctx.broker.groups.deleteGroups(req, ctx.apiVersion);
export const offsetDelete: Handler<typeof OFFSET_DELETE> = (ctx, req) =>
  ctx.broker.groups.offsetDelete(req, ctx.apiVersion);
