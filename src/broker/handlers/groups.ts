// The group APIs are served by the group coordinator; these adapters only pass the connection's details.

import type { Handler } from './context.js';

export const joinGroup: Handler = (ctx, req) =>
  ctx.broker.groups.joinGroup(req as never, ctx.apiVersion, { clientId: ctx.clientId, clientHost: ctx.clientHost });
export const syncGroup: Handler = (ctx, req) => ctx.broker.groups.syncGroup(req as never, ctx.apiVersion);
export const heartbeat: Handler = (ctx, req) => ctx.broker.groups.heartbeat(req as never, ctx.apiVersion);
export const leaveGroup: Handler = (ctx, req) => ctx.broker.groups.leaveGroup(req as never, ctx.apiVersion);
export const offsetCommit: Handler = (ctx, req) => ctx.broker.groups.offsetCommit(req as never, ctx.apiVersion);
export const offsetFetch: Handler = (ctx, req) => ctx.broker.groups.offsetFetch(req as never, ctx.apiVersion);
export const describeGroups: Handler = (ctx, req) => ctx.broker.groups.describeGroups(req as never, ctx.apiVersion);
export const listGroups: Handler = (ctx, req) => ctx.broker.groups.listGroups(req as never, ctx.apiVersion);
export const deleteGroups: Handler = (ctx, req) => ctx.broker.groups.deleteGroups(req as never, ctx.apiVersion);
export const offsetDelete: Handler = (ctx, req) => ctx.broker.groups.offsetDelete(req as never, ctx.apiVersion);
