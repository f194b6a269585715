// InitProducerId: a producer id for an idempotent producer, or, with a transactional id, the transaction
// coordinator's producer id and next epoch for it (fencing the previous incarnation).

import { ErrorCode } from '../../protocol/error-codes.js';
import { INIT_PRODUCER_ID } from '../../protocol/messages/index.js';
import type { Handler } from './context.js';
import { fencedAs } from './transactions.js';

/** InitProducerId learnt PRODUCER_FENCED in v4 */
const FENCED_SINCE = 4;

export const initProducerId: Handler<typeof INIT_PRODUCER_ID> = (ctx, req) => {
  if (req.transactionalId !== null) {
    const r = ctx.broker.transactions.initProducerId(req.transactionalId, req.transactionTimeoutMs, {
      producerId: req.producerId,
      producerEpoch: req.producerEpoch,
    });
    return { throttleTimeMs: 0, ...r, errorCode: fencedAs(r.errorCode, ctx.apiVersion, FENCED_SINCE) };
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
