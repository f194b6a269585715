// Lines of a file read through fileChunks (two buffers taken in turns) and readLines: every line comes back
// as it was, lines that span two or more chunks included, as long as each block is used before the next is
// asked for (as produce does: the producer copies a record when it is written).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileChunks, readLines } from '../../../src/cli/produce/lines.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'evt-lines-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function linesOf(file: string, chunk: number): Promise<{ text: string; line: number }[]> {
  const out: { text: string; line: number }[] = [];
  for await (const block of readLines(fileChunks(file, chunk)))
    for (let i = 0; i < block.starts.length; i++)
      out.push({ text: block.data.toString('utf8', block.starts[i], block.ends[i]), line: block.firstLine + i });
  return out;
}

describe('fileChunks + readLines', () => {
  const lines = ['', 'a', 'ζήτα', 'x'.repeat(37), 'bb\r', '', 'y'.repeat(5), 'last without newline'];
  const file = path.join(dir, 'lines.txt');
  fs.writeFileSync(file, lines.join('\n'));

  for (const chunk of [1, 3, 7, 16, 1 << 20]) {
    it(`chunks of ${chunk} bytes: every line, numbered, spans of several chunks included`, async () => {
      expect(await linesOf(file, chunk)).toEqual(lines.map((text, i) => ({ text, line: i + 1 })));
    });
  }

  it('an empty file has no lines', async () => {
    const empty = path.join(dir, 'empty.txt');
    fs.writeFileSync(empty, '');
    expect(await linesOf(empty, 4)).toEqual([]);
  });
});
