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
  try {
    return { throttleTimeMs: 0, errorCode: 0, producerId: ctx.broker.producerIds.allocate(), producerEpoch: 0 };
  } catch (err) {
    // The next block of ids could not be reserved on disk (a full data dir): Kafka answers a producer id block
    // that is not available yet with COORDINATOR_LOAD_IN_PROGRESS, which clients retry.
    ctx.broker.log(`InitProducerId: cannot reserve producer ids: ${(err as Error).message}`);
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
      producerId: -1,
      producerEpoch: -1,
    };
  }
};
