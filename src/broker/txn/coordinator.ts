// The transaction coordinator (KIP-98; Kafka's TransactionCoordinator and TransactionStateManager, one node).
//
// Per transactional id: a producer id that stays, and an epoch bumped by every InitProducerId, so that a new
// incarnation of a producer fences the old one (whose requests then get PRODUCER_FENCED, or
// INVALID_PRODUCER_EPOCH in the versions that predate it). A transaction is Ongoing from its first
// AddPartitionsToTxn / AddOffsetsToTxn; EndTxn moves it to PrepareCommit / PrepareAbort (persisted first),
// then the markers are written to every partition of it and the offsets of TxnOffsetCommit are stored (on
// commit), then it is CompleteCommit / CompleteAbort. Kafka sends the markers to the partitions' leaders
// after answering EndTxn; here every partition is local, so they are appended before the answer, and a
// transaction whose markers could not all be written (a failing disk) stays Prepare* and is completed by the
// next tick (clients get CONCURRENT_TRANSACTIONS meanwhile, as from Kafka).
//
// A transaction left Ongoing longer than its timeout is aborted by the periodic tick with a bumped epoch
// (fencing its producer, as Kafka's abortTimedOutTransactions does). InitProducerId on an Ongoing transaction
// fences and aborts it too, and answers CONCURRENT_TRANSACTIONS: the client retries and gets the next epoch.
//
// At start-up (the broker opens the logs first) the state comes back from transactions.log: Prepare* are
// completed at once, Ongoing ones wait for their producer or their timeout.

import { ErrorCode } from '../../protocol/error-codes.js';
import type { BrokerClock, ClockTimer } from '../clock.js';
import type { CommittedOffset } from '../group/offset-store.js';
import type { PartitionLog } from '../log/partition-log.js';
import {
  MAX_PRODUCER_EPOCH,
  TXN_STATES,
  hasPartition,
  noOpenTransaction,
  type PendingOffset,
  type TxnMetadata,
  type TxnState,
} from './metadata.js';
import { TxnStateLog } from './state-log.js';
import type { FsyncPolicy } from '../log/partition-log.js';

/** transaction.max.timeout.ms */
export const DEFAULT_MAX_TRANSACTION_TIMEOUT_MS = 15 * 60 * 1000;
/** transaction.abort.timed.out.transaction.cleanup.interval.ms */
export const DEFAULT_TRANSACTION_CHECK_INTERVAL_MS = 10_000;
/** this broker is the only coordinator there ever was: its epoch never changes */
const COORDINATOR_EPOCH = 0;

export interface TxnOffsetSink {
  validateTxnCommit(groupId: string, generationId: number, memberId: string, instanceId: string | null): number;
  commitTransactionalOffsets(
    groupId: string,
    commits: Array<{ topic: string; partition: number; value: CommittedOffset }>,
  ): void;
}

export interface TxnCoordinatorOptions {
  dataDir: string | null;
  fsync: FsyncPolicy;
  allocateProducerId: () => number;
  partition: (topic: string, partition: number) => PartitionLog | undefined;
  /** the __consumer_offsets partition of a group (AddOffsetsToTxn adds it to the transaction) */
  offsetsPartition: (groupId: string) => [string, number];
  offsets: TxnOffsetSink;
  clock: BrokerClock;
  maxTimeoutMs?: number;
  checkIntervalMs?: number;
  onWarning?: (message: string) => void;
}

export interface ProducerIdAndEpoch {
  errorCode: number;
  producerId: number;
  producerEpoch: number;
}

export interface TxnOffsetInput {
  transactionalId: string;
  groupId: string;
  producerId: number;
  producerEpoch: number;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  offsets: Array<Omit<PendingOffset, 'group'>>;
}

export interface ListedTransaction {
  transactionalId: string;
  producerId: number;
  transactionState: TxnState;
}

const failed = (errorCode: number): ProducerIdAndEpoch => ({ errorCode, producerId: -1, producerEpoch: -1 });

