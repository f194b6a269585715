// FindCoordinator: this broker coordinates every group (key type 0) and every transactional id (key type 1).
// v4+ ask for several keys at once and get one coordinator per key (the same one); v0-v3 ask for one key and
// get it in the top-level fields. Another key type is INVALID_REQUEST.

import { ErrorCode } from '../../protocol/error-codes.js';
import { FIND_COORDINATOR } from '../../protocol/messages/index.js';
import type { Handler } from './context.js';

const GROUP = 0;
const TRANSACTION = 1;

export const findCoordinator: Handler<typeof FIND_COORDINATOR> = (ctx, req) => {
  if (req.keyType !== GROUP && req.keyType !== TRANSACTION) {
    const errorMessage = `unknown coordinator key type ${req.keyType}`;
    const none = { nodeId: -1, host: '', port: -1, errorCode: ErrorCode.INVALID_REQUEST, errorMessage };
    return {
      throttleTimeMs: 0,
      ...none,
      coordinators: req.coordinatorKeys.map((key) => ({ key, ...none })),
    };
  }
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
