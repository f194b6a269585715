// `evt groups list|describe|reset|delete`: consumer groups, their members and assignments, lag per
// partition, per topic and in total; offset resets planned as a dry run and applied with --execute.

import type { Command } from 'commander';
import { assertCanConfirm, confirm } from '../src/cli/confirm.js';
import { CliError, usageError } from '../src/cli/errors.js';
import { printJson, type CommandContext } from '../src/cli/io.js';
import { parseInteger } from '../src/common/parse.js';
import { colorOnStdout, writeLines } from '../src/cli/table.js';
import { renderFields, renderTable } from '../src/common/text-table.js';
import type { ResetTarget } from '../src/client/group-ops.js';
import { parseTime } from '../src/cli/time-spec.js';
import { collect } from '../src/cli/repeatable.js';

/** earliest|beginning, latest|end, @<time>, or an offset. */
export function parseResetTarget(text: string, now = Date.now()): ResetTarget {
  const t = text.trim();
  if (t === 'earliest' || t === 'beginning' || t === 'start') return { kind: 'earliest' };
  if (t === 'latest' || t === 'end') return { kind: 'latest' };
  if (t.startsWith('@')) {
    return { kind: 'time', timestamp: parseTime(t.slice(1), now, '--to') };
  }
  if (/^\d+$/.test(t)) return { kind: 'offset', offset: parseInteger(t, '--to', { min: 0 }) };
  throw usageError(`--to: "${text}" is not earliest, latest, @<time> (epoch ms, ISO-8601, -15m) or an offset`);
}

const dash = (v: number | null | undefined) => (v === null || v === undefined ? '-' : v);

