// Idempotent-producer state of one partition, as Kafka's ProducerStateManager keeps it: per producer id, its
// epoch and the last 5 batches appended (the most an idempotent producer may have in flight), so that a
// retried batch is recognised and answered with the offset it got the first time.
//
// The rules (Kafka's, and what the clients expect):
// - a batch equal to one of the 5 remembered ones (same epoch, base and last sequence) is a duplicate: not
//   appended again, answered as a success with the ORIGINAL base offset (kafkajs treats
//   DUPLICATE_SEQUENCE_NUMBER as fatal, so it is never answered);
// - an unknown producer id is accepted with any sequence (it may have been expired, or written before
//   the state was lost);
// - an older epoch is INVALID_PRODUCER_EPOCH; a newer epoch must start again at sequence 0;
// - otherwise the base sequence must follow the last one (sequences wrap to 0 after 2^31-1), else
//   OUT_OF_ORDER_SEQUENCE_NUMBER.
//
// Transactions (KIP-98): a transactional batch of a producer with no open transaction in this partition opens
// one at its base offset; the coordinator's marker (a control batch) closes it. The earliest first offset of the
// open transactions is the partition's first unstable offset: the last stable offset (LSO) is there, or at
// the high watermark when none is open.
//
// The state is rebuilt at start-up from a snapshot (written at clean close and at each segment roll, like
// Kafka's .snapshot files) plus the batches appended after it, so a retry after a broker restart is still
// recognised.

import { ErrorCode, KafkaError } from '../../protocol/error-codes.js';
import { isControlBatch, isTransactionalBatch, type BatchHeader } from '../../protocol/records/batch-layout.js';

/** how many batches per producer are remembered (max.in.flight.requests.per.connection for idempotence) */
export const PRODUCER_WINDOW = 5;
const INT32_MAX = 0x7fffffff;

interface BatchMeta {
  baseSequence: number;
  lastSequence: number;
  baseOffset: number;
  lastOffset: number;
}

interface ProducerEntry {
  epoch: number;
  /** oldest first, at most PRODUCER_WINDOW */
  batches: BatchMeta[];
}

export interface ProducerSnapshot {
  version: 1;
  /** the log end offset the snapshot reflects: batches from here on are replayed on top of it */
  offset: number;
  producers: Array<{ id: number; epoch: number; batches: Array<[number, number, number, number]> }>;
  /** open transactions: [producer id, first offset]; absent in snapshots written before transactions */
  ongoing?: Array<[number, number]>;
}

/** Kafka's DefaultRecordBatch.incrementSequence: sequences wrap to 0 after Integer.MAX_VALUE. */
export function incrementSequence(sequence: number, increment: number): number {
  return sequence > INT32_MAX - increment ? increment - (INT32_MAX - sequence) - 1 : sequence + increment;
}

export class ProducerState {
  private producers = new Map<number, ProducerEntry>();
  /** producer id -> the first offset of its open transaction in this partition */
  private ongoing = new Map<number, number>();

  get size(): number {
    return this.producers.size;
  }

  /**
   * Checks an incoming batch of an idempotent producer (producerId >= 0) before it is appended. Returns the
   * original base offset when it is a duplicate, null when it should be appended; throws
   * OUT_OF_ORDER_SEQUENCE_NUMBER or INVALID_PRODUCER_EPOCH.
   */
  check(h: BatchHeader): number | null {
    if (h.producerId < 0) return null;
    const entry = this.producers.get(h.producerId);
    if (!entry) return null;
    // checked even without batches: a transaction marker may have moved the epoch on (a fenced producer)
    if (h.producerEpoch < entry.epoch) {
      throw new KafkaError(
        ErrorCode.INVALID_PRODUCER_EPOCH,
        `producer ${h.producerId} epoch ${h.producerEpoch} is older than ${entry.epoch}`,
      );
    }
    if (entry.batches.length === 0) return null;
    if (h.producerEpoch > entry.epoch) {
      if (h.baseSequence !== 0) {
        throw new KafkaError(
          ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
          `producer ${h.producerId} started epoch ${h.producerEpoch} at sequence ${h.baseSequence}, expected 0`,
        );
      }
      return null;
    }
    const lastSequence = incrementSequence(h.baseSequence, h.lastOffsetDelta);
    for (const b of entry.batches) {
      if (b.baseSequence === h.baseSequence && b.lastSequence === lastSequence) return b.baseOffset;
    }
    const expected = incrementSequence(entry.batches[entry.batches.length - 1].lastSequence, 1);
    if (h.baseSequence !== expected) {
      throw new KafkaError(
        ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
        `producer ${h.producerId} sent sequence ${h.baseSequence}, expected ${expected}`,
      );
    }
    return null;
  }

