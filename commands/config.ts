// `evt config list|use|set|show|remove`: connection profiles in the user file (~/.config/evt/config.json)
// or the project file (evt.config.json), and the settings a command would use, with their sources.

import path from 'node:path';
import type { Command } from 'commander';
import { CliError, ExitCode, usageError } from '../src/cli/errors.js';
import { printJson, type CommandContext } from '../src/cli/io.js';
import { parseChoice, parseDuration } from '../src/common/parse.js';
import { colorOnStdout, writeLines } from '../src/cli/table.js';
import { renderFields, renderTable } from '../src/common/text-table.js';
import {
  displayPath,
  findProjectFile,
  loadConfigFile,
  loadProjectConfig,
  loadUserConfig,
  PROJECT_FILE_NAME,
  SASL_MECHANISMS,
  splitBrokers,
  writeConfigFile,
  type LoadedConfigFile,
  type Profile,
  type ProfileTls,
} from '../src/client/config-file.js';
import { envReference, explainSettings, knownProfiles, optionSources } from '../src/client/profiles.js';
import { brokerAddressProblem } from '../src/client/settings.js';

interface SetFlags {
  clientId?: string;
  saslMechanism?: string;
  saslUsername?: string;
  saslPassword?: string;
  sasl: boolean;
  tls?: boolean;
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsInsecure?: boolean;
  project?: boolean;
  default?: boolean;
}

function checkProfileName(name: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name))
    throw usageError(`"${name}" is not a valid profile name (letters, digits, ".", "_", "-")`);
}

/** The file `--project` means: the nearest evt.config.json, or a new one in the working directory. */
function projectFileFor(cwd: string): LoadedConfigFile {
  const found = findProjectFile(cwd);
  return loadConfigFile('project', found ?? path.join(cwd, PROJECT_FILE_NAME));
}

function describeProfile(p: Profile): { brokers: string; auth: string } {
  const auth: string[] = [];
  if (p.sasl) auth.push(`sasl ${p.sasl.mechanism} (${p.sasl.username})`);
  if (p.tls) auth.push('tls');
  return { brokers: p.brokers?.join(',') ?? '-', auth: auth.join(', ') || '-' };
}

