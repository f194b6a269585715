// `evt demo`: the bundled workflow, live, on an embedded broker: what evt is for, in one command.

import type { Command } from 'commander';
import { CliError, ExitCode } from '../src/cli/errors.js';
import { printJson, printLine, useColor, type CommandContext, type GlobalOptions, type Io } from '../src/cli/io.js';
import { parseDuration, parseInteger } from '../src/cli/parse.js';
import { addPrefixOption, namesFromPrefix, type WorkflowSession } from '../src/cli/workflow/session.js';
import type { SimulationStatus } from '../src/tui/source.js';
import type { ChaosAction } from '../src/workflow/sim-options.js';

interface DemoFlags {
  rate: string;
  duration?: string;
  port: string;
  fault: boolean;
  seed: string;
  prefix: string;
}

/** The deliberate fault: inventory stops for a while every minute, so orders queue up, then drain. */
const FAULT = { service: 'inventory', firstAtMs: 15_000, forMs: 20_000, everyMs: 60_000 } as const;
/** Long enough that orders outlast the fault and are confirmed once inventory is back. */
const DEMO_ORDER_TIMEOUT_MS = 45_000;
/** An order normally settles within a second or two; five seconds without an end is the fault at work. */
const DEMO_STUCK_AFTER_MS = 5_000;

export function registerDemo(program: Command, { io, globals }: CommandContext): void {
  const cmd = program
    .command('demo')
    .description('run the order workflow live on an embedded broker, with a service paused now and then')
    .option('-r, --rate <rate>', 'orders per second', '20/s')
    .option('-d, --duration <time>', 'stop after this long (default: until Ctrl-C)')
    .option('--port <port>', 'port of the embedded broker (a free one if taken)', '9092')
    .option('--no-fault', 'no deliberate fault')
    .option('--seed <n>', 'seed of the orders and decisions', '42');
  addPrefixOption(cmd);
  cmd
    .addHelpText(
      'after',
      `
Starts an embedded in-memory broker with its schema registry (or uses --brokers and --registry when
given), creates the workflow's topics (shop.basket.order-requests, shop.orders, shop.payments, ...: the
prefix is --prefix's, '' for evt's former unprefixed names), starts the six services (groups
shop.<service>-service) and sends orders at a watchable rate.
Every minute, from 15s on, inventory stops for 20s: orders wait for it (its lag grows), then drain when
it is back. On a terminal the run is shown in evt dashboard (the fault shows as inventory's lag and a
list of stuck orders that drains when it is back; see evt dashboard --help for the keys); elsewhere a
progress line every few seconds. q (or Ctrl-C) stops the orders, lets the last ones settle and prints
the run's summary; the invariants are checked as in evt simulate (exit 5 if any breaks).
While it runs, try from another terminal:
  $ evt --brokers 127.0.0.1:9092 tail shop.orders -f     the order events as they happen
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
  const names = await namesFromPrefix(flags.prefix);
  const config = { ...DEFAULT_WORKFLOW_CONFIG, seed: flags.seed, timeoutMs: DEMO_ORDER_TIMEOUT_MS };
  const horizon = durationMs ?? 24 * 3600_000;
  const chaos: ChaosAction[] = [];
  for (let at: number = FAULT.firstAtMs; flags.fault && at < horizon; at += FAULT.everyMs) chaos.push({ kind: 'stop', service: FAULT.service, atMs: at, forMs: FAULT.forMs });

  const { withWorkflow } = await import('../src/cli/workflow/session.js');
  const { runSimulation } = await import('../src/workflow/runtime/simulation.js');
  const { inProcessHost } = await import('../src/workflow/runtime/hosts.js');
  const { LiveView, faultText } = await import('../src/cli/workflow/live-view.js');
  const { Ring } = await import('../src/tui/source.js');
  const { summaryJson, summaryLines } = await import('../src/cli/workflow/report.js');
  const stop = new AbortController();
  void io.interrupted().then(() => stop.abort());
  const embedded = g.brokers === undefined && io.env.EVT_BROKERS === undefined && g.profile === undefined;

  // on a terminal the dashboard draws the run (it knows the workflow by its flow, under any prefix);
  // elsewhere a progress line every few seconds
  const dashboard = !g.json && !!io.stdout.isTTY && !!io.stdin.isTTY;
  const view = new LiveView(io.stderr, { where: '', rate, chaos });
  const held = dashboard ? new Ring<string>(100) : null;
  const log = (line: string) => (held ? held.push(line) : view.log(line));
  const summary = await withWorkflow(io, g, { embedded, preferredPort: port, partitions: 3, config, names, log }, async (s) => {
    const where = s.embedded ? `broker ${s.embedded.bootstrap}  registry ${s.embedded.registryUrl}` : `cluster ${s.settings.brokers.join(',')}`;
    view.where = where;
    if (!dashboard) printLine(io.stderr, `evt demo: ${where}; ${names.describe()}; Ctrl-C to stop`);
    let status: SimulationStatus | null = null;
    const run = runSimulation({
      rt: s.rt,
      admin: s.admin,
      host: inProcessHost(s.rt),
      load: { seed: config.seed },
      durationMs: horizon,
      rate,
      chaos,
      drainMs: 10_000,
      signal: stop.signal,
      progressEveryMs: dashboard ? 1000 : 5000,
      onProgress: (p) => {
        status = { phase: p.phase, rate, sent: p.sent, down: p.down, fault: faultText(chaos, p.elapsedMs) };
        if (!dashboard) view.update(p);
      },
    });
    if (dashboard) {
      await showDashboard(s, io, g, () => status, run);
      // q quits the dashboard: the orders stop, the last ones settle, and the summary follows
      stop.abort();
      printLine(io.stderr, `evt demo: ${where}; stopping: the last orders settle (up to 10s)…`);
    }
    return await run;
  });
  for (const line of held?.toArray() ?? []) printLine(io.stderr, line);
  if (g.json) printJson(io, summaryJson(summary));
  else for (const line of summaryLines(summary)) printLine(io.stdout, line);
  if (summary.violations.length > 0) throw new CliError(`${summary.violations.length} invariant violation(s)`, ExitCode.EXPECTATION);
}

/** The dashboard over the running simulation, on a connection of its own, until q or the run's end. */
async function showDashboard(s: WorkflowSession, io: Io, g: GlobalOptions, simulation: () => SimulationStatus | null, run: Promise<unknown>): Promise<void> {
  const { Cluster } = await import('../src/client/wire/index.js');
  const { decoderFor } = await import('../src/codec/registry-codec.js');
  const { createLiveSource } = await import('../src/tui/live/live-source.js');
  const { runDashboard } = await import('../src/tui/run.js');
  const cluster = await Cluster.connect(s.settings);
  const { workflowFlow } = await import('../src/workflow/flow.js');
  const source = await createLiveSource({
    cluster,
    // the dashboard knows the workflow through its flow, as it would know any system
    flow: workflowFlow(s.rt.names),
    codec: await decoderFor(s.registry),
    clusterName: s.embedded ? 'embedded' : (g.profile ?? s.settings.brokers[0]),
    brokers: s.settings.brokers,
    sinceMs: 60_000,
    stuckAfterMs: DEMO_STUCK_AFTER_MS,
    simulation,
  });
  try {
    await runDashboard(source, { stdin: io.stdin as NodeJS.ReadStream, stdout: io.stdout as NodeJS.WriteStream, color: useColor(io, g), stop: Promise.race([run.catch(() => null), io.interrupted()]) });
  } finally {
    await source.close();
    cluster.close();
  }
}
