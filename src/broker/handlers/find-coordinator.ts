// FindCoordinator: this broker coordinates every group.

import type { Handler } from './context.js';

export const findCoordinator: Handler = (ctx) => ({
  throttleTimeMs: 0,
  errorCode: 0,
  errorMessage: null,
  nodeId: ctx.broker.nodeId,
  host: ctx.broker.advertisedHost,
  port: ctx.broker.advertisedPort,
});