export function registerConfig(program: Command, ctx: CommandContext): void {
  const { io, globals } = ctx;
  const env = io.env;

  const config = program
    .command('config')
    .description('connection profiles: list, use, set, show, remove')
    .addHelpText(
      'after',
      `
Settings come from, highest first: flags (--brokers, --timeout, --profile), the environment (EVT_BROKERS,
EVT_PROFILE, EVT_TIMEOUT, EVT_CLIENT_ID, EVT_SASL_MECHANISM, EVT_SASL_USERNAME, EVT_SASL_PASSWORD, EVT_TLS,
EVT_TLS_CA, EVT_TLS_CERT, EVT_TLS_KEY, EVT_TLS_INSECURE), the selected profile (from evt.config.json in this
directory or a parent, or from ~/.config/evt/config.json; $XDG_CONFIG_HOME is respected), and the default
127.0.0.1:9092. A password may be "env:VAR" so that files hold no secrets.

Examples:
  $ evt config set local --brokers 127.0.0.1:9092
  $ evt config set prod --brokers b1:9093,b2:9093 --sasl-mechanism scram-sha-512 \\
        --sasl-username ops --sasl-password env:PROD_KAFKA_PASSWORD --tls-ca ~/certs/ca.pem
  $ evt config use prod
  $ evt config list
  $ evt config show                 what a command would use, and where each value comes from
  $ evt --profile local topics list`,
    );

  config
    .command('list')
    .alias('ls')
    .description('list the profiles of the user and project files (* marks the one in use)')
    .addHelpText('after', `\nExamples:\n  $ evt config list\n  $ evt config list --json`)
    .action(() => {
      const g = globals();
      const user = loadUserConfig(env);
      const project = loadProjectConfig(io.cwd);
      let active: string | null = null;
      try {
        const ex = explainSettings(g, env, io.cwd, { user, project, optionSources: optionSources(program) });
        active = ex.profile?.used ? ex.profile.name : null;
      } catch {
        active = null; // a missing selected profile: list anyway
      }
      const profiles = knownProfiles(user, project).map(({ name, file, profile }) => ({
        name,
        file,
        profile,
        active: name === active,
      }));
      if (g.json) {
        return printJson(io, {
          active,
          profiles: profiles.map(({ name, file, profile, active: a }) => ({
            name,
            active: a,
            file: file.path,
            scope: file.kind,
            brokers: profile.brokers ?? null,
            clientId: profile.clientId ?? null,
            sasl: profile.sasl ? { mechanism: profile.sasl.mechanism, username: profile.sasl.username } : null,
            tls: !!profile.tls,
          })),
          files: { user: user.path, project: project?.path ?? null },
        });
      }
      if (profiles.length === 0) {
        io.stderr.write(
          `no profiles yet (create one with: evt config set NAME --brokers host:port); commands use ${active ?? 'the default 127.0.0.1:9092 or --brokers'}\n`,
        );
        return;
      }
      writeLines(
        io.stdout,
        renderTable(
          ['', 'NAME', 'BROKERS', 'AUTH', 'FILE'],
          profiles.map((p) => {
            const d = describeProfile(p.profile);
            return [p.active ? '*' : '', p.name, d.brokers, d.auth, displayPath(p.file.path, env)];
          }),
          { color: colorOnStdout(io, g) },
        ),
      );
    });

  config
    .command('use <name>')
    .description('make a profile the default (in the user file, or the project file with --project)')
    .option('--project', `set the default of ${PROJECT_FILE_NAME} instead`)
    .addHelpText(
      'after',
      `\nExamples:\n  $ evt config use prod\n  $ evt config use local --project        this project's default, for everyone who clones it`,
    )
    .action((name: string, flags: { project?: boolean }) => {
      const g = globals();
      const user = loadUserConfig(env);
      const project = loadProjectConfig(io.cwd);
      const target = flags.project ? projectFileFor(io.cwd) : user;
      const known = knownProfiles(user, project).find((p) => p.name === name);
      if (!known) {
        const names = knownProfiles(user, project).map((p) => p.name);
        throw new CliError(
          `profile "${name}" does not exist (${names.length ? `known: ${names.join(', ')}` : `create it with: evt config set ${name} --brokers host:port`})`,
          ExitCode.USAGE,
        );
      }
      if (target.kind === 'user' && known.file.kind === 'project' && !user.data.profiles[name]) {
        io.stderr.write(
          `evt: note: profile ${name} is defined in ${displayPath(known.file.path, env)} only: outside that project it will not be found\n`,
        );
      }
      if (target.kind === 'project' && !target.data.profiles[name]) {
        io.stderr.write(
          `evt: note: profile ${name} is not defined in ${displayPath(target.path, env)}: whoever uses the project needs it in their user file\n`,
        );
      }
      target.data.profile = name;
      writeConfigFile(target);
      if (target.kind === 'user' && project?.data.profile && project.data.profile !== name) {
        io.stderr.write(
          `evt: note: ${displayPath(project.path, env)} selects profile ${project.data.profile} in this directory, which takes precedence\n`,
        );
      }
      if (g.json) return printJson(io, { default: name, file: target.path });
      io.stdout.write(`default profile is now ${name} (${displayPath(target.path, env)})\n`);
    });

  config
    .command('set <name>')
    .description('create or update a profile (only the settings given change)')
    .option('-b, --brokers <list>', 'bootstrap brokers, host:port[,host:port]')
    .option('--client-id <id>', 'client id the cluster sees')
    .option('--timeout <time>', "the profile's connection timeout (e.g. 30s)")
    .option('--sasl-mechanism <mechanism>', `SASL mechanism: ${SASL_MECHANISMS.join(', ')}`)
    .option('--sasl-username <user>', 'SASL user name')
    .option(
      '--sasl-password <password>',
      'SASL password, or env:VAR to read it from $VAR when used (keeps it out of the file)',
    )
    .option('--no-sasl', 'remove the SASL settings')
    .option('--tls', 'use TLS (with the system CAs unless --tls-ca)')
    .option('--no-tls', 'remove the TLS settings')
    .option('--tls-ca <file>', 'CA certificate (PEM) to verify the brokers with; implies --tls')
    .option('--tls-cert <file>', 'client certificate (PEM) for mutual TLS; implies --tls')
    .option('--tls-key <file>', 'client key (PEM) for mutual TLS; implies --tls')
    .option('--tls-insecure', "do not verify the brokers' certificates (testing only)")
    .option(
      '--project',
      `write the profile to ${PROJECT_FILE_NAME} (this directory or the nearest parent) instead of the user file`,
    )
    .option('--default', 'also make it the default profile')
    .addHelpText(
      'after',
      `
The user file is written with mode 0600. The first profile of a file becomes its default.

Examples:
  $ evt config set local --brokers 127.0.0.1:9092
  $ evt config set prod --brokers b1:9093 --sasl-mechanism scram-sha-256 --sasl-username ops \\
        --sasl-password env:KAFKA_PASSWORD --tls
  $ evt config set prod --client-id evt-ops --timeout 30s       change two settings, keep the rest
  $ evt config set ci --project --brokers 127.0.0.1:9092 --default`,
    )
    .action((name: string, flags: SetFlags) => {
      const g = globals();
      checkProfileName(name);
      const cwd = io.cwd;
      const file = flags.project ? projectFileFor(cwd) : loadUserConfig(env);
      const existing = file.data.profiles[name];
      const profile: Profile = existing ? structuredClone(existing) : {};
      // --brokers and --timeout are also global options, which commander fills first
      const sources = optionSources(program);
      const brokers = sources?.brokers === 'cli' ? g.brokers : undefined;
      const timeout = sources?.timeout === 'cli' ? g.timeout : undefined;
      if (brokers !== undefined) {
        const list = splitBrokers(brokers);
        for (const b of list) {
          const problem = brokerAddressProblem(b);
          if (problem) throw usageError(`--brokers: ${problem}`);
        }
        if (list.length === 0) throw usageError('--brokers: no brokers given');
        profile.brokers = list;
      }
      if (flags.clientId !== undefined) profile.clientId = flags.clientId;
      if (timeout !== undefined) {
        parseDuration(timeout, '--timeout');
        profile.timeout = timeout;
      }

      const saslGiven =
        flags.saslMechanism !== undefined || flags.saslUsername !== undefined || flags.saslPassword !== undefined;
      if (!flags.sasl) {
        if (saslGiven) throw usageError('--no-sasl cannot be combined with --sasl-* options');
        delete profile.sasl;
      } else if (saslGiven) {
        const mechanism =
          flags.saslMechanism !== undefined
            ? parseChoice(flags.saslMechanism.toLowerCase(), '--sasl-mechanism', SASL_MECHANISMS)
            : profile.sasl?.mechanism;
        const username = flags.saslUsername ?? profile.sasl?.username;
        const password = flags.saslPassword ?? profile.sasl?.password;
        if (!mechanism || username === undefined || password === undefined) {
          throw usageError('SASL needs --sasl-mechanism, --sasl-username and --sasl-password (which may be env:VAR)');
        }
        profile.sasl = { mechanism, username, password };
        if (envReference(password) === null && flags.saslPassword !== undefined) {
          const where =
            file.kind === 'project'
              ? `${displayPath(file.path, env)}, a file that is often committed`
              : displayPath(file.path, env);
          io.stderr.write(
            `evt: warning: the password is stored in plain text in ${where}; --sasl-password env:VAR keeps it out of the file\n`,
          );
        }
      }

      // paths are stored absolute in the user file, relative to the project directory in the project file
      const storePath = (p: string) => {
        const abs = path.resolve(cwd, p);
        return file.kind === 'project' ? path.relative(path.dirname(file.path), abs) || '.' : abs;
      };
      const tlsFiles =
        flags.tlsCa !== undefined ||
        flags.tlsCert !== undefined ||
        flags.tlsKey !== undefined ||
        flags.tlsInsecure !== undefined;
      if (flags.tls === false) {
        if (tlsFiles) throw usageError('--no-tls cannot be combined with --tls-* options');
        delete profile.tls;
      } else if (flags.tls === true || tlsFiles) {
        const tls: ProfileTls = typeof profile.tls === 'object' ? { ...profile.tls } : {};
        if (flags.tlsCa !== undefined) tls.ca = storePath(flags.tlsCa);
        if (flags.tlsCert !== undefined) tls.cert = storePath(flags.tlsCert);
        if (flags.tlsKey !== undefined) tls.key = storePath(flags.tlsKey);
        if (flags.tlsInsecure) tls.rejectUnauthorized = false;
        if (!!tls.cert !== !!tls.key) throw usageError('mutual TLS needs both --tls-cert and --tls-key');
        profile.tls = Object.keys(tls).length ? tls : true;
      }

      if (!existing && !profile.brokers)
        throw usageError(`a new profile needs --brokers (e.g. evt config set ${name} --brokers host:port)`);
      file.data.profiles[name] = profile;
      const becameDefault = flags.default || !file.data.profile;
      if (becameDefault) file.data.profile = name;
      writeConfigFile(file);
      if (g.json)
        return printJson(io, {
          profile: name,
          file: file.path,
          created: !existing,
          default: file.data.profile === name,
        });
      io.stdout.write(
        `${existing ? 'updated' : 'created'} profile ${name} in ${displayPath(file.path, env)}${becameDefault && (flags.default || !existing) ? ' (the default profile)' : ''}\n`,
      );
    });

  config
    .command('show [name]')
    .description('the settings a command would connect with, where each comes from (secrets masked)')
    .addHelpText(
      'after',
      `
Examples:
  $ evt config show                       as commands here would connect
  $ evt config show prod                  as with --profile prod
  $ EVT_BROKERS=k1:9092 evt config show   what the environment changes`,
    )
    .action((name: string | undefined) => {
      const g = globals();
      const ex = explainSettings(g, env, io.cwd, { profile: name, optionSources: optionSources(program) });
      if (g.json) {
        const settings: Record<string, { value: string; source: string }> = {};
        for (const e of ex.entries) settings[e.key] = { value: e.value, source: e.source };
        return printJson(io, { profile: ex.profile, settings, files: ex.files, notes: ex.notes });
      }
      const color = colorOnStdout(io, g);
      const p = ex.profile;
      const lines = renderFields(
        [
          [
            'profile',
            p
              ? `${p.name}${p.used ? '' : ' (not used)'} (selected by ${p.selectedBy === 'argument' ? 'the argument' : p.selectedBy}; defined in ${displayPath(p.file, env)})`
              : '(none)',
          ],
          ['user file', `${displayPath(ex.files.user, env)}${ex.files.userExists ? '' : ' (does not exist)'}`],
          ['project file', ex.files.project ? displayPath(ex.files.project, env) : '(none)'],
        ],
        { color },
      );
      lines.push(
        '',
        ...renderTable(
          ['SETTING', 'VALUE', 'SOURCE'],
          ex.entries.map((e) => [e.key, e.value, e.source]),
          { color },
        ),
      );
      writeLines(io.stdout, lines);
      for (const n of ex.notes) io.stderr.write(`evt: note: ${n}\n`);
    });

  config
    .command('remove <name>')
    .alias('rm')
    .description('remove a profile (from the user file, or the project file with --project)')
    .option('--project', `remove it from ${PROJECT_FILE_NAME} instead`)
    .addHelpText('after', `\nExamples:\n  $ evt config remove old-cluster`)
    .action((name: string, flags: { project?: boolean }) => {
      const g = globals();
      const file = flags.project ? projectFileFor(io.cwd) : loadUserConfig(env);
      if (!file.data.profiles[name])
        throw new CliError(`profile "${name}" is not defined in ${displayPath(file.path, env)}`, ExitCode.NOT_FOUND);
      delete file.data.profiles[name];
      const wasDefault = file.data.profile === name;
      if (wasDefault) delete file.data.profile;
      writeConfigFile(file);
      if (g.json) return printJson(io, { removed: name, file: file.path });
      io.stdout.write(
        `removed profile ${name} from ${displayPath(file.path, env)}${wasDefault ? ' (it was the default; none is now)' : ''}\n`,
      );
    });
}
