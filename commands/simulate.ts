// `evt simulate`: run the bundled order workflow under a seeded load, with faults, and check its invariants.

import type { Command } from 'commander';
import { CliError, ExitCode } from '../src/cli/errors.js';
import { printJson, printLine, type CommandContext, type GlobalOptions, type Io } from '../src/cli/io.js';
import { parseDuration, parseInteger } from '../src/common/parse.js';
import {
  addPrefixOption,
  addServiceOptions,
  namesFromPrefix,
  parsePartitions,
  workflowConfig,
  type ServiceFlags,
} from '../src/cli/workflow/session.js';

interface SimulateFlags extends ServiceFlags {
  orders?: string;
  duration?: string;
  rate: string;
  customers: string;
  skus?: string;
  cancelRate: string;
  poisonRate: string;
  latency?: string;
  chaos?: string;
  instances?: string;
  processes: boolean;
  embedded: boolean;
  drain?: string;
  prefix: string;
}

export function registerSimulate(program: Command, { io, globals }: CommandContext): void {
  const cmd = program
    .command('simulate')
    .description(
      'run the bundled order workflow (basket, orders, inventory, payments, fraud, shipping) under a seeded load and check its invariants',
    )
    .option('-n, --orders <n>', 'orders to send (default 500 unless --duration)')
    .option('-d, --duration <time>', 'send orders for this long instead, e.g. 60s')
    .option('-r, --rate <rate>', 'orders per second, e.g. 50/s or 3000/m', '50/s')
    .option('--customers <n>', 'distinct customers', '25')
    .option(
      '--skus <list>',
      'skus to order from (comma-separated; default all stocked: SKU-MUG,SKU-TEE,SKU-HAT,SKU-LAMP)',
    )
    .option('--cancel-rate <share>', 'share of orders cancelled right after being requested', '0.05')
    .option(
      '--poison-rate <share>',
      "share of orders preceded by an undecodable record (it must land in the orders service's dead letters, shop.dlq.orders)",
      '0',
    )
    .option('--latency <spec>', "extra processing time per service, e.g. 'payments=20ms..200ms,fraud=5ms'")
    .option(
      '--chaos <spec>',
      "faults: 'stop <service> at <time> for <time>' or 'kill <service> at <time> [for <time>]', ';'-separated",
    )
    .option(
      '--instances <spec>',
      "instances per service, e.g. 'orders=2,payments=3' (inventory runs one active, the others stand by)",
    )
    .option('--processes', 'run each instance as an `evt worker` child process (kill means SIGKILL)', false)
    .option(
      '--embedded',
      'start an in-memory embedded broker and registry for this run instead of using --brokers',
      false,
    )
    .option(
      '--drain <time>',
      'how long to wait after the last order for every order to settle (default: order timeout + 30s)',
    );
  addServiceOptions(cmd);
  addPrefixOption(cmd);
  cmd
    .addHelpText(
      'after',
      `
The workflow's names on the cluster carry --prefix (default shop.), so that they never meet your own:
topics shop.basket.order-requests, shop.orders, shop.inventory.reservations, shop.inventory.stock,
shop.payments, shop.fraud.checks, shop.shipments; dead letters shop.dlq.<service>; groups
shop.<service>-service; schemas under shop.<topic>-value. --prefix '' gives evt's former names (orders,
..., evt.dlq.<service>, evt-workflow-<service>), to run on data written before prefixes.

Orders, amounts, cancels, poison records and the decisions (declines, fraud, failed shipments) follow from
the seed. Progress goes to stderr; the summary (orders per final state and rejection reason, latency from
request to decision and to the final state, compensations, dead letters) to stdout, or as JSON with --json.
At the end the topics are read back and the invariants checked: single writer per topic, stock never
negative and reserved + available = on hand, every order in a final state, nothing confirmed without
payment and stock, every rejected or cancelled order compensated, nothing reserved or charged twice.
Exit 0 when they all hold, 5 with the violations listed when any breaks.

--compression (gzip, snappy, lz4, zstd; none by default) is the codec of the record batches the services
and the load write; with --processes the worker processes get it too.

Examples:
  $ evt simulate --embedded                                  500 orders at 50/s on a throwaway broker
  $ evt --brokers 127.0.0.1:9092 --registry http://127.0.0.1:8081 simulate -n 2000 -r 200/s
  $ evt simulate --embedded --duration 60s --chaos 'stop inventory at 10s for 15s'
  $ evt simulate --embedded --chaos 'kill payments at 5s for 2s' --processes --instances payments=2
  $ evt simulate --embedded --poison-rate 0.01 --latency payments=20ms..200ms --json | jq .latencyMs
  $ evt simulate --embedded --compression zstd               every service (and the orders sent) writes zstd batches
  $ evt --brokers 127.0.0.1:9092 --registry http://127.0.0.1:8081 simulate --prefix acme.   acme.orders, ...`,
    )
    .action(async (flags: SimulateFlags, command: Command) => {
      await runSimulate(flags, io, globals(), (name) => command.getOptionValueSource(name) === 'cli');
    });
}

