// The files a log is made of, behind one small interface with two implementations: real files on disk, and
// growable buffers for `--in-memory` brokers. Everything above this module runs the same code either way.
//
// Disk I/O is synchronous on purpose (writeSync/readSync/fsyncSync on kept-open descriptors): the broker is
// one event loop, so a synchronous append is atomic and ordered with respect to every other request, and
// once `append` returns the bytes are in the OS: a kill -9 of the process right after an acknowledgement
// loses nothing (only a power loss can, unless fsync is on).

import fs from 'node:fs';
import path from 'node:path';
import { fsyncDir, writeFileAtomic } from '../../common/atomic-file.js';

export interface LogFile {
  readonly path: string;
  /** bytes in the file */
  readonly size: number;
  /** last modification time (retention falls back to it for batches without timestamps) */
  mtimeMs(): number;
  /** Writes all of `data` at the end of the file before returning. On failure the file is left unchanged. */
  append(data: Buffer): void;
  /** Exactly `length` bytes from `position`. The buffer must not be modified by the caller. */
  read(position: number, length: number): Buffer;
  /** Up to `length` bytes from `position` into `target`; returns how many were read. */
  readInto(target: Buffer, targetOffset: number, length: number, position: number): number;
  truncate(size: number): void;
  sync(): void;
  /** As sync(), in libuv's thread pool: background work (the log cleaner) must not hold the event loop. */
  syncAsync(): Promise<void>;
  close(): void;
}

export interface Storage {
  readonly inMemory: boolean;
  mkdirp(dir: string): void;
  /** names of the entries of `dir` ([] when it does not exist) */
  list(dir: string): string[];
  exists(file: string): boolean;
  /** Opens a file for reading and appending, creating it when missing (emptied with `truncate`). */
  openFile(file: string, options?: { truncate?: boolean }): LogFile;
  /** the whole file, or null when it does not exist */
  readFile(file: string): Buffer | null;
  /** Replaces a file so that a crash leaves either the old or the new content (temp file + rename). */
  writeFileAtomic(file: string, data: string | Buffer, options?: { sync?: boolean }): void;
  /** atomically replaces `to` with `from` */
  rename(from: string, to: string): void;
  remove(file: string): void;
  removeDir(dir: string): void;
  /** makes creations, renames and removals in `dir` durable */
  syncDir(dir: string): void;
  /** As syncDir and remove, in libuv's thread pool: for background work (the log cleaner's swaps). */
  syncDirAsync(dir: string): Promise<void>;
  removeAsync(file: string): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------
// Disk

/** Node's write and fsync errors do not say which file: the broker's report of a failing disk must. */
function withPath(err: unknown, file: string): unknown {
  const e = err as NodeJS.ErrnoException | null;
  if (e instanceof Error && e.path === undefined) e.path = file;
  return err;
}

class DiskFile implements LogFile {
  private fd: number | null;
  private _size: number;
  /** bytes past `_size` that a failed append left and could not cut off */
  private tornTail = false;

  constructor(
    readonly path: string,
    truncate: boolean,
  ) {
    const flags = fs.constants.O_RDWR | fs.constants.O_CREAT | (truncate ? fs.constants.O_TRUNC : 0);
    this.fd = fs.openSync(path, flags, 0o644);
    this._size = fs.fstatSync(this.fd).size;
  }

  private get handle(): number {
    if (this.fd === null) throw new Error(`${this.path} is closed`);
    return this.fd;
  }

  get size(): number {
    return this._size;
  }

  mtimeMs(): number {
    return fs.fstatSync(this.handle).mtimeMs;
  }

  append(data: Buffer): void {
    const fd = this.handle;
    const start = this._size;
    if (this.tornTail) {
      // An earlier failed append could not cut its bytes off: do it now, or refuse to append after them.
      this.cut(fd, start);
      this.tornTail = false;
    }
    let done = 0;
    try {
      // writeSync may write less than asked (e.g. near a full disk); loop until all of it is in.
      while (done < data.length) done += fs.writeSync(fd, data, done, data.length - done, start + done);
    } catch (err) {
      // Never leave half a batch behind: later appends would follow a torn batch.
      try {
        if (done > 0) fs.ftruncateSync(fd, start);
      } catch {
        this.tornTail = true;
      }
      throw withPath(err, this.path);
    }
    this._size = start + data.length;
  }

