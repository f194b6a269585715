// The side effects a command may use, passed in so that commands can be run in tests without a process.

export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  /** resolves on SIGINT/SIGTERM (long-running commands stop cleanly then) */
  interrupted: Promise<NodeJS.Signals>;
}

export interface GlobalOptions {
  brokers?: string;
  json: boolean;
  verbose: boolean;
  color: boolean;
}

export function processIo(): Io {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    interrupted: new Promise((resolve) => {
      for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => resolve(sig));
    }),
  };
}

/** Colour only on a terminal, and never with NO_COLOR or --no-color. */
export function useColor(io: Io, opts: GlobalOptions): boolean {
  return opts.color && !!io.stderr.isTTY && io.env.NO_COLOR === undefined;
}

export function printLine(stream: NodeJS.WritableStream, line: string): void {
  stream.write(line + '\n');
}

export function printJson(io: Io, value: unknown): void {
  io.stdout.write(JSON.stringify(value) + '\n');
}
