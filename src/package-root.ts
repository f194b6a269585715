// The directory evt is installed in (where package.json, bin/ and schemas/ are), found from this module's own
// location, so that it is right from the sources (vitest), from the compiled dist/ tree and in an installed
// package alike.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

export function packageRoot(): string {
  if (root) return root;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === 'evt')
      return (root = dir);
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the directory evt is installed in');
    dir = parent;
  }
}

/** The CLI's entry point, for spawning evt itself. */
export function evtBin(): string {
  return path.join(packageRoot(), 'bin', 'evt.js');
}
