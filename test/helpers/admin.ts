// Running the CLI (in process) for the admin command tests: a clean environment (no EVT_* from the caller, a temporary
// HOME and XDG_CONFIG_HOME so that no real profile leaks in), a working directory of the test's choosing.
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from './broker.js';
import { runInProcess } from './cli.js';
import type { EvtResult } from './spawn.js';

export type { EvtResult };

export interface Sandbox {
  home: string;
  /** $XDG_CONFIG_HOME */
  xdg: string;
  /** a directory without evt.config.json in it or above it */
  cwd: string;
  env: NodeJS.ProcessEnv;
  userFile: string;
}

export function sandbox(): Sandbox {
  const root = tempDir('evt-admin-');
  const home = path.join(root, 'home');
  const xdg = path.join(root, 'xdg');
  const cwd = path.join(root, 'work');
  for (const d of [home, xdg, cwd]) fs.mkdirSync(d, { recursive: true });
  return { home, xdg, cwd, env: { HOME: home, XDG_CONFIG_HOME: xdg }, userFile: path.join(xdg, 'evt', 'config.json') };
}

export function cleanEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('EVT_') && k !== 'NO_COLOR') env[k] = v;
  return { ...env, ...extra };
}

/** Runs `evt ...args` to completion in the sandbox's clean environment and working directory. */
export function evt(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; sb?: Sandbox } = {},
): Promise<EvtResult> {
  const env = cleanEnv({ ...(opts.sb?.env ?? {}), ...(opts.env ?? {}) });
  return runInProcess(args, {
    env,
    replaceEnv: true,
    cwd: opts.cwd ?? opts.sb?.cwd,
    timeoutMs: opts.timeoutMs ?? 40_000,
  });
}

export function json<T = any>(r: EvtResult): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${r.code}): stdout ${JSON.stringify(r.stdout)} stderr ${JSON.stringify(r.stderr)}`);
  }
}
