// Confirmation before destructive actions: asked on a terminal, `--yes` in scripts, and a refusal (exit 2)
// when there is no terminal to ask on and no --yes.

import readline from 'node:readline';
import { CliError, ExitCode, usageError } from './errors.js';
import type { Io } from './io.js';

export interface ConfirmOptions {
  /** --yes: do not ask */
  yes: boolean;
  /** what would be done, for the refusal message, e.g. "delete 2 topics" */
  action: string;
  /** where the answer is read from (io.stdin by default) */
  input?: NodeJS.ReadableStream & { isTTY?: boolean };
}

function canAsk(io: Io, input: NodeJS.ReadableStream & { isTTY?: boolean }): boolean {
  return !!input.isTTY && !!io.stderr.isTTY;
}

/**
 * Fails early (before any work) when confirmation will be needed but cannot be asked: no --yes and no
 * terminal on stdin and stderr. Usage error, exit 2.
 */
export function assertCanConfirm(io: Io, options: ConfirmOptions): void {
  if (options.yes || canAsk(io, options.input ?? io.stdin)) return;
  throw usageError(`refusing to ${options.action} without confirmation: pass --yes (there is no terminal to ask on)`);
}

/**
 * Resolves when the action may go ahead: --yes, or "y"/"yes" typed at the prompt (written to stderr).
 * Without --yes and without a terminal on stdin and stderr: a usage error (exit 2) naming --yes.
 * Any other answer: CliError (exit 1) saying that nothing was done.
 */
export async function confirm(io: Io, question: string, options: ConfirmOptions): Promise<void> {
  if (options.yes) return;
  const input = options.input ?? io.stdin;
  assertCanConfirm(io, options);
  const rl = readline.createInterface({ input, output: io.stderr, terminal: true });
  const answer = await new Promise<string | null>((resolve) => {
    rl.once('close', () => resolve(null));
    rl.question(`${question} [y/N] `, (a) => resolve(a));
  });
  rl.close();
  if (answer === null || !/^(y|yes)$/i.test(answer.trim())) {
    if (answer === null) io.stderr.write('\n');
    throw new CliError(`not confirmed: did not ${options.action}`, ExitCode.FAILURE);
  }
}
