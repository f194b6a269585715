// Buffers of one size, reused: the producer's batches are written into them and given back once the broker
// has answered (the socket has then written every byte). A fresh megabyte per batch costs its page faults
// each time (more than the copy of the records into it), and the garbage collector's work to let it go.

export class BufferPool {
  private readonly free: Buffer[] = [];

  constructor(
    /** the length of every buffer */
    readonly size: number,
    /** at most this many idle buffers are kept */
    private readonly keep: number,
  ) {}

  take(): Buffer {
    // allocUnsafeSlow: a buffer of its own, never a slice of Node's shared pool (whose other slices live on)
    return this.free.pop() ?? Buffer.allocUnsafeSlow(this.size);
  }

  /** Gives a buffer back; one of another length (a batch that outgrew its buffer) is left to the GC. */
  give(buf: Buffer): void {
    if (buf.length === this.size && this.free.length < this.keep) this.free.push(buf);
  }
}
