// `evt worker <service>`: run instances of one workflow service against any cluster, until SIGINT/SIGTERM.

import type { Command } from 'commander';
import { CliError, ExitCode } from '../src/cli/errors.js';
import { printJson, printLine, type CommandContext, type GlobalOptions, type Io } from '../src/cli/io.js';
import { parseInteger } from '../src/common/parse.js';
import { WORKER_SERVICES, type WorkerService } from '../src/workflow/catalogue.js';
import {
  addPrefixOption,
  addServiceOptions,
  namesFromPrefix,
  parsePartitions,
  workflowConfig,
  type ServiceFlags,
} from '../src/cli/workflow/session.js';

interface WorkerFlags extends ServiceFlags {
  instances: string;
  latency?: string;
  prefix: string;
}

export function registerWorker(program: Command, { io, globals }: CommandContext): void {
  const cmd = program
    .command('worker')
    .argument('<service>', `the service to run: ${WORKER_SERVICES.join(', ')}`)
    .description('run one service of the order workflow as consumer-group members, as a team would deploy it')
    .option('-i, --instances <n>', 'instances (group members) in this process', '1')
    .option('--latency <range>', 'extra processing time per record, e.g. 20ms..200ms');
  addServiceOptions(cmd);
  addPrefixOption(cmd);
  cmd
    .addHelpText(
      'after',
      `
Each instance joins the group shop.<service>-service, rebuilds the state of the partitions it is given
from the workflow topics (shop.orders, shop.payments, ...), then handles records and publishes to its own
topics; a record it cannot decode or handle goes to shop.dlq.<service>. Start more workers (here, in other
processes or on other machines) to share the partitions; inventory keeps one active instance and the
others stand by. The workflow's topics are created if missing. Needs a schema registry (--registry).
One line on stderr when an instance is ready; SIGINT or SIGTERM leave the group cleanly (the others take
over at once) and exit 0, printing the instances' counters (--json: one JSON document on stdout).
--compression (gzip, snappy, lz4, zstd; none by default) compresses the batches the instances write.

The shop. prefix is --prefix's: every worker and evt simulate of one workflow must use the same one.
--prefix '' gives evt's former names (topics orders, ..., group evt-workflow-<service>, dead letters
evt.dlq.<service>): a worker started so resumes from the offsets committed before prefixes.

Examples:
  $ evt --registry http://127.0.0.1:8081 worker payments
  $ evt --registry http://127.0.0.1:8081 worker orders --instances 2 --order-timeout 10s
  $ evt --brokers kafka:9092 --registry http://registry:8081 worker shipping --ship-fail-rate 0
  $ evt --registry http://127.0.0.1:8081 worker fraud --compression lz4     writes lz4 batches
  $ evt --registry http://127.0.0.1:8081 worker payments --prefix acme.     topics acme.*, group acme.payments-service`,
    )
    .action(async (service: string, flags: WorkerFlags, command: Command) => {
      await runWorker(service, flags, io, globals(), (name) => command.getOptionValueSource(name) === 'cli');
    });
}

async function runWorker(
  service: string,
  flags: WorkerFlags,
  io: Io,
  g: GlobalOptions,
  explicit: (name: string) => boolean,
): Promise<void> {
  if (service === 'basket')
    throw new CliError(
      'basket is the edge where orders come in: it runs inside evt simulate (or produce requests with evt produce); there is no basket worker',
      ExitCode.USAGE,
    );
  if (!(WORKER_SERVICES as readonly string[]).includes(service))
    throw new CliError(`unknown service ${service}: choose one of ${WORKER_SERVICES.join(', ')}`, ExitCode.USAGE);
  const name = service as WorkerService;
  const instances = parseInteger(flags.instances, '--instances', { min: 1, max: 64 });
  const config = await workflowConfig(flags, io.env, explicit);
  const { parseLatency } = await import('../src/workflow/sim-options.js');
  const latency = flags.latency ? parseLatency(`${name}=${flags.latency}`)[name] : undefined;
  const names = await namesFromPrefix(flags.prefix);
  const { withWorkflow } = await import('../src/cli/workflow/session.js');
  const { startInstances } = await import('../src/workflow/runtime/runtime.js');
  // caught from the start: a SIGTERM while the instances join must still leave the group cleanly
  const stopped = io.interrupted();

  await withWorkflow(
    io,
    g,
    { embedded: false, partitions: parsePartitions(flags.partitions), config, names },
    async (s) => {
      const workers = await startInstances(s.rt, name, instances, { latency });
      const failed = new Promise<Error>((resolve) => workers.forEach((w) => w.onFailure(resolve)));
      for (const w of workers) {
        const owned = [...new Set(w.stats.assigned.map((a) => a.partition))].sort((a, b) => a - b);
        const what = owned.length
          ? `partitions ${owned.join(',')}, state rebuilt from ${w.stats.recoveredRecords} records`
          : 'standing by (no partitions)';
        printLine(io.stderr, `evt worker ${w.instance}: ready in group ${names.group(name)} (${what})`);
      }
      const outcome = await Promise.race([stopped.then(() => null), failed]);
      await Promise.all(workers.map((w) => w.stop()));
      const counters = workers.map((w) => ({
        instance: w.instance,
        handled: w.stats.handled,
        produced: w.stats.produced,
        deadLettered: w.stats.deadLettered,
        recoveries: w.stats.recoveries,
      }));
      if (g.json) printJson(io, { service: name, group: names.group(name), instances: counters });
      else
        for (const c of counters)
          printLine(
            io.stderr,
            `evt worker ${c.instance}: stopped after ${c.handled} records handled, ${c.produced} published, ${c.deadLettered} dead-lettered`,
          );
      if (outcome) throw new CliError(`${name} failed: ${outcome.message}`, ExitCode.FAILURE);
    },
  );
}
