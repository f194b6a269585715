// The data directory lock: two brokers appending to the same segment files would corrupt them.
//
// `.lock` is created with O_CREAT|O_EXCL ('wx'), so exactly one process creates it, and holds the owner's
// pid. When it already exists, the pid decides: a live process means the directory is in use; a dead one
// means a broker crashed without releasing it, and the lock is taken over. A lock carrying our own pid
// that this process does not hold is also stale: a previous life of the same pid (pid 1 in a container
// restarted after a kill).
//
// Limits: Node has no flock(2), so two processes taking over the same stale lock at the same instant could
// both succeed; and a stale pid reused by an unrelated live process keeps the lock until that process ends
// (delete `.lock` by hand then).

import fs from 'node:fs';
import path from 'node:path';

export const LOCK_FILE = '.lock';

/** the real paths of the data directories this process holds */
const held = new Set<string>();

export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(`data dir ${dataDir} is in use by another evt broker (pid ${pid})`);
    this.name = 'DataDirInUseError';
  }
}

function readPid(file: string): number | null {
  try {
    const n = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isSafeInteger(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class DataDirLock {
  private released = false;

  private constructor(
    readonly dir: string,
    readonly file: string,
  ) {}

  /** Takes the lock of an existing directory, or throws DataDirInUseError. */
  static acquire(dataDir: string): DataDirLock {
    const dir = fs.realpathSync(dataDir);
    const file = path.join(dir, LOCK_FILE);
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const fd = fs.openSync(file, 'wx', 0o644);
        try {
          fs.writeSync(fd, `${process.pid}\n`);
        } catch (err) {
          // e.g. a full disk: an empty lock would stay behind; the start-up error names the file
          fs.closeSync(fd);
          fs.rmSync(file, { force: true });
          throw Object.assign(err as Error, { path: file });
        }
        fs.closeSync(fd);
        held.add(dir);
        return new DataDirLock(dir, file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const pid = readPid(file);
      if (pid !== null && isAlive(pid) && (pid !== process.pid || held.has(dir))) throw new DataDirInUseError(dir, pid);
      fs.rmSync(file, { force: true });
    }
    throw new Error(`could not take the lock ${file}: it keeps reappearing`);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    held.delete(this.dir);
    if (readPid(this.file) === process.pid) fs.rmSync(this.file, { force: true });
  }
}
