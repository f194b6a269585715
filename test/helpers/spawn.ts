// Spawning the real CLI (bin/evt.js, compiled by `npm test`'s build step) as a separate process.

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import readline from 'node:readline';

export const EVT_BIN = fileURLToPath(new URL('../../bin/evt.js', import.meta.url));

export interface SpawnedBroker {
  proc: ChildProcess;
  bootstrap: string;
  port: number;
  stderr: () => string;
  /** resolves with the exit code (or the signal name) */
  exited: Promise<number | string>;
}

/** Starts `evt broker --json --port 0 ...args` and waits for its bootstrap line. */
export async function spawnBroker(args: string[], timeoutMs = 15_000): Promise<SpawnedBroker> {
  const proc = spawn(process.execPath, [EVT_BIN, '--json', 'broker', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | string>((resolve) => proc.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`broker did not start in ${timeoutMs} ms: ${err}`)), timeoutMs);
    readline.createInterface({ input: proc.stdout! }).once('line', (l) => {
      clearTimeout(timer);
      resolve(l);
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`broker exited with ${code} before starting: ${err}`));
    });
  });
  const info = JSON.parse(line) as { bootstrap: string; port: number };
  return { proc, bootstrap: info.bootstrap, port: info.port, stderr: () => err, exited };
}

export interface EvtResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * Runs the CLI to completion and returns its exit code, output and elapsed time. `env` is added to this
 * process's environment, or replaces it with `replaceEnv`.
 */
export function runEvt(
  args: string[],
  opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv; replaceEnv?: boolean; cwd?: string } = {},
): Promise<EvtResult> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const env = opts.replaceEnv ? opts.env : { ...process.env, ...opts.env };
    const proc = spawn(process.execPath, [EVT_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env, cwd: opts.cwd });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d) => (stdout += d));
    proc.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`evt ${args.join(' ')} did not finish in time; stderr: ${stderr}`));
    }, opts.timeoutMs ?? 20_000);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - start });
    });
  });
}
