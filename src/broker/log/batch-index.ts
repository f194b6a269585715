// The in-memory index of every batch of a segment (as franz-go's kfake keeps one): fetch finds the batch
// containing an offset and the byte range of the following whole batches with binary searches, without
// touching the file. Columns in typed arrays rather than an object per batch: a segment may hold millions of
// small batches, and this costs 48 bytes each with nothing for the garbage collector to trace.

const INITIAL_CAPACITY = 64;

export class BatchIndex {
  length = 0;
  private capacity = 0;
  private base = new Float64Array(0);
  private last = new Float64Array(0);
  private pos = new Float64Array(0);
  private bytes = new Float64Array(0);
  private maxTs = new Float64Array(0);
  /** running maximum of maxTs up to each batch: monotonic, so timestamp lookups can binary search it */
  private maxTsSoFar = new Float64Array(0);

  private grow(): void {
    const capacity = Math.max(INITIAL_CAPACITY, this.capacity * 2);
    const copy = (a: Float64Array) => {
      const b = new Float64Array(capacity);
      b.set(a.subarray(0, this.length));
      return b;
    };
    this.base = copy(this.base);
    this.last = copy(this.last);
    this.pos = copy(this.pos);
    this.bytes = copy(this.bytes);
    this.maxTs = copy(this.maxTs);
    this.maxTsSoFar = copy(this.maxTsSoFar);
    this.capacity = capacity;
  }

  push(baseOffset: number, lastOffset: number, position: number, size: number, maxTimestamp: number): void {
    if (this.length === this.capacity) this.grow();
    const i = this.length++;
    this.base[i] = baseOffset;
    this.last[i] = lastOffset;
    this.pos[i] = position;
    this.bytes[i] = size;
    this.maxTs[i] = maxTimestamp;
    this.maxTsSoFar[i] = i === 0 ? maxTimestamp : Math.max(this.maxTsSoFar[i - 1], maxTimestamp);
  }

  /** Forgets the batches from `length` on (an append that was rolled back). */
  truncate(length: number): void {
    this.length = Math.min(this.length, Math.max(0, length));
  }

  baseOffset(i: number): number {
    return this.base[i];
  }
  lastOffset(i: number): number {
    return this.last[i];
  }
  position(i: number): number {
    return this.pos[i];
  }
  size(i: number): number {
    return this.bytes[i];
  }
  maxTimestamp(i: number): number {
    return this.maxTs[i];
  }

  /** the first batch whose last offset is >= offset (the batch containing it), or `length` */
  findOffset(offset: number): number {
    return lowerBound(this.last, this.length, offset);
  }

  /** the first batch with a max timestamp >= ts (via the running maximum), or `length` */
  findTimestamp(ts: number): number {
    return lowerBound(this.maxTsSoFar, this.length, ts);
  }

  /**
   * The last batch j >= i such that batches i..j span at most `maxBytes` (batches are contiguous in the
   * file); at least i itself, whatever its size.
   */
  lastWithin(i: number, maxBytes: number): number {
    const limit = this.pos[i] + maxBytes;
    let lo = i;
    let hi = this.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.pos[mid] + this.bytes[mid] <= limit) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

/** The first index in sorted `values[0..length)` whose value is >= target, or `length`. */
function lowerBound(values: ArrayLike<number>, length: number, target: number): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
