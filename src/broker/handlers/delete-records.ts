// DeleteRecords: moves the log start offset forward; offset -1 means "up to the high watermark".

import { ErrorCode } from '../../protocol/error-codes.js';
import { DELETE_RECORDS } from '../../protocol/messages/index.js';
import { isInternalTopic } from '../group/offsets-topic.js';
import type { Handler } from './context.js';
import { errorCodeOf } from './errors.js';

export const deleteRecords: Handler<typeof DELETE_RECORDS> = (ctx, req) => ({
  throttleTimeMs: 0,
  topics: req.topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p) => {
      // as Kafka's ReplicaManager: "Cannot delete records of internal topic"
      if (isInternalTopic(t.name))
        return { partitionIndex: p.partitionIndex, lowWatermark: -1, errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION };
      const log = ctx.broker.logs.partition(t.name, p.partitionIndex);
      if (!log)
        return { partitionIndex: p.partitionIndex, lowWatermark: -1, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
      const target = p.offset === -1 ? log.highWatermark : p.offset;
      if (target < 0 || target > log.highWatermark) {
        return {
          partitionIndex: p.partitionIndex,
          lowWatermark: log.logStartOffset,
          errorCode: ErrorCode.OFFSET_OUT_OF_RANGE,
        };
      }
      try {
        log.deleteRecordsBefore(target);
        return { partitionIndex: p.partitionIndex, lowWatermark: log.logStartOffset, errorCode: 0 };
      } catch (err) {
        return { partitionIndex: p.partitionIndex, lowWatermark: log.logStartOffset, errorCode: errorCodeOf(err) };
      }
    }),
  })),
});
