// Latency percentiles and throughput, as a simulation and the dashboard report them.

/**
 * Nearest-rank percentiles (p in 0..100) of `values`, which is left untouched. Nearest-rank returns a value
 * that was actually observed, so a p99 latency is a real order's latency, not an interpolation between two.
 * p 0 gives the minimum. With no values every percentile is NaN: there is no honest number to report.
 */
export function percentiles(values: ArrayLike<number>, ps: readonly number[]): number[] {
  const sorted = Float64Array.from(values).sort();
  return ps.map((p) => nearestRank(sorted, p));
}

function nearestRank(sorted: Float64Array, p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile ${p} is not in 0..100`);
  if (sorted.length === 0) return NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

export interface LatencySummary {
  count: number;
  min: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Every latency of a run, kept in full so the percentiles are exact (a run records a few million at most). */
export class LatencyRecorder {
  private values = new Float64Array(1024);
  private n = 0;
  private sum = 0;

  add(ms: number): void {
    if (this.n === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.n++] = ms;
    this.sum += ms;
  }

  get count(): number {
    return this.n;
  }

  /** With nothing recorded, every field but count is NaN. */
  summary(): LatencySummary {
    const sorted = this.values.slice(0, this.n).sort();
    const [p50, p95, p99] = [50, 95, 99].map((p) => nearestRank(sorted, p));
    return {
      count: this.n,
      min: this.n ? sorted[0] : NaN,
      p50,
      p95,
      p99,
      max: this.n ? sorted[this.n - 1] : NaN,
      mean: this.n ? this.sum / this.n : NaN,
    };
  }
}

/** Events per second over the last `windowMs`, for a live "orders/s" that follows changes in pace. */
export class RateMeter {
  // (time, count) marks in time order; those older than the window are dropped from the front
  private times: number[] = [];
  private counts: number[] = [];
  private head = 0;
  private inWindow = 0;
  private first: number | undefined;

  constructor(private readonly windowMs = 10_000) {
    if (!(windowMs > 0)) throw new RangeError(`window ${windowMs} ms is not positive`);
  }

  mark(n = 1, now = Date.now()): void {
    this.first ??= now;
    this.times.push(now);
    this.counts.push(n);
    this.inWindow += n;
    this.expire(now);
  }

  /**
   * Before a full window has passed since the first mark, divides by the time elapsed so far, so the first
   * seconds of a run do not read low; 0 while no time has passed since the first mark.
   */
  rate(now = Date.now()): number {
    this.expire(now);
    if (this.first === undefined) return 0;
    const span = Math.min(this.windowMs, now - this.first);
    return span > 0 ? (this.inWindow * 1000) / span : 0;
  }

  private expire(now: number): void {
    const cutoff = now - this.windowMs;
    while (this.head < this.times.length && this.times[this.head] <= cutoff) {
      this.inWindow -= this.counts[this.head];
      this.head++;
    }
    // compact now and then, so a long run does not keep every mark it ever saw
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.counts = this.counts.slice(this.head);
      this.head = 0;
    }
  }
}