export function registerGroups(program: Command, ctx: CommandContext): void {
  const { io, globals } = ctx;
  const session = async () => import('../src/cli/session.js');
  const ops = async () => import('../src/client/group-ops.js');

  const groups = program
    .command('groups')
    .description('list and describe consumer groups with their lag, reset their offsets, delete them')
    .addHelpText(
      'after',
      `
Examples:
  $ evt groups list                                   state, members and total lag of every group
  $ evt groups describe billing                       members, assignments, lag per partition and topic
  $ evt groups reset billing --topic orders --to earliest            dry run: prints the plan
  $ evt groups reset billing --all-topics --to @-1h --execute         applies it
  $ evt groups delete billing --yes`,
    );

  groups
    .command('list')
    .alias('ls')
    .description('list consumer groups: state, members, protocol and total lag')
    .addHelpText(
      'after',
      `
Lag is the high watermark minus the committed offset, summed over the partitions the group committed
offsets for ("-" when it committed none).

Examples:
  $ evt groups list
  $ evt groups list --json | jq '.groups[] | select(.lag > 1000) | .group'`,
    )
    .action(async () => {
      const g = globals();
      const { adminSession } = await session();
      const { listGroupSummaries } = await ops();
      const list = await adminSession(ctx, program, (admin) => listGroupSummaries(admin));
      if (g.json) {
        return printJson(io, {
          groups: list.map((s) => ({
            group: s.groupId,
            state: s.state,
            members: s.members,
            protocolType: s.protocolType,
            protocol: s.protocol,
            lag: s.lag,
          })),
        });
      }
      if (list.length === 0) return void io.stderr.write('no consumer groups\n');
      writeLines(
        io.stdout,
        renderTable(
          ['GROUP', 'STATE', 'MEMBERS', 'PROTOCOL', 'LAG'],
          list.map((s) => [s.groupId, s.state, s.members, s.protocol || s.protocolType || '-', s.lag]),
          { color: colorOnStdout(io, g), align: ['left', 'left', 'right', 'left', 'right'] },
        ),
      );
    });

  groups
    .command('describe <group>')
    .description(
      'state, members (client id, host, assignment), and per partition the committed offset, high watermark and lag',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ evt groups describe billing
  $ evt groups describe billing --json | jq '.lag'           total lag, for scripts and CI`,
    )
    .action(async (groupId: string) => {
      const g = globals();
      const { adminSession } = await session();
      const { describeGroup } = await ops();
      const d = await adminSession(ctx, program, (admin) => describeGroup(admin, groupId));
      if (g.json) {
        return printJson(io, {
          group: d.groupId,
          state: d.state,
          protocolType: d.protocolType,
          protocol: d.protocol,
          members: d.members,
          partitions: d.partitions,
          topics: d.topics,
          lag: d.lag,
        });
      }
      const color = colorOnStdout(io, g);
      const lines = renderFields(
        [
          ['group', d.groupId],
          ['state', d.state],
          ['protocol', [d.protocolType, d.protocol].filter(Boolean).join(' / ') || '-'],
          ['members', d.members.length],
          ['lag', dash(d.lag)],
        ],
        { color },
      );
      if (d.members.length) {
        lines.push(
          '',
          ...renderTable(
            ['MEMBER', 'CLIENT ID', 'HOST', 'ASSIGNMENT'],
            d.members.map((m) => [
              m.memberId,
              m.clientId,
              m.host,
              m.assignments.map((a) => `${a.topic}:${a.partitions.join(',')}`).join(' ') || '-',
            ]),
            { color },
          ),
        );
      }
      if (d.partitions.length) {
        lines.push(
          '',
          ...renderTable(
            ['TOPIC', 'PARTITION', 'COMMITTED', 'HIGH', 'LAG', 'CLIENT ID'],
            d.partitions.map((p) => [p.topic, p.partition, p.committed, p.high, p.lag, p.member]),
            { color, align: ['left', 'right', 'right', 'right', 'right', 'left'] },
          ),
        );
        lines.push(
          '',
          ...renderTable(
            ['TOPIC', 'PARTITIONS', 'LAG'],
            d.topics.map((t) => [t.topic, t.partitions, t.lag]),
            { color, align: ['left', 'right', 'right'] },
          ),
        );
      } else {
        lines.push('', 'no committed offsets');
      }
      writeLines(io.stdout, lines);
    });

  groups
    .command('reset <group>')
    .description("plan (and with --execute, commit) new offsets for an inactive group's partitions")
    .option('-t, --topic <topic>', 'a topic to reset, repeatable', collect)
    .option('--all-topics', 'every topic the group has committed offsets for')
    .option('--to <where>', 'earliest | latest | @<time> (epoch ms, ISO-8601, -15m) | <offset>')
    .option('--shift-by <n>', 'move each committed offset by n (negative: back), within the log')
    .option('--execute', 'commit the new offsets (without it, only the plan is printed)')
    .addHelpText(
      'after',
      `
Without --execute nothing changes: the plan (partition, current offset, new offset) is printed. The group
must have no active members (state Empty): stop its consumers first, or evt refuses with exit 1.
Offsets are resolved to concrete values (never -1/-2) and kept within the log (low..high watermark).

Examples:
  $ evt groups reset billing --topic orders --to earliest
  $ evt groups reset billing --topic orders --to earliest --execute
  $ evt groups reset billing --all-topics --to @2024-05-29T12:00:00Z --execute
  $ evt groups reset billing --topic orders --to @-15m --execute      replay the last 15 minutes
  $ evt groups reset billing --topic orders --shift-by -100 --execute
  $ evt groups reset billing --topic orders --to 42 --json`,
    )
    .action(
      async (
        groupId: string,
        flags: { topic?: string[]; allTopics?: boolean; to?: string; shiftBy?: string; execute?: boolean },
      ) => {
        const g = globals();
        const topicsGiven = flags.topic ?? [];
        if (flags.allTopics && topicsGiven.length) throw usageError('give either --topic or --all-topics, not both');
        if (!flags.allTopics && topicsGiven.length === 0)
          throw usageError('which topics? give --topic <topic> (repeatable) or --all-topics');
        if ((flags.to === undefined) === (flags.shiftBy === undefined))
          throw usageError('give exactly one of --to <where> and --shift-by <n>');
        const target: ResetTarget =
          flags.to !== undefined
            ? parseResetTarget(flags.to)
            : { kind: 'shift', by: parseInteger(flags.shiftBy!, '--shift-by') };
        const scope = flags.allTopics ? { allTopics: true as const } : { topics: topicsGiven };
        const { adminSession } = await session();
        const { planReset, applyReset, describeTarget } = await ops();
        const { plan, committed } = await adminSession(ctx, program, async (admin) => {
          const plan = await planReset(admin, groupId, scope, target);
          const committed = flags.execute ? await applyReset(admin, plan) : 0;
          return { plan, committed };
        });
        if (g.json) {
          printJson(io, {
            group: groupId,
            target: describeTarget(target),
            executed: !!flags.execute,
            partitions: plan.rows.map((r) => ({
              topic: r.topic,
              partition: r.partition,
              current: r.current,
              new: r.target,
              ...(r.note ? { note: r.note } : {}),
            })),
          });
        } else {
          writeLines(
            io.stdout,
            renderTable(
              ['TOPIC', 'PARTITION', 'CURRENT', 'NEW', 'CHANGE', 'NOTE'],
              plan.rows.map((r) => [
                r.topic,
                r.partition,
                r.current,
                r.target,
                r.current !== null && r.target !== null
                  ? `${r.target - r.current >= 0 ? '+' : ''}${r.target - r.current}`
                  : null,
                r.note ?? '',
              ]),
              { color: colorOnStdout(io, g), align: ['left', 'right', 'right', 'right', 'right', 'left'] },
            ),
          );
        }
        const n = plan.rows.filter((r) => r.target !== null).length;
        if (flags.execute)
          io.stderr.write(
            `reset group ${groupId} to ${describeTarget(target)}: committed ${committed} offset${committed === 1 ? '' : 's'}\n`,
          );
        else
          io.stderr.write(
            `dry run: nothing changed; add --execute to commit these ${n} offset${n === 1 ? '' : 's'} for group ${groupId}\n`,
          );
      },
    );

  groups
    .command('delete <group...>')
    .description(
      'delete inactive consumer groups and their committed offsets (asks first on a terminal; --yes in scripts)',
    )
    .option('-y, --yes', 'do not ask for confirmation')
    .addHelpText(
      'after',
      `
Every group is checked first: an unknown one fails with exit 4, one with active members with exit 1, and
nothing is deleted. Without a terminal (scripts, CI) --yes is required; otherwise evt refuses with exit 2.

Examples:
  $ evt groups delete billing
  $ evt groups delete billing shipping --yes`,
    )
    .action(async (names: string[], flags: { yes?: boolean }) => {
      const g = globals();
      const unique = [...new Set(names)];
      const action = `delete ${unique.length === 1 ? `group ${unique[0]}` : `${unique.length} groups`}`;
      assertCanConfirm(io, { yes: !!flags.yes, action });
      const { adminSession } = await session();
      const { requireGroups } = await ops();
      const deleted = await adminSession(ctx, program, async (admin) => {
        const described = await requireGroups(admin, unique);
        const active = described.filter((d) => d.state !== 'Empty');
        if (active.length) {
          const what = active.map((d) => `${d.groupId} (${d.members.length} members, state ${d.state})`).join(', ');
          throw new CliError(`cannot delete ${what}: stop its consumers first; nothing was deleted`);
        }
        await confirm(
          io,
          `delete group${unique.length === 1 ? '' : 's'} ${unique.join(', ')} and ${unique.length === 1 ? 'its' : 'their'} committed offsets?`,
          { yes: !!flags.yes, action },
        );
        const results = await admin.deleteGroups(unique);
        const failed = results.filter((r) => r.error);
        if (failed.length) {
          const ok = results.filter((r) => !r.error).map((r) => r.groupId);
          throw new CliError(
            `could not delete ${failed.map((f) => `${f.groupId} (${f.error})`).join(', ')}${ok.length ? `; deleted ${ok.join(', ')}` : ''}`,
          );
        }
        return unique;
      });
      if (g.json) return printJson(io, { deleted });
      for (const d of deleted) io.stdout.write(`deleted group ${d}\n`);
    });
}
