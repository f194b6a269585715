// A ByteTarget (what the tail's LineFormatter writes into) that grows, for tests that read what was written.

import type { ByteTarget } from '../../src/cli/tail/line-format.js';

export function byteTarget(size: number): ByteTarget {
  const t: ByteTarget = {
    buf: Buffer.alloc(size),
    pos: 0,
    reserve(n: number) {
      if (t.pos + n <= t.buf.length) return;
      const bigger = Buffer.alloc(Math.max(t.buf.length * 2, t.pos + n));
      t.buf.copy(bigger, 0, 0, t.pos);
      t.buf = bigger;
    },
  };
  return t;
}
