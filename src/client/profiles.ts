// Where the connection settings come from, setting by setting: flags > environment > the selected profile
// (defined in evt.config.json or in the user file) > defaults. `explainSettings` reports each value with its
// source (for `evt config show`); `resolveSettings` turns them into ConnectionSettings.
//
// The profile is the one named by --profile / EVT_PROFILE, else the default of the project file, else the
// default of the user file. A profile of the project file shadows a user profile of the same name. When the
// brokers are given by --brokers or EVT_BROKERS and the profile was only a file's default (not asked for by
// --profile/EVT_PROFILE), the profile is not used at all: its credentials belong to another cluster.

import path from 'node:path';
import type { Command } from 'commander';
import { parseDuration, usageError } from '../common/parse.js';
import {
  displayPath,
  loadProjectConfig,
  loadUserConfig,
  SASL_MECHANISMS,
  splitBrokers,
  type LoadedConfigFile,
  type Profile,
} from './config-file.js';
import {
  brokerAddressProblem,
  DEFAULT_BROKERS,
  DEFAULT_TIMEOUT_MS,
  type ConnectionSettings,
  type SaslMechanism,
  type TlsSettings,
} from './settings.js';

/**
 * The connection flags a command was given (the CLI's global options, which commander folds with EVT_BROKERS,
 * EVT_PROFILE, EVT_TIMEOUT and EVT_REGISTRY): what the settings are resolved from, before profiles and defaults.
 */
export interface ConnectionFlags {
  brokers?: string;
  profile?: string;
  /** how long to try to reach the cluster, as given (e.g. "10s") */
  timeout: string;
  /** the schema registry's URL */
  registry?: string;
}

export const DEFAULT_CLIENT_ID = 'evt';
const DEFAULT_TIMEOUT = '10s';
export const MASK = '****';

export type SettingKey =
  | 'brokers'
  | 'clientId'
  | 'timeout'
  | 'sasl.mechanism'
  | 'sasl.username'
  | 'sasl.password'
  | 'tls'
  | 'tls.ca'
  | 'tls.cert'
  | 'tls.key'
  | 'tls.rejectUnauthorized'
  | 'registry'
  | 'registryAuth';

interface Sourced<T> {
  value: T;
  /** "--brokers", "EVT_BROKERS", "profile prod (~/.config/evt/config.json)", "default" */
  source: string;
  /** relative file paths are taken from here */
  baseDir?: string;
}

interface Collected {
  brokers: Sourced<string[]>;
  clientId: Sourced<string>;
  timeout: Sourced<string>;
  saslMechanism?: Sourced<string>;
  saslUsername?: Sourced<string>;
  saslPassword?: Sourced<string>;
  tls?: Sourced<boolean>;
  tlsCa?: Sourced<string>;
  tlsCert?: Sourced<string>;
  tlsKey?: Sourced<string>;
  tlsRejectUnauthorized?: Sourced<boolean>;
  registry?: Sourced<string>;
  registryAuth?: Sourced<string>;
}

export interface SelectedProfile {
  name: string;
  /** what chose it: "--profile", "EVT_PROFILE", "project default" (evt.config.json), "user default", "argument" */
  selectedBy: string;
  /** the file that defines it */
  file: string;
  /** false when a file's default profile was set aside because the brokers came from a flag or the environment */
  used: boolean;
}

export interface SettingsExplanation {
  profile: SelectedProfile | null;
  /** every setting with a value, in a fixed order; passwords masked */
  entries: { key: SettingKey; value: string; source: string }[];
  files: { user: string; userExists: boolean; project: string | null };
  /** remarks for the reader (e.g. why a default profile was not used) */
  notes: string[];
}

export interface ResolveOptions {
  /** explain/resolve as if this profile were selected (for `evt config show <name>`) */
  profile?: string;
  /** already loaded files (for tests and the config command) */
  user?: LoadedConfigFile;
  project?: LoadedConfigFile | null;
  /**
   * Where commander took --brokers and --timeout from ("cli", "env", "default"); without it, a value equal
   * to the environment variable counts as coming from the environment.
   */
  optionSources?: { brokers?: string; timeout?: string };
}

const TRUE = ['1', 'true', 'yes', 'on'];
const FALSE = ['0', 'false', 'no', 'off'];

