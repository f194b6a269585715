// Producer ids for idempotent producers. They must never repeat across restarts: a reused id would meet the
// sequence state the logs kept for its previous owner and be refused. Ids are reserved in blocks whose upper
// bound is persisted before any id of the block is handed out.

import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../common/atomic-file.js';

const BLOCK = 1000;

export class ProducerIdAllocator {
  private next: number;
  private blockEnd: number;

  constructor(private readonly file: string | null) {
    const stored =
      file && fs.existsSync(file)
        ? Number((JSON.parse(fs.readFileSync(file, 'utf8')) as { nextBlock?: unknown }).nextBlock)
        : 0;
    this.next = Number.isSafeInteger(stored) && stored > 0 ? stored : 1;
    this.blockEnd = this.next;
  }

  allocate(): number {
    if (this.next >= this.blockEnd) {
      const end = this.next + BLOCK;
      // the bound is persisted before any id below it is handed out: if it cannot be, none is
      if (this.file) writeFileAtomic(this.file, JSON.stringify({ nextBlock: end }) + '\n');
      this.blockEnd = end;
    }
    return this.next++;
  }

  static inDir(dataDir: string | null): ProducerIdAllocator {
    return new ProducerIdAllocator(dataDir ? path.join(dataDir, 'producer-ids.json') : null);
  }
}
