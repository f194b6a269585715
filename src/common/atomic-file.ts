// Whole-file replacement that a crash cannot leave half-written: write a temp file, fsync it, rename it over
// the target, fsync the directory.

import fs from 'node:fs';
import path from 'node:path';

/** `sync: false` skips the fsyncs: still never half-written, but the old content may be back after a power loss. */
export function writeFileAtomic(file: string, data: string | Buffer, { sync = true }: { sync?: boolean } = {}): void {
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o644);
  try {
    try {
      fs.writeFileSync(fd, data);
      if (sync) fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (err) {
    // A half-written temp file would hold on to the space a full disk lacks; the target is untouched.
    fs.rmSync(tmp, { force: true });
    const e = err as NodeJS.ErrnoException;
    if (e instanceof Error && e.path === undefined) e.path = file;
    throw err;
  }
  if (sync) fsyncDir(path.dirname(file));
}

export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some filesystems refuse fsync on directories; the rename itself is still atomic.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