export class TransactionCoordinator {
  private readonly txns = new Map<string, TxnMetadata>();
  private readonly store: TxnStateLog;
  private readonly maxTimeoutMs: number;
  private readonly checkIntervalMs: number;
  private readonly warn: (message: string) => void;
  private timer: ClockTimer | null = null;
  private closed = false;

  constructor(private readonly opts: TxnCoordinatorOptions) {
    this.maxTimeoutMs = opts.maxTimeoutMs ?? DEFAULT_MAX_TRANSACTION_TIMEOUT_MS;
    this.checkIntervalMs = opts.checkIntervalMs ?? DEFAULT_TRANSACTION_CHECK_INTERVAL_MS;
    this.warn = opts.onWarning ?? (() => {});
    const { store, loaded } = TxnStateLog.open({ dataDir: opts.dataDir, fsync: opts.fsync, onWarning: this.warn });
    this.store = store;
    for (const meta of loaded) this.txns.set(meta.transactionalId, meta);
    // what a crash interrupted: decided transactions are completed now
    for (const meta of this.txns.values()) {
      if (meta.state === 'PrepareCommit' || meta.state === 'PrepareAbort') this.complete(meta);
    }
    this.schedule();
  }

  private now(): number {
    return this.opts.clock.now();
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = this.opts.clock.timer(this.checkIntervalMs, () => {
      this.tick();
      this.schedule();
    });
  }

  /** Aborts the transactions open longer than their timeout; retries the completions that failed. */
  tick(): void {
    if (this.closed) return;
    const now = this.now();
    for (const meta of this.txns.values()) {
      if (meta.state === 'PrepareCommit' || meta.state === 'PrepareAbort') this.complete(meta);
      else if (meta.state === 'Ongoing' && meta.startTimestamp + meta.timeoutMs < now) {
        this.warn(`transaction of ${meta.transactionalId} timed out after ${meta.timeoutMs} ms: aborting it`);
        this.fenceAndAbort(meta);
      }
    }
  }

  // ------------------------------------------------------------------------------------------- requests

