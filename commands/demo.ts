// `evt demo`: the bundled workflow, live, on an embedded broker: what evt is for, in one command.

import type { Command } from 'commander';
import { CliError, ExitCode } from '../src/cli/errors.js';
import { printJson, printLine, useColor, type CommandContext, type GlobalOptions, type Io } from '../src/cli/io.js';
import { parseDuration, parseInteger } from '../src/common/parse.js';
import { formatDuration } from '../src/common/time.js';
import {
  addPrefixOption,
  compressionOption,
  namesFromPrefix,
  parseCompression,
  type WorkflowSession,
} from '../src/cli/workflow/session.js';
import type { DashboardEnd } from '../src/tui/run.js';
import type { SimulationStatus } from '../src/tui/source.js';
import type { SimulationProgress } from '../src/workflow/runtime/simulation.js';
import type { ChaosAction } from '../src/workflow/sim-options.js';

interface DemoFlags {
  rate: string;
  duration?: string;
  port: string;
  fault: boolean;
  seed: string;
  compression: string;
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
    .option('--seed <n>', 'seed of the orders and decisions', '42')
    .addOption(compressionOption());
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
progress line every few seconds. q stops the orders and leaves the dashboard at once; the last orders
then settle for up to 10s, counted down on stderr (q again, or Ctrl-C, stops waiting), and the run's
summary follows; the invariants are checked as in evt simulate (exit 5 if any breaks; 130 after Ctrl-C).
While it runs, try from another terminal (the registry's URL is on the dashboard's status bar and on the
first line printed without a terminal: put it for URL; the values are Avro, so tail needs it to decode them):
  $ evt --brokers 127.0.0.1:9092 --registry URL tail shop.orders -f       the order events as they happen
  $ evt --brokers 127.0.0.1:9092 --registry URL trace ORDER_ID           one order, and where it waits
  $ evt --brokers 127.0.0.1:9092 groups list                              the services' groups and their lag

Examples:
  $ evt demo
  $ evt demo --rate 100/s --no-fault
  $ evt demo --compression zstd                             the services write zstd batches
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
  if (durationMs !== undefined && durationMs <= 0)
    throw new CliError(`--duration: "${flags.duration}" must be positive, e.g. 60s`, ExitCode.USAGE);
  const port = parseInteger(flags.port, '--port', { min: 0, max: 65535 });
  const names = await namesFromPrefix(flags.prefix);
  const config = {
    ...DEFAULT_WORKFLOW_CONFIG,
    seed: flags.seed,
    timeoutMs: DEMO_ORDER_TIMEOUT_MS,
    compression: parseCompression(flags.compression),
  };
  const horizon = durationMs ?? 24 * 3600_000;
  const chaos: ChaosAction[] = [];
  for (let at: number = FAULT.firstAtMs; flags.fault && at < horizon; at += FAULT.everyMs)
    chaos.push({ kind: 'stop', service: FAULT.service, atMs: at, forMs: FAULT.forMs });

  const { withWorkflow } = await import('../src/cli/workflow/session.js');
  const { runSimulation } = await import('../src/workflow/runtime/simulation.js');
  const { inProcessHost } = await import('../src/workflow/runtime/hosts.js');
  const { LiveView, faultText } = await import('../src/cli/workflow/live-view.js');
  const { Ring } = await import('../src/tui/source.js');
  const { summaryJson, summaryLines } = await import('../src/cli/workflow/report.js');
  const stop = new AbortController();
  // a signal (SIGINT, SIGTERM) stops the orders and lets the last ones settle; a second one exits at once
  let signalled = false;
  void io.interrupted().then(() => {
    signalled = true;
    stop.abort();
  });
  const embedded = g.brokers === undefined && io.env.EVT_BROKERS === undefined && g.profile === undefined;

