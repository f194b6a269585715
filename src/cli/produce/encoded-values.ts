// The values the check pass over a --file encoded (Avro, checked JSON), kept so that the send pass does not
// parse and encode every line a second time: copied end to end into large chunks, and handed back as blocks
// of slices, as lines of the file are. Bounded: past `maxBytes` the store gives up (the caller then encodes
// again while sending, as without it).

import type { LineBlock } from './lines.js';

const CHUNK_BYTES = 8 * 1024 * 1024;

export class EncodedValues {
  private readonly blocks: LineBlock[] = [];
  private bytes = 0;
  private full = false;

  constructor(private readonly maxBytes = 256 * 1024 * 1024) {}

  /** Whether the store gave up (over its bound): it then holds nothing. */
  get gaveUp(): boolean {
    return this.full;
  }

  /** Gives up: the store holds nothing from now on. */
  giveUp(): void {
    this.full = true;
    this.blocks.length = 0;
  }

  /** Keeps a copy of the value of line `line`; false once over the bound. */
  add(value: Buffer, line: number): boolean {
    if (this.full) return false;
    let block = this.blocks.at(-1);
    const at = block?.ends.at(-1) ?? 0;
    if (block === undefined || at + value.length > block.data.length) {
      this.bytes += Math.max(CHUNK_BYTES, value.length);
      if (this.bytes > this.maxBytes) {
        this.giveUp();
        return false;
      }
      block = { data: Buffer.allocUnsafe(Math.max(CHUNK_BYTES, value.length)), starts: [], ends: [], firstLine: line };
      this.blocks.push(block);
    }
    const start = block.ends.at(-1) ?? 0;
    value.copy(block.data, start);
    block.starts.push(start);
    block.ends.push(start + value.length);
    return true;
  }

  /**
   * The values as blocks (value i of a block is data[starts[i], ends[i])); firstLine is the line of a
   * block's first value, but lines without a value (blank) are not counted in between.
   */
  *values(): Generator<LineBlock> {
    yield* this.blocks;
  }
}
