// The data dir at start-up: created when missing, and checked to be a directory the broker can write, so that
// a wrong --data-dir fails with its real cause in one line (a read-only file system, a file in the way, no
// permission) rather than with whichever system call happened to trip over it first.

import fs from 'node:fs';
import path from 'node:path';
import { EvtError } from '../../common/errors.js';
import { describeIoError, ioErrorPath } from './disk-health.js';

export class DataDirError extends EvtError {
  constructor(message: string) {
    super(message, 'failure');
    this.name = 'DataDirError';
  }
}

function statOrNull(p: string): fs.Stats | null {
  try {
    return fs.statSync(p, { throwIfNoEntry: false }) ?? null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') return null; // a file higher up: found further up
    throw err;
  }
}

/** the closest existing ancestor of `dir`, itself included */
function closestExisting(dir: string): { path: string; stat: fs.Stats } {
  for (let p = dir; ; p = path.dirname(p)) {
    const stat = statOrNull(p);
    if (stat || path.dirname(p) === p) return { path: p, stat: stat ?? fs.statSync(p) };
  }
}

function writable(dir: string): unknown {
  try {
    // access(2) reports a read-only file system (EROFS) even to root, whom permissions do not stop
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
    return null;
  } catch (err) {
    return err;
  }
}

/** Creates `dir` when missing and checks that it is a writable directory; throws DataDirError otherwise. */
export function prepareDataDir(dir: string): void {
  const found = closestExisting(dir);
  if (!found.stat.isDirectory()) {
    if (found.path === dir) throw new DataDirError(`data dir ${dir} is a file, not a directory`);
    throw new DataDirError(`cannot create data dir ${dir}: ${found.path} is a file, not a directory`);
  }
  if (found.path !== dir) {
    // A recursive mkdir on a read-only file system fails with ENOENT: the parent's own failure says why.
    const cause = writable(found.path);
    if (cause) throw new DataDirError(`cannot create data dir ${dir}: ${describeIoError(cause)}`);
    try {
      fs.mkdirSync(dir, { recursive: true });
    } catch (err) {
      throw new DataDirError(`cannot create data dir ${dir}: ${describeIoError(err)}`);
    }
  }
  const cause = writable(dir);
  if (cause) throw new DataDirError(`data dir ${dir} is not writable: ${describeIoError(cause)}`);
}

/**
 * Start-up failures of the data dir's files (the lock, recovery, meta.json, groups.log) as one line naming the
 * file and the cause; other errors (a port in use) as they are.
 */
export function describeStartupIoError(dir: string, err: unknown): unknown {
  const file = ioErrorPath(err);
  if (file === undefined) return err;
  return new DataDirError(`data dir ${dir}: cannot use ${file}: ${describeIoError(err)}`);
}
