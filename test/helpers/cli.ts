// Running a command in this process: `main(argv, io)` against the sources, with the output collected, the
// environment and working directory of the caller's choosing and stdin given or closed. What needs a real
// process (signals, a terminal, a closed pipe, exit codes set by bin/evt.js) is spawned instead (spawn.ts).

import { Readable, Writable } from 'node:stream';
import { main } from '../../commands/main.js';
import type { Io } from '../../src/cli/io.js';
import type { EvtOptions, EvtResult } from './spawn.js';

/** Output collected as text, as a spawned process's would be. */
class Collected extends Writable {
  text = '';
  /** the bytes as written (binary output, e.g. tail --format '%s', is not valid UTF-8) */
  readonly chunks: Buffer[] = [];
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    this.chunks.push(Buffer.from(chunk));
    done();
  }
}

/** An Io for a command run in process: no terminal, never interrupted. */
export function testIo(
  opts: { input?: string | Buffer; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Io & { out: () => string; err: () => string; outBytes: () => Buffer } {
  const stdout = new Collected();
  const stderr = new Collected();
  return {
    stdin: Readable.from(opts.input === undefined ? [] : [Buffer.from(opts.input)]),
    stdout,
    stderr,
    env: opts.env ?? {},
    cwd: opts.cwd ?? process.cwd(),
    interrupted: () => new Promise(() => {}),
    out: () => stdout.text,
    err: () => stderr.text,
    outBytes: () => Buffer.concat(stdout.chunks),
  };
}

/**
 * Runs `evt ...args` in this process to completion, with the environment (the caller's, plus `env`, unless
 * `replaceEnv`) and working directory a spawned evt would have. A command that outlives `timeoutMs` fails the
 * test with its stderr (it cannot be killed, so it is left to end with the test file's process).
 */
export async function runInProcess(args: string[], opts: EvtOptions & { timeoutMs?: number } = {}): Promise<EvtResult> {
  const began = Date.now();
  const env = opts.replaceEnv ? { ...opts.env } : { ...process.env, ...opts.env };
  const io = testIo({ input: opts.input, env, cwd: opts.cwd });
  // relative paths in arguments (--file, --db, --flow) are resolved by the file system against the process's
  // directory, as they would be in a spawned evt started there
  const before = process.cwd();
  if (opts.cwd) process.chdir(opts.cwd);
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeoutMs = opts.timeoutMs ?? 30_000;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`evt ${args.join(' ')} did not finish in ${timeoutMs} ms; stderr: ${io.err()}`)),
        timeoutMs,
      );
    });
    const code = await Promise.race([main(args, io), timedOut]);
    return {
      code,
      signal: null,
      stdout: io.out(),
      stderr: io.err(),
      ms: Date.now() - began,
      stdoutBytes: io.outBytes(),
    };
  } finally {
    clearTimeout(timer);
    if (opts.cwd) process.chdir(before);
  }
}
