// `evt trace <order-id>`: one order across every topic, as a timeline with a verdict; `--stuck`: the orders
// that have not reached a final state.

import type { Command } from 'commander';
import { CliError, ExitCode } from '../src/cli/errors.js';
import { printJson, printLine, useColor, type CommandContext, type GlobalOptions, type Io } from '../src/cli/io.js';

interface TraceFlags {
  topics?: string;
  since?: string;
  until?: string;
  allPartitions: boolean;
  follow: boolean;
  format: string;
  db: string;
  stuck: boolean;
  olderThan: string;
}

const FORMATS = ['timeline', 'table', 'mermaid'] as const;

export function registerTrace(program: Command, { io, globals }: CommandContext): void {
  program
    .command('trace')
    .argument('[order-id]', 'the order to follow (its key on the order topics)')
    .description('follow one order across every topic: a timeline, and where it got stuck and why')
    .option('--topics <list>', 'comma-separated topics to search (default: the workflow topics shop.* and shop.dlq.*)')
    .option('--since <time>', 'only events from this time (ISO, epoch ms, -15m); the scan is then not complete')
    .option('--until <time>', 'only events up to this time; the scan is then not complete')
    .option('--all-partitions', 'read every partition rather than the one murmur2 puts the order id on', false)
    .option('-f, --follow', 'after the trace, print the order\'s new events as they arrive (Ctrl-C stops)', false)
    .option('--format <format>', `timeline, table or mermaid (--json for JSON)`, 'timeline')
    .option('--db <file>', 'a views database: its order-events view answers when up to date', '.evt/views.db')
    .option('--stuck', 'list the orders that have not reached a final state instead', false)
    .option('--older-than <duration>', 'with --stuck: only orders whose first event is older than this', '30s')
    .addHelpText(
      'after',
      `
Finds every event of the order on the workflow's topics and dead-letter topics without joining a consumer
group: on order-keyed topics only the partition murmur2 (the Java client's and kafkajs' default
partitioner) puts the order id on, unless --all-partitions, a partition count unlike the other order
topics', or sampled keys say the producer partitions otherwise (then all partitions, and the scan report
says why); stock levels on the partitions of the order's skus; records matched by key or by the
evt-correlation-id header; topics other than the request and order topics from 10 s before the order's
first event; every partition up to the high watermark taken at the start.

Prints the timeline (time, delta from the previous and from the first event, event type, producer,
topic-partition@offset, the order fields it changed, the event that caused it), the verdict (the final
state and its end-to-end latency, or the step the order waits for and why: the responsible group has not
consumed the trigger yet with its lag, consumed it and produced nothing, or dead-lettered it with the
error) and what was scanned. When an order-events view (evt replay order-events) has read every
order-keyed partition to its end, it answers instead of the topics.

Exit codes: 0 found, 4 not found (the scan report says whether it was complete), 2 usage, 3 unreachable.

Examples:
  $ evt trace o-3f2a1c-000042                      timeline, verdict, scan report
  $ evt trace o-3f2a1c-000042 --json | jq .verdict
  $ evt trace o-3f2a1c-000042 --format mermaid     a sequence diagram of the services
  $ evt trace o-3f2a1c-000042 --since -1h --follow
  $ evt trace --stuck --older-than 1m              orders not final after a minute, and what each waits for`,
    )
    .action(async (orderId: string | undefined, flags: TraceFlags) => {
      await runTrace(orderId, flags, io, globals());
    });
}

