// Exit codes and the one error type commands throw. The CLI prints `evt: <message>` on one line and exits
// with the code; a stack trace only with --verbose.

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
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const usageError = (message: string) => new CliError(message, ExitCode.USAGE);
