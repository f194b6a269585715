// ListOffsets: -1 is the high watermark (the last stable offset for read_committed, v2+), -2 the log start, a
// timestamp the earliest offset at or after it.

import { ErrorCode } from '../../protocol/error-codes.js';
import { LIST_OFFSETS } from '../../protocol/messages/index.js';
import type { Handler } from './context.js';
import { errorCodeOf } from './errors.js';

const LATEST = -1;
const EARLIEST = -2;
const READ_COMMITTED = 1;

export const listOffsets: Handler<typeof LIST_OFFSETS> = (ctx, req) => ({
  throttleTimeMs: 0,
  topics: req.topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p) => {
      const out = {
        partitionIndex: p.partitionIndex,
        errorCode: 0,
        oldStyleOffsets: [] as number[],
        timestamp: -1,
        offset: -1,
      };
      const log = ctx.broker.logs.partition(t.name, p.partitionIndex);
      if (!log) return { ...out, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
      try {
        if (p.timestamp === LATEST)
          out.offset = req.isolationLevel === READ_COMMITTED ? log.lastStableOffset : log.highWatermark;
        else if (p.timestamp === EARLIEST) out.offset = log.logStartOffset;
        else if (p.timestamp >= 0) {
          const found = log.offsetForTimestamp(p.timestamp);
          if (found) {
            out.offset = found.offset;
            out.timestamp = found.timestamp;
          }
        } else return { ...out, errorCode: ErrorCode.INVALID_REQUEST };
      } catch (err) {
        return { ...out, errorCode: errorCodeOf(err) };
      }
      if (out.offset >= 0) out.oldStyleOffsets = [out.offset];
      return out;
    }),
  })),
});
