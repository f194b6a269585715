// `evt produce <topic> [value]`: options and help; the work is in src/cli/produce/.

import { Command, Option } from 'commander';
import { usageError } from '../src/cli/errors.js';
import type { CommandContext, GlobalOptions, Io } from '../src/cli/io.js';
import { parseChoice, parseDuration, parseInteger, parseSize } from '../src/common/parse.js';
import { COMPRESSION_NAMES } from '../src/protocol/records/batch-layout.js';
import { collect } from '../src/cli/repeatable.js';

const VALUE_FORMATS = ['auto', 'string', 'json', 'avro', 'protobuf', 'json-schema'] as const;
const KEY_FORMATS = ['string', 'avro', 'protobuf', 'json-schema'] as const;
const SCHEMA_EXTENSION: Record<string, string> = { avro: 'avsc', protobuf: 'proto', 'json-schema': 'json' };
// (not value-codec's isSchemaFormat: this file loads with every command, the codecs only when produce runs)
const isSchemaFormat = (f: string) => f in SCHEMA_EXTENSION;

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
  message?: string;
  subject?: string;
  schemaId?: string;
  keyFormat: string;
  keySchema?: string;
  keyMessage?: string;
  keySubject?: string;
  keySchemaId?: string;
  repartition: boolean;
  linger: string;
  batchSize: string;
  partitioner: string;
}

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
        'how values are given: auto/string (as they are), json (must be JSON); avro, protobuf, json-schema (JSON encoded or checked with --schema or the registry)',
      )
        .choices(VALUE_FORMATS)
        .default('auto'),
    )
    .option(
      '--schema <file>',
      'the schema of --value-format avro (.avsc), protobuf (.proto) or json-schema (.json); with a registry: registered under the subject first',
    )
    .option('--message <name>', 'with --value-format protobuf: the message to write (default: the first in the file)')
    .option('--subject <subject>', 'with a registry: the subject of the value schema (default <topic>-value)')
    .option('--schema-id <id>', 'with a registry: encode values with this registered schema id')
    .addOption(
      new Option(
        '--key-format <format>',
        'how keys are given: string (as they are), avro, protobuf, json-schema (JSON encoded through the registry)',
      )
        .choices(KEY_FORMATS)
        .default('string'),
    )
    .option('--key-schema <file>', 'with a --key-format schema: register this key schema under the key subject first')
    .option('--key-message <name>', 'with --key-format protobuf: the message to write (default: the first in the file)')
    .option(
      '--key-subject <subject>',
      'with a --key-format schema: the subject of the key schema (default <topic>-key)',
    )
    .option('--key-schema-id <id>', 'with a --key-format schema: encode keys with this registered schema id')
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

Bad input: a bad line is named with its number and the reason, exit code 1 (2 for a value that does not fit
its schema). With --file the whole file is checked first and nothing is sent if any line is bad; from stdin,
evt stops at the bad line and reports how many records (all before it) were sent. A record counts as sent
only once the broker acknowledged it.

Schemas: --value-format avro|protobuf|json-schema takes each value as plain JSON and encodes it with the
schema (Avro binary; the Protobuf message, from protobuf's JSON mapping with the .proto's field names or
lowerCamelCase ones, 64-bit integers as numbers or strings, enums by name, Timestamps as RFC 3339; JSON checked
against the JSON Schema: draft-07 unless its $schema names draft-04, -06, 2019-09 or 2020-12). A value that does not fit names the field path and what was
expected (.items[1].qty: expected an integer (int32), got "two"), exit 2, and nothing is sent. For protobuf,
--message picks the message (full name, or short within the file's package); the default is the first
message in the file. A .proto's imports are read from beside it.

Schema registry: with --registry <url> (or EVT_REGISTRY, or the profile's "registry"), the value schema is the
subject's (<topic>-value, or --subject): its latest version, or --schema-id N (the registry says its type,
which must be the --value-format's), or --schema <file> registered first (a .proto with its imports, each
under a subject named by its import path, as Confluent's serializers do). Values are written in Confluent's
wire format: magic byte 0, the 4-byte schema id, then the Avro binary, the Protobuf message-index array and
message, or the JSON text. --key-format does the same for keys (<topic>-key). Without a registry, --schema
writes plain Avro binary, the plain Protobuf message, or the checked JSON.

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
  $ evt --registry http://127.0.0.1:8081 produce orders --value-format protobuf --schema order.proto --message acme.shop.Order < orders.ndjson
  $ evt --registry http://127.0.0.1:8081 produce events --value-format json-schema --schema event.json --file events.ndjson
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
  const valueFormat = parseChoice(f.valueFormat, '--value-format', VALUE_FORMATS);
  const keyFormat = parseChoice(f.keyFormat, '--key-format', KEY_FORMATS);
  const valueSchema = isSchemaFormat(valueFormat);
  const keySchema = keyFormat !== 'string';
  if (f.schema && !valueSchema) throw usageError('--schema goes with --value-format avro, protobuf or json-schema');
  if (!valueSchema && (f.subject !== undefined || f.schemaId !== undefined))
    throw usageError('--subject and --schema-id go with --value-format avro, protobuf or json-schema');
  if (f.message !== undefined && valueFormat !== 'protobuf')
    throw usageError('--message goes with --value-format protobuf');
  if (f.keyMessage !== undefined && keyFormat !== 'protobuf')
    throw usageError('--key-message goes with --key-format protobuf');
  if (!keySchema && (f.keySchema !== undefined || f.keySubject !== undefined || f.keySchemaId !== undefined)) {
    throw usageError(
      '--key-schema, --key-subject and --key-schema-id go with --key-format avro, protobuf or json-schema',
    );
  }
  if (f.schema !== undefined && f.schemaId !== undefined)
    throw usageError('give either --schema or --schema-id, not both');
  if (f.keySchema !== undefined && f.keySchemaId !== undefined)
    throw usageError('give either --key-schema or --key-schema-id, not both');
  const { registryFromOptions } = await import('../src/codec/registry-client.js');
  const registry = valueSchema || keySchema ? await registryFromOptions(io.env, g, io.cwd) : null;
  if (!registry) {
    if (keySchema)
      throw usageError(
        `--key-format ${keyFormat} needs a schema registry (--registry <url>, EVT_REGISTRY or a profile)`,
      );
    if (f.subject !== undefined || f.schemaId !== undefined)
      throw usageError(
        '--subject and --schema-id need a schema registry (--registry <url>, EVT_REGISTRY or a profile)',
      );
    if (valueSchema && !f.schema)
      throw usageError(
        `--value-format ${valueFormat} needs --schema <file.${SCHEMA_EXTENSION[valueFormat]}> (or a schema registry: --registry <url>)`,
      );
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
      if (valueFormat === 'avro' || valueFormat === 'protobuf' || valueFormat === 'json-schema')
        codec = await registryEncoder(registry, {
          subject: f.subject ?? `${topic}-value`,
          schemaId,
          schemaFile: f.schema,
          flag: '--value-format',
          format: valueFormat,
          message: f.message,
        });
      if (keyFormat !== 'string')
        keyCodec = await registryEncoder(registry, {
          subject: f.keySubject ?? `${topic}-key`,
          schemaId: keySchemaId,
          schemaFile: f.keySchema,
          flag: '--key-format',
          format: keyFormat,
          message: f.keyMessage,
        });
    }
  } catch (err) {
    if (err instanceof CodecError) throw usageError(err.message);
    throw err;
  }
  codec ??= await valueCodecForOptions(valueFormat, f.schema, f.message);
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
  );
}
