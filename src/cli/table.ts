// Tables on stdout: colour (a bold header) only on a terminal, never with NO_COLOR or --no-color.

import type { GlobalOptions, Io } from './io.js';

/** True when stdout tables may use colour: a terminal, --color not disabled, NO_COLOR unset. */
export function colorOnStdout(io: Io, globals: Pick<GlobalOptions, 'color'>): boolean {
  return globals.color !== false && !!io.stdout.isTTY && io.env.NO_COLOR === undefined;
}

export function writeLines(stream: NodeJS.WritableStream, lines: string[]): void {
  if (lines.length) stream.write(lines.join('\n') + '\n');
}
