// `evt dashboard`: the backbone and the workflow on one live screen; one snapshot as text or JSON when there
// is no terminal to draw on (CI logs).

import type { Command } from 'commander';
import { CliError, ExitCode } from '../src/cli/errors.js';
import { printJson, printLine, useColor, type CommandContext, type GlobalOptions, type Io } from '../src/cli/io.js';
import { parseDuration, parseInteger } from '../src/cli/parse.js';

interface DashboardFlags {
  since: string;
  stuckAfter: string;
  refresh: string;
  once: boolean;
  events: string;
  db: string;
}

export function registerDashboard(program: Command, { io, globals }: CommandContext): void {
  program
    .command('dashboard')
    .description('live terminal dashboard: the workflow, stuck orders, consumer groups, topics and events')
    .option('--since <time>', 'how far back the workflow counts and the event feed start', '10m')
    .option('--stuck-after <time>', 'an order not final after this long is listed as stuck', '5s')
    .option('--refresh <time>', 'how often the cluster is polled for offsets and groups', '1s')
    .option('--once', 'print one snapshot and exit (what happens anyway without a terminal)', false)
    .option('--events <n>', 'events in a printed snapshot', '20')
    .option('--db <file>', 'views database whose order-events view may answer traces', '.evt/views.db')
    .addHelpText(
      'after',
      `
Panels: the workflow (orders by state and rejection reason, orders settled per second, end-to-end
latency, orders not final after --stuck-after and the step each waits for), the consumer groups
(members, lag and its trend, records processed per second, dead letters, up or down), the topics
(partitions, records, records per second, the last event type) and the live feed of workflow events.
The workflow counts and the feed cover the events since --since; offsets and groups are polled every
--refresh.

Keys: tab/arrows/h/l change panel, j/k move, enter drills down (an order's trace, a group's or a
topic's partitions), t traces the selected order, / filters, p pauses the feed, esc goes back,
? lists every key, q quits.

Without a terminal (or with --once or --json) it prints one snapshot and exits 0.

Examples:
  $ evt dashboard                                   the embedded broker or the configured cluster
  $ evt --brokers kafka-1:9092 --registry http://registry:8081 dashboard --since 1h
  $ evt dashboard --once                            one text snapshot (as CI logs show it)
  $ evt dashboard --json | jq '.services[] | {group, lag}'
  $ npx evt demo                                    the workflow simulated, under this dashboard`,
    )
    .action(async (flags: DashboardFlags) => {
      await runDashboardCommand(flags, io, globals());
    });
}

async function runDashboardCommand(flags: DashboardFlags, io: Io, g: GlobalOptions): Promise<void> {
  const sinceMs = parseDuration(flags.since, '--since');
  const stuckAfterMs = parseDuration(flags.stuckAfter, '--stuck-after');
  const pollMs = parseDuration(flags.refresh, '--refresh');
  if (pollMs < 100) throw new CliError(`--refresh: "${flags.refresh}" is too often; 100ms at least`, ExitCode.USAGE);
  const events = parseInteger(flags.events, '--events', { min: 0, max: 10_000 });
  const { openSession, toCliError } = await import('../src/cli/tail/session.js');
  const session = await openSession(io, g);
  try {
    const { decoderFor } = await import('../src/codec/registry-codec.js');
    const { registryFromOptions } = await import('../src/codec/registry-client.js');
    const { createLiveSource, takeSnapshot } = await import('../src/tui/live/live-source.js');
    const registry = await registryFromOptions(io.env, g);
    const options = {
      cluster: session.cluster,
      codec: await decoderFor(registry),
      registry: registry?.url,
      clusterName: g.profile ?? session.settings.brokers[0],
      brokers: session.settings.brokers,
      sinceMs,
      stuckAfterMs,
      pollMs,
      traceDb: flags.db,
    };
    const interactive = !flags.once && !g.json && !!io.stdout.isTTY && !!io.stdin.isTTY;
    if (!interactive) {
      const snapshot = await takeSnapshot(options);
      if (g.json) return printJson(io, snapshot);
      const { snapshotText } = await import('../src/tui/text-snapshot.js');
      const width = (io.stdout as { columns?: number }).columns ?? 120;
      for (const line of snapshotText(snapshot, { width, events })) printLine(io.stdout, line);
      return;
    }
    const source = await createLiveSource(options);
    try {
      const { runDashboard } = await import('../src/tui/run.js');
      await runDashboard(source, { stdin: io.stdin as NodeJS.ReadStream, stdout: io.stdout as NodeJS.WriteStream, color: useColor(io, g), stop: io.interrupted() });
    } finally {
      await source.close();
    }
  } catch (err) {
    throw toCliError(err, session.settings);
  } finally {
    session.cluster.close();
  }
}
