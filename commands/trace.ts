// `evt trace <id>`: one entity across every topic, as a timeline with a verdict; `--stuck`: the entities of a
// flow that have not reached a final state.

import type { Command } from 'commander';
import { CliError, ExitCode } from '../src/cli/errors.js';
import { isolationOption, parseIsolation } from '../src/cli/isolation.js';
import { printJson, printLine, useColor, type CommandContext, type GlobalOptions, type Io } from '../src/cli/io.js';
import type { Cluster } from '../src/client/wire/index.js';
import type { ValueCodec } from '../src/codec/value-codec.js';
import type { Flow } from '../src/flow/model.js';
import type { TraceResult } from '../src/trace/trace.js';

interface TraceFlags {
  topics?: string;
  pattern?: string;
  field?: string[];
  flow?: string | boolean;
  prefix?: string;
  since?: string;
  until?: string;
  allPartitions: boolean;
  follow: boolean;
  format: string;
  db: string;
  stuck: boolean;
  olderThan: string;
  isolation: string;
}

const FORMATS = ['timeline', 'table', 'mermaid'] as const;

export function registerTrace(program: Command, { io, globals }: CommandContext): void {
  program
    .command('trace')
    .argument('[id]', 'the id of the entity to follow (an order id, a parcel id...)')
    .description('follow one entity across every topic: a timeline, and where it got stuck and why')
    .option(
      '--flow <file>',
      'what the system is expected to do: an evt flow file, AsyncAPI document or directory, or a bundled flow (shop)',
    )
    .option('--no-flow', 'judge by the conventions only, even where a flow would be found')
    .option('--prefix <prefix>', "replace the flow's prefix of topic names and group ids (e.g. dev.)")
    .option(
      '--topics <list>',
      "comma-separated topics to search (default: the flow's and their dead-letter topics, or every topic)",
    )
    .option('--pattern <regex>', 'search the topics whose names match this regular expression')
    .option(
      '--field <path>',
      'the id must be at this value path, e.g. $.parcel.id (repeatable)',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option('--since <time>', 'only events from this time (ISO, epoch ms, -15m); the scan is then not complete')
    .option('--until <time>', 'only events up to this time; the scan is then not complete')
    .option('--all-partitions', 'read every partition of keyed topics, not only the one murmur2 puts the id on', false)
    .option('-f, --follow', "after the trace, print the entity's new events as they arrive (Ctrl-C stops)", false)
    .option('--format <format>', `timeline, table or mermaid (--json for JSON)`, 'timeline')
    .option('--db <file>', "a views database: the flow's entity index answers when up to date", '.evt/views.db')
    .option('--stuck', "list the flow's entities that have not reached a final state instead", false)
    .option('--older-than <duration>', 'with --stuck: only entities whose first event is older than this', '30s')
    .addOption(isolationOption())
    .addHelpText(
      'after',
      `
Finds every record that carries the id, on every topic (internal ones left out), without joining a
consumer group: as its key, as a header value, or as a field anywhere in a JSON value or a value decoded
through the schema registry (--field narrows it). Records are matched inside the batch decoder by the id's
bytes, then checked exactly; every partition is read up to the high watermark taken at the start.

Event types, links and dead letters are recognised by convention: types from ce_type (CloudEvents),
__TypeId__ (Spring), axon-message-type, evt-event-type, a type/eventType/event_type field or the Avro
record name; links from traceparent, b3, ce_id, kafka_correlationId, correlationId and evt's causation
ids; dead letters from Spring Kafka (kafka_dlt-*), Spring Cloud Stream (x-original-*, x-exception-*),
Kafka Connect (__connect.errors.*) and evt's own headers, each tied to the record it stands for, with the
exception message.

With a flow (--flow, "flow" in evt.config.json, or the bundled workflow's when its topics are on the
cluster), only the flow's topics and their dead-letter topics are read; where the flow says the id is the
key, only the partition murmur2 puts it on (unless sampled keys say the producer partitions otherwise),
and the other topics from 10 s before the entity's first event. The verdict says whether the entity is
final (and how long it took) or which answer it waits for from which consumer group and why: the group
has not consumed the trigger (its offset, lag, members), consumed it and produced nothing, or sent it to a
dead-letter topic (with the exception). Without a flow the verdict says which groups of the newest
event's topic have consumed it. When the flow's entity index (evt replay entities --flow ...) is up to
date, it answers instead of the topics.

Exit codes: 0 found, 4 not found (the scan report says whether it was complete), 2 usage, 3 unreachable.

Examples:
  $ evt trace P-00042                                every topic, conventions only
  $ evt trace P-00042 --flow parcels.flow.json       with a verdict from the flow
  $ evt trace P-00042 --json | jq .verdict
  $ evt trace o-3f2a1c-000042 --format mermaid       a sequence diagram of the producers
  $ evt trace P-00042 --pattern '^logistics\\.' --field '$.parcel.parcelId'
  $ evt trace --stuck --flow parcels.flow.json --older-than 5m`,
    )
    .action(async (id: string | undefined, flags: TraceFlags) => {
      await runTrace(id, flags, io, globals());
    });
}

async function runTrace(id: string | undefined, flags: TraceFlags, io: Io, g: GlobalOptions): Promise<void> {
  if (!(FORMATS as readonly string[]).includes(flags.format))
    throw new CliError(`--format must be one of ${FORMATS.join(', ')}, not ${flags.format}`, ExitCode.USAGE);
  if (flags.stuck && id) throw new CliError('give either an id or --stuck, not both', ExitCode.USAGE);
  if (!flags.stuck && !id) throw new CliError('which entity? evt trace <id> (or --stuck with a flow)', ExitCode.USAGE);
  if (flags.topics !== undefined && flags.pattern !== undefined)
    throw new CliError('give --topics or --pattern, not both', ExitCode.USAGE);
  const { parseTime } = await import('../src/cli/time-spec.js');
  const since = flags.since !== undefined ? parseTime(flags.since, Date.now(), '--since') : undefined;
  const until = flags.until !== undefined ? parseTime(flags.until, Date.now(), '--until') : undefined;
  if (since !== undefined && until !== undefined && since > until)
    throw new CliError('--since is after --until: nothing can be in between', ExitCode.USAGE);
  const topics = flags.topics
    ?.split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  if (topics && topics.length === 0) throw new CliError('--topics needs at least one topic', ExitCode.USAGE);
  let pattern: RegExp | undefined;
  if (flags.pattern !== undefined) {
    try {
      pattern = new RegExp(flags.pattern);
    } catch (err) {
      throw new CliError(`--pattern: ${(err as Error).message}`, ExitCode.USAGE);
    }
  }
  const { parsePath } = await import('../src/flow/json-path.js');
  const fields = (flags.field ?? []).map((f) => {
    try {
      return parsePath(f);
    } catch (err) {
      throw new CliError(`--field: ${(err as Error).message}`, ExitCode.USAGE);
    }
  });
  // a flow given by file is read before connecting: a broken file is a usage error, whatever the cluster
  const { chooseFlow } = await import('../src/cli/flow-option.js');
  const given = flags.flow !== undefined ? await chooseFlow(flags, null, io.cwd) : null;

  // an entity index may answer: its modules (and SQLite's binding) load while the cluster is reached
  const { existsSync } = await import('node:fs');
  const indexReady = existsSync(flags.db)
    ? Promise.all([
        import('../src/views/entity-index.js'),
        import('../src/views/store.js').then((m) => m.loadSqlite()),
      ]).catch(() => undefined)
    : undefined;
  const { openSession, toCliError } = await import('../src/cli/session.js');
  const session = await openSession(io, g);
  session.cluster.isolation = parseIsolation(flags.isolation);
  await indexReady;
  try {
    const choice = given ?? (await chooseFlow(flags, session.cluster, io.cwd));
    const { autoDecoder } = await import('../src/codec/registry-codec.js');
    const codec = await autoDecoder(io.env, g, io.cwd);
    if (flags.stuck) {
      if (!choice.flow)
        throw new CliError(
          '--stuck needs a flow to know what final means: --flow FILE (write one with evt flow infer --output flow.json)',
          ExitCode.USAGE,
        );
      return await printStuck(flags, io, g, session.cluster, codec, choice.flow, { topics, pattern });
    }
    const { traceEntity } = await import('../src/trace/trace.js');
    const { renderTrace } = await import('../src/trace/render.js');
    const result = await traceEntity({
      cluster: session.cluster,
      codec,
      id: id!,
      flow: choice.flow,
      topics,
      pattern,
      fields,
      since,
      until,
      allPartitions: flags.allPartitions,
      db: flags.db,
    });
    if (choice.note) result.scan.notes.unshift(`flow: ${choice.note}`);
    if (g.json) printJson(io, result);
    else
      for (const line of renderTrace(result, flags.format as (typeof FORMATS)[number], useColor(io, g)))
        printLine(io.stdout, line);
    if (flags.follow) return await follow(result, codec, choice.flow, io, g, session.cluster);
    if (!result.found) {
      const where = result.scan.complete ? 'a complete scan' : 'the scanned range (--since/--until)';
      throw new CliError(
        `${result.entity} ${id} not found in ${where} of ${result.scan.topics.length} topics (${result.scan.recordsExamined} records)`,
        ExitCode.NOT_FOUND,
      );
    }
  } catch (err) {
    throw toCliError(err, session.settings);
  } finally {
    session.cluster.close();
  }
}

async function printStuck(
  flags: TraceFlags,
  io: Io,
  g: GlobalOptions,
  cluster: Cluster,
  codec: ValueCodec,
  flow: Flow,
  o: { topics?: string[]; pattern?: RegExp },
): Promise<void> {
  const { parseDuration } = await import('../src/common/parse.js');
  const olderThanMs = parseDuration(flags.olderThan, '--older-than');
  const { findStuck } = await import('../src/trace/stuck.js');
  const { searchPlan } = await import('../src/trace/trace.js');
  const plan = await searchPlan(cluster, { flow, ...o });
  const report = await findStuck({ cluster, codec, flow, plan, olderThanMs, db: flags.db });
  if (g.json) return printJson(io, report);
  const { renderTable } = await import('../src/common/text-table.js');
  const { formatDuration } = await import('../src/common/time.js');
  for (const line of renderTable(
    [report.entity.toUpperCase(), 'STATE', 'AGE', 'LAST EVENT', 'WAITING FOR'],
    report.entities.map((e) => [
      e.id,
      e.state ?? '-',
      formatDuration(e.ageMs, 'spaced'),
      `${e.lastEvent} ${formatDuration(Date.now() - e.lastAt, 'spaced')} ago`,
      e.waitingFor.join('; ') || 'nothing the flow expects next is known',
    ]),
  ))
    printLine(io.stdout, line);
  const n = report.entities.length;
  printLine(
    io.stderr,
    `${n} ${report.entity}${n === 1 ? '' : 's'} of ${report.seen} not final after ${flags.olderThan} (flow ${flow.name}, from the ${report.source}${report.source === 'topics' ? `, ${report.recordsExamined} records` : ''}, ${report.elapsedMs} ms)`,
  );
}

/** Keeps reading the partitions the trace read, from their ends, printing the entity's new events. */
async function follow(
  result: TraceResult,
  codec: ValueCodec,
  flow: Flow | null,
  io: Io,
  g: GlobalOptions,
  cluster: Cluster,
): Promise<void> {
  const { PartitionReader, LATEST } = await import('../src/client/wire/index.js');
  const { decodeFound } = await import('../src/trace/event.js');
  const { buildTimeline } = await import('../src/trace/timeline.js');
  const { timelineBlock } = await import('../src/trace/render.js');
  const { EntityMatcher } = await import('../src/flow/entity.js');
  const { Chalk } = await import('chalk');
  const c = new Chalk({ level: useColor(io, g) ? 1 : 0 });
  let ranges = result.scan.topics.flatMap((t) =>
    t.partitions.map((p) => ({ topic: t.topic, partition: p.partition, from: p.until })),
  );
  if (ranges.length === 0) {
    // answered by the index: follow every partition of the topics the events are on, from their ends
    const topics = [...new Set(result.events.map((e) => e.topic))];
    const parts = (
      await Promise.all(
        topics.map(async (t) => (await cluster.topic(t)).partitions.map((p) => ({ topic: t, partition: p.partition }))),
      )
    ).flat();
    const ends = await cluster.listOffsets(parts.map((p) => ({ ...p, timestamp: LATEST })));
    ranges = ends.map((e) => ({ topic: e.topic, partition: e.partition, from: e.offset }));
  }
  const matcher = new EntityMatcher(result.id);
  const reader = new PartitionReader(cluster, ranges, {
    maxWaitMs: 500,
    matchFor: () => ({ contains: matcher.needles() }),
  });
  let interrupted = false;
  void io.interrupted().then(() => {
    interrupted = true;
    reader.close();
  });
  if (!g.json) printLine(io.stderr, `evt trace: following ${result.id} on ${ranges.length} partitions (Ctrl-C stops)`);
  const seen = [...result.events];
  for await (const chunk of reader) {
    if (chunk.records.length === 0) continue;
    const fresh = await decodeFound(chunk.records, codec, matcher, flow);
    if (fresh.length === 0) continue;
    const timeline = buildTimeline([...seen, ...fresh], flow);
    const known = new Set(seen.map((e) => `${e.topic}:${e.partition}:${e.offset}`));
    for (const e of timeline.filter((x) => !known.has(`${x.topic}:${x.partition}:${x.offset}`))) {
      if (g.json) printJson(io, e);
      else for (const line of timelineBlock(e, c)) printLine(io.stdout, line);
    }
    seen.splice(0, seen.length, ...timeline);
  }
  if (interrupted) throw new CliError(`interrupted: followed ${result.id} for its new events`, ExitCode.INTERRUPTED);
}