  private cut(fd: number, size: number): void {
    try {
      fs.ftruncateSync(fd, size);
    } catch (err) {
      throw withPath(err, this.path);
    }
  }

  read(position: number, length: number): Buffer {
    const out = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const n = fs.readSync(this.handle, out, done, length - done, position + done);
      if (n === 0) throw new Error(`${this.path}: short read at ${position + done} (size ${this._size})`);
      done += n;
    }
    return out;
  }

  readInto(target: Buffer, targetOffset: number, length: number, position: number): number {
    let done = 0;
    while (done < length) {
      const n = fs.readSync(this.handle, target, targetOffset + done, length - done, position + done);
      if (n === 0) break;
      done += n;
    }
    return done;
  }

  truncate(size: number): void {
    this.cut(this.handle, size);
    this._size = size;
    this.tornTail = false;
  }

  sync(): void {
    try {
      fs.fsyncSync(this.handle);
    } catch (err) {
      throw withPath(err, this.path);
    }
  }

  syncAsync(): Promise<void> {
    const fd = this.handle;
    return new Promise((resolve, reject) =>
      fs.fsync(fd, (err) => (err ? reject(withPath(err, this.path)) : resolve())),
    );
  }

  close(): void {
    if (this.fd === null) return;
    fs.closeSync(this.fd);
    this.fd = null;
  }
}

export class DiskStorage implements Storage {
  readonly inMemory = false;

  mkdirp(dir: string): void {
    fs.mkdirSync(dir, { recursive: true });
  }

