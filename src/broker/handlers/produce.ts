// Produce: validate and append each partition's record batch; with acks=0 the client expects no answer.
// Produce v0-v2 may carry message sets v0/v1 (old clients): they are converted to one record batch v2 first.
// A transactional batch is appended only within its producer's open transaction, to a partition the
// transaction holds (the transaction coordinator checks: Kafka 3.6's KIP-890 verification, done locally).

import { ErrorCode } from '../../protocol/error-codes.js';
import { PRODUCE } from '../../protocol/messages/index.js';
import {
  BATCH_HEADER_SIZE,
  CURRENT_MAGIC,
  MAGIC,
  isTransactionalBatch,
  readBatchHeader,
} from '../../protocol/records/batch-layout.js';
import { recordSetMagic } from '../../protocol/records/legacy.js';
import { isInternalTopic } from '../group/offsets-topic.js';
import { toTopicCodec } from '../log/recompress.js';
import { messageSetToBatch } from '../log/up-convert.js';
import type { BrokerState } from '../state.js';
import type { Handler } from './context.js';
import { errorCodeOf } from './errors.js';

/** Kafka's ProduceRequest: v3 on only carries record batches v2; before, message sets v0/v1 (or batches). */
const LAST_LEGACY_VERSION = 2;

/** The error a transactional batch gets before it is appended, NONE for any other batch. */
function transactionError(
  state: BrokerState,
  transactionalId: string | null,
  records: Buffer,
  topic: string,
  partition: number,
): number {
  if (records.length < BATCH_HEADER_SIZE || records[MAGIC] !== CURRENT_MAGIC) return ErrorCode.NONE;
  const h = readBatchHeader(records);
  if (!isTransactionalBatch(h.attributes)) return ErrorCode.NONE;
  // Kafka's ProduceRequest refuses transactional records without the producer's transactional id
  if (transactionalId === null) return ErrorCode.INVALID_RECORD;
  return state.transactions.verifyProduce(transactionalId, h.producerId, h.producerEpoch, topic, partition);
}

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
      let errorCode: number;
      if (!validAcks) errorCode = ErrorCode.INVALID_REQUIRED_ACKS;
      // only the group coordinator writes __consumer_offsets (Kafka's ReplicaManager: "Cannot append to
      // internal topic"); a client's records there would be read by Burrow and the like as commits
      else if (isInternalTopic(topicData.name)) errorCode = ErrorCode.INVALID_TOPIC_EXCEPTION;
      else if (!log) errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      else if (!p.records || p.records.length === 0) errorCode = ErrorCode.CORRUPT_MESSAGE;
      else errorCode = transactionError(ctx.broker, req.transactionalId, p.records, topicData.name, p.index);
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
