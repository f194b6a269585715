// Lines from a byte stream, without decoding or copying them: a block is one chunk with the start and end
// of each line in it (a line split across chunks is joined into a block of its own). Lines are numbered
// from 1; a line keeps every byte but its own \n (a \r before it is data, as with kcat -P), and a last line
// without a newline still counts.

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