  list(dir: string): string[] {
    try {
      return fs.readdirSync(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  exists(file: string): boolean {
    return fs.existsSync(file);
  }

  openFile(file: string, options: { truncate?: boolean } = {}): LogFile {
    return new DiskFile(file, options.truncate ?? false);
  }

  readFile(file: string): Buffer | null {
    try {
      return fs.readFileSync(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  writeFileAtomic(file: string, data: string | Buffer, options: { sync?: boolean } = {}): void {
    writeFileAtomic(file, data, options);
  }

  rename(from: string, to: string): void {
    fs.renameSync(from, to);
  }

  remove(file: string): void {
    fs.rmSync(file, { force: true });
  }

  removeDir(dir: string): void {
    fs.rmSync(dir, { recursive: true, force: true });
  }

  syncDir(dir: string): void {
    fsyncDir(dir);
  }

  async syncDirAsync(dir: string): Promise<void> {
    let handle: fs.promises.FileHandle | undefined;
    try {
      handle = await fs.promises.open(dir, 'r');
      await handle.sync();
    } catch {
      // as fsyncDir: some filesystems refuse fsync on directories; the renames are atomic all the same
    } finally {
      await handle?.close();
    }
  }

  removeAsync(file: string): Promise<void> {
    return fs.promises.rm(file, { force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------
// Memory

const MIN_CAPACITY = 4096;
/** grow by doubling, but by at most this much at a time, so a big segment does not waste half its size */
const MAX_GROWTH = 64 * 1024 * 1024;

/** The bytes of one in-memory file, shared by every handle opened on its path. */
interface MemoryData {
  buf: Buffer;
  size: number;
  mtimeMs: number;
}

class MemoryFile implements LogFile {
  private closed = false;
  constructor(
    readonly path: string,
    private readonly data: MemoryData,
  ) {}

  get size(): number {
    return this.data.size;
  }

  mtimeMs(): number {
    return this.data.mtimeMs;
  }

  private check(): void {
    if (this.closed) throw new Error(`${this.path} is closed`);
  }

  append(chunk: Buffer): void {
    this.check();
    const d = this.data;
    const needed = d.size + chunk.length;
    if (needed > d.buf.length) {
      const grown = Math.max(needed, MIN_CAPACITY, d.buf.length + Math.min(d.buf.length, MAX_GROWTH));
      const next = Buffer.allocUnsafe(grown);
      d.buf.copy(next, 0, 0, d.size);
      d.buf = next;
    }
    chunk.copy(d.buf, d.size);
    d.size = needed;
    d.mtimeMs = Date.now();
  }

  /**
   * A slice of the file's buffer, not a copy: bytes below `size` never change (appends write past the end,
   * growth and truncation move to a new buffer), so a fetch response may hold on to it safely.
   */
  read(position: number, length: number): Buffer {
    this.check();
    if (position + length > this.data.size)
      throw new Error(`${this.path}: short read at ${position} (size ${this.data.size})`);
    return this.data.buf.subarray(position, position + length);
  }

  readInto(target: Buffer, targetOffset: number, length: number, position: number): number {
    this.check();
    const n = Math.max(0, Math.min(length, this.data.size - position));
    this.data.buf.copy(target, targetOffset, position, position + n);
    return n;
  }

  truncate(size: number): void {
    this.check();
    const d = this.data;
    if (size >= d.size) return;
    // A fresh buffer, so that slices handed out earlier keep their bytes when appends overwrite the tail.
    const next = Buffer.allocUnsafe(Math.max(size, MIN_CAPACITY));
    d.buf.copy(next, 0, 0, size);
    d.buf = next;
    d.size = size;
    d.mtimeMs = Date.now();
  }

  sync(): void {}

  syncAsync(): Promise<void> {
    return Promise.resolve();
  }

  close(): void {
    this.closed = true;
  }
}

export class MemoryStorage implements Storage {
  readonly inMemory = true;
  private files = new Map<string, MemoryData>();
  private dirs = new Set<string>();

  private norm(p: string): string {
    return path.resolve('/', p);
  }

  mkdirp(dir: string): void {
    let d = this.norm(dir);
    while (!this.dirs.has(d)) {
      this.dirs.add(d);
      const parent = path.dirname(d);
      if (parent === d) break;
      d = parent;
    }
  }

  list(dir: string): string[] {
    const d = this.norm(dir);
    const out = new Set<string>();
    for (const p of [...this.files.keys(), ...this.dirs])
      if (p !== d && path.dirname(p) === d) out.add(path.basename(p));
    return [...out];
  }

  exists(file: string): boolean {
    const f = this.norm(file);
    return this.files.has(f) || this.dirs.has(f);
  }

  openFile(file: string, options: { truncate?: boolean } = {}): LogFile {
    const f = this.norm(file);
    if (!this.dirs.has(path.dirname(f))) {
      throw Object.assign(new Error(`ENOENT: no such directory ${path.dirname(f)}`), { code: 'ENOENT' });
    }
    let data = this.files.get(f);
    if (!data || options.truncate) {
      data = { buf: Buffer.alloc(0), size: 0, mtimeMs: Date.now() };
      this.files.set(f, data);
    }
    return new MemoryFile(f, data);
  }

  readFile(file: string): Buffer | null {
    const data = this.files.get(this.norm(file));
    return data ? Buffer.from(data.buf.subarray(0, data.size)) : null;
  }

  writeFileAtomic(file: string, data: string | Buffer): void {
    const f = this.norm(file);
    const buf = Buffer.from(data);
    this.files.set(f, { buf, size: buf.length, mtimeMs: Date.now() });
  }

  rename(from: string, to: string): void {
    const data = this.files.get(this.norm(from));
    if (!data) throw Object.assign(new Error(`ENOENT: no such file ${from}`), { code: 'ENOENT' });
    this.files.delete(this.norm(from));
    this.files.set(this.norm(to), data);
  }

  remove(file: string): void {
    this.files.delete(this.norm(file));
  }

  removeDir(dir: string): void {
    const d = this.norm(dir);
    const inside = (p: string) => p === d || p.startsWith(d + '/');
    for (const p of [...this.files.keys()]) if (inside(p)) this.files.delete(p);
    for (const p of [...this.dirs]) if (inside(p)) this.dirs.delete(p);
  }

  syncDir(): void {}

  syncDirAsync(): Promise<void> {
    return Promise.resolve();
  }

  removeAsync(file: string): Promise<void> {
    this.remove(file);
    return Promise.resolve();
  }
}
