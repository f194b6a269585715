// `evt schema list|get|register|check|config|delete`: the schema registry (--registry / EVT_REGISTRY / profile).

import type { Command } from 'commander';
import { CliError, ExitCode, usageError } from '../src/cli/errors.js';
import { printJson, printLine, type CommandContext, type GlobalOptions, type Io } from '../src/cli/io.js';
import { parseInteger } from '../src/common/parse.js';
import { EvtError } from '../src/common/errors.js';
import type { RegistryClient } from '../src/codec/registry-client.js';

const LEVELS = ['NONE', 'BACKWARD', 'BACKWARD_TRANSITIVE', 'FORWARD', 'FORWARD_TRANSITIVE', 'FULL', 'FULL_TRANSITIVE'];

async function client(io: Io, g: GlobalOptions): Promise<RegistryClient> {
  const { registryFromOptions } = await import('../src/codec/registry-client.js');
  const c = await registryFromOptions(io.env, g, io.cwd);
  if (!c)
    throw usageError('no schema registry: give --registry <url>, set EVT_REGISTRY, or add "registry" to the profile');
  return c;
}

async function readSchema(file: string): Promise<string> {
  const { readSchemaFile } = await import('../src/codec/avro.js');
  const { parseAvroSchema } = await import('../src/codec/registry-client.js');
  let text: string;
  try {
    text = readSchemaFile(file);
  } catch (err) {
    throw new CliError(
      (err as Error).message,
      (err as Error).message.includes('ENOENT') ? ExitCode.NOT_FOUND : ExitCode.USAGE,
    );
  }
  parseAvroSchema(text, file);
  return text;
}

function pretty(schema: string): string {
  try {
    return JSON.stringify(JSON.parse(schema), null, 2);
  } catch {
    return schema;
  }
}

function parseVersion(v: string): number | 'latest' {
  return v === 'latest' ? 'latest' : parseInteger(v, 'version', { min: 1 });
}