function envBool(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  if (TRUE.includes(v.toLowerCase())) return true;
  if (FALSE.includes(v.toLowerCase())) return false;
  throw usageError(`${name}: "${v}" is not a boolean (use 1 or 0, true or false)`);
}

function envString(env: NodeJS.ProcessEnv, name: string): Sourced<string> | undefined {
  const v = env[name];
  return v === undefined || v === '' ? undefined : { value: v, source: name };
}

/** Finds the profile to use and the file defining it. */
function selectProfile(
  globals: Pick<ConnectionFlags, 'profile'>,
  env: NodeJS.ProcessEnv,
  user: LoadedConfigFile,
  project: LoadedConfigFile | null,
  override: string | undefined,
): { name: string; selectedBy: string; explicit: boolean } | null {
  if (override) return { name: override, selectedBy: 'argument', explicit: true };
  if (globals.profile) {
    const fromEnv = env.EVT_PROFILE !== undefined && env.EVT_PROFILE === globals.profile;
    return { name: globals.profile, selectedBy: fromEnv ? 'EVT_PROFILE' : '--profile', explicit: true };
  }
  if (project?.data.profile) return { name: project.data.profile, selectedBy: 'project default', explicit: false };
  if (user.data.profile) return { name: user.data.profile, selectedBy: 'user default', explicit: false };
  return null;
}

