// Every example in the README's shell blocks and in each command's --help is safe to paste into a shell:
// no unquoted operator glued to an argument (`--where total>10` would redirect to a file named 10), no
// unquoted glob or bracket, and valid shell syntax (bash -n). A redirection or pipe that stands as its own
// word (`--json > out.ndjson`, `| jq .`) is meant and allowed, as is a process substitution
// (`source <(evt completion bash)`), whose command is checked in turn.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { expect, it } from 'vitest';
import { buildProgram } from '../../commands/program.js';
import { testIo } from '../helpers/cli.js';
import { evt } from '../helpers/produce-tail.js';

/** What is wrong with a shell command line for pasting, or [] when nothing is. */
export function shellProblems(cmd: string): string[] {
  const problems: string[] = [];
  let quote: string | null = null;
  let word = '';
  for (let i = 0; i < cmd.length; i++) {
    const c = cmd[i];
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"') i++;
      word += 'x';
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      word += 'x';
    } else if (c === '\\') {
      i++;
      word += 'x';
    } else if (/\s/.test(c)) word = '';
    else if ('<>'.includes(c) && word === '' && cmd[i + 1] === '(') {
      // process substitution, <(evt completion bash), is its own word: what is inside is a command of its own
      const close = cmd.indexOf(')', i);
      if (close < 0) problems.push(`unclosed ${c}( in "${cmd.slice(i)}"`);
      else problems.push(...shellProblems(cmd.slice(i + 2, close)).filter((p) => !p.startsWith('bash -n')));
      if (close < 0) return problems;
      i = close;
    } else if ('<>'.includes(c)) {
      // a redirection is its own word (optionally after a file descriptor: 2>&1), and so is its target
      const rest = /^[<>]{1,2}(&\d|\s+[^\s<>|&;()]+(?=\s|$)|$)/.exec(cmd.slice(i));
      if ((word !== '' && !/^\d$/.test(word)) || !rest) {
        problems.push(`unquoted ${c} in "${cmd.slice(Math.max(0, i - word.length)).split(/\s/)[0]}"`);
        return problems;
      }
      i += rest[0].length - 1;
      word = '';
    } else if ('|&;'.includes(c)) {
      if (word !== '' && c !== '&') problems.push(`unquoted ${c} glued to "${word}"`);
      word = '';
    } else if ('*?[]()'.includes(c)) {
      problems.push(`unquoted ${c} (a glob or subshell) in "${cmd.slice(i - word.length).split(/\s/)[0]}"`);
      return problems;
    } else if (c === '#' && word === '') break;
    else word += c;
  }
  const syntax = spawnSync('bash', ['-n', '-c', cmd], { encoding: 'utf8' });
  if (syntax.status !== 0) problems.push(`bash -n: ${syntax.stderr.trim()}`);
  return problems;
}

/** The command of a help example line `  $ evt tail orders     what it does`: up to two spaces outside quotes. */
function exampleCommand(line: string): string {
  const text = line.replace(/^\s*\$\s+/, '');
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === ' ' && text[i + 1] === ' ') return text.slice(0, i);
  }
  return text;
}

/** Lines continued with a trailing backslash, joined. */
function joinContinued(lines: string[]): string[] {
  const out: string[] = [];
  let pending = '';
  for (const l of lines) {
    if (/\\\s*$/.test(l)) pending += l.replace(/\\\s*$/, ' ');
    else {
      out.push(pending + l);
      pending = '';
    }
  }
  return out;
}

function commandPaths(cmd: Command, prefix: string[] = []): string[][] {
  return cmd.commands.flatMap((c) => {
    const p = [...prefix, c.name()];
    return [p, ...commandPaths(c, p)];
  });
}

function readmeExamples(): string[] {
  const readme = fs.readFileSync(path.join(import.meta.dirname, '../../README.md'), 'utf8');
  const out: string[] = [];
  for (const block of readme.matchAll(/```(sh|bash|)\n([\s\S]*?)```/g)) {
    const lines = joinContinued(block[2].split('\n'));
    for (const l of lines) {
      const cmd = l.replace(/^\s*\$\s+/, '');
      if (/(^|[\s|&;])(npx )?evt\s/.test(cmd) && (block[1] !== '' || /^\s*\$/.test(l))) out.push(cmd);
    }
  }
  return out;
}

it('the checker refuses what a shell would take apart, and allows redirections that stand alone', () => {
  expect(shellProblems('evt tail orders -f --where total>10')).toEqual(['unquoted > in "total>10"']);
  expect(shellProblems('evt tail orders --where total>100 --expect 3')).not.toEqual([]);
  expect(shellProblems('evt demo --registry <url> tail x')).not.toEqual([]);
  expect(shellProblems('evt tail --pattern orders.* -n 1')).not.toEqual([]);
  expect(shellProblems("evt tail orders -f --where 'total>10'")).toEqual([]);
  expect(shellProblems('evt tail orders --json > last.ndjson   # comment with > and *')).toEqual([]);
  expect(shellProblems('seq 3 | evt produce orders 2>&1 && evt broker &')).toEqual([]);
  expect(shellProblems('evt produce orders < events.txt')).toEqual([]);
});

it("every `$ evt ...` example of every command's --help is safe to paste", async () => {
  const paths = [[], ...commandPaths(buildProgram(testIo()))];
  const bad: string[] = [];
  let seen = 0;
  for (const p of paths) {
    const help = await evt([...p, '--help']);
    expect(help.code, `evt ${p.join(' ')} --help`).toBe(0);
    const lines = joinContinued(help.stdout.split('\n')).filter((l) => /^\s*\$\s/.test(l));
    for (const l of lines) {
      seen++;
      const problems = shellProblems(exampleCommand(l));
      if (problems.length) bad.push(`evt ${p.join(' ')} --help: ${exampleCommand(l)}: ${problems.join('; ')}`);
    }
  }
  expect(seen).toBeGreaterThan(100);
  expect(bad).toEqual([]);
});

it("every evt line of the README's shell blocks is safe to paste", () => {
  const examples = readmeExamples();
  expect(examples.length).toBeGreaterThan(20);
  const bad = examples.flatMap((e) => shellProblems(e).map((p) => `${e}: ${p}`));
  expect(bad).toEqual([]);
});
