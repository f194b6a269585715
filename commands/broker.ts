// `evt broker`: run the embedded Kafka-compatible broker in the foreground until SIGINT/SIGTERM.

import { Command, Option } from 'commander';
import { CliError } from '../src/cli/errors.js';
import { printJson, printLine, type CommandContext, type GlobalOptions, type Io } from '../src/cli/io.js';
import { EvtError } from '../src/common/errors.js';
import { parseChoice, parseDuration, parseInteger, parseSize } from '../src/common/parse.js';

interface BrokerFlags {
  host: string;
  port: string;
  advertisedHost?: string;
  dataDir: string;
  inMemory: boolean;
  defaultPartitions: string;
  autoCreate: boolean;
  retention: string;
  retentionBytes: string;
  segmentBytes: string;
  cleanerBackoff: string;
  fsync: string;
  registryPort?: string;
}

const FSYNC = ['never', 'interval', 'always'] as const;

export function registerBroker(program: Command, { io, globals }: CommandContext): void {
  program
    .command('broker')
    .description('run an embedded, single-node, Kafka-wire-compatible broker with on-disk logs and consumer groups')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('-p, --port <port>', 'port to listen on (0 picks a free one and prints it)', '9092')
    .option('--advertised-host <host>', 'host to tell clients to connect to (default: the listen address)')
    .option('-d, --data-dir <dir>', 'where logs, topics and consumer groups are stored', '.evt/data')
    .option('--in-memory', 'keep everything in memory (nothing survives a restart)', false)
    .option('--default-partitions <n>', 'partitions of auto-created topics', '3')
    .option('--auto-create', 'create unknown topics when clients ask for them (default)', true)
    .option('--no-auto-create', 'refuse unknown topics instead of creating them')
    .option('--retention <time>', 'default retention.ms of topics: e.g. 7d, 12h, -1 to keep forever', '7d')
    .option('--retention-bytes <size>', 'default retention.bytes per partition: e.g. 1GiB, -1 for no limit', '-1')
    .option('--segment-bytes <size>', 'default segment.bytes: segment files roll at this size', '1GiB')
    .option(
      '--cleaner-backoff <time>',
      'how often the log cleaner looks for compacted topics to clean (log.cleaner.backoff.ms)',
      '15s',
    )
    .addOption(new Option('--fsync <policy>', 'when to fsync appended records to disk').choices(FSYNC).default('never'))
    .option(
      '--registry-port <port>',
      'also serve a Confluent-compatible schema registry (Avro, Protobuf, JSON Schema) on this port (0 picks a free one)',
    )
    .addHelpText(
      'after',
      `
The broker prints one line with its bootstrap address once it accepts connections (--json:
{"bootstrap":"host:port",...}). SIGINT or SIGTERM shut it down cleanly (flush, close, exit 0).
--fsync: never (the OS writes back; a process crash loses nothing acknowledged, a power loss may),
interval (every second), always (before each produce is acknowledged).

Examples:
  $ evt broker                                   listen on 127.0.0.1:9092, data in .evt/data
  $ evt broker --port 0 --json                   free port; prints {"bootstrap":"127.0.0.1:41234",...}
  $ evt broker --in-memory --default-partitions 6
  $ evt broker --data-dir /var/lib/evt --retention 24h --fsync always
  $ evt broker --registry-port 8081              with a schema registry on http://127.0.0.1:8081
  $ kcat -b 127.0.0.1:9092 -L                    any Kafka client can use it`,
    )
    .action(async (flags: BrokerFlags) => {
      await runBroker(flags, io, globals());
    });
}

async function runBroker(flags: BrokerFlags, io: Io, g: GlobalOptions): Promise<void> {
  const options = {
    host: flags.host,
    port: parseInteger(flags.port, '--port', { min: 0, max: 65535 }),
    advertisedHost: flags.advertisedHost,
    dataDir: flags.dataDir,
    inMemory: flags.inMemory,
    defaultPartitions: parseInteger(flags.defaultPartitions, '--default-partitions', { min: 1, max: 10000 }),
    autoCreateTopics: flags.autoCreate,
    retentionMs: parseDuration(flags.retention, '--retention'),
    retentionBytes: parseSize(flags.retentionBytes, '--retention-bytes'),
    segmentBytes: parseSize(flags.segmentBytes, '--segment-bytes'),
    cleanerIntervalMs: parseDuration(flags.cleanerBackoff, '--cleaner-backoff'),
    fsync: parseChoice(flags.fsync, '--fsync', FSYNC),
    registryPort:
      flags.registryPort === undefined
        ? undefined
        : parseInteger(flags.registryPort, '--registry-port', { min: 0, max: 65535 }),
    log: g.verbose ? (m: string) => printLine(io.stderr, `evt broker: ${m}`) : undefined,
    // a failing data dir is said with or without --verbose
    alert: (m: string) => printLine(io.stderr, `evt broker: ${m}`),
  };
  // Loaded here so that other commands do not pay for the broker's modules at start-up.
  const { startBroker } = await import('../src/broker/broker.js');
  let broker;
  try {
    broker = await startBroker(options);
  } catch (err) {
    const onRegistry =
      options.registryPort !== undefined &&
      (err as { port?: number })?.port === options.registryPort &&
      options.registryPort !== options.port;
    if (onRegistry && (err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new CliError(
        `port ${options.registryPort} on ${options.host} is already in use: choose another with --registry-port (0 picks a free one)`,
      );
    }
    throw describeStartError(err, options.host, options.port);
  }
  // catch signals before announcing the address: whoever reads it may stop us right away
  const stopped = io.interrupted();
  if (g.json) {
    printJson(io, {
      bootstrap: broker.bootstrap,
      host: broker.host,
      port: broker.port,
      dataDir: broker.dataDir,
      ...(broker.registryUrl ? { registry: broker.registryUrl } : {}),
      pid: process.pid,
    });
  } else {
    const where = broker.dataDir ? `data in ${broker.dataDir}` : 'in memory';
    const registry = broker.registryUrl ? `, schema registry on ${broker.registryUrl}` : '';
    printLine(io.stdout, `evt broker listening on ${broker.bootstrap} (${where}, fsync ${options.fsync})${registry}`);
  }
  const signal = await stopped;
  if (g.verbose) printLine(io.stderr, `evt broker: ${signal}, shutting down`);
  await broker.close();
}

function describeStartError(err: unknown, host: string, port: number): Error {
  if (err instanceof EvtError) return err; // already says what is wrong (a data dir that cannot be used)
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'EADDRINUSE')
    return new CliError(`port ${port} on ${host} is already in use: choose another with --port (0 picks a free one)`);
  if (e?.code === 'EADDRNOTAVAIL') return new CliError(`cannot listen on ${host}: no such local address (see --host)`);
  if (e?.code === 'EACCES') return new CliError(`no permission to listen on ${host}:${port}`);
  return e instanceof Error ? new CliError(e.message) : new CliError(String(err));
}