async function runTrace(orderId: string | undefined, flags: TraceFlags, io: Io, g: GlobalOptions): Promise<void> {
  if (!(FORMATS as readonly string[]).includes(flags.format)) throw new CliError(`--format must be one of ${FORMATS.join(', ')}, not ${flags.format}`, ExitCode.USAGE);
  if (flags.stuck && orderId) throw new CliError('give either an order id or --stuck, not both', ExitCode.USAGE);
  if (!flags.stuck && !orderId) throw new CliError('which order? evt trace <order-id> (or --stuck)', ExitCode.USAGE);
  const { parseTime } = await import('../src/cli/time-spec.js');
  const since = flags.since !== undefined ? parseTime(flags.since, Date.now(), '--since') : undefined;
  const until = flags.until !== undefined ? parseTime(flags.until, Date.now(), '--until') : undefined;
  const topics = flags.topics?.split(',').map((t) => t.trim()).filter(Boolean);
  if (topics && topics.length === 0) throw new CliError('--topics needs at least one topic', ExitCode.USAGE);

  const { openSession, toCliError } = await import('../src/cli/tail/session.js');
  const session = await openSession(io, g);
  try {
    if (flags.stuck) return await printStuck(flags, io, g, session.cluster);
    const { autoDecoder } = await import('../src/codec/registry-codec.js');
    const codec = await autoDecoder(io.env, g);
    const { traceOrder } = await import('../src/trace/trace.js');
    const { renderTrace } = await import('../src/trace/render.js');
    const result = await traceOrder({ cluster: session.cluster, codec, orderId: orderId!, topics, since, until, allPartitions: flags.allPartitions, db: flags.db });
    if (g.json) printJson(io, result);
    else for (const line of renderTrace(result, flags.format as (typeof FORMATS)[number], useColor(io, g))) printLine(io.stdout, line);
    if (flags.follow) return await follow(orderId!, result, codec, io, g, session.cluster);
    if (!result.found) {
      const where = result.scan.complete ? 'a complete scan' : 'the scanned range (--since/--until)';
      throw new CliError(`order ${orderId} not found in ${where} of ${result.scan.topics.length} topics (${result.scan.recordsExamined} records)`, ExitCode.NOT_FOUND);
    }
  } catch (err) {
    throw toCliError(err, session.settings);
  } finally {
    session.cluster.close();
  }
}

async function printStuck(flags: TraceFlags, io: Io, g: GlobalOptions, cluster: import('../src/client/wire/cluster.js').Cluster): Promise<void> {
  const { parseDuration } = await import('../src/cli/parse.js');
  const olderThanMs = parseDuration(flags.olderThan, '--older-than');
  const { findStuck } = await import('../src/trace/stuck.js');
  const report = await findStuck({ cluster, olderThanMs, db: flags.db });
  if (g.json) return printJson(io, report);
  const { renderTable } = await import('../src/cli/table.js');
  const { formatMs } = await import('../src/trace/verdict.js');
  for (const line of renderTable(
    ['ORDER', 'STATE', 'AGE', 'LAST EVENT', 'WAITING FOR'],
    report.orders.map((o) => [o.orderId, o.state, formatMs(o.ageMs), `${o.lastEvent} ${formatMs(Date.now() - o.lastAt)} ago`, o.waitingFor.join('; ')]),
  ))
    printLine(io.stdout, line);
  printLine(io.stderr, `${report.orders.length} order${report.orders.length === 1 ? '' : 's'} not final after ${flags.olderThan} (from the ${report.source}${report.source === 'topics' ? `, ${report.recordsExamined} records` : ''}, ${report.elapsedMs} ms)`);
}

/** Keeps reading the partitions the trace read, from their ends, printing the order's new events. */
async function follow(
  orderId: string,
  result: import('../src/trace/trace.js').TraceResult,
  codec: import('../src/codec/value-codec.js').ValueCodec,
  io: Io,
  g: GlobalOptions,
  cluster: import('../src/client/wire/cluster.js').Cluster,
): Promise<void> {
  const { PartitionReader } = await import('../src/client/wire/index.js');
  const { decodeFound, buildTimeline } = await import('../src/trace/timeline.js');
  const { timelineBlock } = await import('../src/trace/render.js');
  const { Chalk } = await import('chalk');
  const c = new Chalk({ level: useColor(io, g) ? 1 : 0 });
  const ranges = result.scan.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.topic, partition: p.partition, from: p.until })));
  const { orderMatch } = await import('../src/trace/scan.js');
  const match = orderMatch(orderId);
  const reader = new PartitionReader(cluster, ranges, { maxWaitMs: 500, matchFor: () => match });
  void io.interrupted().then(() => reader.close());
  if (!g.json) printLine(io.stderr, `evt trace: following ${orderId} on ${ranges.length} partitions (Ctrl-C stops)`);
  const seen = [...result.events];
  for await (const chunk of reader) {
    if (chunk.records.length === 0) continue;
    const fresh = await decodeFound(chunk.records, codec);
    const timeline = buildTimeline([...seen, ...fresh]);
    for (const e of timeline.slice(seen.length)) {
      if (g.json) printJson(io, e);
      else for (const line of timelineBlock(e, c)) printLine(io.stdout, line);
    }
    seen.splice(0, seen.length, ...timeline);
  }
}
