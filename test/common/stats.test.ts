// Latency percentiles and throughput, on numbers whose answers are known.

import { describe, expect, it } from 'vitest';
import { LatencyRecorder, RateMeter, percentiles } from '../../src/common/stats.js';

describe('percentiles', () => {
  it('takes the nearest rank, so every answer is an observed value', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted on purpose
    expect(percentiles(values, [0, 1, 50, 95, 99, 100])).toEqual([1, 1, 50, 95, 99, 100]);
    expect(percentiles([15, 20, 35, 40, 50], [5, 30, 40, 50, 100])).toEqual([15, 20, 20, 35, 50]);
    expect(percentiles([3, 1, 2, 4], [50, 75, 76])).toEqual([2, 3, 4]);
    expect(percentiles([7], [0, 50, 100])).toEqual([7, 7, 7]);
  });

  it('leaves its input alone and sorts numerically, not as text', () => {
    const values = [10, 9, 100, 1];
    expect(percentiles(values, [25, 50, 75, 100])).toEqual([1, 9, 10, 100]);
    expect(values).toEqual([10, 9, 100, 1]);
  });

  it('answers NaN for no values, and refuses a percentile outside 0..100', () => {
    expect(percentiles([], [50, 99])).toEqual([NaN, NaN]);
    expect(() => percentiles([1], [101])).toThrow(RangeError);
  });
});

describe('LatencyRecorder', () => {
  it('summarises everything it was given, past its first buffer', () => {
    const r = new LatencyRecorder();
    for (let i = 5000; i >= 1; i--) r.add(i);
    expect(r.count).toBe(5000);
    expect(r.summary()).toEqual({ count: 5000, min: 1, p50: 2500, p95: 4750, p99: 4950, max: 5000, mean: 2500.5 });
  });

  it('keeps fractions and reports NaN when empty', () => {
    const r = new LatencyRecorder();
    expect(r.summary()).toEqual({ count: 0, min: NaN, p50: NaN, p95: NaN, p99: NaN, max: NaN, mean: NaN });
    r.add(0.5);
    r.add(1.5);
    expect(r.summary()).toMatchObject({ count: 2, min: 0.5, p50: 0.5, max: 1.5, mean: 1 });
  });
});

describe('RateMeter', () => {
  it('measures over the time elapsed until a full window has passed', () => {
    const m = new RateMeter(10_000);
    expect(m.rate(0)).toBe(0);
    m.mark(1, 0);
    expect(m.rate(0)).toBe(0);
    for (let t = 100; t <= 2000; t += 100) m.mark(5, t);
    expect(m.rate(2000)).toBeCloseTo(101 / 2);
  });

  it('forgets marks older than the window, following a change of pace', () => {
    const m = new RateMeter(5_000);
    for (let t = 0; t < 20_000; t += 10) m.mark(1, t); // 100/s
    expect(m.rate(20_000)).toBeCloseTo(100, 0);
    for (let t = 20_000; t < 30_000; t += 100) m.mark(1, t); // 10/s
    expect(m.rate(30_000)).toBeCloseTo(10, 0);
    expect(m.rate(40_000)).toBe(0);
  });

  it('defaults to one event now', () => {
    const m = new RateMeter();
    m.mark();
    expect(m.rate(Date.now() + 1000)).toBeGreaterThan(0);
  });
});
