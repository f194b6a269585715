// What `evt simulate`, `evt worker` and `evt demo` need before any service runs: a cluster (the one
// configured, or an embedded in-memory broker with its registry), a schema registry (the workflow writes
// Avro in the Confluent wire format), the workflow's topics under their prefix, and the shared worker
// runtime. Also the flags that configure the services, --compression and --prefix, parsed once for the commands.

import { Option, type Command } from 'commander';
import type { AdminClient } from '../../client/admin.js';
import type { ConnectionSettings } from '../../client/settings.js';
import type { RegistryClient } from '../../codec/registry-client.js';
import type { WorkflowConfig } from '../../workflow/config.js';
import type { WorkflowNames } from '../../workflow/names.js';
import type { OpenRuntime } from '../../workflow/runtime/runtime.js';
import { CliError, ExitCode } from '../errors.js';
import { printLine, type GlobalOptions, type Io } from '../io.js';
import { parseChoice, parseDuration, parseInteger } from '../../common/parse.js';
import { COMPRESSION_NAMES, type CompressionName } from '../../protocol/records/batch-layout.js';

export interface WorkflowSession {
  settings: ConnectionSettings;
  registry: RegistryClient;
  admin: AdminClient;
  rt: OpenRuntime;
  /** partitions of every workflow topic */
  partitions: number;
  /** set when the session started its own broker */
  embedded?: { bootstrap: string; registryUrl: string };
}

export interface SessionOptions {
  /** start an in-memory broker and registry instead of using the configured cluster */
  embedded: boolean;
  /** for an embedded broker: try this port first (a free one if taken) */
  preferredPort?: number;
  partitions: number;
  config: WorkflowConfig;
  /** the workflow's topic, group and subject names (its prefix) */
  names: WorkflowNames;
  /** where the services' messages go (stderr by default) */
  log?: (line: string) => void;
}

/** Flags shared by the commands that run services. */
export interface ServiceFlags {
  seed: string;
  declineRate: string;
  fraudLimit: string;
  shipFailRate: string;
  orderTimeout: string;
  partitions: string;
  compression: string;
}

export function addServiceOptions(cmd: Command, defaults: { orderTimeout?: string } = {}): Command {
  return cmd
    .option('--seed <n>', 'seed of every random decision (the same seed, the same orders and faults)', '42')
    .option('--decline-rate <share>', 'share of payments declined, e.g. 0.05 or 5%', '0.05')
    .option('--fraud-limit <amount>', 'orders above this total (in EUR) fail the fraud check', '400')
    .option('--ship-fail-rate <share>', 'share of shipments that fail (the order is cancelled)', '0.02')
    .option(
      '--order-timeout <time>',
      'an order without every answer by then is rejected with TIMEOUT',
      defaults.orderTimeout ?? '5s',
    )
    .option('--partitions <n>', 'partitions of the workflow topics when they are created', '3')
    .addOption(compressionOption());
}

/** `--compression`: the codec of the batches the services (and the load generator) write, none by default. */
export function compressionOption(): Option {
  return new Option('--compression <codec>', 'compress the record batches the services write')
    .choices(COMPRESSION_NAMES)
    .default('none');
}

export function parseCompression(text: string): CompressionName {
  return parseChoice(text, '--compression', COMPRESSION_NAMES);
}

/** `--prefix`: the prefix of the workflow's topics, groups and subjects, `shop.` by default. */
export function addPrefixOption(cmd: Command): Command {
  return cmd.option(
    '--prefix <prefix>',
    "prefix of the workflow's topics and groups (shop.orders, group shop.<service>-service); '' for evt's former unprefixed names",
    'shop.',
  );
}

/** The workflow's names under a `--prefix` value; a prefix no topic name can start with is a usage error. */
export async function namesFromPrefix(prefix: string): Promise<WorkflowNames> {
  const { workflowNames, prefixProblem } = await import('../../workflow/names.js');
  const problem = prefixProblem(prefix);
  if (problem) throw new CliError(`--prefix: ${problem}`, ExitCode.USAGE);
  return workflowNames(prefix);
}

