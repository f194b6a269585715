// Produce: validate and append each partition's record batch; with acks=0 the client expects no answer.
// Produce v0-v2 may carry message sets v0/v1 (old clients): they are converted to one record batch v2 first.

import { ErrorCode } from '../../protocol/error-codes.js';
import { PRODUCE } from '../../protocol/messages/index.js';
import { CURRENT_MAGIC } from '../../protocol/records/batch-layout.js';
import { recordSetMagic } from '../../protocol/records/legacy.js';
import { isInternalTopic } from '../group/offsets-topic.js';
import { toTopicCodec } from '../log/recompress.js';
import { messageSetToBatch } from '../log/up-convert.js';
import type { Handler } from './context.js';
import { errorCodeOf } from './errors.js';

/** Kafka's ProduceRequest: v3 on only carries record batches v2; before, message sets v0/v1 (or batches). */
const LAST_LEGACY_VERSION = 2;

export const produce: Handler<typeof PRODUCE> = async (ctx, req) => {
  const { logs } = ctx.broker;
  const acks = req.acks;
  const validAcks = acks === -1 || acks === 0 || acks === 1;
  const now = Date.now();
  const legacyAllowed = ctx.apiVersion <= LAST_LEGACY_VERSION;
  const responses = [];
  for (const topicData of req.topicData) {
    const partitionResponses = [];
    // compression.type: batches are stored in the topic's codec (recompress.ts)
    const compression = logs.topic(topicData.name) ? logs.topicConfig(topicData.name).compressionType : 'producer';
    for (const p of topicData.partitionData) {
      const answer = { index: p.index, errorCode: 0, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1 };
      const log = logs.partition(topicData.name, p.index);
      let errorCode: number = ErrorCode.NONE;
      if (!validAcks) errorCode = ErrorCode.INVALID_REQUIRED_ACKS;
      else if (req.transactionalId !== null) errorCode = ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
      // only the group coordinator writes __consumer_offsets (Kafka's ReplicaManager: "Cannot append to
      // internal topic"); a client's records there would be read by Burrow and the like as commits
      else if (isInternalTopic(topicData.name)) errorCode = ErrorCode.INVALID_TOPIC_EXCEPTION;
      else if (!log) errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      else if (!p.records || p.records.length === 0) errorCode = ErrorCode.CORRUPT_MESSAGE;
      if (errorCode !== ErrorCode.NONE || !log || !p.records) {
        partitionResponses.push({ ...answer, errorCode });
        continue;
      }
      try {
        const legacy = legacyAllowed && recordSetMagic(p.records) < CURRENT_MAGIC;
        const produced = legacy ? await messageSetToBatch(p.records) : p.records;
        const batch = compression === 'producer' ? produced : await toTopicCodec(produced, compression);
        const result = log.append(batch, { now });
        partitionResponses.push({
          ...answer,
          baseOffset: result.baseOffset,
          logAppendTimeMs: result.logAppendTime,
          logStartOffset: result.logStartOffset,
        });
      } catch (err) {
        const code = errorCodeOf(err);
        if (code === ErrorCode.UNKNOWN_SERVER_ERROR)
          ctx.broker.log(`produce to ${topicData.name}-${p.index} failed: ${String(err)}`);
        partitionResponses.push({ ...answer, errorCode: code, logStartOffset: log.logStartOffset });
      }
    }
    responses.push({ name: topicData.name, partitionResponses });
  }
  if (acks === 0) return null;
  return { responses, throttleTimeMs: 0 };
};
