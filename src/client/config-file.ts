// The two configuration files: the user's profiles ($XDG_CONFIG_HOME/evt/config.json, else
// ~/.config/evt/config.json) and a project file (evt.config.json in the working directory or a parent).
// Both have the same shape:
//
//   { "profile": "local",                       the default profile (optional)
//     "profiles": {
//       "local": { "brokers": ["127.0.0.1:9092"] },
//       "prod":  { "brokers": ["b1:9093", "b2:9093"], "clientId": "evt-ops", "timeout": "30s",
//                  "sasl": { "mechanism": "scram-sha-512", "username": "ops", "password": "env:PROD_PW" },
//                  "tls": { "ca": "certs/ca.pem" },
//                  "registry": "https://registry:8081", "registryAuth": "ops:env:REGISTRY_PW" } } }
//
// A password may be "env:NAME" (read from that environment variable when used), so that files hold no secrets.
// Files are written atomically (temporary file + rename); the user file with mode 0600.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EvtError } from '../common/errors.js';
import { usageError } from '../common/parse.js';
import type { SaslMechanism } from './settings.js';

export const PROJECT_FILE_NAME = 'evt.config.json';
export const SASL_MECHANISMS: readonly SaslMechanism[] = ['plain', 'scram-sha-256', 'scram-sha-512'];

export interface ProfileSasl {
  mechanism: SaslMechanism;
  username: string;
  /** the password, or "env:NAME" to read it from the environment */
  password: string;
}

export interface ProfileTls {
  ca?: string;
  cert?: string;
  key?: string;
  rejectUnauthorized?: boolean;
}

export interface Profile {
  brokers?: string[];
  clientId?: string;
  /** a duration such as "30s" */
  timeout?: string;
  sasl?: ProfileSasl;
  /** true: TLS with the system CAs; an object: TLS with these files */
  tls?: boolean | ProfileTls;
  /** schema registry base URL, e.g. "http://127.0.0.1:8081" */
  registry?: string;
  /** basic auth for the registry: "user:password" (the password may be "env:VAR") */
  registryAuth?: string;
}

export interface ConfigFileData {
  /** the default profile */
  profile?: string;
  /** the project's flow (a flow file, AsyncAPI document or directory, relative to the file; or a bundled flow's name) */
  flow?: string;
  profiles: Record<string, Profile>;
}

export type ConfigFileKind = 'user' | 'project';

export interface LoadedConfigFile {
  kind: ConfigFileKind;
  path: string;
  exists: boolean;
  data: ConfigFileData;
}

/** The user file: $XDG_CONFIG_HOME/evt/config.json, else $HOME/.config/evt/config.json. */
export function userConfigPath(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(env.HOME || os.homedir(), '.config');
  return path.join(base, 'evt', 'config.json');
}

