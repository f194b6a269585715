// Produce: validate and append each partition's record batch; with acks=0 the client expects no answer.

import { ErrorCode } from '../../protocol/error-codes.js';
import { PRODUCE } from '../../protocol/messages/index.js';
import type { Handler } from './context.js';
import { errorCodeOf } from './errors.js';

export const produce: Handler<typeof PRODUCE> = (ctx, req) => {
  const { logs } = ctx.broker;
  const acks = req.acks;
  const validAcks = acks === -1 || acks === 0 || acks === 1;
  const now = Date.now();
  const responses = req.topicData.map((topicData) => ({
    name: topicData.name,
    partitionResponses: topicData.partitionData.map((p) => {
      const answer = { index: p.index, errorCode: 0, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1 };
      if (!validAcks) return { ...answer, errorCode: ErrorCode.INVALID_REQUIRED_ACKS };
      if (req.transactionalId !== null) {
        return { ...answer, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED };
      }
      const log = logs.partition(topicData.name, p.index);
      if (!log) return { ...answer, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
      if (!p.records || p.records.length === 0) return { ...answer, errorCode: ErrorCode.CORRUPT_MESSAGE };
      try {
        const result = log.append(p.records, { now });
        return { ...answer, baseOffset: result.baseOffset, logStartOffset: result.logStartOffset };
      } catch (err) {
        const code = errorCodeOf(err);
        if (code === ErrorCode.UNKNOWN_SERVER_ERROR)
          ctx.broker.log(`produce to ${topicData.name}-${p.index} failed: ${String(err)}`);
        return { ...answer, errorCode: code, logStartOffset: log.logStartOffset };
      }
    }),
  }));
  if (acks === 0) return null;
  return { responses, throttleTimeMs: 0 };
};
