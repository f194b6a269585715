// `evt completion bash|zsh|fish` and `evt __complete`: the scripts, run by the real shells, offer evt's
// commands, options, and the topic and group names of a running broker. The scripts call `evt` on the PATH:
// here a wrapper around the built bin/evt.js (so `npm run build` first, as `npm test` does).
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker/broker.js';
import { kafkaFor, startTestBroker, tempDir } from '../helpers/broker.js';
import { evt, sandbox } from '../helpers/admin.js';
import { EVT_BIN } from '../helpers/spawn.js';
import { unusedPort } from '../helpers/ports.js';

let broker: RunningBroker;
let shellEnv: NodeJS.ProcessEnv;
let scripts: string;
beforeAll(async () => {
  broker = await startTestBroker({ inMemory: true });
  const admin = kafkaFor(broker).admin();
  await admin.connect();
  await admin.createTopics({
    topics: [
      { topic: 'orders', numPartitions: 1 },
      { topic: 'payments', numPartitions: 2 },
    ],
  });
  await admin.setOffsets({ groupId: 'billing', topic: 'orders', partitions: [{ partition: 0, offset: '0' }] });
  await admin.disconnect();
  const bin = tempDir('evt-completion-bin-');
  fs.writeFileSync(path.join(bin, 'evt'), `#!/bin/sh\nexec "${process.execPath}" "${EVT_BIN}" "$@"\n`, { mode: 0o755 });
  shellEnv = { ...sandbox().env, PATH: `${bin}:${process.env.PATH}`, EVT_BROKERS: broker.bootstrap };
  scripts = tempDir('evt-completion-scripts-');
  for (const shell of ['bash', 'zsh', 'fish']) {
    const r = await evt(['completion', shell]);
    expect(r.code).toBe(0);
    fs.writeFileSync(path.join(scripts, shell), r.stdout);
  }
});
afterAll(async () => {
  await broker?.close();
});

/** Candidates of `evt __complete -- words...` in process. */
async function candidates(words: string[], env: NodeJS.ProcessEnv = { EVT_BROKERS: broker.bootstrap }) {
  const r = await evt(['__complete', '--', ...words], { env });
  expect(r.code).toBe(0);
  expect(r.stderr).toBe('');
  return r.stdout.split('\n').filter(Boolean);
}

describe('evt __complete', () => {
  it('offers the commands, then their subcommands, hiding itself', async () => {
    const top = await candidates(['']);
    expect(top).toEqual(expect.arrayContaining(['produce', 'tail', 'topics', 'groups', 'completion']));
    expect(top).not.toContain('__complete');
    expect(await candidates(['topics', ''])).toEqual(['list', 'describe', 'create', 'delete', 'config']);
  });

  it("offers a command's options and the global ones after a dash", async () => {
    const opts = await candidates(['tail', '--j']);
    expect(opts).toEqual(expect.arrayContaining(['--follow', '-f', '--from', '--where', '--brokers', '--json']));
    expect(opts).not.toContain('--acks');
  });

  it('offers the topics and groups of the cluster where a topic or group is expected', async () => {
    expect(await candidates(['tail', ''])).toEqual(['orders', 'payments']);
    expect(await candidates(['tail', 'orders', ''])).toEqual(['orders', 'payments']);
    expect(await candidates(['produce', '--key', 'k', ''])).toEqual(['orders', 'payments']);
    expect(await candidates(['groups', 'describe', ''])).toEqual(['billing']);
    expect(await candidates(['tail', 'orders', '--group', ''])).toEqual(['billing']);
    expect(await candidates(['groups', 'reset', 'billing', '--topic', ''])).toEqual(['orders', 'payments']);
  });

  it('asks the cluster the line names with --brokers, and prints nothing when it cannot be reached', async () => {
    const env = { EVT_BROKERS: `127.0.0.1:${await unusedPort()}` };
    expect(await candidates(['tail', ''], env)).toEqual([]);
    expect(await candidates(['--brokers', broker.bootstrap, 'tail', ''], env)).toEqual(['orders', 'payments']);
  });

  it('offers nothing for a free value, so that the shell completes file names', async () => {
    expect(await candidates(['produce', 'orders', '--file', ''])).toEqual([]);
  });

  it('rejects an unknown shell as a usage error', async () => {
    const r = await evt(['completion', 'tcsh']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^evt: .*tcsh/);
    expect(r.stdout).toBe('');
  });
});

