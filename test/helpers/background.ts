// Long-running programs a test starts beside the broker (zookeeper, Burrow): their output kept for the failure
// message, their exit noticed, and a stop that does not return before the process is gone.
import { spawn, type ChildProcess } from 'node:child_process';

export interface Background {
  readonly name: string;
  readonly proc: ChildProcess;
  /** the last lines the program wrote (stdout and stderr together) */
  output(): string;
  /** the exit code or signal once it exited, else undefined */
  exitStatus(): number | string | undefined;
  /** throws, with the program's output, if it has exited */
  assertRunning(): void;
  /** sends `signal` and waits for the exit */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

const KEPT_LINES = 200;

export function startBackground(
  name: string,
  cmd: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Background {
  const proc = spawn(cmd, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let partial = '';
  const keep = (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
    if (lines.length > KEPT_LINES) lines.splice(0, lines.length - KEPT_LINES);
  };
  proc.stdout.on('data', keep);
  proc.stderr.on('data', keep);
  let status: number | string | undefined;
  const exited = new Promise<void>((resolve) =>
    proc.on('exit', (code, signal) => {
      status = code ?? signal ?? -1;
      resolve();
    }),
  );
  proc.on('error', (err) => lines.push(`cannot start ${cmd}: ${err.message}`));
  const output = () => [...lines, partial].join('\n');
  return {
    name,
    proc,
    output,
    exitStatus: () => status,
    assertRunning() {
      if (status !== undefined) throw new Error(`${name} exited (${status}):\n${output()}`);
    },
    async stop(signal = 'SIGTERM') {
      if (status === undefined) proc.kill(signal);
      await exited;
    },
  };
}
