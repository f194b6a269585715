// Builds a Go test program against Debian's Go packages, offline (GOPATH mode over /usr/share/gocode, no module
// download), once: the binary is cached under the OS temp dir keyed by the source's hash and the Go version, so
// that CI and later runs reuse it (a build takes seconds; a cached one nothing).

import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run } from './interop.js';

const GO_ENV = { GO111MODULE: 'off', GOPATH: '/usr/share/gocode', GOFLAGS: '', GOTOOLCHAIN: 'local' };

/** The path of the built program of `source` (one main.go), building it when no cached build exists. */
export async function goBinary(source: string): Promise<string> {
  const version = spawnSync('go', ['version'], { encoding: 'utf8' }).stdout;
  const hash = createHash('sha256').update(fs.readFileSync(source)).update(version).digest('hex').slice(0, 16);
  const dir = path.join(os.tmpdir(), `evt-go-${hash}`);
  const binary = path.join(dir, path.basename(path.dirname(source)));
  if (fs.existsSync(binary)) return binary;
  fs.mkdirSync(dir, { recursive: true });
  const partial = `${binary}.${process.pid}.tmp`;
  const env = { ...process.env, ...GO_ENV, GOCACHE: path.join(dir, 'cache') };
  const r = await run('sh', ['-c', 'exec go build -o "$0" "$1"', partial, source], { timeoutMs: 300_000, env });
  if (r.status !== 0) throw new Error(`go build ${source} failed: ${r.stderr}`);
  fs.renameSync(partial, binary); // atomic: a concurrent run sees no binary or a whole one
  return binary;
}
