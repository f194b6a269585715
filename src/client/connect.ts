// Building kafkajs clients from ConnectionSettings, with bounded retries and time limits, a logger that
// writes only to stderr, and errors turned into one clear line with the design's exit codes.

import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { Kafka, logLevel, type KafkaConfig, type LogEntry, type SASLOptions } from 'kafkajs';
import type { ConnectionOptions } from 'node:tls';
import type { ISocketFactory } from 'kafkajs';
import { CliError, ExitCode } from '../cli/errors.js';
import { createAdminClient, type AdminClient } from './admin.js';
import { DeadlineError, formatMs, withDeadline } from './deadline.js';
import type { ConnectionSettings } from './settings.js';

export { resolveSettings, explainSettings } from './profiles.js';

export interface ClientOptions {
  /** log kafkajs at INFO to stderr (otherwise it prints nothing) */
  verbose?: boolean;
  /** where kafkajs log lines go; stderr by default (never stdout) */
  log?: (line: string) => void;
  /** extra kafkajs options (e.g. a long-running consumer's own retry policy) */
  overrides?: Partial<KafkaConfig>;
}

/** Per client: what it saw go wrong last (for the error line when a timer ends the attempt) and its sockets. */
interface ClientState {
  lastError?: string;
  sockets: Set<net.Socket>;
  closed: boolean;
}
const clients = new WeakMap<Kafka, ClientState>();

/**
 * kafkajs' socket factory, plus bookkeeping: every socket is known, so that `closeClient` can end them all
 * (kafkajs keeps retrying a connect after disconnect() when a broker never answers), and once closed, new
 * connections fail at once instead of starting another round of retries.
 */
function trackedSocketFactory(state: ClientState): ISocketFactory {
  return ({ host, port, ssl, onConnect }) => {
    if (state.closed) {
      const dead = new net.Socket();
      process.nextTick(() => dead.destroy(Object.assign(new Error('client closed'), { code: 'ECONNABORTED' })));
      return dead;
    }
    const socket = ssl
      ? tls.connect({ host, port, ...(net.isIP(host) ? {} : { servername: host }), ...ssl }, onConnect)
      : net.connect({ host, port }, onConnect);
    socket.setKeepAlive(true, 60_000);
    state.sockets.add(socket);
    socket.once('close', () => state.sockets.delete(socket));
    return socket;
  };
}

/**
 * Ends everything a client has open, whatever state kafkajs is in: its sockets are destroyed and it can open
 * no new ones. Call after disconnect() (which may leave a connect attempt retrying in the background).
 */
export function closeClient(kafka: Kafka): void {
  const state = clients.get(kafka);
  if (!state) return;
  state.closed = true;
  for (const socket of state.sockets) socket.destroy();
  state.sockets.clear();
}

/** The retry schedule: exponential from 100 ms, as many retries as fit in the time limit (at least 2). */
export function retryPolicy(timeoutMs: number): NonNullable<KafkaConfig['retry']> {
  const initialRetryTime = 100;
  const maxRetryTime = Number.isFinite(timeoutMs) ? Math.max(500, Math.min(5000, Math.floor(timeoutMs / 3))) : 5000;
  let retries = 0;
  let total = 0;
  for (let wait = initialRetryTime; retries < 20; retries++) {
    total += wait;
    if (Number.isFinite(timeoutMs) && total > timeoutMs) break;
    wait = Math.min(wait * 2, maxRetryTime);
  }
  return { initialRetryTime, maxRetryTime, retries: Math.max(2, retries), multiplier: 2, factor: 0.2 };
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

function readPem(file: string, what: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new CliError(`cannot read the TLS ${what} ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`, ExitCode.USAGE);
  }
}

function sslOptions(settings: ConnectionSettings): KafkaConfig['ssl'] {
  const tls = settings.tls;
  if (!tls) return undefined;
  if (tls === true) return true;
  const options: ConnectionOptions = {};
  if (tls.ca) options.ca = [readPem(tls.ca, 'CA file')];
  if (tls.cert) options.cert = readPem(tls.cert, 'certificate');
  if (tls.key) options.key = readPem(tls.key, 'key');
  if (tls.rejectUnauthorized !== undefined) options.rejectUnauthorized = tls.rejectUnauthorized;
  return options;
}

function saslOptions(settings: ConnectionSettings): SASLOptions | undefined {
  const s = settings.sasl;
  if (!s) return undefined;
  return { mechanism: s.mechanism, username: s.username, password: s.password } as SASLOptions;
}

function formatLogEntry({ namespace, label, log }: LogEntry): string {
  const { message, timestamp: _t, logger: _l, stack: _s, ...extra } = log;
  const details = Object.entries(extra)
    .filter(([, v]) => v !== undefined && typeof v !== 'object')
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
  return `evt: kafkajs ${label}${namespace ? ` [${namespace}]` : ''} ${message}${details ? ` (${details})` : ''}`;
}