/** The nearest evt.config.json from `cwd` up to the root, or null. */
export function findProjectFile(cwd: string): string | null {
  let dir = path.resolve(cwd);
  for (;;) {
    const candidate = path.join(dir, PROJECT_FILE_NAME);
    if (fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** Short form of a path for messages: ~ for the home directory. */
export function displayPath(p: string, env: NodeJS.ProcessEnv): string {
  const home = env.HOME || os.homedir();
  return home && (p === home || p.startsWith(home + path.sep)) ? '~' + p.slice(home.length) : p;
}

function configError(file: string, what: string): EvtError {
  return usageError(`${file}: ${what}`);
}

export function loadConfigFile(kind: ConfigFileKind, file: string): LoadedConfigFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      return { kind, path: file, exists: false, data: { profiles: {} } };
    throw configError(file, `cannot read it: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = text.trim() === '' ? {} : JSON.parse(text);
  } catch (err) {
    throw configError(file, `not valid JSON (${(err as Error).message}); fix or remove it`);
  }
  return { kind, path: file, exists: true, data: validateConfig(raw, file) };
}

export function loadUserConfig(env: NodeJS.ProcessEnv): LoadedConfigFile {
  return loadConfigFile('user', userConfigPath(env));
}

/** The project file found from cwd, or null when there is none. */
export function loadProjectConfig(cwd: string): LoadedConfigFile | null {
  const file = findProjectFile(cwd);
  return file ? loadConfigFile('project', file) : null;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function validateConfig(raw: unknown, file: string): ConfigFileData {
  if (!isObject(raw)) throw configError(file, 'expected a JSON object like {"profile": "...", "profiles": {...}}');
  const data: ConfigFileData = { profiles: {} };
  if (raw.profile !== undefined) {
    if (typeof raw.profile !== 'string') throw configError(file, '"profile" must be a profile name');
    data.profile = raw.profile;
  }
  if (raw.flow !== undefined) {
    if (typeof raw.flow !== 'string' || !raw.flow.trim())
      throw configError(file, '"flow" must be the path of a flow file (relative to this file) or a bundled flow name');
    data.flow = raw.flow;
  }
  if (raw.profiles !== undefined) {
    if (!isObject(raw.profiles)) throw configError(file, '"profiles" must be an object of named profiles');
    for (const [name, p] of Object.entries(raw.profiles))
      data.profiles[name] = validateProfile(p, `${file}: profile "${name}"`);
  }
  return data;
}

function validateProfile(raw: unknown, where: string): Profile {
  const bad = (what: string) => usageError(`${where}: ${what}`);
  if (!isObject(raw)) throw bad('must be an object');
  const p: Profile = {};
  if (raw.brokers !== undefined) {
    if (typeof raw.brokers === 'string') p.brokers = splitBrokers(raw.brokers);
    else if (Array.isArray(raw.brokers) && raw.brokers.every((b) => typeof b === 'string'))
      p.brokers = raw.brokers.flatMap((b) => splitBrokers(b));
    else throw bad('"brokers" must be a list of host:port strings');
  }
  for (const key of ['clientId', 'timeout', 'registry', 'registryAuth'] as const) {
    if (raw[key] !== undefined) {
      if (typeof raw[key] !== 'string') throw bad(`"${key}" must be a string`);
      p[key] = raw[key];
    }
  }
  if (raw.sasl !== undefined) {
    const s = raw.sasl;
    if (!isObject(s)) throw bad('"sasl" must be an object {mechanism, username, password}');
    const mechanism = typeof s.mechanism === 'string' ? s.mechanism.toLowerCase() : s.mechanism;
    if (!SASL_MECHANISMS.includes(mechanism as SaslMechanism))
      throw bad(`sasl mechanism must be one of ${SASL_MECHANISMS.join(', ')}`);
    if (typeof s.username !== 'string' || typeof s.password !== 'string')
      throw bad('sasl needs a "username" and a "password" (which may be "env:VAR")');
    p.sasl = { mechanism: mechanism as SaslMechanism, username: s.username, password: s.password };
  }
  if (raw.tls !== undefined) {
    const t = raw.tls;
    if (typeof t === 'boolean') p.tls = t;
    else if (isObject(t)) {
      const tls: ProfileTls = {};
      for (const key of ['ca', 'cert', 'key'] as const) {
        if (t[key] !== undefined) {
          if (typeof t[key] !== 'string') throw bad(`tls "${key}" must be a file path`);
          tls[key] = t[key];
        }
      }
      if (t.rejectUnauthorized !== undefined) {
        if (typeof t.rejectUnauthorized !== 'boolean') throw bad('tls "rejectUnauthorized" must be true or false');
        tls.rejectUnauthorized = t.rejectUnauthorized;
      }
      p.tls = tls;
    } else throw bad('"tls" must be true, false or an object {ca, cert, key, rejectUnauthorized}');
  }
  return p;
}

export function splitBrokers(text: string): string[] {
  return text
    .split(/[,\s]+/)
    .map((b) => b.trim())
    .filter(Boolean);
}

/** Writes the file atomically: a temporary file in the same directory, fsync, rename. */
export function writeConfigFile(file: LoadedConfigFile): void {
  const dir = path.dirname(file.path);
  // the user file holds credentials: 0600 always; a project file keeps the mode it has
  let mode = 0o600;
  if (file.kind === 'project') {
    try {
      mode = fs.statSync(file.path).mode & 0o777;
    } catch {
      mode = 0o644;
    }
  }
  fs.mkdirSync(dir, { recursive: true, mode: file.kind === 'user' ? 0o700 : 0o755 });
  const ordered: ConfigFileData = {
    ...(file.data.profile !== undefined ? { profile: file.data.profile } : {}),
    ...(file.data.flow !== undefined ? { flow: file.data.flow } : {}),
    profiles: file.data.profiles,
  };
  const tmp = path.join(dir, `.${path.basename(file.path)}.${process.pid}.${Date.now()}.tmp`);
  try {
    const fd = fs.openSync(tmp, 'w', mode);
    try {
      fs.writeSync(fd, JSON.stringify(ordered, null, 2) + '\n');
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    // the mode given to open is masked by the umask; the user file must be 0600 whatever the umask
    fs.chmodSync(tmp, mode);
    fs.renameSync(tmp, file.path);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw new EvtError(`cannot write ${file.path}: ${(err as Error).message}`);
  }
  file.exists = true;
}
