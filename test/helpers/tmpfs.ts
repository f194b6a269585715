// A small tmpfs to fill up or remount read-only: what a full or read-only disk is, for real. Mounting needs
// root (CI runs as root); elsewhere the tests that need one are skipped with a printed reason, except in CI
// (EVT_REQUIRE_INTEROP=1), where not being able to mount is a failure.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { tempDir } from './broker.js';

export interface Tmpfs {
  dir: string;
  /** bytes free on it */
  free(): number;
  /** Writes a file of zeros that leaves about `freeBytes` free. */
  fillUpTo(file: string, freeBytes: number): void;
  remountReadOnly(): void;
  unmount(): void;
}

function sh(args: string[]): string | null {
  const r = spawnSync(args[0], args.slice(1), { encoding: 'utf8' });
  return r.status === 0 ? null : (r.stderr || r.error?.message || `exit ${r.status}`).trim();
}

/** Mounts a tmpfs of `size` (e.g. "2m"), or returns null (after printing why) when it cannot. */
export function mountTmpfs(size: string): Tmpfs | null {
  const dir = tempDir('evt-tmpfs-');
  const failure =
    process.getuid?.() !== 0 ? 'not running as root' : sh(['mount', '-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  if (failure !== null) {
    fs.rmSync(dir, { recursive: true, force: true });
    const msg = `cannot mount a tmpfs (${failure}): the full-disk and read-only data dir tests are skipped`;
    if (process.env.EVT_REQUIRE_INTEROP === '1') throw new Error(`${msg}, but EVT_REQUIRE_INTEROP=1 requires them`);
    console.warn(`SKIPPED: ${msg}`);
    return null;
  }
  const free = () => {
    const s = fs.statfsSync(dir);
    return s.bavail * s.bsize;
  };
  return {
    dir,
    free,
    fillUpTo(file, freeBytes) {
      const size = free() - freeBytes;
      if (size > 0) fs.writeFileSync(file, Buffer.alloc(size));
    },
    remountReadOnly() {
      const err = sh(['mount', '-o', 'remount,ro', dir]);
      if (err !== null) throw new Error(`remount ${dir} read-only: ${err}`);
    },
    unmount() {
      sh(['umount', '-l', dir]);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