/**
 * The connection part of a kafkajs configuration: brokers, client id, TLS (PEM files read now; a missing file
 * is a usage error) and SASL, and time limits that fit in settings.timeoutMs.
 */
export function kafkaConfig(settings: ConnectionSettings): KafkaConfig {
  const timeoutMs = settings.timeoutMs;
  const finite = Number.isFinite(timeoutMs);
  return {
    clientId: settings.clientId,
    brokers: settings.brokers,
    ssl: sslOptions(settings),
    sasl: saslOptions(settings),
    connectionTimeout: finite ? clamp(Math.floor(timeoutMs / 3), 1000, 5000) : 5000,
    authenticationTimeout: finite ? clamp(timeoutMs, 1000, 10_000) : 10_000,
    requestTimeout: finite ? clamp(timeoutMs, 1000, 2 ** 31 - 1) : 30_000,
    enforceRequestTimeout: true,
    retry: retryPolicy(timeoutMs),
  };
}

/**
 * A kafkajs client for these settings: TLS and SASL mapped, a connection timeout, a request timeout and a
 * retry schedule that all fit in `settings.timeoutMs`, and a logger that writes to stderr only (INFO with
 * --verbose, nothing otherwise; errors are still noted for the final error line).
 */
export function createKafka(settings: ConnectionSettings, options: ClientOptions = {}): Kafka {
  const diag: ClientState = { sockets: new Set(), closed: false };
  const write = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const config: KafkaConfig = {
    ...kafkaConfig(settings),
    socketFactory: trackedSocketFactory(diag),
    // ERROR entries are always observed (for the error line); they are printed only with --verbose
    logLevel: options.verbose ? logLevel.INFO : logLevel.ERROR,
    logCreator: () => (entry) => {
      if (entry.level === logLevel.ERROR && !diag.closed) {
        const cause = entry.log.error;
        diag.lastError = typeof cause === 'string' && cause ? cause : entry.log.message;
      }
      // after closeClient, kafkajs only reports the connections it is refused: not worth a line
      if (options.verbose && !diag.closed) write(formatLogEntry(entry));
    },
    ...options.overrides,
  };
  const kafka = new Kafka(config);
  clients.set(kafka, diag);
  return kafka;
}

// ------------------------------------------------------------------------------------------------ errors

interface ErrorLike {
  apiName?: string;
  name?: string;
  message?: string;
  code?: string;
  type?: string;
  cause?: unknown;
  originalError?: unknown;
}

/** The error and the errors it wraps (kafkajs nests them through `cause` and `originalError`). */
function errorChain(err: unknown): ErrorLike[] {
  const chain: ErrorLike[] = [];
  let e: unknown = err;
  while (e && typeof e === 'object' && chain.length < 10 && !chain.includes(e as ErrorLike)) {
    chain.push(e as ErrorLike);
    const next: unknown = (e as ErrorLike).cause ?? (e as ErrorLike).originalError;
    e = next;
  }
  return chain;
}

const CONNECTION_ERROR_NAMES = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSMetadataNotLoaded',
  'DeadlineError',
]);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

/** True for errors that mean the cluster could not be reached or did not answer in time. */
export function isConnectionError(err: unknown): boolean {
  return errorChain(err).some(
    (e) =>
      CONNECTION_ERROR_NAMES.has(e.name ?? '') ||
      NETWORK_CODES.has(e.code ?? '') ||
      /^Broker not connected|Connection (timeout|error)|Closed connection|Request .* timed out/i.test(e.message ?? ''),
  );
}

export function isAuthenticationError(err: unknown): boolean {
  return errorChain(err).some(
    (e) =>
      e.name === 'KafkaJSSASLAuthenticationError' ||
      e.type === 'SASL_AUTHENTICATION_FAILED' ||
      e.type === 'UNSUPPORTED_SASL_MECHANISM' ||
      (e.name === 'KafkaJSServerDoesNotSupportApiKey' && /^Sasl/.test(e.apiName ?? '')),
  );
}

/** The reason, in a few words, from kafkajs' and Node's wording. */
function reasonOf(texts: string[], codes: string[]): string {
  const all = texts.join(' | ');
  const has = (code: string) => codes.includes(code) || all.includes(code);
  if (has('ECONNREFUSED')) return 'connection refused';
  if (has('ENOTFOUND') || has('EAI_AGAIN')) return 'host not found';
  if (has('EHOSTUNREACH') || has('ENETUNREACH')) return 'host unreachable';
  if (/Connection timeout|ETIMEDOUT/i.test(all)) return 'connection timed out';
  if (/certificate|SSL|TLS|self[- ]signed|ERR_TLS|EPROTO/i.test(all)) {
    const tlsText = texts.find((t) => /certificate|SSL|TLS|self[- ]signed|EPROTO/i.test(t)) ?? all;
    return `TLS failed: ${tlsText.replace(/^Connection error: /, '')}`;
  }
  if (/Request .* timed out|RequestTimeout/i.test(all)) return 'no answer (a request timed out)';
  if (/Closed connection|ECONNRESET|EPIPE|Broker not connected/i.test(all)) return 'the connection was closed (is this a Kafka listener, with the right TLS/SASL settings?)';
  if (/did not finish within/.test(all)) return 'no answer';
  return texts[texts.length - 1] ?? 'unknown error';
}

