// `evt replay <view>`: fold topics into a local SQLite view, resumably and exactly once across crashes.

import type { Command } from 'commander';
import { CliError, ExitCode } from '../src/cli/errors.js';
import { isolationOption, parseIsolation } from '../src/cli/isolation.js';
import { printJson, printLine, type CommandContext, type GlobalOptions, type Io } from '../src/cli/io.js';
import { formatDuration } from '../src/common/time.js';

interface ReplayFlags {
  db: string;
  flow?: string | boolean;
  prefix?: string;
  from?: string;
  follow: boolean;
  rebuild: boolean;
  viewFile?: string;
  isolation: string;
}

export function registerReplay(program: Command, { io, globals }: CommandContext): void {
  program
    .command('replay')
    .argument(
      '<view>',
      "entities (a flow's entity index), orders, stock, payments, latest (with a topic), or the name of a --view-file view",
    )
    .argument('[topic]', 'for latest: the topic to keep the last value per key of')
    .description('replay topics into a local SQLite view (resumable, exactly once across crashes)')
    .option('--db <file>', 'the views database', '.evt/views.db')
    .option(
      '--from <where>',
      'where partitions the view has not read yet start: beginning, or @<time> (ISO, epoch ms, -2h)',
    )
    .option('-f, --follow', 'keep the view live after catching up (Ctrl-C stops)', false)
    .option('--rebuild', 'drop the view and replay it from the start', false)
    .addOption(isolationOption())
    .option('--view-file <file>', 'a custom view: a .json mapping or a .js module (see README, Custom views)')
    .option(
      '--flow <file>',
      'for entities: the flow whose entity index to build (a flow file, AsyncAPI, or a bundled flow: shop)',
    )
    .option(
      '--prefix <prefix>',
      "for orders, stock, payments: the prefix of the workflow's topics (default shop.; '' for the unprefixed topics of evt before prefixes); for entities: replaces the flow's",
    )
    .addHelpText(
      'after',
      `
Reads the view's topics outside any consumer group from where the view stopped (or --from), decodes each
event (Avro, Protobuf or JSON Schema through the registry when one is configured, else JSON or text), applies it, and commits the
rows with each partition's next offset in one SQLite transaction per batch: killed at any moment, it
resumes exactly where its rows end. Undecodable events, and events the view rejects, go to the view's
errors table (see evt view show), the replay goes on, and a line on stderr counts them and gives the
first. But when the view's code throws on every event of a batch before it has applied any in this run,
the view is broken rather than the events: that batch is committed (its events in the errors table) and
the replay stops with exit 1 and the first error. A view file is checked when it is loaded (an async
apply, a syntax error: exit 2 with its file and line). Progress (events/s, position against the end per
partition, ETA) on stderr; the summary on stdout (--json).

Built-in views: entities (a flow's entity index: one row per event of every entity, id, topic,
partition, offset, time, type; what evt trace and trace --stuck answer from when it is up to date; the
flow from --flow, evt.config.json, or the bundled workflow's when its topics are on the cluster); the
bundled workflow's orders (one row per order: state, reason, customer, lines, total, step times, from
shop.orders), stock (per sku, from shop.inventory.stock) and payments (per order, from shop.payments);
and latest <topic> (the last value per key, a null value deletes the key). The shop. prefix is the
workflow's default (evt simulate --prefix): --prefix reads orders, stock and payments from another one;
a view built under one prefix is replayed under the same one (or --rebuild).

Examples:
  $ evt replay orders                              build or catch up .evt/views.db's orders view
  $ evt replay orders --follow                     and keep it live
  $ evt replay orders --prefix acme.               from acme.orders (evt simulate --prefix acme.)
  $ evt replay latest customers --rebuild          last value per key of topic customers, from scratch
  $ evt replay entities --flow parcels.flow.json   the entity index that evt trace answers from
  $ evt replay entities --flow shop --from @-1h    the demo's orders of the last hour onwards
  $ evt replay big-orders --view-file big-orders.json
  $ evt view get orders o-1                        read it (evt view --help)`,
    )
    .action(async (view: string, topic: string | undefined, flags: ReplayFlags) => {
      await runReplay(view, topic, flags, io, globals());
    });
}

