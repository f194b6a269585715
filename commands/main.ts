// Runs the CLI and turns every outcome into an exit code and at most one error line.

import { CommanderError, type Command } from 'commander';
import { CliError, ExitCode, exitCodeFor } from '../src/cli/errors.js';
import { EvtError } from '../src/common/errors.js';
import { processIo, type Io } from '../src/cli/io.js';
import { buildProgram } from './program.js';

export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  const program = buildProgram(io, argv);
  try {
    await parseWithEnv(program, argv, io.env);
    return ExitCode.OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version end with exit code 0; commander has already printed its usage message.
      if (err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0;
      return ExitCode.USAGE;
    }
    const verbose = program.opts().verbose === true;
    if (err instanceof CliError || err instanceof EvtError) {
      if (err.message !== '') io.stderr.write(`evt: ${err.message}\n`);
      if (verbose && err.stack) io.stderr.write(err.stack + '\n');
      return exitCodeFor(err);
    }
    const e = err as Error;
    io.stderr.write(`evt: ${e?.message ?? String(err)}${verbose ? '' : ' (run with --verbose for details)'}\n`);
    if (verbose && e?.stack) io.stderr.write(e.stack + '\n');
    return ExitCode.FAILURE;
  }
}

/**
 * Commander reads the options' environment variables (EVT_BROKERS, EVT_TIMEOUT...) from process.env while it
 * parses, which it does synchronously before a command's action starts: the caller's io.env stands in for
 * process.env for that moment, so that a command run in process sees the environment it was given.
 */
function parseWithEnv(program: Command, argv: string[], env: NodeJS.ProcessEnv): Promise<Command> {
  if (env === process.env) return program.parseAsync(argv, { from: 'user' });
  const own = process.env;
  process.env = env;
  try {
    return program.parseAsync(argv, { from: 'user' });
  } finally {
    process.env = own;
  }
}