  // on a terminal the dashboard draws the run (it knows the workflow by its flow, under any prefix);
  // elsewhere a progress line every few seconds
  const dashboard = !g.json && !!io.stdout.isTTY && !!io.stdin.isTTY;
  const view = new LiveView(io.stderr, { where: '', rate, chaos });
  // while the dashboard owns the screen, the services' messages wait (each printed once, when it is gone)
  let held: { push(line: string): void; toArray(): string[] } | null = dashboard ? new Ring<string>(100) : null;
  let stopping: StoppingLine | null = null;
  const log = (line: string) => (held ? held.push(line) : stopping ? stopping.log(line) : view.log(line));
  // how the run was ended: q (quit), Ctrl-C (interrupt: exit 130), a second q or Ctrl-C (cut: no more waiting)
  let interrupted = false;
  const drainCut = new AbortController();
  const summary = await withWorkflow(
    io,
    g,
    { embedded, preferredPort: port, partitions: 3, config, names, log },
    async (s) => {
      const registryUrl = s.embedded?.registryUrl ?? s.registry.url;
      const brokers = s.settings.brokers.join(',');
      const where = s.embedded
        ? `broker ${s.embedded.bootstrap}  registry ${registryUrl}`
        : `cluster ${brokers}  registry ${registryUrl}`;
      view.where = where;
      if (!dashboard) {
        printLine(io.stderr, `evt demo: ${where}; ${names.describe()}; Ctrl-C to stop`);
        printLine(
          io.stderr,
          `evt demo: from another terminal: evt --brokers ${brokers} --registry ${registryUrl} tail ${names.topic('orders')} -f`,
        );
      }
      let status: SimulationStatus | null = null;
      let progress: SimulationProgress | null = null;
      const run = runSimulation({
        rt: s.rt,
        admin: s.admin,
        host: inProcessHost(s.rt),
        load: { seed: config.seed },
        durationMs: horizon,
        rate,
        chaos,
        drainMs: DRAIN_MS,
        signal: stop.signal,
        drainSignal: drainCut.signal,
        progressEveryMs: dashboard ? 1000 : 5000,
        onProgress: (p) => {
          progress = p;
          status = { phase: p.phase, rate, sent: p.sent, down: p.down, fault: faultText(chaos, p.elapsedMs) };
          if (!dashboard) view.update(p);
        },
      });
      if (!dashboard) {
        void io
          .interrupted()
          .then(() =>
            view.log(
              `evt demo: stopping: the last orders settle, up to ${formatDuration(DRAIN_MS)} (Ctrl-C again to quit at once)`,
            ),
          );
        return await run;
      }
      const ended = await showDashboard(s, io, g, () => status, run, registryUrl);
      if (ended === 'stopped' && !signalled) return await run; // the run ended by itself (--duration)
      // q (or Ctrl-C, or a signal) left the dashboard: the orders stop, the last ones settle under a
      // countdown on stderr that a second q or Ctrl-C cuts short, and the summary follows
      stop.abort();
      if (ended === 'interrupt') interrupted = true;
      stopping = new StoppingLine(io.stderr, `evt demo: ${where}`, () => progress?.drainUntil ?? null);
      for (const line of held?.toArray() ?? []) stopping.log(line);
      held = null;
      const keys = watchKeys(io.stdin, (key) => {
        if (key === 'interrupt') interrupted = true;
        drainCut.abort();
      });
      // a first signal now cuts the wait short (after one already, io exits at the second)
      if (!signalled)
        void io.interrupted().then(() => {
          interrupted = true;
          drainCut.abort();
        });
      try {
        return await run;
      } finally {
        keys?.();
        stopping.done(drainCut.signal.aborted ? 'cut short' : 'settled');
      }
    },
  );
  for (const line of held?.toArray() ?? []) printLine(io.stderr, line);
  if (signalled) interrupted = true;
  if (g.json) printJson(io, summaryJson(summary));
  else for (const line of summaryLines(summary)) printLine(io.stdout, line);
  if (interrupted)
    throw new CliError(
      `interrupted${summary.drainCutShort ? ': the last orders did not settle' : ''}`,
      ExitCode.INTERRUPTED,
    );
  if (summary.violations.length > 0)
    throw new CliError(`${summary.violations.length} invariant violation(s)`, ExitCode.EXPECTATION);
}

