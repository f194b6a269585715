// `evt status [--wait 30s]`: the cluster's brokers, id, controller, and topic and group counts; with --wait
// it keeps trying until the cluster answers (for CI start-up scripts).

import type { Command } from 'commander';
import { CliError, ExitCode } from '../src/cli/errors.js';
import { printJson, type CommandContext } from '../src/cli/io.js';
import { parseDuration } from '../src/common/parse.js';
import { UnreachableError } from '../src/client/wire/errors.js';
import { colorOnStdout, writeLines } from '../src/cli/table.js';
import { renderFields, renderTable } from '../src/common/text-table.js';

export function registerStatus(program: Command, ctx: CommandContext): void {
  const { io, globals } = ctx;
  program
    .command('status')
    .description('show the cluster: brokers, cluster id, controller, topic and group counts')
    .option('-w, --wait <time>', 'keep trying until the cluster answers or this much time has passed (then exit 3)')
    .addHelpText(
      'after',
      `
Exit code 0 when the cluster answers, 3 when it cannot be reached (within --timeout, or --wait).

Examples:
  $ evt status
  $ evt status --json | jq -r .clusterId
  $ evt broker --port 9092 & evt status --wait 30s       wait for a broker that is starting (CI)`,
    )
    .action(async (flags: { wait?: string }) => {
      const g = globals();
      const waitMs = flags.wait === undefined ? 0 : parseDuration(flags.wait, '--wait');
      const { adminSession, settingsFor } = await import('../src/cli/session.js');
      const { formatDuration, sleep } = await import('../src/common/time.js');
      const { userTopics } = await import('../src/client/topic-ops.js');
      const settings = settingsFor(io, g, program);
      const probe = (timeoutMs: number) =>
        adminSession(
          ctx,
          program,
          async (admin) => {
            const [cluster, topics, groups] = await Promise.all([
              admin.cluster(),
              userTopics(admin),
              admin.listGroups(),
            ]);
            return { cluster, topics: topics.length, groups: groups.length };
          },
          { ...settings, timeoutMs },
        );

      let result: Awaited<ReturnType<typeof probe>>;
      if (waitMs === 0) {
        result = await probe(settings.timeoutMs);
      } else {
        const deadline = waitMs < 0 ? Number.POSITIVE_INFINITY : Date.now() + waitMs;
        let attempt = 0;
        for (;;) {
          attempt++;
          const left = deadline - Date.now();
          try {
            result = await probe(Math.max(500, Math.min(settings.timeoutMs, left)));
            break;
          } catch (err) {
            if (!(err instanceof CliError) || err.exitCode !== ExitCode.UNREACHABLE) throw err;
            if (g.verbose) io.stderr.write(`evt: attempt ${attempt}: ${err.message}\n`);
            if (Date.now() + 250 >= deadline) {
              // the reason alone ("connection refused"), without the addresses and timing this line says itself
              const reason = err.cause instanceof UnreachableError ? err.cause.reason : err.message;
              throw new CliError(
                `the cluster at ${settings.brokers.join(',')} (from ${settings.source}) did not answer within ${formatDuration(waitMs)} (--wait): ${reason}`,
                ExitCode.UNREACHABLE,
              );
            }
            await sleep(Math.min(500, Math.max(0, deadline - Date.now() - 250)));
          }
        }
      }

      const { cluster } = result;
      if (g.json) {
        return printJson(io, {
          clusterId: cluster.clusterId,
          controller: cluster.controller,
          brokers: cluster.brokers.map((b) => ({
            nodeId: b.nodeId,
            host: b.host,
            port: b.port,
            controller: b.nodeId === cluster.controller,
          })),
          topics: result.topics,
          groups: result.groups,
        });
      }
      const color = colorOnStdout(io, g);
      writeLines(io.stdout, [
        ...renderFields(
          [
            ['cluster', cluster.clusterId],
            ['controller', cluster.controller ?? '-'],
            ['brokers', cluster.brokers.length],
            ['topics', result.topics],
            ['groups', result.groups],
          ],
          { color },
        ),
        '',
        ...renderTable(
          ['ID', 'ADDRESS', 'ROLE'],
          cluster.brokers.map((b) => [
            b.nodeId,
            `${b.host}:${b.port}`,
            b.nodeId === cluster.controller ? 'controller' : '',
          ]),
          { color, align: ['right', 'left', 'left'] },
        ),
      ]);
    });
}
