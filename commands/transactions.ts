// `evt transactions list|describe`: the transactional ids of a cluster and the state of their transactions
// (KIP-664's ListTransactions and DescribeTransactions), e.g. to find the producer holding a partition's last
// stable offset back.

import type { Command } from 'commander';
import { printJson, type CommandContext } from '../src/cli/io.js';
import { colorOnStdout, writeLines } from '../src/cli/table.js';
import { formatDuration } from '../src/common/time.js';
import { renderFields, renderTable } from '../src/common/text-table.js';
import { collect } from '../src/cli/repeatable.js';

export function registerTransactions(program: Command, ctx: CommandContext): void {
  const { io, globals } = ctx;
  const session = async () => import('../src/cli/session.js');

  const transactions = program
    .command('transactions')
    .description('list transactional ids and describe their transactions (state, producer, open partitions)')
    .addHelpText(
      'after',
      `
Examples:
  $ evt transactions list                              every transactional id, its state and producer id
  $ evt transactions list --state Ongoing              the open transactions
  $ evt transactions describe payments-tx              epoch, timeout, start and partitions of its transaction`,
    );

  transactions
    .command('list')
    .alias('ls')
    .description("list transactional ids with their transaction's state and producer id")
    .option('--state <state>', 'only this state (Ongoing, PrepareCommit, CompleteAbort, ...), repeatable', collect)
    .addHelpText(
      'after',
      `
States are Kafka's: Empty (no transaction yet), Ongoing, PrepareCommit, PrepareAbort, CompleteCommit,
CompleteAbort.

Examples:
  $ evt transactions list
  $ evt transactions list --state Ongoing --state PrepareCommit
  $ evt transactions list --json | jq -r '.transactions[].transactionalId'`,
    )
    .action(async (flags: { state?: string[] }) => {
      const g = globals();
      const { adminSession } = await session();
      const list = await adminSession(ctx, program, (admin) => admin.listTransactions(flags.state ?? []));
      if (g.json) return printJson(io, { transactions: list });
      if (list.length === 0) return void io.stderr.write('no transactional ids\n');
      writeLines(
        io.stdout,
        renderTable(
          ['TRANSACTIONAL ID', 'STATE', 'PRODUCER ID'],
          list.map((t) => [t.transactionalId, t.state, t.producerId]),
          { color: colorOnStdout(io, g), align: ['left', 'left', 'right'] },
        ),
      );
    });

  transactions
    .command('describe <transactional-id...>')
    .description('producer id and epoch, timeout, and the open transaction: its state, start and partitions')
    .addHelpText(
      'after',
      `
An id no coordinator knows is exit 4.

Examples:
  $ evt transactions describe payments-tx
  $ evt transactions describe payments-tx orders-tx --json`,
    )
    .action(async (ids: string[]) => {
      const g = globals();
      const { adminSession } = await session();
      const described = await adminSession(ctx, program, (admin) => admin.describeTransactions(ids));
      if (g.json) return printJson(io, { transactions: described });
      const color = colorOnStdout(io, g);
      const now = Date.now();
      const lines: string[] = [];
      for (const t of described) {
        if (lines.length) lines.push('');
        lines.push(
          ...renderFields(
            [
              ['transactional id', t.transactionalId],
              ['state', t.state],
              ['producer', `id ${t.producerId}, epoch ${t.producerEpoch}`],
              ['timeout', formatDuration(t.timeoutMs)],
              [
                'started',
                t.startTime === null
                  ? '-'
                  : `${new Date(t.startTime).toISOString()} (${formatDuration(Math.max(0, now - t.startTime))} ago)`,
              ],
              ['partitions', t.partitions.map((p) => `${p.topic}:${p.partition}`).join(' ') || '-'],
            ],
            { color },
          ),
        );
      }
      writeLines(io.stdout, lines);
    });
}
