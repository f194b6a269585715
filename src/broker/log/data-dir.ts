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

/** the closest existing ancestor of `dir` (itself included) that is not a directory, if any */
function fileInTheWay(dir: string): string | undefined {
  for (let p = dir; ; p = path.dirname(p)) {
    const st = fs.statSync(p, { throwIfNoEntry: false });
    if (st && !st.isDirectory()) return p;
    if (st || path.dirname(p) === p) return undefined;
  }
}

/** Creates `dir` when missing and checks that it is a writable directory; throws DataDirError otherwise. */
export function prepareDataDir(dir: string): void {
  const inTheWay = fileInTheWay(dir);
  if (inTheWay === dir) throw new DataDirError(`data dir ${dir} is a file, not a directory`);
  if (inTheWay) throw new DataDirError(`cannot create data dir ${dir}: ${inTheWay} is a file, not a directory`);
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new DataDirError(`cannot create data dir ${dir}: ${describeIoError(err)}`);
  }
  try {
    // access(2) reports a read-only file system (EROFS) even to root, whom permissions do not stop
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
  } catch (err) {
    throw new DataDirError(`data dir ${dir} is not writable: ${describeIoError(err)}`);
  }
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