/** The services' configuration from the flags, over a child's EVT_WORKFLOW_CONFIG when there is one. */
export async function workflowConfig(
  flags: ServiceFlags,
  env: NodeJS.ProcessEnv,
  explicit: (name: string) => boolean,
): Promise<WorkflowConfig> {
  const { DEFAULT_WORKFLOW_CONFIG } = await import('../../workflow/config.js');
  const { parseFraction } = await import('../../workflow/sim-options.js');
  const { WORKER_CONFIG_ENV } = await import('../../workflow/runtime/hosts.js');
  let base: WorkflowConfig = DEFAULT_WORKFLOW_CONFIG;
  const inherited = env[WORKER_CONFIG_ENV];
  if (inherited) {
    try {
      base = { ...base, ...(JSON.parse(inherited) as Partial<WorkflowConfig>) };
    } catch {
      throw new CliError(`${WORKER_CONFIG_ENV} is not valid JSON`, ExitCode.USAGE);
    }
  }
  const pick = <T>(name: string, parse: () => T, current: T): T => (explicit(name) || !inherited ? parse() : current);
  const fraudLimit = Number(flags.fraudLimit);
  return {
    ...base,
    seed: pick('seed', () => flags.seed, base.seed),
    declineRate: pick('declineRate', () => parseFraction('--decline-rate', flags.declineRate), base.declineRate),
    fraudLimit: pick(
      'fraudLimit',
      () => {
        if (!(fraudLimit >= 0))
          throw new CliError(
            `--fraud-limit: "${flags.fraudLimit}" is not an amount (e.g. --fraud-limit 250 for 250.00 EUR)`,
            ExitCode.USAGE,
          );
        return Math.round(fraudLimit * 100);
      },
      base.fraudLimit,
    ),
    shipFailRate: pick('shipFailRate', () => parseFraction('--ship-fail-rate', flags.shipFailRate), base.shipFailRate),
    timeoutMs: pick('orderTimeout', () => positiveDuration(flags.orderTimeout, '--order-timeout'), base.timeoutMs),
    compression: pick('compression', () => parseCompression(flags.compression), base.compression),
  };
}

export function parsePartitions(text: string): number {
  return parseInteger(text, '--partitions', { min: 1, max: 1000 });
}

export function positiveDuration(text: string, flag: string): number {
  const ms = parseDuration(text, flag);
  if (ms <= 0) throw new CliError(`${flag}: "${text}" must be a positive duration, e.g. 30s`, ExitCode.USAGE);
  return ms;
}

/** Runs `fn` with a session, and closes everything after (the embedded broker last). */
export async function withWorkflow<T>(
  io: Io,
  g: GlobalOptions,
  options: SessionOptions,
  fn: (s: WorkflowSession) => Promise<T>,
): Promise<T> {
  let broker: { bootstrap: string; registryUrl?: string; close(): Promise<void> } | null = null;
  try {
    let settings: ConnectionSettings;
    let registry: RegistryClient;
    const { RegistryClient: Registry } = await import('../../codec/registry-client.js');
    if (options.embedded) {
      broker = await startEmbedded(options.preferredPort, options.partitions);
      settings = { brokers: [broker.bootstrap], clientId: 'evt', timeoutMs: 10_000, source: 'the embedded broker' };
      registry = new Registry({ url: broker.registryUrl!, source: 'the embedded broker', timeoutMs: 10_000 });
    } else {
      const { settingsFor } = await import('../session.js');
      settings = settingsFor(io, g);
      const { registryFromOptions } = await import('../../codec/registry-client.js');
      const found = await registryFromOptions(io.env, g, io.cwd);
      if (!found) {
        throw new CliError(
          'the workflow writes Avro through a schema registry: give --registry URL (or EVT_REGISTRY, or a profile registry); `evt broker --registry-port 8081` serves one',
          ExitCode.USAGE,
        );
      }
      registry = found;
    }
    const { withAdmin } = await import('../session.js');
    const { ensureWorkflowTopics } = await import('../../workflow/runtime/topics.js');
    const { openRuntime } = await import('../../workflow/runtime/runtime.js');
    return await withAdmin(io, g, settings, async (admin) => {
      const layout = await ensureWorkflowTopics(admin, options.names, options.partitions);
      if (g.verbose && layout.created.length)
        printLine(io.stderr, `evt: created ${layout.created.join(', ')} (${layout.partitions} partitions)`);
      const rt = await openRuntime(
        settings,
        registry,
        options.config,
        options.names,
        options.log ?? ((line) => printLine(io.stderr, line)),
        g.verbose,
      );
      try {
        return await fn({
          settings,
          registry,
          admin,
          rt,
          partitions: layout.partitions,
          embedded: broker ? { bootstrap: broker.bootstrap, registryUrl: broker.registryUrl! } : undefined,
        });
      } finally {
        await rt.close();
      }
    });
  } finally {
    await broker?.close();
  }
}

async function startEmbedded(preferredPort: number | undefined, partitions: number) {
  const { startBroker } = await import('../../broker/broker.js');
  const start = (port: number) => startBroker({ port, inMemory: true, registryPort: 0, defaultPartitions: partitions });
  if (preferredPort !== undefined) {
    try {
      return await start(preferredPort);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    }
  }
  return start(0);
}