export function registerSchema(program: Command, { io, globals }: CommandContext): void {
  const schema = program
    .command('schema')
    .description('the schema registry: list, get, register and check Avro schemas, compatibility levels')
    .addHelpText(
      'after',
      `
The registry is given by --registry <url>, EVT_REGISTRY, or the profile's "registry" (basic auth:
"registryAuth": "user:password", the password may be "env:VAR"; EVT_REGISTRY_AUTH). For a private CA set
NODE_EXTRA_CA_CERTS. Exit codes: 3 registry unreachable, 4 subject/version/schema not found, 5 incompatible.

Examples:
  $ evt --registry http://127.0.0.1:8081 schema list
  $ evt schema register orders-value order.avsc
  $ evt schema check orders-value order-v2.avsc          (CI: exit 5 when incompatible)
  $ evt schema get orders-value 2                     (version 2; default latest)
  $ evt schema config orders-value --set FULL`,
    );

  schema
    .command('list')
    .description('list subjects and their versions')
    .addHelpText('after', '\nExamples:\n  $ evt schema list\n  $ evt schema list --json')
    .action(async () => {
      const g = globals();
      const c = await client(io, g);
      const subjects = (await c.subjects()).sort();
      const rows = await Promise.all(
        subjects.map(async (subject) => ({ subject, versions: await c.versions(subject).catch(() => [] as number[]) })),
      );
      if (g.json) return printJson(io, rows);
      if (rows.length === 0) return printLine(io.stderr, 'no subjects');
      for (const r of rows) printLine(io.stdout, `${r.subject}  versions ${r.versions.join(', ')}`);
    });

  schema
    .command('get')
    .description('print a schema (pretty JSON): by subject and version, or by id')
    .argument('[subject]', 'the subject')
    .argument('[version]', 'the version: a number or latest (default latest)')
    .option('--id <id>', 'the schema with this id instead')
    .addHelpText(
      'after',
      "\n(--version is evt's own flag: give the version after the subject.)\n\nExamples:\n  $ evt schema get orders-value\n  $ evt schema get orders-value 2\n  $ evt schema get --id 3\n  $ evt schema get orders-value --json     (subject, version, id, schema)",
    )
    .action(async (subject: string | undefined, version: string | undefined, f: { id?: string }) => {
      const g = globals();
      if ((subject === undefined) === (f.id === undefined)) throw usageError('give a subject or --id N (not both)');
      const c = await client(io, g);
      if (f.id !== undefined) {
        const id = parseInteger(f.id, '--id', { min: 0 });
        const r = await c.request<{ schema: string }>('GET', `/schemas/ids/${id}`);
        if (g.json) return printJson(io, { id, schema: r.schema });
        return printLine(io.stdout, pretty(r.schema));
      }
      const r = await c.version(subject!, parseVersion(version ?? 'latest'));
      if (g.json) return printJson(io, r);
      printLine(io.stderr, `${r.subject} version ${r.version}, id ${r.id}`);
      printLine(io.stdout, pretty(r.schema));
    });

  schema
    .command('register')
    .description('register an Avro schema file under a subject and print its id')
    .argument('<subject>', 'the subject (e.g. orders-value)')
    .argument('<file.avsc>', 'the schema file')
    .addHelpText(
      'after',
      '\nExamples:\n  $ evt schema register orders-value order.avsc\n  $ evt schema register orders-value order.avsc --json   {"subject","id","version","new"}',
    )
    .action(async (subject: string, file: string) => {
      const g = globals();
      const text = await readSchema(file);
      const c = await client(io, g);
      const before = await c.lookup(subject, text).catch(() => null);
      let id: number;
      try {
        id = await c.register(subject, text);
      } catch (err) {
        const e = err as CliError & { status?: number };
        if (e.status === 409)
          throw new CliError(
            `${file} is not compatible with the schemas of ${subject} (${e.message.replace(/^schema registry: /, '')})`,
            ExitCode.EXPECTATION,
          );
        throw err;
      }
      const after = before ?? (await c.lookup(subject, text).catch(() => null));
      const isNew = before === null;
      if (g.json) return printJson(io, { subject, id, version: after?.version ?? null, new: isNew });
      printLine(io.stdout, String(id));
      printLine(
        io.stderr,
        isNew
          ? `registered ${file} under ${subject}: id ${id}${after ? `, version ${after.version}` : ''}`
          : `already registered under ${subject}: id ${id}${after ? `, version ${after.version}` : ''}`,
      );
    });

  schema
    .command('check')
    .description('check a schema file against a subject: exit 0 when compatible, 5 when not (for CI)')
    .argument('<subject>', 'the subject')
    .argument('<file.avsc>', 'the schema file')
    .option('--against <n|latest>', 'check against this version (default latest; the level decides about the others)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ evt schema check orders-value order-v2.avsc && echo ok\n  $ evt schema check orders-value order-v2.avsc --json',
    )
    .action(async (subject: string, file: string, f: { against?: string }) => {
      const g = globals();
      const text = await readSchema(file);
      const c = await client(io, g);
      let result: { compatible: boolean; messages: string[] };
      try {
        result = await c.compatible(subject, text, parseVersion(f.against ?? 'latest'));
      } catch (err) {
        const e = err as CliError & { errorCode?: number };
        // nothing registered yet: anything goes
        if (e.errorCode === 40401) result = { compatible: true, messages: [`subject ${subject} has no schemas yet`] };
        else throw err;
      }
      if (g.json) printJson(io, { subject, file, compatible: result.compatible, messages: result.messages });
      else {
        const why = result.messages.length ? `: ${result.messages[0]}` : '';
        printLine(
          io.stdout,
          result.compatible
            ? `compatible: ${file} can be registered under ${subject}`
            : `incompatible: ${file} cannot be registered under ${subject}${why}`,
        );
      }
      if (!result.compatible) throw new CliError(`${file} is not compatible with ${subject}`, ExitCode.EXPECTATION);
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
