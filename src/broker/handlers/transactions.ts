// The transaction APIs, served by the transaction coordinator (../txn/coordinator.ts): AddPartitionsToTxn,
// AddOffsetsToTxn, EndTxn, TxnOffsetCommit, DescribeTransactions, ListTransactions. These adapters map the
// coordinator's answers to each version's error codes.

import { ErrorCode } from '../../protocol/error-codes.js';
import type {
  ADD_OFFSETS_TO_TXN,
  ADD_PARTITIONS_TO_TXN,
  DESCRIBE_TRANSACTIONS,
  END_TXN,
  LIST_TRANSACTIONS,
  TXN_OFFSET_COMMIT,
} from '../../protocol/messages/index.js';
import { TransactionCoordinator } from '../txn/coordinator.js';
import { partitionsByTopic } from '../txn/metadata.js';
import type { Handler } from './context.js';

/**
 * PRODUCER_FENCED (KIP-588) as a client of `version` understands it: the versions before `firstVersion` only
 * know INVALID_PRODUCER_EPOCH, which Kafka answers them instead.
 */
export function fencedAs(code: number, version: number, firstVersion: number): number {
  return code === ErrorCode.PRODUCER_FENCED && version < firstVersion ? ErrorCode.INVALID_PRODUCER_EPOCH : code;
}

export const addPartitionsToTxn: Handler<typeof ADD_PARTITIONS_TO_TXN> = (ctx, req) => {
  const partitions = req.v3AndBelowTopics.flatMap((t) => t.partitions.map((p): [string, number] => [t.name, p]));
  const codes = ctx.broker.transactions.addPartitions(
    req.v3AndBelowTransactionalId,
    req.v3AndBelowProducerId,
    req.v3AndBelowProducerEpoch,
    partitions,
  );
  return {
    throttleTimeMs: 0,
    resultsByTopicV3AndBelow: req.v3AndBelowTopics.map((t) => ({
      name: t.name,
      resultsByPartition: t.partitions.map((p) => ({
        partitionIndex: p,
        partitionErrorCode: fencedAs(codes.get(`${p}:${t.name}`) ?? ErrorCode.NONE, ctx.apiVersion, 2),
      })),
    })),
  };
};

export const addOffsetsToTxn: Handler<typeof ADD_OFFSETS_TO_TXN> = (ctx, req) => ({
  throttleTimeMs: 0,
  errorCode: fencedAs(
    ctx.broker.transactions.addOffsets(req.transactionalId, req.producerId, req.producerEpoch, req.groupId),
    ctx.apiVersion,
    2,
  ),
});

export const endTxn: Handler<typeof END_TXN> = (ctx, req) => ({
  throttleTimeMs: 0,
  errorCode: fencedAs(
    ctx.broker.transactions.endTxn(req.transactionalId, req.producerId, req.producerEpoch, req.committed),
    ctx.apiVersion,
    2,
  ),
});

export const txnOffsetCommit: Handler<typeof TXN_OFFSET_COMMIT> = (ctx, req) => {
  const known = (topic: string, partition: number) => ctx.broker.logs.partition(topic, partition) !== undefined;
  const offsets = req.topics.flatMap((t) =>
    t.partitions
      .filter((p) => known(t.name, p.partitionIndex))
      .map((p) => ({
        topic: t.name,
        partition: p.partitionIndex,
        offset: p.committedOffset,
        leaderEpoch: p.committedLeaderEpoch,
        metadata: p.committedMetadata ?? '',
      })),
  );
  const code = ctx.broker.transactions.txnOffsetCommit({
    transactionalId: req.transactionalId,
    groupId: req.groupId,
    producerId: req.producerId,
    producerEpoch: req.producerEpoch,
    generationId: req.generationId,
    memberId: req.memberId,
    groupInstanceId: req.groupInstanceId,
    offsets,
  });
  return {
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({
        partitionIndex: p.partitionIndex,
        errorCode: known(t.name, p.partitionIndex) ? code : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      })),
    })),
  };
};

export const describeTransactions: Handler<typeof DESCRIBE_TRANSACTIONS> = (ctx, req) => ({
  throttleTimeMs: 0,
  transactionStates: req.transactionalIds.map((id) => {
    const meta = id === '' ? undefined : ctx.broker.transactions.describe(id);
    if (!meta) {
      return {
        errorCode: id === '' ? ErrorCode.INVALID_REQUEST : ErrorCode.TRANSACTIONAL_ID_NOT_FOUND,
        transactionalId: id,
        transactionState: '',
        transactionTimeoutMs: 0,
        transactionStartTimeMs: -1,
        producerId: -1,
        producerEpoch: -1,
        topics: [],
      };
    }
    return {
      errorCode: ErrorCode.NONE,
      transactionalId: id,
      transactionState: meta.state,
      transactionTimeoutMs: meta.timeoutMs,
      transactionStartTimeMs: meta.startTimestamp,
      producerId: meta.producerId,
      producerEpoch: meta.producerEpoch,
      topics: partitionsByTopic(meta),
    };
  }),
});

export const listTransactions: Handler<typeof LIST_TRANSACTIONS> = (ctx, req) => ({
  throttleTimeMs: 0,
  errorCode: ErrorCode.NONE,
  unknownStateFilters: req.stateFilters.filter((s) => !TransactionCoordinator.isKnownState(s)),
  transactionStates: ctx.broker.transactions.list(req.stateFilters, req.producerIdFilters, req.durationFilter),
});
