// Transactions as an administrator sees them (KIP-664): ListTransactions asked of every broker (each lists the
// transactional ids it coordinates), DescribeTransactions asked of each id's transaction coordinator (found
// with FindCoordinator key type 1), as Kafka's AdminClient does.

import { ErrorCode } from '../../protocol/error-codes.js';
import { DESCRIBE_TRANSACTIONS, LIST_TRANSACTIONS } from '../../protocol/messages/index.js';
import { notFound, type TransactionDescription, type TransactionListing } from '../admin.js';
import { mapLimit } from '../map-limit.js';
import type { Cluster } from './cluster.js';
import { KafkaResponseError } from './errors.js';
import { CoordinatorKey, withCoordinator } from './group-info.js';

/** Transactional ids described at the same time. */
const CONCURRENCY = 8;
const LANE = 'transactions';

export async function listTransactions(cluster: Cluster, states: string[] = []): Promise<TransactionListing[]> {
  if (cluster.brokers.size === 0) await cluster.refreshMetadata([]);
  const found = new Map<string, TransactionListing>();
  await Promise.all(
    [...cluster.brokers.keys()].map(async (node) => {
      const answer = await (
        await cluster.connection(node, LANE)
      ).request(LIST_TRANSACTIONS, { stateFilters: states, producerIdFilters: [], durationFilter: -1 });
      if (answer.errorCode !== 0) throw new KafkaResponseError(answer.errorCode, `ListTransactions of broker ${node}`);
      for (const t of answer.transactionStates) {
        found.set(t.transactionalId, {
          transactionalId: t.transactionalId,
          producerId: t.producerId,
          state: t.transactionState,
        });
      }
    }),
  );
  return [...found.values()].sort((a, b) => a.transactionalId.localeCompare(b.transactionalId));
}

async function describeOne(cluster: Cluster, id: string): Promise<TransactionDescription | null> {
  return withCoordinator(
    cluster,
    id,
    async (conn) => {
      const answer = await conn.request(DESCRIBE_TRANSACTIONS, { transactionalIds: [id] });
      const t = answer.transactionStates.find((s) => s.transactionalId === id);
      if (!t || t.errorCode === ErrorCode.TRANSACTIONAL_ID_NOT_FOUND) return null;
      if (t.errorCode !== 0) throw new KafkaResponseError(t.errorCode, `DescribeTransactions of ${id}`);
      return {
        transactionalId: id,
        producerId: t.producerId,
        producerEpoch: t.producerEpoch,
        state: t.transactionState,
        timeoutMs: t.transactionTimeoutMs,
        startTime: t.transactionStartTimeMs >= 0 ? t.transactionStartTimeMs : null,
        partitions: t.topics
          .flatMap((tp) => tp.partitions.map((partition) => ({ topic: tp.topic, partition })))
          .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition),
      };
    },
    LANE,
    CoordinatorKey.TRANSACTION,
  );
}

export async function describeTransactions(cluster: Cluster, ids: string[]): Promise<TransactionDescription[]> {
  const described = await mapLimit(ids, CONCURRENCY, (id) => describeOne(cluster, id));
  const missing = ids.filter((_, i) => described[i] === null);
  if (missing.length > 0) throw notFound('transactional id', missing);
  return described as TransactionDescription[];
}
