// Choosing a record's partition as Kafka's Java client and kafkajs's DefaultPartitioner do: a keyed record
// goes to toPositive(murmur2(key bytes)) % partitionCount, so that evt, kafkajs, librdkafka's
// murmur2_random and Java producers agree on where a key lives (and `evt trace` can find it). Records
// without a key are spread either sticky (one partition per batch, then another: fuller batches) or
// round-robin.

/** Kafka's Utils.murmur2: 32-bit MurmurHash2 with seed 0x9747b28c, as a signed int32. */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  const m = 0x5bd1e995;
  let h = (0x9747b28c ^ length) | 0;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = data[i4] | (data[i4 + 1] << 8) | (data[i4 + 2] << 16) | (data[i4 + 3] << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m);
    h ^= k;
  }
  const tail = length & ~3;
  const rest = length & 3;
  if (rest > 0) {
    if (rest === 3) h ^= data[tail + 2] << 16;
    if (rest >= 2) h ^= data[tail + 1] << 8;
    h ^= data[tail];
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/** Kafka's Utils.toPositive: clears the sign bit (not Math.abs). */
export function toPositive(n: number): number {
  return n & 0x7fffffff;
}

/** The partition of a keyed record. */
export function partitionForKey(key: Uint8Array, partitionCount: number): number {
  return toPositive(murmur2(key)) % partitionCount;
}

export type NullKeyStrategy = 'sticky' | 'round-robin';

/**
 * Partitions for records without a key, per topic. Sticky: the same partition until the producer reports
 * that partition's batch closed (`batchClosed`), then another one at random. Round-robin: each record the
 * next partition.
 */
export class NullKeyPartitioner {
  private current = new Map<string, number>();
  private counters = new Map<string, number>();

  constructor(
    readonly strategy: NullKeyStrategy = 'sticky',
    private readonly random: () => number = Math.random,
  ) {}

  partition(topic: string, partitionCount: number): number {
    if (this.strategy === 'round-robin') {
      const n = this.counters.get(topic) ?? Math.floor(this.random() * partitionCount);
      this.counters.set(topic, n + 1);
      return toPositive(n) % partitionCount;
    }
    let p = this.current.get(topic);
    if (p === undefined || p >= partitionCount) {
      p = Math.floor(this.random() * partitionCount);
      this.current.set(topic, p);
    }
    return p;
  }

  /** The producer closed the batch of this partition: sticky moves to another partition. */
  batchClosed(topic: string, partition: number, partitionCount: number): void {
    if (this.strategy !== 'sticky' || this.current.get(topic) !== partition) return;
    if (partitionCount <= 1) return;
    let next = Math.floor(this.random() * (partitionCount - 1));
    if (next >= partition) next++;
    this.current.set(topic, next);
  }
}
