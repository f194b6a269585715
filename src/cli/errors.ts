// Exit codes and the one error type commands throw. The CLI prints `evt: <message>` on one line and exits
// with the code; a stack trace only with --verbose. The library layers throw EvtErrors of a kind, which the
// CLI maps here.

import { EvtError, type FailureKind } from '../common/errors.js';

export const ExitCode = {
  OK: 0,
  FAILURE: 1,
  USAGE: 2,
  UNREACHABLE: 3,
  NOT_FOUND: 4,
  EXPECTATION: 5,
  INTERRUPTED: 130,
} as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.FAILURE,
    /** `cause`: the library error this one says to the user, for a caller that needs its parts */
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'CliError';
  }
}

export const usageError = (message: string) => new CliError(message, ExitCode.USAGE);

/** Ends a command with an exit code and no `evt:` line: what it had to say is on stdout already. */
export const quietExit = (exitCode: number) => new CliError('', exitCode);

/** The exit code of a library failure of this kind. */
export const EXIT_CODE_OF_KIND: Record<FailureKind, number> = {
  failure: ExitCode.FAILURE,
  usage: ExitCode.USAGE,
  unreachable: ExitCode.UNREACHABLE,
  'not-found': ExitCode.NOT_FOUND,
  expectation: ExitCode.EXPECTATION,
};

/** The exit code an error ends a command with: its own (CliError), its kind's (EvtError), else 1. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof CliError) return err.exitCode;
  if (err instanceof EvtError) return EXIT_CODE_OF_KIND[err.kind];
  return ExitCode.FAILURE;
}