  /**
   * InitProducerId with a transactional id. `expected` (v3+, KIP-360) is the producer id and epoch a producer
   * recovering from an error still holds: another producer id, or an older epoch, is a fenced incarnation.
   */
  initProducerId(
    transactionalId: string,
    timeoutMs: number,
    expected?: { producerId: number; producerEpoch: number },
  ): ProducerIdAndEpoch {
    if (this.closed) return failed(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    if (transactionalId === '') return failed(ErrorCode.INVALID_REQUEST);
    if (timeoutMs <= 0 || timeoutMs > this.maxTimeoutMs) return failed(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    const meta = this.txns.get(transactionalId);
    if (
      meta &&
      expected &&
      expected.producerId >= 0 &&
      (expected.producerId !== meta.producerId || expected.producerEpoch < meta.producerEpoch)
    )
      return failed(ErrorCode.PRODUCER_FENCED);
    try {
      if (!meta) {
        const created: TxnMetadata = {
          transactionalId,
          producerId: this.opts.allocateProducerId(),
          producerEpoch: 0,
          timeoutMs,
          ...noOpenTransaction('Empty'),
          lastUpdateTimestamp: this.now(),
        };
        this.persist(created);
        return { errorCode: ErrorCode.NONE, producerId: created.producerId, producerEpoch: 0 };
      }
      switch (meta.state) {
        case 'PrepareCommit':
        case 'PrepareAbort':
          return failed(ErrorCode.CONCURRENT_TRANSACTIONS);
        case 'Ongoing':
          // the previous incarnation's transaction is aborted with a bumped epoch; the retry gets the next one
          this.fenceAndAbort(meta);
          return failed(ErrorCode.CONCURRENT_TRANSACTIONS);
        default: {
          const exhausted = meta.producerEpoch >= MAX_PRODUCER_EPOCH;
          const next: TxnMetadata = {
            ...meta,
            producerId: exhausted ? this.opts.allocateProducerId() : meta.producerId,
            producerEpoch: exhausted ? 0 : meta.producerEpoch + 1,
            timeoutMs,
            ...noOpenTransaction('Empty'),
            lastUpdateTimestamp: this.now(),
          };
          this.persist(next);
          return { errorCode: ErrorCode.NONE, producerId: next.producerId, producerEpoch: next.producerEpoch };
        }
      }
    } catch (err) {
      this.warn(`InitProducerId of ${transactionalId}: ${(err as Error).message}`);
      return failed(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    }
  }

  /** The checks every request of an open transaction's producer passes first (0: none failed). */
  private check(transactionalId: string, producerId: number, producerEpoch: number): number {
    if (this.closed) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (transactionalId === '') return ErrorCode.INVALID_REQUEST;
    const meta = this.txns.get(transactionalId);
    if (!meta || meta.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if (meta.producerEpoch !== producerEpoch) return ErrorCode.PRODUCER_FENCED;
    if (meta.state === 'PrepareCommit' || meta.state === 'PrepareAbort') return ErrorCode.CONCURRENT_TRANSACTIONS;
    return ErrorCode.NONE;
  }

  /**
   * AddPartitionsToTxn: the error of each partition. Unknown partitions fail the request: they get
   * UNKNOWN_TOPIC_OR_PARTITION and the others OPERATION_NOT_ATTEMPTED, as Kafka answers.
   */
  addPartitions(
    transactionalId: string,
    producerId: number,
    producerEpoch: number,
    partitions: Array<[string, number]>,
  ): Map<string, number> {
    const codes = new Map<string, number>();
    const all = (code: number) => {
      for (const [t, p] of partitions) codes.set(`${p}:${t}`, code);
      return codes;
    };
    const unknown = partitions.filter(([t, p]) => !this.opts.partition(t, p));
    if (unknown.length > 0) {
      all(ErrorCode.OPERATION_NOT_ATTEMPTED);
      for (const [t, p] of unknown) codes.set(`${p}:${t}`, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      return codes;
    }
    const error = this.check(transactionalId, producerId, producerEpoch);
    if (error !== ErrorCode.NONE) return all(error);
    const meta = this.txns.get(transactionalId)!;
    const added = partitions.filter(([t, p]) => !hasPartition(meta, t, p));
    if (meta.state === 'Ongoing' && added.length === 0) return all(ErrorCode.NONE);
    return all(this.extend(meta, added, null));
  }

  /** AddOffsetsToTxn: the group's __consumer_offsets partition joins the transaction. */
  addOffsets(transactionalId: string, producerId: number, producerEpoch: number, groupId: string): number {
    if (!groupId) return ErrorCode.INVALID_GROUP_ID;
    const error = this.check(transactionalId, producerId, producerEpoch);
    if (error !== ErrorCode.NONE) return error;
    const meta = this.txns.get(transactionalId)!;
    const [topic, partition] = this.opts.offsetsPartition(groupId);
    const added: Array<[string, number]> = hasPartition(meta, topic, partition) ? [] : [[topic, partition]];
    if (meta.state === 'Ongoing' && added.length === 0 && meta.groups.includes(groupId)) return ErrorCode.NONE;
    return this.extend(meta, added, groupId);
  }

  /** The transaction becomes Ongoing (if it was not) with more partitions or a group; persisted. */
  private extend(meta: TxnMetadata, partitions: Array<[string, number]>, groupId: string | null): number {
    const now = this.now();
    const ongoing = meta.state === 'Ongoing';
    const groups = ongoing ? meta.groups : [];
    const next: TxnMetadata = {
      ...meta,
      state: 'Ongoing',
      partitions: [...(ongoing ? meta.partitions : []), ...partitions],
      groups: groupId && !groups.includes(groupId) ? [...groups, groupId] : groups,
      pendingOffsets: ongoing ? meta.pendingOffsets : [],
      startTimestamp: ongoing ? meta.startTimestamp : now,
      lastUpdateTimestamp: now,
    };
    return this.tryPersist(next);
  }

  /** TxnOffsetCommit: the offsets wait with the transaction and are stored when it commits. */
  txnOffsetCommit(input: TxnOffsetInput): number {
    const error = this.check(input.transactionalId, input.producerId, input.producerEpoch);
    // Kafka's group coordinator answers a stale producer with INVALID_PRODUCER_EPOCH here (no PRODUCER_FENCED)
    if (error === ErrorCode.PRODUCER_FENCED) return ErrorCode.INVALID_PRODUCER_EPOCH;
    if (error !== ErrorCode.NONE) return error;
    const meta = this.txns.get(input.transactionalId)!;
    if (meta.state !== 'Ongoing' || !meta.groups.includes(input.groupId)) return ErrorCode.INVALID_TXN_STATE;
    const memberError = this.opts.offsets.validateTxnCommit(
      input.groupId,
      input.generationId,
      input.memberId,
      input.groupInstanceId,
    );
    if (memberError !== ErrorCode.NONE) return memberError;
    const replaced = (o: PendingOffset) =>
      o.group === input.groupId && input.offsets.some((n) => n.topic === o.topic && n.partition === o.partition);
    const next: TxnMetadata = {
      ...meta,
      pendingOffsets: [
        ...meta.pendingOffsets.filter((o) => !replaced(o)),
        ...input.offsets.map((o) => ({ ...o, group: input.groupId })),
      ],
      lastUpdateTimestamp: this.now(),
    };
    return this.tryPersist(next);
  }

  /** EndTxn. */
  endTxn(transactionalId: string, producerId: number, producerEpoch: number, commit: boolean): number {
    if (this.closed) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (transactionalId === '') return ErrorCode.INVALID_REQUEST;
    const meta = this.txns.get(transactionalId);
    if (!meta || meta.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if (meta.producerEpoch !== producerEpoch) return ErrorCode.PRODUCER_FENCED;
    switch (meta.state) {
      case 'Ongoing': {
        const prepared: TxnMetadata = {
          ...meta,
          state: commit ? 'PrepareCommit' : 'PrepareAbort',
          lastUpdateTimestamp: this.now(),
        };
        const error = this.tryPersist(prepared);
        if (error !== ErrorCode.NONE) return error;
        // decided: what follows is retried until done, the answer does not wait for it
        this.complete(prepared);
        return ErrorCode.NONE;
      }
      case 'CompleteCommit':
        return commit ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE; // a retry of a commit that was done
      case 'CompleteAbort':
        return commit ? ErrorCode.INVALID_TXN_STATE : ErrorCode.NONE;
      case 'PrepareCommit':
        return commit ? ErrorCode.CONCURRENT_TRANSACTIONS : ErrorCode.INVALID_TXN_STATE;
      case 'PrepareAbort':
        return commit ? ErrorCode.INVALID_TXN_STATE : ErrorCode.CONCURRENT_TRANSACTIONS;
      default:
        return ErrorCode.INVALID_TXN_STATE;
    }
  }

  /**
   * Whether a transactional batch may be appended (the produce path's check, KIP-890's verification done
   * locally): its producer's current epoch, an open transaction that holds the partition.
   */
  verifyProduce(transactionalId: string, producerId: number, producerEpoch: number, topic: string, p: number): number {
    const meta = this.txns.get(transactionalId);
    if (!meta || meta.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if (producerEpoch < meta.producerEpoch) return ErrorCode.INVALID_PRODUCER_EPOCH;
    if (producerEpoch !== meta.producerEpoch || meta.state !== 'Ongoing' || !hasPartition(meta, topic, p))
      return ErrorCode.INVALID_TXN_STATE;
    return ErrorCode.NONE;
  }

  /** Whether an open transaction holds offsets for the group's partition (OffsetFetch's require_stable). */
  hasPendingOffset(groupId: string, topic: string, partition: number): boolean {
    for (const meta of this.txns.values()) {
      if (meta.state === 'Empty' || meta.state === 'CompleteCommit' || meta.state === 'CompleteAbort') continue;
      if (meta.pendingOffsets.some((o) => o.group === groupId && o.topic === topic && o.partition === partition))
        return true;
    }
    return false;
  }

  // ------------------------------------------------------------------------------------------- describe

  describe(transactionalId: string): TxnMetadata | undefined {
    return this.txns.get(transactionalId);
  }

  /** ListTransactions' filters: states (by name), producer ids, and running longer than durationMs (-1: any). */
  list(states: string[], producerIds: number[], durationMs: number): ListedTransaction[] {
    const now = this.now();
    return [...this.txns.values()]
      .filter((m) => states.length === 0 || states.includes(m.state))
      .filter((m) => producerIds.length === 0 || producerIds.includes(m.producerId))
      .filter((m) => durationMs < 0 || (m.state === 'Ongoing' && now - m.startTimestamp > durationMs))
      .map((m) => ({ transactionalId: m.transactionalId, producerId: m.producerId, transactionState: m.state }));
  }

  static isKnownState(name: string): boolean {
    return (TXN_STATES as readonly string[]).includes(name);
  }

  // ------------------------------------------------------------------------------------------- ending

  /** A fenced producer's open transaction: the epoch moves on (persisted with the abort decision), then it ends. */
  private fenceAndAbort(meta: TxnMetadata): void {
    const prepared: TxnMetadata = {
      ...meta,
      producerEpoch: meta.producerEpoch + 1,
      state: 'PrepareAbort',
      lastUpdateTimestamp: this.now(),
    };
    if (this.tryPersist(prepared) === ErrorCode.NONE) this.complete(prepared);
  }

  /**
   * Writes the markers of a decided (Prepare*) transaction to each of its partitions, stores its offsets if it
   * commits, and records it Complete*. Idempotent: after a crash or a failed write it runs again from the
   * start (a partition may then get its marker twice, which readers ignore).
   */
  private complete(meta: TxnMetadata): void {
    const commit = meta.state === 'PrepareCommit';
    try {
      const now = this.now();
      for (const [topic, partition] of meta.partitions) {
        // a partition of a topic deleted meanwhile has nothing left to mark
        this.opts.partition(topic, partition)?.appendMarker(
          {
            producerId: meta.producerId,
            producerEpoch: meta.producerEpoch,
            commit,
            coordinatorEpoch: COORDINATOR_EPOCH,
          },
          now,
        );
      }
      if (commit) {
        for (const group of meta.groups) {
          const commits = meta.pendingOffsets
            .filter((o) => o.group === group)
            .map((o) => ({
              topic: o.topic,
              partition: o.partition,
              value: { offset: o.offset, leaderEpoch: o.leaderEpoch, metadata: o.metadata, commitTimestamp: now },
            }));
          this.opts.offsets.commitTransactionalOffsets(group, commits);
        }
      }
      this.persist({
        ...meta,
        ...noOpenTransaction(commit ? 'CompleteCommit' : 'CompleteAbort'),
        lastUpdateTimestamp: now,
      });
    } catch (err) {
      this.warn(
        `completing the transaction of ${meta.transactionalId} failed (${(err as Error).message}); retrying later`,
      );
    }
  }

  // ------------------------------------------------------------------------------------------- storage

  /** Persists then applies (throws when the store fails: nothing changed). */
  private persist(meta: TxnMetadata): void {
    this.store.write(meta);
    this.txns.set(meta.transactionalId, meta);
    this.store.maybeCompact(this.txns.size, () => [...this.txns.values()]);
  }

  private tryPersist(meta: TxnMetadata): number {
    try {
      this.persist(meta);
      return ErrorCode.NONE;
    } catch (err) {
      // Kafka answers a transaction log it cannot write with NOT_COORDINATOR: the client looks it up and retries
      this.warn(`transaction state of ${meta.transactionalId} not written: ${(err as Error).message}`);
      return ErrorCode.NOT_COORDINATOR;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.timer?.clear();
    this.store.close();
  }
}
