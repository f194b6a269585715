// The side effects a command may use, passed in so that commands can be run in tests without a process.

import type { ConnectionFlags } from '../client/profiles.js';

export interface Io {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  /** the working directory: where evt.config.json is looked for */
  cwd: string;
  /**
   * Resolves on SIGINT/SIGTERM, for long-running commands that stop cleanly. Signals are only caught once a
   * command asks (so Ctrl-C ends any other command at once), and a second signal exits immediately.
   */
  interrupted: () => Promise<NodeJS.Signals>;
}

export interface GlobalOptions extends ConnectionFlags {
  json: boolean;
  verbose: boolean;
  color: boolean;
}

/** What every command's register function receives. */
export interface CommandContext {
  io: Io;
  /** the global options, parsed (read them inside an action, not at registration) */
  globals: () => GlobalOptions;
}

export function processIo(): Io {
  let interrupted: Promise<NodeJS.Signals> | undefined;
  return {
    // on first use: process.stdin makes a stream for whatever stdin is (file, pipe, terminal), which costs a
    // few milliseconds of start-up that only commands reading it (produce, confirmations, the dashboard) need
    get stdin() {
      return process.stdin;
    },
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    interrupted: () =>
      (interrupted ??= new Promise((resolve) => {
        let seen = false;
        const onSignal = (sig: NodeJS.Signals) => {
          if (seen) process.exit(130);
          seen = true;
          resolve(sig);
        };
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
      })),
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