function hasShell(shell: string): boolean {
  const found = spawnSync(shell, ['-c', 'exit 0']).status === 0;
  if (!found) console.log(`${shell} not installed: its completion script is not run`);
  return found;
}

/**
 * Runs `shell` with `args`; its stdout, one word a line, sorted. Asynchronously: the broker runs in this
 * process and must answer the evt the shell starts.
 */
async function inShell(shell: string, args: string[]): Promise<string[]> {
  const r = await promisify(execFile)(shell, args, { env: shellEnv, encoding: 'utf8', timeout: 30_000 });
  expect(r.stderr).toBe('');
  return r.stdout.split('\n').filter(Boolean).sort();
}

describe.runIf(hasShell('bash'))('bash', () => {
  const complete = (line: string) => {
    const words = line.split(' ');
    const script = `source "${path.join(scripts, 'bash')}"
complete -p evt
COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}
_evt_complete
printf '%s\\n' "\${COMPREPLY[@]}"`;
    return inShell('bash', ['-c', script]);
  };

  it('registers itself for evt and completes commands, options and topics', async () => {
    const registered = 'complete -o default -F _evt_complete evt';
    expect(await complete('evt t')).toEqual([registered, 'tail', 'topics', 'trace', 'transactions']);
    expect(await complete('evt tail --fo')).toEqual(['--follow', '--format', registered]);
    expect(await complete('evt tail o')).toEqual([registered, 'orders']);
    expect(await complete('evt groups describe ')).toEqual(['billing', registered]);
  });
});

describe.runIf(hasShell('zsh'))('zsh', () => {
  // completion widgets only run at a terminal: compadd and compdef stand in as functions, the rest is zsh's
  const complete = (line: string) => {
    const words = line.split(' ');
    const script = `compdef() { print -r -- "compdef $*" }
compadd() { [[ $1 == -- ]] && shift; print -rl -- "$@" }
_files() { print -r -- "(files)" }
source "${path.join(scripts, 'zsh')}"
words=(${words.map((w) => `'${w}'`).join(' ')}); CURRENT=${words.length}
_evt`;
    return inShell('zsh', ['-f', '-c', script]);
  };

  it('registers itself for evt and offers commands, topics and groups (zsh filters by the prefix)', async () => {
    const top = await complete('evt ');
    expect(top).toContain('compdef _evt evt');
    expect(top).toEqual(expect.arrayContaining(['produce', 'tail', 'topics', 'groups']));
    expect(await complete('evt tail o')).toEqual(['compdef _evt evt', 'orders', 'payments']);
    expect(await complete('evt groups describe ')).toEqual(['billing', 'compdef _evt evt']);
    expect(await complete('evt produce orders --file ')).toEqual(['(files)', 'compdef _evt evt']);
  });
});

describe.runIf(hasShell('fish'))('fish', () => {
  const complete = (line: string) =>
    inShell('fish', ['--no-config', '-c', `source "${path.join(scripts, 'fish')}"; complete -C '${line}'`]);

  it('completes commands, options, topics and groups', async () => {
    expect(await complete('evt t')).toEqual(['tail', 'topics', 'trace', 'transactions']);
    expect(await complete('evt tail --fo')).toEqual(['--follow', '--format']);
    expect(await complete('evt tail ')).toEqual(['orders', 'payments']);
    expect(await complete('evt groups describe b')).toEqual(['billing']);
  });
});
