// `evt topics list|describe|create|delete|config`: topics with partitions, leaders, offsets, record counts
// and configs.

import type { Command } from 'commander';
import { assertCanConfirm, confirm } from '../src/cli/confirm.js';
import { usageError } from '../src/cli/errors.js';
import { printJson, type CommandContext } from '../src/cli/io.js';
import { parseInteger } from '../src/common/parse.js';
import { colorOnStdout, writeLines } from '../src/cli/table.js';
import { renderFields, renderTable } from '../src/common/text-table.js';
import type { ConfigEntry } from '../src/client/admin.js';
import { collect } from '../src/cli/repeatable.js';

export function parseKeyValue(text: string, option: string): [string, string] {
  const i = text.indexOf('=');
  if (i <= 0) throw usageError(`${option}: "${text}" is not name=value`);
  return [text.slice(0, i).trim(), text.slice(i + 1)];
}

function parseConfigs(entries: string[], option: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of entries) {
    const [k, v] = parseKeyValue(e, option);
    out[k] = v;
  }
  return out;
}

function checkTopicName(name: string): void {
  if (!name || name === '.' || name === '..' || name.length > 249 || !/^[a-zA-Z0-9._-]+$/.test(name)) {
    throw usageError(`"${name}" is not a valid topic name (letters, digits, ".", "_", "-"; at most 249 characters)`);
  }
}

const configJson = (c: ConfigEntry) => ({
  name: c.name,
  value: c.sensitive ? null : c.value,
  source: c.source,
  ...(c.readOnly ? { readOnly: true } : {}),
});

