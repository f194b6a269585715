// `evt produce <topic> [value]`: options and help; the work is in src/cli/produce/.

import { Command, Option } from 'commander';
import { usageError } from '../src/cli/errors.js';
import type { CommandContext, GlobalOptions, Io } from '../src/cli/io.js';
import { parseChoice, parseDuration, parseInteger, parseSize } from '../src/common/parse.js';
import { COMPRESSION_NAMES } from '../src/protocol/records/batch-layout.js';

interface ProduceFlags {
  key?: string;
  header: string[];
  partition?: string;
  file?: string;
  keySeparator?: string;
  acks: string;
  compression: string;
  idempotent: boolean;
  rate?: string;
  valueFormat: string;
  schema?: string;
  subject?: string;
  schemaId?: string;
  keyFormat: string;
  keySchema?: string;
  keySubject?: string;
  keySchemaId?: string;
  repartition: boolean;
  linger: string;
  batchSize: string;
  partitioner: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerProduce(program: Command, { io, globals }: CommandContext): void {
  program
    .command('produce')
    .description('send records to a topic: a value, or one record per line from stdin or --file')
    .argument('<topic>', 'the topic to write to')
    .argument('[value]', 'a single record value (otherwise records are read from --file or stdin)')
    .option('-k, --key <key>', 'the key of every record')
    .option('-H, --header <name=value>', 'a header on every record (repeatable)', collect, [])
    .option('-p, --partition <n>', 'write to this partition (default: by key, or spread when there is no key)')
    .option(
      '-f, --file <path>',
      'read records from a file, one per line (every line is checked before anything is sent)',
    )
    .option('-K, --key-separator <sep>', 'lines are key<sep>value (e.g. -K :)')
    .addOption(
      new Option('--acks <acks>', 'acknowledgement: all (every in-sync replica), 1 (the leader), 0 (none)')
        .choices(['all', '-1', '1', '0'])
        .default('all'),
    )
    .addOption(
      new Option('--compression <codec>', 'compress record batches').choices(COMPRESSION_NAMES).default('none'),
    )
    .option('--idempotent', 'no duplicates or reordering on retries (the default with --acks all)')
    .option('--no-idempotent', 'plain producer: a retry may duplicate records')
    .option('--rate <n/s>', 'send at most this many records per second (e.g. 100/s, 6000/m)')
    .addOption(
      new Option(
        '--value-format <format>',
        'how values are given: auto/string (as they are), json (must be JSON), avro (JSON encoded with --schema)',
      )
        .choices(['auto', 'string', 'json', 'avro'])
        .default('auto'),
    )
    .option(
      '--schema <file.avsc>',
      'Avro schema for --value-format avro (with a registry: registered under the subject first)',
    )
    .option('--subject <subject>', 'with a registry: the subject of the value schema (default <topic>-value)')
    .option('--schema-id <id>', 'with a registry: encode values with this registered schema id')
    .addOption(
      new Option(
        '--key-format <format>',
        'how keys are given: string (as they are), avro (JSON encoded through the registry)',
      )
        .choices(['string', 'avro'])
        .default('string'),
    )
    .option('--key-schema <file.avsc>', 'with --key-format avro: register this key schema under the key subject first')
    .option('--key-subject <subject>', 'with --key-format avro: the subject of the key schema (default <topic>-key)')
    .option('--key-schema-id <id>', 'with --key-format avro: encode keys with this registered schema id')
    .option('--repartition', 'with --json: ignore the partition in the envelopes and choose by key', false)
    .option('--linger <time>', 'how long a batch waits for more records before it is sent', '5ms')
    .option('--batch-size <size>', 'largest record batch per partition', '1MB')
    .addOption(
      new Option('--partitioner <strategy>', 'records without key or partition: sticky (fuller batches) or round-robin')
        .choices(['sticky', 'round-robin'])
        .default('sticky'),
    )
    .addHelpText(
      'after',
      `
Input: one record per line (blank lines are skipped). Plain lines are the values, sent byte for byte.
With --json each line is a record envelope as \`evt tail --json\` prints it:
  {"key":"order-1","value":{"total":12},"headers":{"source":"cli"},"partition":0,"timestamp":1700000000000}
(binary keys, values and headers as base64 with "keyEncoding"/"valueEncoding"/"headerEncoding"), so
\`evt tail a --json | evt produce b --json\` copies records faithfully. --key, --header and --partition
override what the envelopes say.

Bad input: a bad line is named with its number and the reason, exit code 1. With --file the whole file is
checked first and nothing is sent if any line is bad; from stdin, evt stops at the bad line and reports how
many records (all before it) were sent. A record counts as sent only once the broker acknowledged it.

Schema registry: with --registry <url> (or EVT_REGISTRY, or the profile's "registry"), --value-format avro
encodes each JSON value with the subject's schema (<topic>-value, or --subject; the latest version, or
--schema-id N, or --schema file.avsc registered first) in Confluent's wire format: magic byte 0, the 4-byte
schema id, the Avro binary. --key-format avro does the same for keys (<topic>-key). A value that does not
fit names the field and the expected type, and nothing is sent. Without a registry, --value-format avro
--schema file.avsc writes plain Avro binary.

Output: a summary on stderr (records, bytes, rate, partitions with their first and last offsets); with
--json the summary is one JSON object on stdout instead:
  {"topic":"orders","records":3,"failed":0,"bytes":42,"seconds":0.01,...,"partitions":[{"partition":0,"records":3,"firstOffset":0,"lastOffset":2}]}

Examples:
  $ evt produce orders '{"orderId":"o-1","total":12}' --key o-1
  $ evt produce orders --file orders.ndjson --value-format json
  $ printf 'o-1:{"total":1}\\no-2:{"total":2}\\n' | evt produce orders -K :
  $ evt produce orders -H evt-event-type=OrderPlaced -H source=cli < events.txt
  $ evt tail orders --from beginning --until end --json | evt produce orders-copy --json
  $ evt produce payments --value-format avro --schema payment.avsc --file payments.ndjson
  $ evt --registry http://127.0.0.1:8081 produce orders '{"id":"o-1","total":12}' --value-format avro --schema order.avsc
  $ evt --registry http://127.0.0.1:8081 produce orders --value-format avro --file orders.ndjson   (latest orders-value)
  $ seq 1000 | evt produce numbers --rate 100/s --acks 1 --no-idempotent`,
    )
    .action(async (topic: string, value: string | undefined, flags: ProduceFlags, cmd: Command) => {
      const idempotentGiven = cmd.getOptionValueSource('idempotent') === 'cli';
      await produce(topic, value, flags, idempotentGiven, io, globals());
    });
}

/** "100/s", "6000/m", "100" (per second) */
export function parseRate(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(s|sec|m|min|h))?\s*$/.exec(text);
  const per = { s: 1, sec: 1, m: 60, min: 60, h: 3600 }[m?.[2] ?? 's'];
  if (!m || per === undefined || Number(m[1]) <= 0)
    throw usageError(`--rate: "${text}" is not a rate (use e.g. 100/s or 6000/m)`);
  return Number(m[1]) / per;
}

