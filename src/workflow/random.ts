// A tiny deterministic PRNG, so that a simulation run with the same seed produces the same orders, ids and
// decisions. Math.random cannot be seeded, and crypto.randomUUID would make every run different, so every
// piece of the workflow that needs chance or an id takes one of these instead.

/** A seeded source of numbers; every method advances the same 32-bit state. */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max] (both inclusive). */
  int(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /** A version-4-shaped uuid (the event id header), reproducible from the seed. */
  uuid(): string;
  /** `bytes` random bytes as lowercase hex (trace and span ids of traceparent). */
  hex(bytes: number): string;
}

/** mulberry32: one 32-bit word of state, good enough statistics for a simulation, and trivially portable. */
export function createRandom(seed: number | string): Random {
  let state = typeof seed === 'number' ? seed >>> 0 : hashString(seed);
  const nextU32 = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const hex = (bytes: number): string => {
    let out = '';
    for (let i = 0; i < bytes; i++) out += (nextU32() & 0xff).toString(16).padStart(2, '0');
    return out;
  };
  return {
    next: () => nextU32() / 0x1_0000_0000,
    int: (min, max) => min + Math.floor((nextU32() / 0x1_0000_0000) * (max - min + 1)),
    chance: (p) => nextU32() / 0x1_0000_0000 < p,
    pick: (items) => {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[Math.floor((nextU32() / 0x1_0000_0000) * items.length)];
    },
    uuid: () => uuidFromHex(hex(16)),
    hex,
  };
}

/** 32 hex digits shaped as a version-4 uuid (version nibble 4, variant bits 10xx), as crypto.randomUUID gives. */
export function uuidFromHex(h: string): string {
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** FNV-1a over the UTF-16 code units: a stable 32-bit hash of a string (seeds derived from names). */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * A float in [0, 1) fixed by (seed, key) alone. Services use it for per-order decisions (decline this payment?
 * fail this shipment?) so the decision does not depend on the order events arrive in, on redeliveries, or
 * on which instance of the service handles the order: the same seed always decides the same way.
 */
export function decide(seed: number | string, key: string): number {
  return createRandom(hashString(`${String(seed)}\u0000${key}`)).next();
}
