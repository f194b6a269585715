// `evt tail <topic...>`: options and help; the work is in src/cli/tail/.

import { Command, Option } from 'commander';
import { usageError } from '../src/cli/errors.js';
import type { CommandContext, GlobalOptions, Io } from '../src/cli/io.js';
import { parseChoice, parseDuration, parseInteger } from '../src/common/parse.js';
import { isolationOption, parseIsolation } from '../src/cli/isolation.js';
import { collect } from '../src/cli/repeatable.js';

interface TailFlags {
  pattern?: string;
  lines?: string;
  follow: boolean;
  from?: string;
  until?: string;
  partition: string[];
  key?: string;
  grep?: string;
  header: string[];
  where: string[];
  format?: string;
  valueFormat: string;
  schema?: string;
  message?: string;
  group?: string;
  expect?: string;
  isolation: string;
}

const TAIL_VALUE_FORMATS = ['auto', 'string', 'json', 'avro', 'protobuf'] as const;
type TailValueFormat = (typeof TAIL_VALUE_FORMATS)[number];

export function registerTail(program: Command, { io, globals }: CommandContext): void {
  program
    .command('tail')
    .description('print records of topics: the last few, a range by offset or time, or follow new ones')
    .argument('[topics...]', 'topics to read (or --pattern)')
    .option('--pattern <regex>', 'read every topic whose name matches (e.g. "^orders\\.")')
    .option('-n, --lines <n>', 'how many records: the last N (default 10); with --from, at most N')
    .option('-f, --follow', 'keep printing new records as they arrive (Ctrl-C stops)', false)
    .option('--from <position>', 'start at: beginning, end, an offset, or @<time> (epoch ms, ISO-8601, -15m)')
    .option('--until <position>', 'stop before: end (as at start), an offset, or @<time>')
    .option('-p, --partition <n>', 'only these partitions (repeatable, or 0,2)', collect, [])
    .option('-k, --key <key>', 'only records with this key')
    .option('--grep <regex>', 'only records whose value matches (JSON values as JSON text)')
    .option('-H, --header <name[=value]>', 'only records with this header (and value); repeatable', collect, [])
    .option(
      '--where <path op value>',
      "only records whose JSON field compares: status=CONFIRMED, 'total>100' (quoted: > and < are the shell's), customer.id~^c-; repeatable",
      collect,
      [],
    )
    .option(
      '--format <template>',
      'print each record with a kcat -f template (end it with \\n for lines): %t topic, %p partition, %o offset, %k key, %K its length, %s value (its bytes), %S its length, %R it as int32, %T timestamp, %h headers, %%; \\n \\t \\r \\xNN',
    )
    .addOption(
      new Option(
        '--value-format <format>',
        'how to show values: auto (JSON when it is JSON, else text, else base64), string, json, avro, protobuf',
      )
        .choices(['auto', 'string', 'json', 'avro', 'protobuf'])
        .default('auto'),
    )
    .option(
      '--schema <file>',
      'the .avsc or .proto of --value-format avro or protobuf, for values written without a registry (raw)',
    )
    .option('--message <name>', "with --value-format protobuf: the message values hold (default: the file's first)")
    .option('--group <group>', 'consume as this consumer group and commit its offsets (without it no group is joined)')
    .addOption(isolationOption())
    .option('--expect <n>', 'wait for N matching records (exit 0), or exit 5 when --timeout (default 10s) passes first')
    .addHelpText(
      'after',
      `
Without --from, tail prints the last -n records (10) that pass the filters, oldest first, and exits; with
-f it then keeps following. With --from it prints everything from there up to --until (default: the end as
it was when tail started). Bounded reads are merged across partitions and topics in timestamp order; new
records while following come in the order they arrive. --until is exclusive: --from 10 --until 20 prints
offsets 10 to 19.

Without --group, tail reads the partitions directly: it joins no consumer group, commits nothing and leaves
nothing behind. With --group it consumes as that group (partitions where the group has no committed offset
start at --from, default the beginning), commits as it goes, and without -f stops once it has caught up.

Output: human on a terminal (colour), --json one envelope per line (what \`evt produce --json\` reads back):
  {"topic":"orders","partition":0,"offset":41,"timestamp":1700000000000,"key":"o-1","headers":{},"value":{"total":12}}
Payloads that cannot be decoded (binary, not the --value-format) are shown with an "error"; the stream goes on.

With a schema registry (--registry <url>, EVT_REGISTRY or the profile's "registry"), keys and values in
Confluent's wire format (magic byte 0 + schema id + Avro, Protobuf or JSON) are decoded with their schema
automatically: the
human format shows "[schema 3 orders-value v2]", --json adds "valueSchemaId" (and "keySchemaId"). An
unknown schema id or a payload that does not decode is an "error" of that record only.

--expect N (for CI) reads from --from (default the beginning), prints the matching records, and exits 0 as
soon as N matched, or exit code 5 when --timeout passes first (3 when the cluster cannot be reached).

Examples:
  $ evt tail orders                                  the last 10 records
  $ evt tail orders -f --where status=CONFIRMED       the last 10 confirmed orders, then follow
  $ evt tail orders --from @-15m --json > last-15-minutes.ndjson
  $ evt tail orders --from 100 --until 200 --partition 2
  $ evt tail --pattern '^inventory\\.' --from beginning --until @2026-11-22T10:00:00Z
  $ evt tail orders --key o-42 --from beginning --format '%T %k %s\\n'
  $ evt tail payments --value-format avro --schema payment.avsc -n 5
  $ evt tail shipments --value-format protobuf --schema shipment.proto --message acme.Shipment -n 5
  $ evt --registry http://127.0.0.1:8081 tail orders --json      Avro through the registry, as JSON
  $ evt tail orders --where 'total>100' --expect 3 --timeout 30s    (CI: exit 0, or 5 after 30 s)
  $ evt tail orders --group audit -f                  consume and commit as group "audit"`,
    )
    .action(async (topics: string[], flags: TailFlags) => {
      await tail(topics, flags, io, globals());
    });
}

