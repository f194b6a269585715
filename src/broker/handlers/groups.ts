// The group APIs are served by the group coordinator; these adapters only pass the connection's details.

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
  SYNC_GROUP,
} from '../../protocol/messages/index.js';
import type { Handler } from './context.js';

export const joinGroup: Handler<typeof JOIN_GROUP> = (ctx, req) =>
  ctx.broker.groups.joinGroup(req, ctx.apiVersion, { clientId: ctx.clientId, clientHost: ctx.clientHost });
export const syncGroup: Handler<typeof SYNC_GROUP> = (ctx, req) => ctx.broker.groups.syncGroup(req, ctx.apiVersion);
export const heartbeat: Handler<typeof HEARTBEAT> = (ctx, req) => ctx.broker.groups.heartbeat(req, ctx.apiVersion);
export const leaveGroup: Handler<typeof LEAVE_GROUP> = (ctx, req) => ctx.broker.groups.leaveGroup(req, ctx.apiVersion);
export const offsetCommit: Handler<typeof OFFSET_COMMIT> = (ctx, req) =>
  ctx.broker.groups.offsetCommit(req, ctx.apiVersion);
export const offsetFetch: Handler<typeof OFFSET_FETCH> = (ctx, req) =>
  ctx.broker.groups.offsetFetch(req, ctx.apiVersion);
export const describeGroups: Handler<typeof DESCRIBE_GROUPS> = (ctx, req) =>
  ctx.broker.groups.describeGroups(req, ctx.apiVersion);
export const listGroups: Handler<typeof LIST_GROUPS> = (ctx, req) => ctx.broker.groups.listGroups(req, ctx.apiVersion);
export const deleteGroups: Handler<typeof DELETE_GROUPS> = (ctx, req) =>
  ctx.broker.groups.deleteGroups(req, ctx.apiVersion);
export const offsetDelete: Handler<typeof OFFSET_DELETE> = (ctx, req) =>
  ctx.broker.groups.offsetDelete(req, ctx.apiVersion);
