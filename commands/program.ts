// Program assembly: global options, the commands, and help that ends with examples.

import { Command, Option } from 'commander';
import { registerBroker } from './broker.js';
import { registerCompletion } from './completion.js';
import { registerConfig } from './config.js';
import { registerDashboard } from './dashboard.js';
import { registerDemo } from './demo.js';
import { registerFlow } from './flow.js';
import { registerGroups } from './groups.js';
import { registerProduce } from './produce.js';
import { registerReplay } from './replay.js';
import { registerSchema } from './schema.js';
import { registerSimulate } from './simulate.js';
import { registerStatus } from './status.js';
import { registerTail } from './tail.js';
import { registerTrace } from './trace.js';
import { registerTopics } from './topics.js';
import { registerTransactions } from './transactions.js';
import { registerView } from './view.js';
import { registerWorker } from './worker.js';
import type { CommandContext, GlobalOptions, Io } from '../src/cli/io.js';
import { VERSION } from '../src/cli/version.js';

type Register = (program: Command, ctx: CommandContext) => void;

/** The top-level commands, in the order `evt --help` lists them. */
const COMMANDS: ReadonlyArray<readonly [name: string, register: Register]> = [
  ['produce', registerProduce],
  ['tail', registerTail],
  ['topics', registerTopics],
  ['groups', registerGroups],
  ['transactions', registerTransactions],
  ['status', registerStatus],
  ['config', registerConfig],
  ['broker', registerBroker],
  ['schema', registerSchema],
  ['simulate', registerSimulate],
  ['worker', registerWorker],
  ['demo', registerDemo],
  ['replay', registerReplay],
  ['view', registerView],
  ['trace', registerTrace],
  ['flow', registerFlow],
  ['dashboard', registerDashboard],
  ['completion', registerCompletion],
];

/**
 * The program. With `argv`, only the command it invokes is registered when that is certain: the first word
 * after the global options names a command. Anything else (help, an unknown word, completion, which walks
 * every command) registers them all, so that commander's help and suggestions see the whole tree.
 */
export function buildProgram(io: Io, argv?: readonly string[]): Command {
  const program = new Command('evt')
    .description('Operate and inspect a Kafka event backbone, with an embedded Kafka-compatible broker.')
    .version(VERSION, '-V, --version', 'print the version')
    .addOption(new Option('-b, --brokers <list>', 'bootstrap brokers, host:port[,host:port]').env('EVT_BROKERS'))
    .addOption(
      new Option('--profile <name>', 'connection profile from evt.config.json or ~/.config/evt/config.json').env(
        'EVT_PROFILE',
      ),
    )
    .addOption(
      new Option(
        '--timeout <time>',
        'how long to try to reach the cluster before exit code 3 (2s at most when every address refuses)',
      )
        .env('EVT_TIMEOUT')
        .default('10s'),
    )
    .addOption(
      new Option(
        '--registry <url>',
        'schema registry (Confluent-compatible): Avro, Protobuf, JSON Schema, e.g. http://127.0.0.1:8081',
      ).env('EVT_REGISTRY'),
    )
    .option('--json', 'machine-readable output (JSON; NDJSON for record streams)', false)
    .option('-v, --verbose', 'log details (and stack traces) to stderr', false)
    .option('--no-color', 'no colour, even on a terminal')
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      // usage errors follow the CLI's one-line convention: `evt: <what is wrong> (see --help)`
      outputError: (s, write) => write(`evt: ${s.replace(/^error: /, '').trim()} (see --help)\n`),
    })
    .exitOverride();
  program.addHelpText(
    'after',
    `
Exit codes: 0 ok, 1 failure, 2 usage error, 3 brokers unreachable or timed out, 4 not found,
            5 expectation failed, 130 interrupted.

Examples:
  $ evt broker &                                  an embedded broker on 127.0.0.1:9092
  $ evt produce orders '{"total":12}' --key o-1
  $ evt tail orders -f --where 'total>10'
  $ evt tail orders --json | evt produce orders-copy --json
  $ evt groups describe billing                   lag per partition
  $ evt --brokers kafka-1:9092 topics list        any Kafka cluster (or a profile: evt config)`,
  );
  const ctx: CommandContext = { io, globals: () => program.opts<GlobalOptions>() };
  // Command modules stay light at import time (heavy modules load inside their actions), so that
  // `evt --version` and `evt --help` start fast; and a run registers only the command it invokes when that is
  // plain from the words (building every command's options and help is a few ms of every start-up).
  const invoked = argv && invokedCommand(program, argv);
  for (const [name, register] of COMMANDS) {
    if (invoked === undefined || invoked === name) register(program, ctx);
  }
  return program;
}

/** The command `argv` invokes, skipping the global options (read from the program, with their values). */
function invokedCommand(program: Command, argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    if (!word.startsWith('-')) {
      const name = COMMANDS.find(([command]) => command === word)?.[0];
      return name === 'completion' ? undefined : name;
    }
    const option = program.options.find((o) => o.long === word || o.short === word);
    if (!option) {
      if (word.startsWith('--') && word.includes('=')) continue; // --brokers=host:port
      return undefined; // -h, -V, a typo: commander decides, with every command known
    }
    if (option.required || option.optional) i++; // the option's value
  }
  return undefined;
}
