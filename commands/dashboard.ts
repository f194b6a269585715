// `evt dashboard`: the backbone and the workflow on one live screen; one snapshot as text or JSON when there
// is no terminal to draw on (CI logs).

import type { Command } from 'commander';
import { CliError, ExitCode } from '../src/cli/errors.js';
import { isolationOption, parseIsolation } from '../src/cli/isolation.js';
import { printJson, printLine, useColor, type CommandContext, type GlobalOptions, type Io } from '../src/cli/io.js';
import { parseDuration, parseInteger } from '../src/common/parse.js';

interface DashboardFlags {
  flow?: string | boolean;
  prefix?: string;
  since: string;
  stuckAfter: string;
  refresh: string;
  once: boolean;
  events: string;
  db: string;
  isolation: string;
}

export function registerDashboard(program: Command, { io, globals }: CommandContext): void {
  program
    .command('dashboard')
    .description(
      "live terminal dashboard of a cluster: consumer groups, topics, events, and a flow's entities and stuck ones",
    )
    .option(
      '--flow <file>',
      'what the system is expected to do: an evt flow file, AsyncAPI document or directory, or a bundled flow (shop)',
    )
    .option('--no-flow', 'no flow panel, even where a flow would be found')
    .option('--prefix <prefix>', "replace the flow's prefix of topic names and group ids")
    .option('--since <time>', "how far back the flow's counts start", '10m')
    .option('--stuck-after <time>', 'an entity not final after this long is listed as stuck', '5s')
    .option('--refresh <time>', 'how often the cluster is polled for offsets and groups', '1s')
    .option('--once', 'print one snapshot and exit (what happens anyway without a terminal)', false)
    .option('--events <n>', 'events in a printed snapshot', '20')
    .option('--db <file>', 'views database whose entity index may answer traces', '.evt/views.db')
    .addOption(isolationOption())
    .addHelpText(
      'after',
      `
Panels: the consumer groups (members, lag and its trend, records processed per second, dead letters,
up or down), the topics (partitions, records, records per second, the last event type) and the live
feed of events (types, dead letters and links recognised by convention). With a flow (--flow, "flow"
in evt.config.json, or the bundled workflow's when its topics are on the cluster) also the flow's
panel: its entities by state and outcome reason, settled per second, end-to-end latency, and those not
final after --stuck-after with the answer each waits for; its groups come first in the services panel,
named as the flow names them. The flow's counts cover the events since --since; without a flow the
feed starts at the newest records. Offsets and groups are polled every --refresh.

Keys: tab/arrows/h/l change panel, j/k move, enter drills down (an entity's trace, a group's or a
topic's partitions), t traces the selected entity, / filters, p pauses the feed, esc goes back,
? lists every key, q quits.

Without a terminal (or with --once or --json) it prints one snapshot and exits 0.

Examples:
  $ evt dashboard                                   the configured cluster
  $ evt dashboard --flow parcels.flow.json --since 1h
  $ evt --brokers kafka-1:9092 --registry http://registry:8081 dashboard
  $ evt dashboard --once                            one text snapshot (as CI logs show it)
  $ evt dashboard --json | jq '.services[] | {group, lag}'
  $ evt demo                                        the workflow simulated, under this dashboard`,
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
  const { chooseFlow } = await import('../src/cli/flow-option.js');
  const given = flags.flow !== undefined ? await chooseFlow(flags, null, io.cwd) : null;
  const { openSession, toCliError } = await import('../src/cli/session.js');
  const session = await openSession(io, g);
  session.cluster.isolation = parseIsolation(flags.isolation);
  try {
    const { flow } = given ?? (await chooseFlow(flags, session.cluster, io.cwd));
    const { decoderFor } = await import('../src/codec/registry-codec.js');
    const { registryFromOptions } = await import('../src/codec/registry-client.js');
    const { createLiveSource, takeSnapshot } = await import('../src/tui/live/live-source.js');
    const registry = await registryFromOptions(io.env, g, io.cwd);
    const options = {
      cluster: session.cluster,
      flow,
      codec: await decoderFor(registry),
      registry: registry?.url,
      // the addresses themselves when no profile names them (the header then shows them once)
      clusterName: g.profile ?? session.settings.brokers.join(','),
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
      await runDashboard(source, {
        stdin: io.stdin as NodeJS.ReadStream,
        stdout: io.stdout as NodeJS.WriteStream,
        color: useColor(io, g),
        stop: io.interrupted(),
      });
    } finally {
      await source.close();
    }
  } catch (err) {
    throw toCliError(err, session.settings);
  } finally {
    session.cluster.close();
  }
}
