// Where in a code view file something is, so that a message about the file points into it: the line a function
// starts at, the line of the view's own code an error was thrown from, and the line and column of a syntax
// error. Node's import() of an ES module with a syntax error gives the message but no position (Node 20 and
// 22 alike), so the position comes from `node --check`, which parses the file the same way and prints it.

import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export interface SyntaxErrorAt {
  line: number;
  column: number;
  /** e.g. "SyntaxError: Unexpected token ';'" */
  message: string;
}

/**
 * The line where fn is written in the file's text: its source text (Function.prototype.toString gives it as
 * written) found in the file, else the first `name(`, `name:` or `name =`; null when neither is there (a
 * function imported from another file, a bound or native one).
 */
export function lineOfFunction(text: string, fn: (...args: never[]) => unknown, name: string): number | null {
  const source = Function.prototype.toString.call(fn);
  let at = source.includes('[native code]') ? -1 : text.indexOf(source);
  if (at < 0) at = new RegExp(String.raw`\b${name}\s*[(:=]`).exec(text)?.index ?? -1;
  return at < 0 ? null : lineAt(text, at);
}

/** The line of the file that the error was thrown from (the innermost frame in it), or null. */
export function thrownAt(err: unknown, file: string): number | null {
  if (!(err instanceof Error) || typeof err.stack !== 'string') return null;
  const abs = path.resolve(file);
  // an ES module's frames name its URL, a CommonJS module's (and a transformed one's) its path
  const places = [pathToFileURL(abs).href, abs];
  for (const frame of err.stack.split('\n')) {
    if (!/^\s+at /.test(frame)) continue;
    for (const place of places) {
      const i = frame.indexOf(`${place}:`);
      const line = i < 0 ? null : /^:(\d+):\d+/.exec(frame.slice(i + place.length));
      if (line) return Number(line[1]);
    }
  }
  return null;
}

/**
 * Where the syntax error that stopped the file from loading is: from the note Node puts at the head of the
 * error's stack when it has one (CommonJS; TypeScript on Node 22), else, unless `check` is false, from
 * `node --check FILE`. Null when the file parses (the load failed for another reason).
 */
export function syntaxErrorAt(file: string, err: unknown, check: boolean): SyntaxErrorAt | null {
  if (err instanceof Error && err.name === 'SyntaxError' && typeof err.stack === 'string') {
    const noted = notedPosition(err.stack, file);
    if (noted) return { ...noted, message: `SyntaxError: ${err.message}` };
  }
  if (!check) return null;
  const r = spawnSync(process.execPath, ['--check', path.resolve(file)], { encoding: 'utf8', timeout: 10_000 });
  if (r.status === 0 || typeof r.stderr !== 'string') return null;
  const noted = notedPosition(r.stderr, file);
  const message = /^(SyntaxError: .*)$/m.exec(r.stderr)?.[1];
  return noted && message ? { ...noted, message } : null;
}

/**
 * Node's note: "<file>:<line>", the source line(s), then a line of blanks and carets under the place. The
 * caret line repeats the source line's indentation (tabs included), so its first caret is the column. At the
 * end of the input the place has no width: no caret, only the blanks up to it under the source line.
 */
function notedPosition(text: string, file: string): { line: number; column: number } | null {
  const abs = path.resolve(file);
  const lines = text.split('\n');
  const head = [abs, pathToFileURL(abs).href]
    .map((place) => (lines[0].startsWith(`${place}:`) ? /^(\d+)$/.exec(lines[0].slice(place.length + 1)) : null))
    .find((m) => m);
  if (!head) return null;
  const caret = lines.slice(1, 8).find((l) => /^\s*\^+\s*$/.test(l));
  if (caret !== undefined) return { line: Number(head[1]), column: caret.indexOf('^') + 1 };
  const under = lines[2];
  return under !== undefined && /^[ \t]*$/.test(under) ? { line: Number(head[1]), column: under.length + 1 } : null;
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}