async function runSimulate(
  flags: SimulateFlags,
  io: Io,
  g: GlobalOptions,
  explicit: (name: string) => boolean,
): Promise<void> {
  const { parseChaos, parseFraction, parseInstances, parseLatency, parseRate } =
    await import('../src/workflow/sim-options.js');
  const { CATALOGUE_PRICES, GHOST_SKU, stockedSkus } = await import('../src/workflow/load.js');
  if (flags.orders !== undefined && flags.duration !== undefined)
    throw new CliError('give --orders or --duration, not both', ExitCode.USAGE);
  const orders =
    flags.duration !== undefined
      ? undefined
      : flags.orders !== undefined
        ? parseInteger(flags.orders, '--orders', { min: 1 })
        : 500;
  const durationMs = flags.duration !== undefined ? parseDuration(flags.duration, '--duration') : undefined;
  if (durationMs !== undefined && durationMs <= 0)
    throw new CliError(`--duration: "${flags.duration}" must be positive, e.g. 60s`, ExitCode.USAGE);
  const skus = flags.skus
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const sku of skus ?? []) {
    if (CATALOGUE_PRICES[sku] === undefined || sku === GHOST_SKU)
      throw new CliError(`--skus: unknown sku ${sku} (the catalogue has ${stockedSkus().join(', ')})`, ExitCode.USAGE);
  }
  const config = await workflowConfig(flags, io.env, explicit);
  const options = {
    orders,
    durationMs,
    rate: parseRate(flags.rate),
    load: {
      seed: config.seed,
      customers: parseInteger(flags.customers, '--customers', { min: 1 }),
      skus,
      cancelRate: parseFraction('--cancel-rate', flags.cancelRate),
      poisonRate: parseFraction('--poison-rate', flags.poisonRate),
    },
    latency: flags.latency ? parseLatency(flags.latency) : {},
    chaos: flags.chaos ? parseChaos(flags.chaos) : [],
    instances: flags.instances ? parseInstances(flags.instances) : {},
    drainMs: flags.drain !== undefined ? parseDuration(flags.drain, '--drain') : undefined,
  };
  const partitions = parsePartitions(flags.partitions);
  const names = await namesFromPrefix(flags.prefix);

  const { withWorkflow } = await import('../src/cli/workflow/session.js');
  const { runSimulation } = await import('../src/workflow/runtime/simulation.js');
  const { inProcessHost, processHost } = await import('../src/workflow/runtime/hosts.js');
  const { progressLine, summaryJson, summaryLines } = await import('../src/cli/workflow/report.js');
  const live = !!io.stderr.isTTY;
  const interrupted = new AbortController();
  void io.interrupted().then(() => {
    printLine(
      io.stderr,
      '\nevt simulate: interrupted: no more orders; settling what was sent (Ctrl-C again to quit now)',
    );
    interrupted.abort();
  });

  const summary = await withWorkflow(io, g, { embedded: flags.embedded, partitions, config, names }, async (s) => {
    if (s.embedded)
      printLine(
        io.stderr,
        `evt simulate: embedded broker on ${s.embedded.bootstrap}, registry ${s.embedded.registryUrl}`,
      );
    printLine(io.stderr, `evt simulate: ${names.describe()}`);
    const host = flags.processes
      ? processHost({
          settings: s.settings,
          registryUrl: s.registry.url,
          config,
          prefix: names.prefix,
          log: (line) => printLine(io.stderr, line),
          verbose: g.verbose,
        })
      : inProcessHost(s.rt);
    let lastLength = 0;
    const result = await runSimulation({
      rt: s.rt,
      admin: s.admin,
      host,
      ...options,
      signal: interrupted.signal,
      progressEveryMs: live ? 1000 : 5000,
      onProgress: (p) => {
        const line = progressLine(p);
        if (live) {
          io.stderr.write(`\r${line.padEnd(lastLength)}`);
          lastLength = line.length;
        } else printLine(io.stderr, `evt simulate: ${line}`);
      },
    });
    if (live && lastLength) io.stderr.write('\n');
    return result;
  });
  if (g.json) printJson(io, summaryJson(summary));
  else for (const line of summaryLines(summary)) printLine(io.stdout, line);
  if (summary.violations.length > 0) {
    throw new CliError(
      `${summary.violations.length} invariant violation(s)${g.json ? ' (in the JSON summary)' : ' (listed above)'}`,
      ExitCode.EXPECTATION,
    );
  }
  if (interrupted.signal.aborted)
    throw new CliError('interrupted: the summary covers the orders sent until then', ExitCode.INTERRUPTED);
}