async function runReplay(
  name: string,
  topic: string | undefined,
  flags: ReplayFlags,
  io: Io,
  g: GlobalOptions,
): Promise<void> {
  const known = name === 'entities' ? null : await resolveDefinition(name, topic, flags);
  const { parseTime } = await import('../src/cli/time-spec.js');
  let from: import('../src/views/replay.js').ReplayStart | undefined;
  if (flags.from === undefined || flags.from === 'beginning') from = { kind: 'beginning' };
  else if (flags.from.startsWith('@'))
    from = { kind: 'time', timestamp: parseTime(flags.from.slice(1), Date.now(), '--from') };
  else throw new CliError(`--from: "${flags.from}" is not beginning or @<time> (e.g. --from @-2h)`, ExitCode.USAGE);

  const { openSession, toCliError } = await import('../src/cli/session.js');
  const { openDatabase } = await import('../src/views/store.js');
  const { replay, describeEventError, MissingTopicError, ViewCodeError, ViewTopicsChangedError } =
    await import('../src/views/replay.js');
  const { autoDecoder } = await import('../src/codec/registry-codec.js');
  const { formatProgress } = await import('../src/cli/replay-progress.js');

  const codec = await autoDecoder(io.env, g, io.cwd);
  const { chooseFlow } = await import('../src/cli/flow-option.js');
  const given = known === null && flags.flow !== undefined ? await chooseFlow(flags, null, io.cwd) : null;
  const session = await openSession(io, g);
  session.cluster.isolation = parseIsolation(flags.isolation);
  let def: import('../src/views/definition.js').ViewDefinition;
  try {
    def =
      known ?? (await entityIndex(given ?? (await chooseFlow(flags, session.cluster, io.cwd)), session.cluster, topic));
  } catch (err) {
    session.cluster.close();
    throw toCliError(err, session.settings);
  }
  let db;
  try {
    db = openDatabase(flags.db);
  } catch (err) {
    session.cluster.close();
    throw new CliError(`cannot open the views database ${flags.db}: ${(err as Error).message}`, ExitCode.FAILURE);
  }
  const stop = new AbortController();
  if (flags.follow) void io.interrupted().then(() => stop.abort());
  const live = !!io.stderr.isTTY;
  try {
    const summary = await replay({
      db,
      def,
      cluster: session.cluster,
      codec,
      from,
      follow: flags.follow,
      rebuild: flags.rebuild,
      signal: stop.signal,
      progressEveryMs: live ? 500 : 5000,
      onProgress: (p) => {
        const line = formatProgress(def.name, p);
        if (live) io.stderr.write(`\r\x1b[2K${line}`);
        else printLine(io.stderr, line);
      },
    });
    if (live) io.stderr.write('\r\x1b[2K');
    if (summary.truncated.length)
      printLine(
        io.stderr,
        `evt replay: ${summary.truncated.join(', ')}: the stored offset was deleted by retention; restarted at the log start`,
      );
    if (summary.firstError)
      printLine(
        io.stderr,
        `evt replay ${def.name}: ${summary.errors} of ${summary.events} events went to the errors table, the first ${describeEventError(summary.firstError)} (evt view show ${def.name})`,
      );
    if (g.json) printJson(io, { ...summary, db: flags.db });
    else {
      printLine(
        io.stdout,
        `${def.name}: ${summary.events} events applied in ${formatDuration(summary.elapsedMs, 'seconds')} (${Math.round(summary.eventsPerSecond)}/s), ${summary.errors} to the errors table${summary.rebuilt ? ', rebuilt' : ''}; ${flags.db}`,
      );
    }
  } catch (err) {
    if (err instanceof MissingTopicError) throw new CliError(err.message, ExitCode.NOT_FOUND);
    if (err instanceof ViewCodeError) {
      const all = err.events === 1 ? 'the only event' : `all ${err.events} events`;
      throw new CliError(
        `${err.message}; its code threw on ${all} of the batch, now in its errors table (evt view show ${err.view})${flags.viewFile ? ': fix the view file and replay with --rebuild' : ''}`,
        ExitCode.FAILURE,
      );
    }
    if (err instanceof ViewTopicsChangedError) {
      throw new CliError(
        `${err.message} in ${flags.db}: replay it with the --prefix it was built with, or give --rebuild to build it again from ${err.wanted.join(', ')} (or another --db)`,
        ExitCode.USAGE,
      );
    }
    throw toCliError(err, session.settings);
  } finally {
    db.close();
    session.cluster.close();
  }
}