function parsePartitions(list: string[]): number[] | undefined {
  if (list.length === 0) return undefined;
  const out = list.flatMap((s) => s.split(',')).map((s) => parseInteger(s.trim(), '--partition', { min: 0 }));
  return [...new Set(out)].sort((a, b) => a - b);
}

/**
 * What worker threads need to format large reads as this process would. EVT_WORKERS=0 keeps everything on
 * one thread; EVT_WORKERS=n asks for n workers (default: one per core, at most 4).
 */
function workerSetup(io: Io, valueFormat: TailValueFormat, f: TailFlags) {
  const env = io.env.EVT_WORKERS;
  if (env === '0') return undefined;
  return {
    valueFormat,
    schemaFile: f.schema,
    message: f.message,
    filter: { key: f.key, grep: f.grep, headers: f.header, where: f.where },
    count: env ? parseInteger(env, 'EVT_WORKERS', { min: 0, max: 64 }) : undefined,
  };
}

async function tail(topics: string[], f: TailFlags, io: Io, g: GlobalOptions): Promise<void> {
  if (topics.length === 0 && f.pattern === undefined)
    throw usageError('name at least one topic, or give --pattern <regex>');
  let pattern: RegExp | undefined;
  if (f.pattern !== undefined) {
    try {
      pattern = new RegExp(f.pattern);
    } catch (err) {
      throw usageError(`--pattern: invalid regular expression: ${(err as Error).message}`);
    }
  }
  const [{ parseFrom, parseUntil, checkRange }, { buildFilter }] = await Promise.all([
    import('../src/cli/time-spec.js'),
    import('../src/cli/record-filter.js'),
  ]);
  const now = Date.now();
  const from = f.from !== undefined ? parseFrom(f.from, now) : undefined;
  const until = f.until !== undefined ? parseUntil(f.until, now) : undefined;
  checkRange(from, until, [f.from ?? '', f.until ?? '']);
  const lines = f.lines !== undefined ? parseInteger(f.lines, '-n/--lines', { min: 0 }) : 10;
  const expect = f.expect !== undefined ? parseInteger(f.expect, '--expect', { min: 1 }) : undefined;
  const partitions = parsePartitions(f.partition);
  if (f.group !== undefined && partitions)
    throw usageError('--partition and --group do not go together: a group is given its partitions');
  if (f.group !== undefined && f.group.trim() === '') throw usageError('--group needs a name');
  if (f.format !== undefined && g.json) throw usageError('give either --json or --format, not both');
  // an unknown token is refused here, before anything is read (the formatting workers compile it again)
  if (f.format !== undefined) (await import('../src/cli/kcat-format.js')).compileTemplate(f.format);
  const valueFormat = parseChoice(f.valueFormat, '--value-format', TAIL_VALUE_FORMATS);
  if (f.schema && valueFormat !== 'avro' && valueFormat !== 'protobuf')
    throw usageError('--schema goes with --value-format avro or protobuf');
  if (f.message !== undefined && valueFormat !== 'protobuf')
    throw usageError('--message goes with --value-format protobuf');
  // Protobuf without a registry is raw messages of the file's message: with a registry, wire-format values
  // (whatever their type) are decoded by their id under --value-format auto
  if (valueFormat === 'protobuf' && !f.schema)
    throw usageError('--value-format protobuf needs --schema <file.proto> (registry-framed values need no option)');
  // with a schema registry, wire-format payloads are decoded by their schema id (auto, or avro without a file)
  const { registryFromOptions } = await import('../src/codec/registry-client.js');
  const registry =
    valueFormat === 'auto' || (valueFormat === 'avro' && !f.schema)
      ? await registryFromOptions(io.env, g, io.cwd)
      : null;
  if (valueFormat === 'avro' && !f.schema && !registry)
    throw usageError('--value-format avro needs --schema <file.avsc> (or a schema registry: --registry <url>)');
  const filter = buildFilter({ key: f.key, grep: f.grep, headers: f.header, where: f.where });
  const expectTimeoutMs = parseDuration(g.timeout, '--timeout');

  const { valueCodecForOptions } = await import('../src/cli/codec-options.js');
  const { WireNotice } = await import('../src/cli/tail/wire-notice.js');
  // wire-format values that cannot be decoded (no registry, or it did not give the schema) are said once on stderr
  const wireNotice = new WireNotice(io.stderr, registry?.url ?? null);
  let codec = await valueCodecForOptions(
    registry && valueFormat === 'avro' ? 'auto' : valueFormat,
    f.schema,
    f.message,
  );
  if (registry) {
    const { RegistryDecoder } = await import('../src/codec/registry-codec.js');
    codec = new RegistryDecoder(registry, codec, valueFormat === 'avro', (id, topic, error) =>
      wireNotice.lookupFailed(topic, id, error),
    ).codec();
  }
  const color = g.color && !!io.stdout.isTTY && io.env.NO_COLOR === undefined;
  const { runTail } = await import('../src/cli/tail/run.js');
  await runTail(
    {
      topics,
      pattern,
      lines,
      linesGiven: f.lines !== undefined,
      follow: f.follow,
      from,
      until,
      partitions,
      filter,
      output: g.json
        ? { kind: 'json' }
        : f.format !== undefined
          ? { kind: 'template', template: f.format }
          : { kind: 'human', color },
      codec,
      workers: registry ? undefined : workerSetup(io, valueFormat, f),
      group: f.group,
      isolation: parseIsolation(f.isolation),
      expect,
      expectTimeoutMs: expectTimeoutMs < 0 ? 2 ** 31 - 1 : expectTimeoutMs,
      wireNotice,
    },
    io,
    g,
  );
}