/** All profile names with the file defining each (project first: it shadows the user file). */
export function knownProfiles(
  user: LoadedConfigFile,
  project: LoadedConfigFile | null,
): { name: string; file: LoadedConfigFile; profile: Profile }[] {
  const out: { name: string; file: LoadedConfigFile; profile: Profile }[] = [];
  const seen = new Set<string>();
  for (const f of [project, user]) {
    if (!f) continue;
    for (const [name, profile] of Object.entries(f.data.profiles)) {
      if (seen.has(name)) continue;
      seen.add(name);
      out.push({ name, file: f, profile });
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

function collect(globals: ConnectionFlags, env: NodeJS.ProcessEnv, cwd: string, opts: ResolveOptions) {
  const user = opts.user ?? loadUserConfig(env);
  const project = opts.project !== undefined ? opts.project : loadProjectConfig(cwd);
  const notes: string[] = [];

  // flags (commander folds EVT_BROKERS/EVT_TIMEOUT into the options; equal values are told apart by the env)
  const flagOrEnv = (
    value: string | undefined,
    envName: string,
    flag: string,
    known?: string,
  ): Sourced<string> | undefined => {
    if (value === undefined || value === '' || known === 'default') return envString(env, envName);
    if (known === 'cli') return { value, source: flag };
    if (known === 'env') return { value, source: envName };
    return { value, source: env[envName] === value ? envName : flag };
  };
  const brokersGiven = flagOrEnv(globals.brokers, 'EVT_BROKERS', '--brokers', opts.optionSources?.brokers);

  const selection = selectProfile(globals, env, user, project, opts.profile);
  let profile: Profile | undefined;
  let selected: SelectedProfile | null = null;
  let profileSource = '';
  let profileDir = cwd;
  if (selection) {
    const found = knownProfiles(user, project).find((p) => p.name === selection.name);
    if (!found) {
      const names = knownProfiles(user, project).map((p) => p.name);
      const known = names.length
        ? `known profiles: ${names.join(', ')}`
        : `no profiles are defined (create one with: evt config set ${selection.name} --brokers host:port)`;
      throw usageError(`profile "${selection.name}" (from ${selection.selectedBy}) does not exist; ${known}`);
    }
    const used = selection.explicit || !brokersGiven;
    selected = { name: selection.name, selectedBy: selection.selectedBy, file: found.file.path, used };
    if (used) {
      profile = found.profile;
      profileSource = `profile ${selection.name} (${displayPath(found.file.path, env)})`;
      profileDir = path.dirname(found.file.path);
    } else {
      notes.push(
        `the default profile "${selection.name}" is not used because the brokers come from ${brokersGiven.source} (select it with --profile to combine them)`,
      );
    }
  }
  const fromProfile = <T>(value: T | undefined): Sourced<T> | undefined =>
    value === undefined ? undefined : { value, source: profileSource, baseDir: profileDir };
  const first = <T>(...candidates: (Sourced<T> | undefined)[]): Sourced<T> | undefined =>
    candidates.find((c) => c !== undefined);

  const timeoutSource = opts.optionSources?.timeout;
  const timeoutFlag: Sourced<string> | undefined =
    timeoutSource === 'cli' || timeoutSource === 'env'
      ? { value: globals.timeout, source: timeoutSource === 'cli' ? '--timeout' : 'EVT_TIMEOUT' }
      : timeoutSource === 'default'
        ? undefined
        : env.EVT_TIMEOUT !== undefined && env.EVT_TIMEOUT === globals.timeout
          ? { value: globals.timeout, source: 'EVT_TIMEOUT' }
          : globals.timeout !== undefined && globals.timeout !== DEFAULT_TIMEOUT
            ? { value: globals.timeout, source: '--timeout' }
            : undefined;

  const profileTls = profile?.tls;
  const tlsObject = typeof profileTls === 'object' ? profileTls : undefined;
  const envTls = envBool(env, 'EVT_TLS');
  const envInsecure = envBool(env, 'EVT_TLS_INSECURE');
  const envPath = (name: string): Sourced<string> | undefined => {
    const s = envString(env, name);
    return s && { ...s, baseDir: cwd };
  };

  const c: Collected = {
    brokers: first(
      brokersGiven && { value: splitBrokers(brokersGiven.value), source: brokersGiven.source },
      fromProfile(profile?.brokers),
    ) ?? { value: [...DEFAULT_BROKERS], source: 'default' },
    clientId: first(envString(env, 'EVT_CLIENT_ID'), fromProfile(profile?.clientId)) ?? {
      value: DEFAULT_CLIENT_ID,
      source: 'default',
    },
    timeout: first<string>(timeoutFlag, fromProfile(profile?.timeout)) ?? { value: DEFAULT_TIMEOUT, source: 'default' },
    saslMechanism: first(envString(env, 'EVT_SASL_MECHANISM'), fromProfile(profile?.sasl?.mechanism)),
    saslUsername: first(envString(env, 'EVT_SASL_USERNAME'), fromProfile(profile?.sasl?.username)),
    saslPassword: first(envString(env, 'EVT_SASL_PASSWORD'), fromProfile(profile?.sasl?.password)),
    tls: first(
      envTls === undefined ? undefined : { value: envTls, source: 'EVT_TLS' },
      fromProfile(profileTls === undefined ? undefined : profileTls !== false),
    ),
    tlsCa: first(envPath('EVT_TLS_CA'), fromProfile(tlsObject?.ca)),
    tlsCert: first(envPath('EVT_TLS_CERT'), fromProfile(tlsObject?.cert)),
    tlsKey: first(envPath('EVT_TLS_KEY'), fromProfile(tlsObject?.key)),
    tlsRejectUnauthorized: first(
      envInsecure === undefined ? undefined : { value: !envInsecure, source: 'EVT_TLS_INSECURE' },
      fromProfile(tlsObject?.rejectUnauthorized),
    ),
    registry: first(registryFlag(globals, env), fromProfile(profile?.registry)),
    registryAuth: first(envString(env, 'EVT_REGISTRY_AUTH'), fromProfile(profile?.registryAuth)),
  };
  return { c, selected, notes, user, project };
}

function registryFlag(globals: ConnectionFlags, env: NodeJS.ProcessEnv): Sourced<string> | undefined {
  const v = globals.registry;
  if (v === undefined || v === '') return envString(env, 'EVT_REGISTRY');
  return { value: v, source: env.EVT_REGISTRY === v ? 'EVT_REGISTRY' : '--registry' };
}

export interface RegistrySettings {
  /** base URL without a trailing slash */
  url: string;
  username?: string;
  password?: string;
  /** "--registry", "EVT_REGISTRY", "profile prod (...)" */
  source: string;
  timeoutMs: number;
  /** for an https registry: the same CA, client certificate and key as the cluster connection */
  tls?: TlsSettings;
}

/**
 * The schema registry to use: --registry / EVT_REGISTRY / the profile's "registry", with basic auth from
 * EVT_REGISTRY_AUTH or the profile's "registryAuth" ("user:password", the password may be "env:VAR");
 * null when none is configured.
 */
export function resolveRegistry(
  globals: ConnectionFlags,
  env: NodeJS.ProcessEnv,
  cwd: string,
  opts: ResolveOptions = {},
): RegistrySettings | null {
  const { c } = collect(globals, env, cwd, opts);
  if (!c.registry) return null;
  let url: URL;
  try {
    url = new URL(c.registry.value);
  } catch {
    throw usageError(`${c.registry.source}: "${c.registry.value}" is not a URL (e.g. http://127.0.0.1:8081)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw usageError(`${c.registry.source}: the registry URL must be http:// or https://`);
  let timeoutMs = DEFAULT_TIMEOUT_MS;
  try {
    const t = parseDuration(c.timeout.value, c.timeout.source);
    timeoutMs = t < 0 ? 2 ** 31 - 1 : t;
  } catch {
    // the timeout is reported by resolveSettings
  }
  const out: RegistrySettings = { url: c.registry.value.replace(/\/+$/, ''), source: c.registry.source, timeoutMs };
  const tls = url.protocol === 'https:' ? tlsFrom(c, cwd) : undefined;
  if (tls && tls !== true) out.tls = tls;
  if (url.username) {
    out.username = decodeURIComponent(url.username);
    out.password = decodeURIComponent(url.password);
    url.username = '';
    url.password = '';
    out.url = url.toString().replace(/\/+$/, '');
  }
  if (c.registryAuth) {
    const colon = c.registryAuth.value.indexOf(':');
    if (colon <= 0) throw usageError(`${c.registryAuth.source}: registry auth must be "user:password"`);
    out.username = c.registryAuth.value.slice(0, colon);
    out.password = passwordValue(
      c.registryAuth.value.slice(colon + 1),
      env,
      `the registry password of ${c.registryAuth.source}`,
    );
  }
  return out;
}

/** Where commander took the global --brokers and --timeout from ("cli", "env", "default"). */
export function optionSources(program?: Command): { brokers?: string; timeout?: string } | undefined {
  if (!program) return undefined;
  return { brokers: program.getOptionValueSource('brokers'), timeout: program.getOptionValueSource('timeout') };
}

/** "env:NAME" reads the password from the environment variable NAME. */
/** A password as written, or the value of the variable an "env:VAR" reference names (a usage error if unset). */
function passwordValue(written: string, env: NodeJS.ProcessEnv, what: string): string {
  const ref = envReference(written);
  if (ref === null) return written;
  const v = env[ref];
  if (v === undefined || v === '') throw usageError(`${what} is read from $${ref}, which is not set`);
  return v;
}

export function envReference(password: string): string | null {
  const m = /^env:([A-Za-z_][A-Za-z0-9_]*)$/.exec(password);
  return m ? m[1] : null;
}

/** Each setting, where it came from, secrets masked: what `evt config show` prints. */
export function explainSettings(
  globals: ConnectionFlags,
  env: NodeJS.ProcessEnv,
  cwd: string,
  opts: ResolveOptions = {},
): SettingsExplanation {
  const { c, selected, notes, user, project } = collect(globals, env, cwd, opts);
  const entries: SettingsExplanation['entries'] = [];
  const add = (key: SettingKey, s: Sourced<string | boolean | string[]> | undefined) => {
    if (s) entries.push({ key, value: Array.isArray(s.value) ? s.value.join(',') : String(s.value), source: s.source });
  };
  add('brokers', c.brokers);
  add('clientId', c.clientId);
  add('timeout', c.timeout);
  add('sasl.mechanism', c.saslMechanism);
  add('sasl.username', c.saslUsername);
  if (c.saslPassword) {
    const ref = envReference(c.saslPassword.value);
    const missing = ref !== null && !env[ref];
    entries.push({
      key: 'sasl.password',
      value: missing ? `(${ref} is not set)` : MASK,
      source: ref ? `${c.saslPassword.source} via $${ref}` : c.saslPassword.source,
    });
  }
  add('tls', c.tls ?? (c.tlsCa || c.tlsCert || c.tlsKey ? { value: true, source: 'implied by tls files' } : undefined));
  add('tls.ca', c.tlsCa);
  add('tls.cert', c.tlsCert);
  add('tls.key', c.tlsKey);
  add('tls.rejectUnauthorized', c.tlsRejectUnauthorized);
  add('registry', c.registry);
  if (c.registryAuth) {
    const colon = c.registryAuth.value.indexOf(':');
    const user = colon < 0 ? c.registryAuth.value : c.registryAuth.value.slice(0, colon);
    const ref = colon < 0 ? null : envReference(c.registryAuth.value.slice(colon + 1));
    entries.push({
      key: 'registryAuth',
      value: `${user}:${MASK}`,
      source: ref ? `${c.registryAuth.source} via $${ref}` : c.registryAuth.source,
    });
  }
  return {
    profile: selected,
    entries,
    notes,
    files: { user: user.path, userExists: user.exists, project: project?.path ?? null },
  };
}

/** The settings a command connects with; usage errors (exit 2) for incomplete or invalid ones. */
export function resolveSettings(
  globals: ConnectionFlags,
  env: NodeJS.ProcessEnv,
  cwd: string,
  opts: ResolveOptions = {},
): ConnectionSettings {
  const { c, selected } = collect(globals, env, cwd, opts);

  if (c.brokers.value.length === 0) throw usageError(`no brokers given (${c.brokers.source} is empty)`);
  for (const b of c.brokers.value) {
    const problem = brokerAddressProblem(b);
    if (problem) throw usageError(`${c.brokers.source}: ${problem}`);
  }
  const timeoutMs = parseDuration(c.timeout.value, c.timeout.source === 'default' ? '--timeout' : c.timeout.source);
  if (timeoutMs === 0) throw usageError(`${c.timeout.source}: the timeout must be more than 0 (or -1 for no limit)`);

  const settings: ConnectionSettings = {
    brokers: c.brokers.value,
    clientId: c.clientId.value,
    timeoutMs: timeoutMs < 0 ? Number.POSITIVE_INFINITY : timeoutMs,
    source: c.brokers.source === 'default' ? `default ${DEFAULT_BROKERS.join(',')}` : c.brokers.source,
  };
  if (selected?.used && c.brokers.source.startsWith('profile ')) settings.source = `profile ${selected.name}`;

  if (c.saslMechanism || c.saslUsername || c.saslPassword) {
    const from = [c.saslMechanism, c.saslUsername, c.saslPassword].find(Boolean)!.source;
    if (!c.saslMechanism)
      throw usageError(`SASL is incomplete (${from}): a mechanism is needed (${SASL_MECHANISMS.join(', ')})`);
    const mechanism = c.saslMechanism.value.toLowerCase();
    if (!SASL_MECHANISMS.includes(mechanism as SaslMechanism)) {
      throw usageError(
        `${c.saslMechanism.source}: SASL mechanism "${c.saslMechanism.value}" is not one of ${SASL_MECHANISMS.join(', ')}`,
      );
    }
    if (!c.saslUsername || !c.saslPassword)
      throw usageError(`SASL ${mechanism} (${from}) needs both a username and a password`);
    const password = passwordValue(c.saslPassword.value, env, `the SASL password of ${c.saslPassword.source}`);
    settings.sasl = { mechanism: mechanism as SaslMechanism, username: c.saslUsername.value, password };
  }

  const tls = tlsFrom(c, cwd);
  if (tls) settings.tls = tls;
  return settings;
}

/** The TLS settings collected (the profile's "tls", EVT_TLS*): true for system CAs, an object, or undefined. */
function tlsFrom(c: Collected, cwd: string): TlsSettings | true | undefined {
  const tlsOn = c.tls ? c.tls.value : !!(c.tlsCa || c.tlsCert || c.tlsKey);
  if (!tlsOn) return undefined;
  const abs = (s: Sourced<string> | undefined) => (s ? path.resolve(s.baseDir ?? cwd, s.value) : undefined);
  const tls: TlsSettings = {};
  if (c.tlsCa) tls.ca = abs(c.tlsCa);
  if (c.tlsCert) tls.cert = abs(c.tlsCert);
  if (c.tlsKey) tls.key = abs(c.tlsKey);
  if (c.tlsRejectUnauthorized) tls.rejectUnauthorized = c.tlsRejectUnauthorized.value;
  if (!!tls.cert !== !!tls.key)
    throw usageError('TLS client authentication needs both a certificate and a key (tls.cert, tls.key)');
  return Object.keys(tls).length ? tls : true;
}
