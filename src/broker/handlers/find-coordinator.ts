// FindCoordinator: this broker coordinates every group. v4+ ask for several keys at once and get one
// coordinator per key (the same one); v0-v3 ask for one key and get it in the top-level fields.

import { FIND_COORDINATOR } from '../../protocol/messages/index.js';
import type { Handler } from './context.js';

export const findCoordinator: Handler<typeof FIND_COORDINATOR> = (ctx, req) => {
  const { nodeId, advertisedHost: host, advertisedPort: port } = ctx.broker;
  return {
    throttleTimeMs: 0,
    errorCode: 0,
    errorMessage: null,
    nodeId,
    host,
    port,
    coordinators: req.coordinatorKeys.map((key) => ({ key, nodeId, host, port, errorCode: 0, errorMessage: null })),
  };
};
