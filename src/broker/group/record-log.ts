// An append-only file of checksummed JSON entries: the persistence under the committed offsets.
//
// Each entry is framed `[length u32 BE][crc32c u32 BE][length bytes of UTF-8 JSON]`. A crash can tear only
// the tail (appends go to the end), so replay stops at the first entry that is short, fails its checksum or
// does not parse, and truncates the file there: everything before it was written whole. Compaction replaces
// the whole file atomically (temp file, fsync, rename, fsync the directory), so a crash during it leaves
// either the old file or the new one.
//
// All I/O is synchronous on purpose: entries are small, and a synchronous append lets the coordinator answer
// an OffsetCommit only once the commit is in the file (and on disk, with fsync "always").

import fs from 'node:fs';
import path from 'node:path';
import { crc32c } from '@node-rs/crc32';
import { fsyncDir } from '../../common/atomic-file.js';
import type { FsyncPolicy } from '../log/partition-log.js';

const HEADER_BYTES = 8;
/** no legitimate entry comes near this; a larger length is a torn or garbage header */
const MAX_ENTRY_BYTES = 64 * 1024 * 1024;

export interface RecordLogOptions {
  file: string;
  fsync: FsyncPolicy;
  /** how often "interval" flushes (Kafka-style flush.ms); 1 s by default */
  fsyncIntervalMs?: number;
  onWarning?: (message: string) => void;
}

export function frame(entry: unknown): Buffer {
  const json = Buffer.from(JSON.stringify(entry), 'utf8');
  const out = Buffer.allocUnsafe(HEADER_BYTES + json.length);
  out.writeUInt32BE(json.length, 0);
  out.writeUInt32BE(crc32c(json) >>> 0, 4);
  json.copy(out, HEADER_BYTES);
  return out;
}

/** Decodes the whole entries at the start of `buf`; `validBytes` is where the first bad one starts. */
export function parseFrames(buf: Buffer): {
  entries: unknown[];
  sizes: number[];
  validBytes: number;
  problem: string | null;
} {
  const entries: unknown[] = [];
  const sizes: number[] = [];
  let pos = 0;
  while (pos < buf.length) {
    if (buf.length - pos < HEADER_BYTES) return { entries, sizes, validBytes: pos, problem: 'a partial entry header' };
    const len = buf.readUInt32BE(pos);
    if (len > MAX_ENTRY_BYTES || pos + HEADER_BYTES + len > buf.length) {
      return { entries, sizes, validBytes: pos, problem: 'a partial entry' };
    }
    const json = buf.subarray(pos + HEADER_BYTES, pos + HEADER_BYTES + len);
    if (crc32c(json) >>> 0 !== buf.readUInt32BE(pos + 4))
      return { entries, sizes, validBytes: pos, problem: 'a checksum mismatch' };
    try {
      entries.push(JSON.parse(json.toString('utf8')));
      sizes.push(HEADER_BYTES + len);
    } catch {
      return { entries, sizes, validBytes: pos, problem: 'an unreadable entry' };
    }
    pos += HEADER_BYTES + len;
  }
  return { entries, sizes, validBytes: pos, problem: null };
}

export class RecordLog {
  private fd: number;
  private bytes: number;
  private dirty = false;
  private closed = false;
  private timer: NodeJS.Timeout | null = null;

  private constructor(
    private readonly opts: RecordLogOptions,
    fd: number,
    bytes: number,
  ) {
    this.fd = fd;
    this.bytes = bytes;
    if (opts.fsync === 'interval') {
      this.timer = setInterval(() => {
        try {
          this.flush();
        } catch (err) {
          opts.onWarning?.(`${opts.file}: fsync failed: ${(err as Error).message}`);
        }
      }, opts.fsyncIntervalMs ?? 1000);
      this.timer.unref();
    }
  }

  /** Opens (creating) the file, replays its entries and cuts off a torn tail. */
  static open(opts: RecordLogOptions): { log: RecordLog; entries: unknown[]; sizes: number[] } {
    fs.mkdirSync(path.dirname(opts.file), { recursive: true });
    // A leftover temp file is a compaction that crashed before its rename: the old file is still the truth.
    fs.rmSync(tempFileOf(opts.file), { force: true });
    const buf = fs.existsSync(opts.file) ? fs.readFileSync(opts.file) : Buffer.alloc(0);
    const { entries, sizes, validBytes, problem } = parseFrames(buf);
    const fd = fs.openSync(opts.file, 'a+');
    if (problem) {
      opts.onWarning?.(
        `${opts.file}: ${problem} at byte ${validBytes}; truncating ${buf.length - validBytes} trailing bytes (kept ${entries.length} entries)`,
      );
      fs.ftruncateSync(fd, validBytes);
      fs.fsyncSync(fd);
    }
    return { log: new RecordLog(opts, fd, validBytes), entries, sizes };
  }

  /** Size of the file in bytes. */
  get size(): number {
    return this.bytes;
  }

  /**
   * Appends entries in one write. On an I/O error the file is cut back to where it was, so that a failed
   * append cannot leave a torn entry in the middle of the log, and the error is rethrown. Returns the framed
   * size of each entry (the store uses them to know how much of the file is still live).
   */
  append(entries: unknown[]): number[] {
    if (entries.length === 0) return [];
    const frames = entries.map(frame);
    const data = Buffer.concat(frames);
    try {
      let off = 0;
      while (off < data.length) off += fs.writeSync(this.fd, data, off, data.length - off);
      if (this.opts.fsync === 'always') fs.fsyncSync(this.fd);
      else this.dirty = true;
    } catch (err) {
      try {
        fs.ftruncateSync(this.fd, this.bytes);
      } catch {
        // the next open truncates at the torn entry anyway
      }
      const e = err as NodeJS.ErrnoException;
      if (e instanceof Error && e.path === undefined) e.path = this.opts.file; // the disk's report names the file
      throw err;
    }
    this.bytes += data.length;
    return frames.map((f) => f.length);
  }

  /** Replaces the whole file with `entries`, atomically; returns the framed size of each entry. */
  rewrite(entries: unknown[]): number[] {
    const frames = entries.map(frame);
    const data = Buffer.concat(frames);
    const tmp = tempFileOf(this.opts.file);
    const tfd = fs.openSync(tmp, 'w');
    try {
      let off = 0;
      while (off < data.length) off += fs.writeSync(tfd, data, off, data.length - off);
      // Always fsync here, whatever the policy: without it a crash after the rename could leave an empty
      // file, losing every offset rather than only the latest ones.
      fs.fsyncSync(tfd);
    } finally {
      fs.closeSync(tfd);
    }
    fs.renameSync(tmp, this.opts.file);
    fsyncDir(path.dirname(this.opts.file));
    fs.closeSync(this.fd);
    this.fd = fs.openSync(this.opts.file, 'a+');
    this.bytes = data.length;
    this.dirty = false;
    return frames.map((f) => f.length);
  }

  /** fsyncs what was appended since the last flush. */
  flush(): void {
    if (!this.dirty) return;
    this.dirty = false;
    fs.fsyncSync(this.fd);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.flush();
    fs.closeSync(this.fd);
  }
}

function tempFileOf(file: string): string {
  return `${file}.compacting`;
}