/** How long the last orders may take to settle once the orders stop. */
const DRAIN_MS = 10_000;

/**
 * The line on stderr while the last orders settle: a countdown redrawn in place on a terminal (one line
 * elsewhere), with the services' messages printed above it.
 */
class StoppingLine {
  private readonly live: boolean;
  private readonly timer: NodeJS.Timeout | null;
  private drawn = false;

  constructor(
    private readonly stream: Io['stderr'] & { isTTY?: boolean; columns?: number },
    first: string,
    private readonly until: () => number | null,
  ) {
    this.live = !!stream.isTTY;
    printLine(stream, first);
    if (this.live) {
      this.draw();
      this.timer = setInterval(() => this.draw(), 250);
    } else {
      this.timer = null;
      printLine(
        stream,
        `evt demo: stopping: the last orders settle, up to ${formatDuration(DRAIN_MS)} (q again or Ctrl-C to quit now)`,
      );
    }
  }

  private text(): string {
    const until = this.until();
    const left = until === null ? null : Math.max(0, Math.ceil((until - Date.now()) / 1000));
    return `evt demo: stopping: the last orders settle${left === null ? '' : `, ${left}s left`} (q again to quit now)`;
  }

  private draw(): void {
    // one row: a line that wrapped could not be redrawn in place
    const width = Math.max(20, (this.stream.columns ?? 80) - 1);
    const text = this.text();
    this.stream.write(`\r\x1b[2K${text.length > width ? text.slice(0, width - 1) + '…' : text}`);
    this.drawn = true;
  }

  /** A message, above the countdown. */
  log(line: string): void {
    if (this.live && this.drawn) this.stream.write('\r\x1b[2K');
    printLine(this.stream, line);
    if (this.live) this.draw();
  }

  done(how: 'settled' | 'cut short'): void {
    if (this.timer) clearInterval(this.timer);
    if (this.live) this.stream.write('\r\x1b[2K');
    printLine(
      this.stream,
      how === 'settled'
        ? 'evt demo: stopped; the summary follows'
        : 'evt demo: stopped without waiting for the last orders; the summary follows',
    );
  }
}

/**
 * Reads single keys from a terminal (raw mode) while the last orders settle: q and Ctrl-C (a key in raw
 * mode, not a signal). Returns the function that gives the terminal back as it was.
 */
function watchKeys(stdin: Io['stdin'], onKey: (key: 'quit' | 'interrupt') => void): (() => void) | null {
  const tty = stdin as NodeJS.ReadStream;
  if (!tty.isTTY || typeof tty.setRawMode !== 'function') return null;
  const onData = (data: Buffer | string) => {
    const text = data.toString();
    if (text.includes('\x03')) onKey('interrupt');
    else if (/[qQ]/.test(text)) onKey('quit');
  };
  tty.setRawMode(true);
  tty.ref();
  tty.on('data', onData);
  tty.resume();
  return () => {
    tty.off('data', onData);
    tty.setRawMode(false);
    tty.pause();
    tty.unref();
  };
}

/** The dashboard over the running simulation, on a connection of its own, until q or the run's end. */
async function showDashboard(
  s: WorkflowSession,
  io: Io,
  g: GlobalOptions,
  simulation: () => SimulationStatus | null,
  run: Promise<unknown>,
  registry: string,
): Promise<DashboardEnd> {
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
    clusterName: s.embedded ? 'embedded' : (g.profile ?? s.settings.brokers.join(',')),
    brokers: s.settings.brokers,
    sinceMs: 60_000,
    stuckAfterMs: DEMO_STUCK_AFTER_MS,
    simulation,
    registry,
  });
  try {
    return await runDashboard(source, {
      stdin: io.stdin as NodeJS.ReadStream,
      stdout: io.stdout as NodeJS.WriteStream,
      color: useColor(io, g),
      stop: Promise.race([run.catch(() => null), io.interrupted()]),
    });
  } finally {
    await source.close();
    cluster.close();
  }
}