/** The entity index of the chosen flow, over its topics and the dead-letter topics on the cluster that go with them. */
async function entityIndex(
  choice: import('../src/cli/flow-option.js').FlowChoice,
  cluster: import('../src/client/wire/index.js').Cluster,
  topic: string | undefined,
) {
  if (topic) throw new CliError(`only latest takes a topic (evt replay latest ${topic})`, ExitCode.USAGE);
  if (!choice.flow)
    throw new CliError(
      'entities needs a flow: evt replay entities --flow FILE (write one with evt flow infer --output flow.json)',
      ExitCode.USAGE,
    );
  const { searchPlan } = await import('../src/trace/trace.js');
  const { entityIndexView } = await import('../src/views/entity-index.js');
  const plan = await searchPlan(cluster, { flow: choice.flow });
  const existing = new Set(await cluster.topicNames());
  const topics = plan.topics.filter((t) => existing.has(t));
  if (topics.length === 0)
    throw new CliError(
      `none of the topics of flow ${choice.flow.name} exist on the cluster (${plan.topics.slice(0, 5).join(', ')}...)`,
      ExitCode.NOT_FOUND,
    );
  return entityIndexView(choice.flow, topics);
}

async function resolveDefinition(name: string, topic: string | undefined, flags: ReplayFlags) {
  const { builtinView, BUILTIN_VIEWS, WORKFLOW_VIEW_NAMES } = await import('../src/views/builtin.js');
  if (flags.prefix !== undefined && (flags.viewFile || !WORKFLOW_VIEW_NAMES.includes(name))) {
    throw new CliError(
      `--prefix applies to the workflow's views ${WORKFLOW_VIEW_NAMES.join(', ')}, not to ${name}`,
      ExitCode.USAGE,
    );
  }
  if (flags.viewFile) {
    const { loadViewFile } = await import('../src/views/custom.js');
    let def;
    try {
      def = await loadViewFile(flags.viewFile);
    } catch (err) {
      throw new CliError((err as Error).message, ExitCode.USAGE);
    }
    if (def.name !== name)
      throw new CliError(`${flags.viewFile} defines view ${def.name}, not ${name}`, ExitCode.USAGE);
    // a custom view must not take over a built-in's name or tables (a --rebuild would drop them)
    const clash =
      builtinView(def.name) ??
      BUILTIN_VIEWS.find((v) => v.tables.includes(def.table) || def.table.startsWith('latest_')) ??
      (def.name === 'entities' || def.table === 'entity_events' ? { name: 'entities' } : undefined);
    if (clash)
      throw new CliError(
        `${flags.viewFile}: view ${def.name} (table ${def.table}) clashes with the built-in view ${clash.name}: choose another name`,
        ExitCode.USAGE,
      );
    return def;
  }
  if (name === 'latest') {
    if (!topic) throw new CliError('latest needs a topic: evt replay latest <topic>', ExitCode.USAGE);
    return builtinView(`latest-${topic}`)!;
  }
  if (topic) throw new CliError(`only latest takes a topic (evt replay latest ${topic})`, ExitCode.USAGE);
  const { namesFromPrefix } = await import('../src/cli/workflow/session.js');
  const def = builtinView(name, flags.prefix !== undefined ? await namesFromPrefix(flags.prefix) : undefined);
  if (!def)
    throw new CliError(
      `no view ${name}: built-in views are entities, ${BUILTIN_VIEWS.map((v) => v.name).join(', ')}, latest <topic>; or give --view-file`,
      ExitCode.USAGE,
    );
  return def;
}
