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
  const proc = spawn(process.execPath, [EVT_BIN, '--json', 'broker', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  proc.stderr.on('data', (d) => (err += d));
  const exited = new Promise<number | string>((resolve) =>
    proc.on('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`broker did not start in ${timeoutMs} ms: ${err}`)), timeoutMs);
    readline.createInterface({ input: proc.stdout }).once('line', (l) => {
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
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** stdout as the bytes written (set by runInProcess) */
  stdoutBytes?: Buffer;
}

export interface StartedEvt {
  proc: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  done: Promise<EvtResult>;
}

export interface EvtOptions {
  /** stdin: this input, else closed (unless keepStdin) */
  input?: string | Buffer;
  keepStdin?: boolean;
  /** added to this process's environment, or replacing it with replaceEnv */
  env?: NodeJS.ProcessEnv;
  replaceEnv?: boolean;
  cwd?: string;
}

/** Starts `evt ...args` and collects its output. */
export function startEvt(args: string[], opts: EvtOptions = {}): StartedEvt {
  const began = Date.now();
  const env = opts.replaceEnv ? opts.env : { ...process.env, ...opts.env };
  const proc = spawn(process.execPath, [EVT_BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env, cwd: opts.cwd });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d) => (stdout += d));
  proc.stderr.on('data', (d) => (stderr += d));
  proc.stdin.on('error', () => {});
  if (opts.input !== undefined) proc.stdin.end(opts.input);
  else if (!opts.keepStdin) proc.stdin.end();
  const done = new Promise<EvtResult>((resolve) =>
    proc.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, ms: Date.now() - began })),
  );
  return { proc, stdout: () => stdout, stderr: () => stderr, done };
}

/** Runs `evt ...args` to completion; one that outlives `timeoutMs` is killed and the test fails with its stderr. */
export async function runEvt(args: string[], opts: EvtOptions & { timeoutMs?: number } = {}): Promise<EvtResult> {
  const s = startEvt(args, opts);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    s.proc.kill('SIGKILL');
  }, opts.timeoutMs ?? 30_000);
  const r = await s.done;
  clearTimeout(timer);
  if (timedOut) throw new Error(`evt ${args.join(' ')} did not finish in time; stderr: ${r.stderr}`);
  return r;
}
