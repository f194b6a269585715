// Durations as text both ways, in each style evt writes them, and the one sleep.

import { describe, expect, it } from 'vitest';
import { formatDuration, parseDurationText, sleep, type DurationStyle } from '../../src/common/time.js';

describe('formatDuration', () => {
  const cases: Record<DurationStyle, [number, string][]> = {
    short: [
      [250, '250ms'],
      [1500, '1.5s'],
      [10_000, '10s'],
      [90_000, '1.5m'],
      [120_000, '2m'],
      [5_400_000, '1.5h'],
      [Infinity, 'no limit'],
    ],
    exact: [
      [1500, '1500ms'],
      [90_000, '90s'],
      [300_000, '5m'],
      [7_200_000, '2h'],
      [86_400_000, '1d'],
    ],
    narrow: [
      [850, '850ms'],
      [4200, '4.2s'],
      [45_000, '45s'],
      [185_000, '3m05s'],
      [7_800_000, '2h10m'],
      [-5, '0ms'],
    ],
    whole: [
      [45_000, '45s'],
      [185_000, '3m'],
      [7_800_000, '2h'],
      [3 * 86_400_000, '3d'],
    ],
    seconds: [
      [12_000, '12.0s'],
      [75_340, '75.3s'],
    ],
    spaced: [
      [13, '13 ms'],
      [2000, '2.00 s'],
      [12_300, '12.3 s'],
      [60_000, '1 min 0 s'],
      [185_000, '3 min 5 s'],
      [5_400_000, '1.5 h'],
    ],
  };
  for (const [style, pairs] of Object.entries(cases) as [DurationStyle, [number, string][]][]) {
    it(`writes ${style} durations`, () => {
      for (const [ms, text] of pairs) expect(formatDuration(ms, style), `${ms}`).toBe(text);
    });
  }

  it('is short by default', () => {
    expect(formatDuration(2000)).toBe('2s');
  });
});

describe('parseDurationText', () => {
  it('reads units, plain milliseconds and a space before the unit; null otherwise', () => {
    expect(parseDurationText('500ms')).toBe(500);
    expect(parseDurationText('1.5s')).toBe(1500);
    expect(parseDurationText('15m')).toBe(900_000);
    expect(parseDurationText('2h')).toBe(7_200_000);
    expect(parseDurationText('7d')).toBe(604_800_000);
    expect(parseDurationText('1w')).toBe(604_800_000);
    expect(parseDurationText('250')).toBe(250);
    expect(parseDurationText(' 30 s ')).toBe(30_000);
    for (const bad of ['', 's', '-1', '1y', '1.s', 'forever']) expect(parseDurationText(bad), bad).toBeNull();
  });

  it('reads back what the exact style writes', () => {
    for (const ms of [1, 999, 1500, 60_000, 90_000, 3_600_000, 86_400_000, 172_800_000]) {
      expect(parseDurationText(formatDuration(ms, 'exact'))).toBe(ms);
    }
  });
});

describe('sleep', () => {
  it('resolves after the time', async () => {
    const t0 = performance.now();
    await sleep(30);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(25);
  });

  it('resolves as soon as the signal aborts, and at once when it already has', async () => {
    const ac = new AbortController();
    const t0 = performance.now();
    setTimeout(() => ac.abort(), 10);
    await sleep(10_000, ac.signal);
    expect(performance.now() - t0).toBeLessThan(5000);
    await sleep(10_000, ac.signal);
  });
});
