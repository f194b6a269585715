// InitProducerId for idempotent producers. Transactions are not implemented, so a transactional id is refused.

import { ErrorCode } from '../../protocol/error-codes.js';
import { INIT_PRODUCER_ID } from '../../protocol/messages/index.js';
import type { Handler } from './context.js';

export const initProducerId: Handler<typeof INIT_PRODUCER_ID> = (ctx, req) => {
  if (req.transactionalId !== null) {
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
      producerId: -1,
      producerEpoch: -1,
    };
  }
  return { throttleTimeMs: 0, errorCode: 0, producerId: ctx.broker.producerIds.allocate(), producerEpoch: 0 };
};
