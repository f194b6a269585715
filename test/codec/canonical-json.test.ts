// The scanners that decide, without parsing, whether JSON bytes are what JSON.stringify would write: one
// may be unsure but never wrong, the other proves the opposite for JSON as Python, Java and pretty printers
// write it.

import { describe, expect, it } from 'vitest';
import { isCanonicalJsonContainer, isProvablyNotCanonical } from '../../src/codec/canonical-json.js';
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