  /** The first offset of the earliest open transaction, or null when none is open. */
  firstUnstableOffset(): number | null {
    let first: number | null = null;
    for (const offset of this.ongoing.values()) if (first === null || offset < first) first = offset;
    return first;
  }

  /** The epoch this partition last saw from the producer, or undefined. */
  epochOf(producerId: number): number | undefined {
    return this.producers.get(producerId)?.epoch;
  }

  /**
   * A transaction marker of the producer is in the log: its open transaction (if any) ends. Returns that
   * transaction's first offset, or null when none was open. A marker with a newer epoch (a fenced producer's
   * transaction aborted by the coordinator) makes that epoch current, with no sequence history.
   */
  endTransaction(producerId: number, producerEpoch: number): number | null {
    const entry = this.producers.get(producerId);
    if (!entry || producerEpoch > entry.epoch) this.producers.set(producerId, { epoch: producerEpoch, batches: [] });
    const first = this.ongoing.get(producerId);
    this.ongoing.delete(producerId);
    return first ?? null;
  }

  /** Records a batch that is now in the log (`baseOffset` is the offset it was given). */
  update(h: BatchHeader, baseOffset: number): void {
    if (h.producerId < 0) return;
    if (isControlBatch(h.attributes)) return; // markers go through endTransaction
    if (isTransactionalBatch(h.attributes) && !this.ongoing.has(h.producerId))
      this.ongoing.set(h.producerId, baseOffset);
    let entry = this.producers.get(h.producerId);
    if (!entry || h.producerEpoch !== entry.epoch) {
      // A new producer, or a new epoch (a lower one only happens when replaying an odd log: follow the log).
      entry = { epoch: h.producerEpoch, batches: [] };
      this.producers.set(h.producerId, entry);
    }
    entry.batches.push({
      baseSequence: h.baseSequence,
      lastSequence: incrementSequence(h.baseSequence, h.lastOffsetDelta),
      baseOffset,
      lastOffset: baseOffset + h.lastOffsetDelta,
    });
    if (entry.batches.length > PRODUCER_WINDOW) entry.batches.shift();
  }

  /**
   * Forgets producers whose last batch is entirely below the log start offset (their batches were deleted
   * by retention or DeleteRecords); keeps the state from growing with every producer id ever seen. A later
   * batch of such a producer is then accepted as from an unknown one.
   */
  removeBefore(logStartOffset: number): void {
    for (const [id, entry] of this.producers) {
      const last = entry.batches[entry.batches.length - 1];
      // an open transaction keeps its producer: its marker is still to come
      if (this.ongoing.has(id)) continue;
      if (!last || last.lastOffset < logStartOffset) this.producers.delete(id);
    }
  }

  clear(): void {
    this.producers.clear();
    this.ongoing.clear();
  }

  toSnapshot(offset: number): ProducerSnapshot {
    return {
      version: 1,
      offset,
      producers: [...this.producers].map(([id, e]) => ({
        id,
        epoch: e.epoch,
        batches: e.batches.map(
          (b) => [b.baseSequence, b.lastSequence, b.baseOffset, b.lastOffset] as [number, number, number, number],
        ),
      })),
      ongoing: [...this.ongoing],
    };
  }

  /** Loads a snapshot; returns false (and stays empty) when it is not one this code wrote. */
  loadSnapshot(snapshot: unknown): boolean {
    this.clear();
    const s = snapshot as ProducerSnapshot | null;
    if (!s || s.version !== 1 || !Number.isSafeInteger(s.offset) || !Array.isArray(s.producers)) return false;
    try {
      for (const p of s.producers) {
        const batches = p.batches.map(([baseSequence, lastSequence, baseOffset, lastOffset]) => ({
          baseSequence,
          lastSequence,
          baseOffset,
          lastOffset,
        }));
        if (
          !Number.isSafeInteger(p.id) ||
          !Number.isInteger(p.epoch) ||
          batches.some((b) => !Number.isSafeInteger(b.baseOffset))
        ) {
          throw new Error('bad entry');
        }
        this.producers.set(p.id, { epoch: p.epoch, batches: batches.slice(-PRODUCER_WINDOW) });
      }
      for (const [id, first] of s.ongoing ?? []) {
        if (!Number.isSafeInteger(id) || !Number.isSafeInteger(first)) throw new Error('bad transaction');
        this.ongoing.set(id, first);
      }
    } catch {
      this.clear();
      return false;
    }
    return true;
  }
}