export function registerTopics(program: Command, ctx: CommandContext): void {
  const { io, globals } = ctx;
  const session = async () => import('../src/cli/session.js');

  const topics = program
    .command('topics')
    .description('list, describe, create and delete topics, and show or change their configs')
    .addHelpText(
      'after',
      `
Examples:
  $ evt topics list                                   name, partitions, records
  $ evt topics describe orders                        partitions, leaders, offsets, overridden configs
  $ evt topics create orders -p 6 --config retention.ms=86400000
  $ evt topics config orders --set cleanup.policy=compact
  $ evt topics delete orders --yes                    --yes is needed without a terminal`,
    );

  topics
    .command('list')
    .alias('ls')
    .description('list topics with their partition and record counts (records = high watermark - log start, summed)')
    .addHelpText(
      'after',
      `
Examples:
  $ evt topics list
  $ evt topics list --internal                        with __consumer_offsets and other internal topics
  $ evt topics list --json | jq -r '.topics[].name'    {"topics":[{"name","partitions","records"}]}`,
    )
    .option('--internal', "also list internal topics (Kafka's __consumer_offsets, __transaction_state)")
    .action(async (opts: { internal?: boolean }) => {
      const g = globals();
      const { adminSession } = await session();
      const { listTopicSummaries } = await import('../src/client/topic-ops.js');
      const list = await adminSession(ctx, program, (admin) =>
        listTopicSummaries(admin, { internal: opts.internal ?? false }),
      );
      if (g.json) return printJson(io, { topics: list });
      if (list.length === 0) return void io.stderr.write('no topics\n');
      writeLines(
        io.stdout,
        renderTable(
          ['TOPIC', 'PARTITIONS', 'RECORDS'],
          list.map((t) => [t.name, t.partitions, t.records]),
          { color: colorOnStdout(io, g) },
        ),
      );
    });

  topics
    .command('describe <topic>')
    .description('partitions (leader, replicas, isr, low/high offsets, records) and the configs the topic overrides')
    .option('-a, --all-configs', 'show every config, defaults included')
    .addHelpText(
      'after',
      `
Examples:
  $ evt topics describe orders
  $ evt topics describe orders --all-configs
  $ evt topics describe orders --json | jq '.partitions[] | {partition, high}'`,
    )
    .action(async (name: string, flags: { allConfigs?: boolean }) => {
      const g = globals();
      const { adminSession } = await session();
      const { describeTopic } = await import('../src/client/topic-ops.js');
      const t = await adminSession(ctx, program, (admin) =>
        describeTopic(admin, name, { allConfigs: !!flags.allConfigs }),
      );
      if (g.json) return printJson(io, { ...t, configs: t.configs.map(configJson) });
      const color = colorOnStdout(io, g);
      const lines = renderFields(
        [
          ['topic', t.name],
          ['partitions', t.partitions.length],
          ['records', t.records],
        ],
        { color },
      );
      lines.push(
        '',
        ...renderTable(
          ['PARTITION', 'LEADER', 'REPLICAS', 'ISR', 'LOW', 'HIGH', 'RECORDS'],
          t.partitions.map((p) => [
            p.partition,
            p.leader,
            p.replicas.join(','),
            p.isr.join(','),
            p.low,
            p.high,
            p.records,
          ]),
          { color },
        ),
        '',
      );
      if (t.configs.length)
        lines.push(
          ...renderTable(
            ['CONFIG', 'VALUE', 'SOURCE'],
            t.configs.map((c) => [c.name, c.sensitive ? '****' : c.value, c.source]),
            { color },
          ),
        );
      else lines.push('configs: all defaults (--all-configs lists them)');
      writeLines(io.stdout, lines);
    });

  topics
    .command('create <topic>')
    .description('create a topic')
    .option('-p, --partitions <n>', "number of partitions (default: the broker's default)")
    .option('-r, --replication-factor <n>', "replicas per partition (default: the broker's default)")
    .option('-c, --config <name=value>', 'a topic config, repeatable (e.g. retention.ms=86400000)', collect)
    .option('--if-not-exists', 'succeed when the topic already exists')
    .addHelpText(
      'after',
      `
An existing topic is an error (exit 1) unless --if-not-exists.

Examples:
  $ evt topics create orders
  $ evt topics create orders -p 6 -c retention.ms=604800000 -c cleanup.policy=compact
  $ evt topics create orders -p 6 --if-not-exists         idempotent, for set-up scripts`,
    )
    .action(
      async (
        name: string,
        flags: { partitions?: string; replicationFactor?: string; config?: string[]; ifNotExists?: boolean },
      ) => {
        const g = globals();
        checkTopicName(name);
        const partitions =
          flags.partitions === undefined
            ? undefined
            : parseInteger(flags.partitions, '--partitions', { min: 1, max: 100_000 });
        const replicationFactor =
          flags.replicationFactor === undefined
            ? undefined
            : parseInteger(flags.replicationFactor, '--replication-factor', { min: 1, max: 32767 });
        const configs = parseConfigs(flags.config ?? [], '--config');
        const { adminSession } = await session();
        const { CliError } = await import('../src/cli/errors.js');
        const result = await adminSession(ctx, program, async (admin) => {
          const created = await admin.createTopic({ name, partitions, replicationFactor, configs });
          if (!created && !flags.ifNotExists)
            throw new CliError(`topic ${name} already exists (--if-not-exists accepts that)`);
          const [meta] = await admin.topicMetadata([name]);
          return { created, partitions: meta.partitions.length };
        });
        if (g.json)
          return printJson(io, { topic: name, created: result.created, partitions: result.partitions, configs });
        io.stdout.write(
          result.created
            ? `created topic ${name} (${result.partitions} partition${result.partitions === 1 ? '' : 's'})\n`
            : `topic ${name} already exists (${result.partitions} partitions)\n`,
        );
      },
    );

  topics
    .command('delete <topic...>')
    .description('delete topics and their records (asks first on a terminal; --yes in scripts)')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--if-exists', 'skip topics that do not exist instead of failing with exit 4')
    .addHelpText(
      'after',
      `
Every topic is checked before anything is deleted: an unknown one fails with exit 4 and deletes nothing.
Without a terminal (scripts, CI) --yes is required; otherwise evt refuses with exit 2.

Examples:
  $ evt topics delete orders                   asks "delete topic orders (3 partitions, 120 records)? [y/N]"
  $ evt topics delete orders payments --yes`,
    )
    .action(async (names: string[], flags: { yes?: boolean; ifExists?: boolean }) => {
      const g = globals();
      const unique = [...new Set(names)];
      const action = `delete ${unique.length === 1 ? `topic ${unique[0]}` : `${unique.length} topics`}`;
      assertCanConfirm(io, { yes: !!flags.yes, action });
      const { adminSession } = await session();
      const deleted = await adminSession(ctx, program, async (admin) => {
        const existing = new Set(await admin.listTopics());
        const targets = flags.ifExists ? unique.filter((t) => existing.has(t)) : unique;
        await admin.topicMetadata(targets); // exit 4 for unknown topics, before anything is deleted
        if (targets.length === 0) return [];
        if (!flags.yes) {
          const { describeTopic } = await import('../src/client/topic-ops.js');
          const details = await Promise.all(targets.map((t) => describeTopic(admin, t)));
          const what = details
            .map((d) => `${d.name} (${d.partitions.length} partitions, ${d.records} records)`)
            .join(', ');
          await confirm(io, `delete topic${targets.length === 1 ? '' : 's'} ${what}?`, { yes: false, action });
        }
        await admin.deleteTopics(targets);
        return targets;
      });
      if (g.json) return printJson(io, { deleted });
      if (deleted.length === 0) io.stderr.write('nothing to delete\n');
      for (const t of deleted) io.stdout.write(`deleted topic ${t}\n`);
    });

  topics
    .command('config <topic>')
    .description("show the topic's overridden configs, or change them with --set and --delete")
    .option('-s, --set <name=value>', 'set a config, repeatable', collect)
    .option('-d, --delete <name>', 'remove an override (back to the default), repeatable', collect)
    .option('-a, --all', 'show every config, defaults included')
    .addHelpText(
      'after',
      `
Changes keep the overrides they do not name (IncrementalAlterConfigs where the cluster serves it; else
AlterConfigs, which replaces the whole set, so evt reads the current overrides and merges). Prints the overrides after the change.

Examples:
  $ evt topics config orders                                   overridden configs
  $ evt topics config orders --all                             every config and its source
  $ evt topics config orders --set retention.ms=3600000 --set cleanup.policy=compact
  $ evt topics config orders --delete retention.ms             back to the default`,
    )
    .action(async (name: string, flags: { set?: string[]; delete?: string[]; all?: boolean }) => {
      const g = globals();
      const set = parseConfigs(flags.set ?? [], '--set');
      const remove = (flags.delete ?? []).map((d) => d.trim()).filter(Boolean);
      const both = remove.filter((k) => k in set);
      if (both.length) throw usageError(`${both.join(', ')}: both --set and --delete`);
      const color = colorOnStdout(io, g);
      const { adminSession } = await session();
      if (Object.keys(set).length === 0 && remove.length === 0) {
        const configs = await adminSession(ctx, program, async (admin) => {
          await admin.topicMetadata([name]);
          const all = await admin.topicConfigs(name);
          return flags.all ? all : all.filter((c) => c.isOverride);
        });
        if (g.json) return printJson(io, { topic: name, configs: configs.map(configJson) });
        if (configs.length === 0)
          return void io.stderr.write(`topic ${name} overrides no configs (--all lists the defaults)\n`);
        writeLines(
          io.stdout,
          renderTable(
            ['CONFIG', 'VALUE', 'SOURCE'],
            configs.map((c) => [c.name, c.sensitive ? '****' : c.value, c.source]),
            { color },
          ),
        );
        return;
      }
      const { changeTopicConfigs } = await import('../src/client/topic-ops.js');
      const change = await adminSession(ctx, program, (admin) => changeTopicConfigs(admin, name, set, remove));
      for (const k of change.notSet)
        io.stderr.write(`evt: note: ${k} was not overridden on ${name}; nothing to delete\n`);
      const after = Object.entries(change.after).sort(([a], [b]) => a.localeCompare(b));
      if (g.json) {
        return printJson(io, {
          topic: name,
          configs: after.map(([k, v]) => ({ name: k, value: v, source: 'topic' })),
          set,
          deleted: remove.filter((k) => !change.notSet.includes(k)),
        });
      }
      const parts = [
        ...Object.keys(set).map((k) => `set ${k}`),
        ...remove.filter((k) => !change.notSet.includes(k)).map((k) => `removed ${k}`),
      ];
      io.stderr.write(
        parts.length ? `updated topic ${name}: ${parts.join(', ')}\n` : `topic ${name}: nothing changed\n`,
      );
      if (after.length === 0) io.stderr.write(`topic ${name} now overrides no configs\n`);
      else
        writeLines(
          io.stdout,
          renderTable(
            ['CONFIG', 'VALUE', 'SOURCE'],
            after.map(([k, v]) => [k, v, 'topic']),
            { color },
          ),
        );
    });
}
