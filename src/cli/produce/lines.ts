// Lines from a byte stream, without decoding or copying them: a block is one chunk with the start and end
// of each line in it (a line split across chunks is joined into a block of its own). Lines are numbered
// from 1; a line keeps every byte but its own \n (a \r before it is data, as with kcat -P), and a last line
// without a newline still counts.

import fs from 'node:fs';

export interface LineBlock {
  data: Buffer;
  /** line i is data[starts[i], ends[i]) */
  starts: number[];
  ends: number[];
  /** the number of the block's first line */
  firstLine: number;
}

export function lineAt(block: LineBlock, i: number): Buffer {
  return block.data.subarray(block.starts[i], block.ends[i]);
}

export async function* readLines(input: AsyncIterable<Buffer | string>): AsyncGenerator<LineBlock> {
  let carry: Buffer | null = null;
  let lineNo = 1;
  for await (const piece of input) {
    const chunk = typeof piece === 'string' ? Buffer.from(piece) : piece;
    let start = 0;
    let nl = chunk.indexOf(10);
    if (carry !== null && nl >= 0) {
      const joined = Buffer.concat([carry, chunk.subarray(0, nl)]);
      carry = null;
      yield { data: joined, starts: [0], ends: [joined.length], firstLine: lineNo++ };
      start = nl + 1;
      nl = chunk.indexOf(10, start);
    }
    const starts: number[] = [];
    const ends: number[] = [];
    while (nl >= 0) {
      starts.push(start);
      ends.push(nl);
      start = nl + 1;
      nl = chunk.indexOf(10, start);
    }
    if (start < chunk.length)
      carry = carry === null ? chunk.subarray(start) : Buffer.concat([carry, chunk.subarray(start)]);
    if (starts.length > 0) {
      yield { data: chunk, starts, ends, firstLine: lineNo };
      lineNo += starts.length;
    }
  }
  if (carry !== null && carry.length > 0) yield { data: carry, starts: [0], ends: [carry.length], firstLine: lineNo };
}

/**
 * The bytes of a file in chunks read into two buffers taken in turns, not a new one per chunk (fresh
 * megabytes cost their page faults, and the GC's work): a chunk is overwritten two reads later, so a consumer
 * must be done with a chunk (and may hold only the one before it, as readLines' carry does) when it asks for
 * the next one. The producer copies each record into its batch when it is written.
 */
export async function* fileChunks(file: string, size = 1 << 20): AsyncGenerator<Buffer> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const buffers = [Buffer.allocUnsafeSlow(size), Buffer.allocUnsafeSlow(size)];
    for (let turn = 0; ; turn ^= 1) {
      const { bytesRead } = await handle.read(buffers[turn], 0, size, null);
      if (bytesRead === 0) return;
      yield buffers[turn].subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}
