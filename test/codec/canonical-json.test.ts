// The scanners that decide, without parsing, whether JSON bytes are what JSON.stringify would write: one
// may be unsure but never wrong, the other proves the opposite for JSON as Python, Java and pretty printers
// write it.

import { describe, expect, it } from 'vitest';
import {
  isCanonicalJsonContainer,
  isProvablyNotCanonical,
  prettyCanonicalJson,
} from '../../src/codec/canonical-json.js';
import { canonical, foreign, lookAlikes, notCanonical } from '../helpers/json-samples.js';

describe('isCanonicalJsonContainer', () => {
  it('accepts exactly what JSON.stringify(JSON.parse(text)) gives back unchanged (for these cases)', () => {
    for (const text of [...canonical, ...notCanonical]) {
      let roundTrips: boolean;
      try {
        roundTrips = JSON.stringify(JSON.parse(text)) === text;
      } catch {
        roundTrips = false;
      }
      const scanned = isCanonicalJsonContainer(Buffer.from(text));
      // the scan may be unsure (false) where a round trip would work, never the other way round
      if (scanned) expect(roundTrips, text).toBe(true);
      if (canonical.includes(text)) expect(scanned, text).toBe(true);
      if (notCanonical.includes(text)) expect(scanned, text).toBe(false);
    }
  });
});

describe('isProvablyNotCanonical', () => {
  it('is true only for bytes that cannot round-trip, and true for JSON as Python, Java and pretty printers write it', () => {
    for (const text of [...canonical, ...notCanonical, ...foreign, ...lookAlikes]) {
      let roundTrips: boolean;
      try {
        roundTrips = JSON.stringify(JSON.parse(text)) === text;
      } catch {
        roundTrips = false;
      }
      if (isProvablyNotCanonical(Buffer.from(text))) expect(roundTrips, text).toBe(false);
    }
    for (const text of foreign) expect(isProvablyNotCanonical(Buffer.from(text)), text).toBe(true);
    for (const text of [...canonical, ...lookAlikes])
      expect(isProvablyNotCanonical(Buffer.from(text)), text).toBe(false);
  });
});

describe('prettyCanonicalJson', () => {
  const pretty = (text: string, indent = 0) =>
    JSON.stringify(JSON.parse(text), null, 2).replaceAll('\n', '\n' + ' '.repeat(indent));

  it('writes what JSON.stringify(value, null, 2) writes, for every canonical sample and generated ones', () => {
    const samples = [...canonical, ...lookAlikes, '[{},[],{"a":[]},[[1]]]', '{"s":"a,b:{c}[d]\\"e"}'];
    let seed = 11;
    const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const leaf = () => [1, -2.5, 'x', 'q"u\\o,t:e{}', true, null, 'ü😀'][rand(7)];
    const value = (depth: number): unknown =>
      depth > 3 || rand(3) === 0
        ? leaf()
        : rand(2)
          ? Object.fromEntries(Array.from({ length: rand(4) }, (_, i) => [`k${i}`, value(depth + 1)]))
          : Array.from({ length: rand(4) }, () => value(depth + 1));
    for (let i = 0; i < 2000; i++) {
      const v = value(0);
      if (typeof v === 'object' && v !== null) samples.push(JSON.stringify(v));
    }
    let checked = 0;
    for (const text of samples) {
      const b = Buffer.from(text);
      if (!isCanonicalJsonContainer(b)) continue;
      checked++;
      expect(prettyCanonicalJson(b), text).toBe(pretty(text));
      expect(prettyCanonicalJson(b, 2), text).toBe(pretty(text, 2));
    }
    expect(checked).toBeGreaterThan(1000);
  });
});