function whereFrom(settings: ConnectionSettings): string {
  const src = settings.source.startsWith('default') ? 'the default; set --brokers, EVT_BROKERS or a profile' : `from ${settings.source}`;
  return `${settings.brokers.join(',')} (${src})`;
}

/**
 * One clear line for a failure to reach the cluster (exit 3), e.g.
 * `cannot reach the cluster at 127.0.0.1:9999 (from --brokers) within 10s: connection refused`;
 * failed SASL authentication is exit 1 with its own wording.
 */
export function describeConnectError(err: unknown, settings: ConnectionSettings, lastSeen?: string): CliError {
  const chain = errorChain(err);
  const texts = chain.map((e) => e.message ?? '').filter(Boolean);
  if (lastSeen && !texts.includes(lastSeen)) texts.push(lastSeen);
  const codes = chain.map((e) => e.code ?? '').filter(Boolean);
  if (isAuthenticationError(err)) {
    const mechanism = settings.sasl ? `SASL ${settings.sasl.mechanism.toUpperCase()} as ${settings.sasl.username}` : 'SASL';
    const unsupported = chain.some((e) => e.name === 'KafkaJSServerDoesNotSupportApiKey');
    const detail = unsupported
      ? 'the broker does not offer SASL on this listener'
      : (chain.find((e) => e.name === 'KafkaJSSASLAuthenticationError')?.message ?? texts[0] ?? '').replace(/^SASL \S+ authentication failed: /i, '');
    return new CliError(`authentication to ${whereFrom(settings)} failed (${mechanism}): ${detail || 'rejected by the broker'}`, ExitCode.FAILURE);
  }
  // a DeadlineError says nothing about why: prefer what kafkajs saw last
  const informative = texts.filter((t) => !/did not finish within/.test(t));
  const reason = reasonOf(informative.length ? informative : texts, codes);
  return new CliError(`cannot reach the cluster at ${whereFrom(settings)} within ${formatMs(settings.timeoutMs)}: ${reason}`, ExitCode.UNREACHABLE);
}

/** Any error from an admin operation as a CliError: connection problems 3, unknown topic or group 4, else 1. */
export function toCliError(err: unknown, settings: ConnectionSettings, lastSeen?: string): CliError {
  if (err instanceof CliError) return err;
  if (err instanceof DeadlineError && err.what !== 'connect') {
    return new CliError(`${err.what}: no answer from the cluster at ${settings.brokers.join(',')} within ${formatMs(err.ms)}`, ExitCode.UNREACHABLE);
  }
  if (isConnectionError(err) || isAuthenticationError(err)) return describeConnectError(err, settings, lastSeen);
  const chain = errorChain(err);
  const typed = chain.find((e) => e.type);
  if (typed?.type === 'UNKNOWN_TOPIC_OR_PARTITION' || typed?.type === 'GROUP_ID_NOT_FOUND') {
    return new CliError(typed.message ?? typed.type, ExitCode.NOT_FOUND);
  }
  const message = (typed ?? chain[0])?.message ?? String(err);
  return new CliError(message, ExitCode.FAILURE);
}

// ------------------------------------------------------------------------------------------------- admin

/**
 * Connects an admin client (giving up after settings.timeoutMs with exit 3), runs `fn`, always disconnects,
 * and turns errors into CliErrors.
 */
export async function withAdmin<T>(settings: ConnectionSettings, fn: (admin: AdminClient) => Promise<T>, options: ClientOptions = {}): Promise<T> {
  const kafka = createKafka(settings, options);
  const diag = clients.get(kafka)!;
  const raw = kafka.admin();
  try {
    // connecting and one metadata round trip: a listener that accepts connections but never answers fails here
    await withDeadline(
      (async () => {
        await raw.connect();
        await raw.describeCluster();
      })(),
      settings.timeoutMs,
      'connect',
    );
    return await fn(createAdminClient(raw, kafka, settings));
  } catch (err) {
    throw toCliError(err, settings, diag.lastError);
  } finally {
    await withDeadline(raw.disconnect(), 2000, 'disconnect').catch(() => {});
    closeClient(kafka);
  }
}

/** Last error kafkajs logged for this client (for messages). */
export function lastErrorOf(kafka: Kafka): string | undefined {
  return clients.get(kafka)?.lastError;
}