function parseHeader(text: string): { key: string; value: Buffer } {
  const eq = text.indexOf('=');
  if (eq <= 0) throw usageError(`--header: "${text}" is not name=value`);
  return { key: text.slice(0, eq), value: Buffer.from(text.slice(eq + 1), 'utf8') };
}

async function produce(
  topic: string,
  value: string | undefined,
  f: ProduceFlags,
  idempotentGiven: boolean,
  io: Io,
  g: GlobalOptions,
): Promise<void> {
  if (value !== undefined && f.file !== undefined) throw usageError('give either a value or --file, not both');
  const acks = f.acks === 'all' || f.acks === '-1' ? -1 : (Number(f.acks) as 0 | 1);
  if (acks !== -1 && idempotentGiven && f.idempotent) throw usageError('--idempotent needs --acks all');
  const idempotent = acks === -1 && f.idempotent;
  const valueFormat = parseChoice(f.valueFormat, '--value-format', ['auto', 'string', 'json', 'avro'] as const);
  if (f.schema && valueFormat !== 'avro') throw usageError('--schema goes with --value-format avro');
  const keyFormat = parseChoice(f.keyFormat, '--key-format', ['string', 'avro'] as const);
  if (valueFormat !== 'avro' && (f.subject !== undefined || f.schemaId !== undefined))
    throw usageError('--subject and --schema-id go with --value-format avro');
  if (
    keyFormat !== 'avro' &&
    (f.keySchema !== undefined || f.keySubject !== undefined || f.keySchemaId !== undefined)
  ) {
    throw usageError('--key-schema, --key-subject and --key-schema-id go with --key-format avro');
  }
  if (f.schema !== undefined && f.schemaId !== undefined)
    throw usageError('give either --schema or --schema-id, not both');
  if (f.keySchema !== undefined && f.keySchemaId !== undefined)
    throw usageError('give either --key-schema or --key-schema-id, not both');
  const { registryFromOptions } = await import('../src/codec/registry-client.js');
  const registry = valueFormat === 'avro' || keyFormat === 'avro' ? await registryFromOptions(io.env, g, io.cwd) : null;
  if (!registry) {
    if (keyFormat === 'avro')
      throw usageError('--key-format avro needs a schema registry (--registry <url>, EVT_REGISTRY or a profile)');
    if (f.subject !== undefined || f.schemaId !== undefined)
      throw usageError(
        '--subject and --schema-id need a schema registry (--registry <url>, EVT_REGISTRY or a profile)',
      );
    if (valueFormat === 'avro' && !f.schema)
      throw usageError('--value-format avro needs --schema <file.avsc> (or a schema registry: --registry <url>)');
  }
  const schemaId = f.schemaId !== undefined ? parseInteger(f.schemaId, '--schema-id', { min: 0 }) : undefined;
  const keySchemaId =
    f.keySchemaId !== undefined ? parseInteger(f.keySchemaId, '--key-schema-id', { min: 0 }) : undefined;
  if (f.keySeparator !== undefined && (g.json || f.keySeparator === '')) {
    throw usageError(
      g.json ? '--key-separator is for plain lines, not --json envelopes' : '--key-separator must not be empty',
    );
  }
  if (f.keySeparator !== undefined && f.key !== undefined)
    throw usageError('give either --key or --key-separator, not both');
  const lingerMs = parseDuration(f.linger, '--linger');
  if (lingerMs < 0) throw usageError('--linger must not be negative');
  const batchBytes = parseSize(f.batchSize, '--batch-size');
  if (batchBytes < 1) throw usageError('--batch-size must be positive');

  const { CodecError } = await import('../src/codec/value-codec.js');
  const { valueCodecForOptions } = await import('../src/cli/codec-options.js');
  let codec;
  let keyCodec;
  try {
    if (registry) {
      const { registryEncoder } = await import('../src/codec/registry-codec.js');
      if (valueFormat === 'avro')
        codec = await registryEncoder(registry, {
          subject: f.subject ?? `${topic}-value`,
          schemaId,
          schemaFile: f.schema,
          flag: '--value-format',
        });
      if (keyFormat === 'avro')
        keyCodec = await registryEncoder(registry, {
          subject: f.keySubject ?? `${topic}-key`,
          schemaId: keySchemaId,
          schemaFile: f.keySchema,
          flag: '--key-format',
        });
    }
  } catch (err) {
    if (err instanceof CodecError) throw usageError(err.message);
    throw err;
  }
  codec ??= await valueCodecForOptions(valueFormat, f.schema);
  let key: Buffer | undefined = f.key !== undefined ? Buffer.from(f.key, 'utf8') : undefined;
  if (keyCodec && f.key !== undefined) {
    const { encodeKeyText } = await import('../src/cli/produce/records.js');
    try {
      key = encodeKeyText(keyCodec, f.key);
    } catch (err) {
      throw usageError(`--key: ${(err as Error).message.replace(/^key: /, '')}`);
    }
  }
  const { runProduce } = await import('../src/cli/produce/run.js');
  await runProduce(
    {
      topic,
      value,
      file: f.file,
      input: {
        json: g.json,
        codec,
        key,
        keyCodec,
        headers: f.header.map(parseHeader),
        partition: f.partition !== undefined ? parseInteger(f.partition, '--partition', { min: 0 }) : undefined,
        keySeparator: f.keySeparator !== undefined ? Buffer.from(f.keySeparator, 'utf8') : undefined,
        repartition: f.repartition,
      },
      acks,
      idempotent,
      compression: parseChoice(f.compression, '--compression', COMPRESSION_NAMES),
      rate: f.rate !== undefined ? parseRate(f.rate) : undefined,
      lingerMs,
      batchBytes,
      partitioner: parseChoice(f.partitioner, '--partitioner', ['sticky', 'round-robin'] as const),
    },
    io,
    g,
    io.stdin,
  );
}
