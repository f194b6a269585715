// FindCoordinator: this broker coordinates every group.

import { FIND_COORDINATOR } from '../../protocol/messages/index.js';
import type { Handler } from './context.js';

export const findCoordinator: Handler<typeof FIND_COORDINATOR> = (ctx) => ({
  throttleTimeMs: 0,
  errorCode: 0,
  errorMessage: null,
  nodeId: ctx.broker.nodeId,
  host: ctx.broker.advertisedHost,
  port: ctx.broker.advertisedPort,
});
