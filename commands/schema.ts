// `evt schema list|get|register|check|config|delete`: the schema registry (--registry / EVT_REGISTRY / profile).

import type { Command } from 'commander';
import { CliError, ExitCode, quietExit, usageError } from '../src/cli/errors.js';
import { printJson, printLine, type CommandContext, type GlobalOptions, type Io } from '../src/cli/io.js';
import { parseInteger } from '../src/common/parse.js';
import { EvtError } from '../src/common/errors.js';
import type { RegistryClient, SchemaOptions, SchemaReference } from '../src/codec/registry-client.js';
import { collect } from '../src/cli/repeatable.js';

const LEVELS = ['NONE', 'BACKWARD', 'BACKWARD_TRANSITIVE', 'FORWARD', 'FORWARD_TRANSITIVE', 'FULL', 'FULL_TRANSITIVE'];

async function client(io: Io, g: GlobalOptions): Promise<RegistryClient> {
  const { registryFromOptions } = await import('../src/codec/registry-client.js');
  const c = await registryFromOptions(io.env, g, io.cwd);
  if (!c)
    throw usageError('no schema registry: give --registry <url>, set EVT_REGISTRY, or add "registry" to the profile');
  return c;
}

interface SchemaFileOptions {
  type?: string;
  reference: string[];
}

/** A schema file read, typed and checked, with its references pinned to versions. */
async function readSchema(
  c: RegistryClient,
  file: string,
  f: SchemaFileOptions,
): Promise<{ text: string; options: SchemaOptions; type: string }> {
  const { readSchemaText, schemaTypeOf, parseSchemaType, parseReference, checkSchemaFile } =
    await import('../src/cli/schema-file.js');
  const text = readSchemaText(file);
  const schemaType = f.type !== undefined ? parseSchemaType(f.type) : schemaTypeOf(file, text);
  const references: SchemaReference[] = [];
  for (const r of f.reference.map(parseReference)) {
    // `latest` is pinned now: a registry keeps the version a reference names
    const version = r.version === 'latest' ? (await c.version(r.subject, 'latest')).version : r.version;
    references.push({ name: r.name, subject: r.subject, version });
  }
  checkSchemaFile(file, text, schemaType, await c.referencedSchemas(references), references);
  return { text, options: { schemaType, references }, type: schemaType };
}

/** A registry that says the schema is not valid (42201): bad input, named by the file. */
function invalidInput(file: string, err: unknown): unknown {
  const e = err as { errorCode?: number; message?: string };
  if (e.errorCode === 42201) return usageError(`${file}: ${String(e.message).replace(/^schema registry: /, '')}`);
  return err;
}

/** JSON schemas (Avro, JSON Schema) pretty-printed; Protobuf as it is. */
function pretty(schema: string): string {
  try {
    return JSON.stringify(JSON.parse(schema), null, 2);
  } catch {
    return schema;
  }
}

/**
 * The schema as `get` prints it: JSON pretty-printed; a Protobuf schema registered as a base64 descriptor (as
 * confluent-kafka-python registers) as the .proto text it was compiled from, with a note saying so. protobufjs
 * is loaded only then, not at every start.
 */
async function shown(schema: string, schemaType: string): Promise<{ text: string; note: string }> {
  if (schemaType === 'PROTOBUF') {
    const { printProto } = await import('../src/common/proto-print.js');
    const printed = printProto(schema);
    if (printed !== undefined)
      return {
        text: printed.trimEnd(),
        note: ' (registered as a FileDescriptorProto, shown as .proto; --json as stored)',
      };
  }
  return { text: pretty(schema), note: '' };
}

function parseVersion(v: string): number | 'latest' {
  return v === 'latest' ? 'latest' : parseInteger(v, 'version', { min: 1 });
}

/** --type and --reference, as `register` and `check` take them (see SchemaFileOptions). */
function schemaFileOptions(command: Command): Command {
  return command
    .option('--type <avro|protobuf|json>', 'the schema type (default: from the file, see evt schema --help)')
    .option(
      '--reference <name=subject:version>',
      'an import or $ref and the subject-version it names (repeatable)',
      collect,
      [],
    );
}

