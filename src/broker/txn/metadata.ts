// What the transaction coordinator knows of one transactional id (Kafka's TransactionMetadata): its producer
// id and epoch, the timeout its producer asked for, the state of its current (or last) transaction, and the
// partitions, groups and pending offsets of the open one.

/** Kafka's TransactionState names, as DescribeTransactions and ListTransactions answer them. */
export const TXN_STATES = [
  'Empty',
  'Ongoing',
  'PrepareCommit',
  'PrepareAbort',
  'CompleteCommit',
  'CompleteAbort',
  'Dead',
  'PrepareEpochFence',
] as const;
export type TxnState = (typeof TXN_STATES)[number];

/** An offset TxnOffsetCommit gave, stored with the transaction until its end. */
export interface PendingOffset {
  group: string;
  topic: string;
  partition: number;
  offset: number;
  leaderEpoch: number;
  metadata: string;
}

export interface TxnMetadata {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  timeoutMs: number;
  state: TxnState;
  /** the partitions of the open transaction, as [topic, partition] (markers go to each) */
  partitions: Array<[string, number]>;
  /** the groups AddOffsetsToTxn added */
  groups: string[];
  pendingOffsets: PendingOffset[];
  /** when the open transaction began (its first AddPartitionsToTxn / AddOffsetsToTxn), -1 when none is open */
  startTimestamp: number;
  lastUpdateTimestamp: number;
}

/** A transactional id's fields once it has no open transaction (new, re-initialised, or its last one ended). */
export function noOpenTransaction(
  state: 'Empty' | 'CompleteCommit' | 'CompleteAbort',
): Pick<TxnMetadata, 'state' | 'partitions' | 'groups' | 'pendingOffsets' | 'startTimestamp'> {
  return { state, partitions: [], groups: [], pendingOffsets: [], startTimestamp: -1 };
}

/** Kafka fences a producer id at this epoch and gives its transactional id a new producer id. */
export const MAX_PRODUCER_EPOCH = 32766;

export function hasPartition(meta: TxnMetadata, topic: string, partition: number): boolean {
  return meta.partitions.some(([t, p]) => t === topic && p === partition);
}

/** The partitions grouped by topic, in the order they were added (DescribeTransactions' layout). */
export function partitionsByTopic(meta: TxnMetadata): Array<{ topic: string; partitions: number[] }> {
  const byTopic = new Map<string, number[]>();
  for (const [t, p] of meta.partitions) {
    const list = byTopic.get(t);
    if (list) list.push(p);
    else byTopic.set(t, [p]);
  }
  return [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
}

/** A stored entry read back: null when it is not one this code wrote. */
export function parseTxnMetadata(raw: unknown): TxnMetadata | null {
  const m = raw as Partial<TxnMetadata> | null;
  if (
    !m ||
    typeof m.transactionalId !== 'string' ||
    !Number.isSafeInteger(m.producerId) ||
    !Number.isInteger(m.producerEpoch) ||
    !Number.isInteger(m.timeoutMs) ||
    !TXN_STATES.includes(m.state as TxnState) ||
    !Array.isArray(m.partitions) ||
    !Array.isArray(m.groups) ||
    !Array.isArray(m.pendingOffsets) ||
    !Number.isSafeInteger(m.startTimestamp) ||
    !Number.isSafeInteger(m.lastUpdateTimestamp)
  ) {
    return null;
  }
  return m as TxnMetadata;
}
