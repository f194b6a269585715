// The producer's pool of batch buffers: a buffer given back is the next one taken, one of another length
// (a batch that outgrew its buffer) or beyond what is kept is not.

import { describe, expect, it } from 'vitest';
import { BufferPool } from '../../../src/client/wire/buffer-pool.js';

describe('BufferPool', () => {
  it('hands out buffers of its size and reuses the ones given back', () => {
    const pool = new BufferPool(1024, 2);
    const a = pool.take();
    const b = pool.take();
    expect(a.length).toBe(1024);
    expect(a).not.toBe(b);
    // not a slice of a shared slab: the buffer is its own memory
    expect(a.byteOffset).toBe(0);
    expect(a.buffer.byteLength).toBe(1024);
    pool.give(a);
    expect(pool.take()).toBe(a);
  });

  it('keeps no buffer of another length and no more than it was told', () => {
    const pool = new BufferPool(64, 1);
    pool.give(Buffer.alloc(128));
    const fresh = pool.take();
    expect(fresh.length).toBe(64);
    const other = pool.take();
    pool.give(fresh);
    pool.give(other);
    expect(pool.take()).toBe(fresh);
    expect(pool.take()).not.toBe(other);
  });
});
