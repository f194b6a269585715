// The cleaner's map from a key to the offset of its latest record in the dirty part of a log (Kafka's
// SkimpyOffsetMap, which holds MD5 digests in a fixed buffer). Here the keys themselves, as latin1 strings
// (one char per byte: exact, and V8 stores them compactly; see keyOf), bounded by a byte budget: when the next key does
// not fit, the clean stops there and the rest waits for the next one, as Kafka's does when its map is full.

/** what one entry costs besides its key bytes (the Map slot, the string header), roughly */
const ENTRY_OVERHEAD = 64;

export class OffsetMap {
  private readonly map = new Map<string, number>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get size(): number {
    return this.map.size;
  }

  /** Records `offset` for `key` (keyOf); false (and nothing changes) when a new key would exceed the budget. */
  put(k: string, offset: number): boolean {
    if (!this.map.has(k)) {
      const cost = ENTRY_OVERHEAD + k.length;
      if (this.bytes + cost > this.maxBytes && this.map.size > 0) return false;
      this.bytes += cost;
    }
    this.map.set(k, offset);
    return true;
  }

  /** the latest offset of `key`, or -1 when the dirty part does not hold it */
  get(k: string): number {
    return this.map.get(k) ?? -1;
  }
}

/** The map's key for the record key at payload[start, start + length). */
export function keyOf(payload: Buffer, start: number, length: number): string {
  return payload.toString('latin1', start, start + length);
}
