// FindCoordinator: this broker coordinates every group (key type 0) and every transactional id (key type 1).

import { ErrorCode } from '../../protocol/error-codes.js';
import { FIND_COORDINATOR } from '../../protocol/messages/index.js';
import type { Handler } from './context.js';

const GROUP = 0;
const TRANSACTION = 1;

export const findCoordinator: Handler<typeof FIND_COORDINATOR> = (ctx, req) => {
  if (req.keyType !== GROUP && req.keyType !== TRANSACTION) {
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: `unknown coordinator key type ${req.keyType}`,
      nodeId: -1,
      host: '',
      port: -1,
    };
  }
  return {
    throttleTimeMs: 0,
    errorCode: 0,
    errorMessage: null,
    nodeId: ctx.broker.nodeId,
    host: ctx.broker.advertisedHost,
    port: ctx.broker.advertisedPort,
  };
};
