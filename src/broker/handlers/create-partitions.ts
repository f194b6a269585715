// CreatePartitions: grow a topic to a new partition count (never shrink: Kafka cannot either).

import { CREATE_PARTITIONS } from '../../protocol/messages/index.js';
import type { Handler } from './context.js';
import { errorCodeOf, errorMessageOf } from './errors.js';

export const createPartitions: Handler<typeof CREATE_PARTITIONS> = (ctx, req) => ({
  throttleTimeMs: 0,
  results: req.topics.map((t) => {
    try {
      if (req.validateOnly) ctx.broker.logs.validatePartitionCount(t.name, t.count);
      else ctx.broker.logs.createPartitions(t.name, t.count);
      return { name: t.name, errorCode: 0, errorMessage: null };
    } catch (err) {
      return { name: t.name, errorCode: errorCodeOf(err), errorMessage: errorMessageOf(err) };
    }
  }),
});