export function registerSchema(program: Command, { io, globals }: CommandContext): void {
  const schema = program
    .command('schema')
    .description(
      'the schema registry: list, get, register and check Avro, Protobuf and JSON schemas; compatibility levels',
    )
    .addHelpText(
      'after',
      `
The registry is given by --registry <url>, EVT_REGISTRY, or the profile's "registry" (basic auth:
"registryAuth": "user:password", the password may be "env:VAR"; EVT_REGISTRY_AUTH). For a private CA set
NODE_EXTRA_CA_CERTS. Exit codes: 2 not a valid schema, 3 registry unreachable (or no registry at that URL),
4 subject/version/schema not found, 5 incompatible.

The type of a file: --type avro|protobuf|json, else .avsc is Avro, .proto Protobuf, and a .json file is Avro
when it is a record, enum or fixed (or a union), else a JSON Schema. Imports and $refs name other subjects
with --reference name=subject:version (repeatable; google/protobuf/* imports need none).

Examples:
  $ evt --registry http://127.0.0.1:8081 schema list
  $ evt schema register orders-value order.avsc
  $ evt schema register customer.proto customer.proto
  $ evt schema register orders-value order.proto --reference customer.proto=customer.proto:1
  $ evt schema register payments-value payment.json            (a JSON Schema)
  $ evt schema check orders-value order-v2.proto          (CI: exit 5 when incompatible)
  $ evt schema get orders-value 2                     (version 2; default latest)
  $ evt schema config orders-value --set FULL`,
    );

  schema
    .command('list')
    .description('list subjects with their type (of the latest version) and versions')
    .addHelpText('after', '\nExamples:\n  $ evt schema list\n  $ evt schema list --json')
    .action(async () => {
      const g = globals();
      const c = await client(io, g);
      const subjects = (await c.subjects()).sort();
      const rows = await Promise.all(
        subjects.map(async (subject) => {
          const versions = await c.versions(subject).catch(() => [] as number[]);
          const latest = await c.version(subject, 'latest').catch(() => null);
          return { subject, schemaType: latest?.schemaType ?? 'AVRO', versions };
        }),
      );
      if (g.json) return printJson(io, rows);
      if (rows.length === 0) return printLine(io.stderr, 'no subjects');
      const width = Math.max(...rows.map((r) => r.subject.length));
      for (const r of rows)
        printLine(
          io.stdout,
          `${r.subject.padEnd(width)}  ${r.schemaType.padEnd(8)}  versions ${r.versions.join(', ')}`,
        );
    });

  schema
    .command('get')
    .description('print a schema (pretty JSON): by subject and version, or by id')
    .argument('[subject]', 'the subject')
    .argument('[version]', 'the version: a number or latest (default latest)')
    .option('--id <id>', 'the schema with this id instead')
    .addHelpText(
      'after',
      "\n(--version is evt's own flag: give the version after the subject.) The type and references go to stderr,\nthe schema to stdout (a Protobuf schema registered as a base64 descriptor, as .proto text).\n\nExamples:\n  $ evt schema get orders-value\n  $ evt schema get orders-value 2\n  $ evt schema get --id 3\n  $ evt schema get orders-value --json     (subject, version, id, schemaType, references, schema)",
    )
    .action(async (subject: string | undefined, version: string | undefined, f: { id?: string }) => {
      const g = globals();
      if ((subject === undefined) === (f.id === undefined)) throw usageError('give a subject or --id N (not both)');
      const c = await client(io, g);
      const refs = (r: { references?: SchemaReference[] }) =>
        (r.references ?? []).map((x) => `${x.name}=${x.subject}:${x.version}`).join(', ');
      if (f.id !== undefined) {
        const id = parseInteger(f.id, '--id', { min: 0 });
        const r = await c.getSchemaById(id);
        if (g.json) return printJson(io, { id, ...r });
        const { text, note } = await shown(r.schema, r.schemaType);
        printLine(io.stderr, `id ${id}, ${r.schemaType}${r.references.length ? `, references ${refs(r)}` : ''}${note}`);
        return printLine(io.stdout, text);
      }
      const r = await c.version(subject!, parseVersion(version ?? 'latest'));
      const schemaType = r.schemaType ?? 'AVRO';
      if (g.json) return printJson(io, { ...r, schemaType, references: r.references ?? [] });
      const more = r.references?.length ? `, references ${refs(r)}` : '';
      const { text, note } = await shown(r.schema, schemaType);
      printLine(io.stderr, `${r.subject} version ${r.version}, id ${r.id}, ${schemaType}${more}${note}`);
      printLine(io.stdout, text);
    });

  schemaFileOptions(schema.command('register'))
    .description('register a schema file (Avro, Protobuf, JSON Schema) under a subject and print its id')
    .argument('<subject>', 'the subject (e.g. orders-value)')
    .argument('<file>', 'the schema file (.avsc, .proto, .json)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ evt schema register orders-value order.avsc\n  $ evt schema register orders-value order.proto --reference customer.proto=customer.proto:1\n  $ evt schema register orders-value order.avsc --json   {"subject","id","version","new","schemaType"}',
    )
    .action(async (subject: string, file: string, f: SchemaFileOptions) => {
      const g = globals();
      const c = await client(io, g);
      const { text, options, type } = await readSchema(c, file, f);
      const before = await c.lookup(subject, text, options).catch(() => null);
      let id: number;
      try {
        id = await c.register(subject, text, options);
      } catch (err) {
        const e = err as CliError & { status?: number };
        if (e.status === 409)
          throw new CliError(
            `${file} is not compatible with the schemas of ${subject} (${e.message.replace(/^schema registry: /, '')})`,
            ExitCode.EXPECTATION,
          );
        throw invalidInput(file, err);
      }
      const after = before ?? (await c.lookup(subject, text, options).catch(() => null));
      const isNew = before === null;
      if (g.json) return printJson(io, { subject, id, version: after?.version ?? null, new: isNew, schemaType: type });
      printLine(io.stdout, String(id));
      const where = `id ${id}${after ? `, version ${after.version}` : ''}, ${type}`;
      printLine(
        io.stderr,
        isNew ? `registered ${file} under ${subject}: ${where}` : `already registered under ${subject}: ${where}`,
      );
    });

  schemaFileOptions(schema.command('check'))
    .description('check a schema file against a subject: exit 0 when compatible, 5 when not (for CI)')
    .argument('<subject>', 'the subject')
    .argument('<file>', 'the schema file (.avsc, .proto, .json)')
    .option('--against <n|latest>', 'check against this version (default latest; the level decides about the others)')
    .addHelpText(
      'after',
      '\nThe verdict goes to stdout (every reason with --json); exit 5 says it is incompatible.\n\nExamples:\n  $ evt schema check orders-value order-v2.avsc && echo ok\n  $ evt schema check orders-value order-v2.proto --json',
    )
    .action(async (subject: string, file: string, f: SchemaFileOptions & { against?: string }) => {
      const g = globals();
      const c = await client(io, g);
      const { text, options, type } = await readSchema(c, file, f);
      let result: { compatible: boolean; messages: string[] };
      try {
        result = await c.compatible(subject, text, parseVersion(f.against ?? 'latest'), options);
      } catch (err) {
        const e = err as CliError & { errorCode?: number };
        // nothing registered yet: anything goes
        if (e.errorCode === 40401) result = { compatible: true, messages: [`subject ${subject} has no schemas yet`] };
        else throw invalidInput(file, err);
      }
      if (g.json)
        printJson(io, { subject, file, schemaType: type, compatible: result.compatible, messages: result.messages });
      else {
        const why = result.messages.length ? `: ${result.messages[0]}` : '';
        printLine(
          io.stdout,
          result.compatible
            ? `compatible: ${file} can be registered under ${subject}`
            : `incompatible: ${file} cannot be registered under ${subject}${why}`,
        );
      }
      // the verdict is on stdout already: exit 5, no second line on stderr
      if (!result.compatible) throw quietExit(ExitCode.EXPECTATION);
    });

  schema
    .command('config')
    .description('get or set the compatibility level (global, or of a subject)')
    .argument('[subject]', 'the subject (default: the global level)')
    .option('--set <level>', `set the level: ${LEVELS.join(', ')}`)
    .addHelpText(
      'after',
      '\nExamples:\n  $ evt schema config                       the global level\n  $ evt schema config orders-value --set FULL\n  $ evt schema config --set NONE',
    )
    .action(async (subject: string | undefined, f: { set?: string }) => {
      const g = globals();
      const c = await client(io, g);
      if (f.set !== undefined) {
        const level = f.set.toUpperCase();
        if (!LEVELS.includes(level)) throw usageError(`--set: "${f.set}" is not one of ${LEVELS.join(', ')}`);
        const now = await c.setConfig(level, subject);
        if (g.json) return printJson(io, { subject: subject ?? null, compatibility: now });
        return printLine(io.stdout, `${subject ?? 'global'}: ${now}`);
      }
      let level: string;
      try {
        level = await c.getConfig(subject);
      } catch (err) {
        // a subject without its own level follows the global one
        if (subject !== undefined && err instanceof EvtError && err.kind === 'not-found')
          level = `${await c.getConfig()} (global)`;
        else throw err;
      }
      if (g.json) return printJson(io, { subject: subject ?? null, compatibility: level.replace(' (global)', '') });
      printLine(io.stdout, `${subject ?? 'global'}: ${level}`);
    });

  schema
    .command('delete')
    .description('delete a subject (all its versions)')
    .argument('<subject>', 'the subject')
    .option('--permanent', 'delete for good (a registry may require a soft delete first)', false)
    .option('--yes', 'really delete', false)
    .addHelpText(
      'after',
      '\nExamples:\n  $ evt schema delete orders-value --yes\n  $ evt schema delete orders-value --permanent --yes',
    )
    .action(async (subject: string, f: { permanent: boolean; yes: boolean }) => {
      const g = globals();
      if (!f.yes) throw usageError(`deleting subject ${subject} needs --yes`);
      const c = await client(io, g);
      const versions = await c.deleteSubject(subject, f.permanent);
      if (g.json) return printJson(io, { subject, deleted: versions, permanent: f.permanent });
      printLine(io.stderr, `deleted ${subject}${f.permanent ? ' permanently' : ''}: versions ${versions.join(', ')}`);
    });
}
