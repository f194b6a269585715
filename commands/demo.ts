// `evt demo`: the bundled workflow, live, on an embedded broker: what evt is for, in one command.

import type { Command } from 'commander';
import { CliError, ExitCode } from '../src/cli/errors.js';
import { printJson, printLine, type CommandContext, type GlobalOptions, type Io } from '../src/cli/io.js';
import { parseDuration, parseInteger } from '../src/cli/parse.js';
import type { ChaosAction } from '../src/workflow/sim-options.js';

interface DemoFlags {
  rate: string;
  duration?: string;
  port: string;
  fault: boolean;
  seed: string;
}

/** The deliberate fault: inventory stops for a while every minute, so orders queue up, then drain. */
const FAULT = { service: 'inventory', firstAtMs: 15_000, forMs: 20_000, everyMs: 60_000 } as const;
/** Long enough that orders outlast the fault and are confirmed once inventory is back. */
const DEMO_ORDER_TIMEOUT_MS = 45_000;

export function registerDemo(program: Command, { io, globals }: CommandContext): void {
  program
    .command('demo')
    .description('run the order workflow live on an embedded broker, with a service paused now and then')
    .option('-r, --rate <rate>', 'orders per second', '20/s')
    .option('-d, --duration <time>', 'stop after this long (default: until Ctrl-C)')
    .option('--port <port>', 'port of the embedded broker (a free one if taken)', '9092')
    .option('--no-fault', 'no deliberate fault')
    .option('--seed <n>', 'seed of the orders and decisions', '42')
    .addHelpText(
      'after',
      `
Starts an embedded in-memory broker with its schema registry (or uses --brokers and --registry when
given), creates the workflow's topics, starts the six services and sends orders at a watchable rate.
Every minute, from 15s on, inventory stops for 20s: orders wait for it (its lag grows), then drain when
it is back. The view refreshes in place on a terminal (one line every few seconds otherwise). Ctrl-C
stops the orders, lets the last ones settle and prints the run's summary; the invariants are checked
as in evt simulate (exit 5 if any breaks). While it runs, try from another terminal:
  $ evt --brokers 127.0.0.1:9092 tail orders -f          the order events as they happen
  $ evt --brokers 127.0.0.1:9092 groups list              the services' groups and their lag

Examples:
  $ npx evt demo
  $ evt demo --rate 100/s --no-fault
  $ evt demo --duration 60s --json                          stops by itself, prints the JSON summary`,
    )
    .action(async (flags: DemoFlags) => {
      await runDemo(flags, io, globals());
    });
}

async function runDemo(flags: DemoFlags, io: Io, g: GlobalOptions): Promise<void> {
  const { parseRate } = await import('../src/workflow/sim-options.js');
  const { DEFAULT_WORKFLOW_CONFIG } = await import('../src/workflow/config.js');
  const rate = parseRate(flags.rate);
  const durationMs = flags.duration !== undefined ? parseDuration(flags.duration, '--duration') : undefined;
  if (durationMs !== undefined && durationMs <= 0) throw new CliError(`--duration: "${flags.duration}" must be positive, e.g. 60s`, ExitCode.USAGE);
  const port = parseInteger(flags.port, '--port', { min: 0, max: 65535 });
  const config = { ...DEFAULT_WORKFLOW_CONFIG, seed: flags.seed, timeoutMs: DEMO_ORDER_TIMEOUT_MS };
  const horizon = durationMs ?? 24 * 3600_000;
  const chaos: ChaosAction[] = [];
  for (let at: number = FAULT.firstAtMs; flags.fault && at < horizon; at += FAULT.everyMs) chaos.push({ kind: 'stop', service: FAULT.service, atMs: at, forMs: FAULT.forMs });

  const { withWorkflow } = await import('../src/cli/workflow/session.js');
  const { runSimulation } = await import('../src/workflow/runtime/simulation.js');
  const { inProcessHost } = await import('../src/workflow/runtime/hosts.js');
  const { LiveView } = await import('../src/cli/workflow/live-view.js');
  const { summaryJson, summaryLines } = await import('../src/cli/workflow/report.js');
  const stop = new AbortController();
  void io.interrupted().then(() => stop.abort());
  const embedded = g.brokers === undefined && io.env.EVT_BROKERS === undefined && g.profile === undefined;

  const view = new LiveView(io.stderr, { where: '', rate, chaos });
  const summary = await withWorkflow(io, g, { embedded, preferredPort: port, partitions: 3, config, log: (line) => view.log(line) }, async (s) => {
    const where = s.embedded ? `broker ${s.embedded.bootstrap}  registry ${s.embedded.registryUrl}` : `cluster ${s.settings.brokers.join(',')}`;
    view.where = where;
    if (!view.live) printLine(io.stderr, `evt demo: ${where}; Ctrl-C to stop`);
    const result = await runSimulation({
      rt: s.rt,
      admin: s.admin,
      host: inProcessHost(s.rt),
      load: { seed: config.seed },
      durationMs: horizon,
      rate,
      chaos,
      drainMs: 10_000,
      signal: stop.signal,
      progressEveryMs: view.live ? 1000 : 5000,
      onProgress: (p) => view.update(p),
    });
    return result;
  });
  if (g.json) printJson(io, summaryJson(summary));
  else for (const line of summaryLines(summary)) printLine(io.stdout, line);
  if (summary.violations.length > 0) throw new CliError(`${summary.violations.length} invariant violation(s)`, ExitCode.EXPECTATION);
}
