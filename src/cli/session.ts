// The one way every command reaches a cluster: connection settings resolved from flags, environment and
// profiles; one wire-client Cluster connected within --timeout (TLS and SASL included); and the one mapping
// from the client's errors to the CLI's one-line messages and exit codes.

import type { Command } from 'commander';
import type { AdminClient } from '../client/admin.js';
import { optionSources, resolveSettings } from '../client/profiles.js';
import type { ConnectionSettings } from '../client/settings.js';
import { Cluster } from '../client/wire/cluster.js';
import { AuthenticationError, UnreachableError, WireError } from '../client/wire/errors.js';
import { formatDuration } from '../common/time.js';
import { CliError, ExitCode, exitCodeFor } from './errors.js';
import { printLine, type CommandContext, type GlobalOptions, type Io } from './io.js';

export interface Session {
  settings: ConnectionSettings;
  cluster: Cluster;
}

/** The connection settings of a command; `program` tells flags from defaults for the source of each value. */
export function settingsFor(io: Io, g: GlobalOptions, program?: Command): ConnectionSettings {
  return resolveSettings(g, io.env, io.cwd, { optionSources: optionSources(program) });
}

/** Reaches the cluster (exit code 3 when it cannot be reached within --timeout); with --verbose, retries are logged. */
export async function openSession(io: Io, g: GlobalOptions, settings = settingsFor(io, g)): Promise<Session> {
  try {
    const cluster = await Cluster.connect(settings, {
      log: g.verbose ? (m) => printLine(io.stderr, `evt: ${m}`) : undefined,
    });
    return { settings, cluster };
  } catch (err) {
    throw toCliError(err, settings);
  }
}

/** Runs `fn` with an admin client on a session of its own, closed after; every error comes out as a CliError. */
export async function withAdmin<T>(
  io: Io,
  g: GlobalOptions,
  settings: ConnectionSettings,
  fn: (admin: AdminClient, session: Session) => Promise<T>,
): Promise<T> {
  // loaded here, not with this module: produce and tail never need the admin requests
  const { createAdminClient } = await import('../client/wire/admin.js');
  const session = await openSession(io, g, settings);
  try {
    return await fn(createAdminClient(session.cluster), session);
  } catch (err) {
    throw toCliError(err, settings);
  } finally {
    session.cluster.close();
  }
}

/** withAdmin for an admin command's action. */
export function adminSession<T>(
  ctx: CommandContext,
  program: Command | undefined,
  fn: (admin: AdminClient, settings: ConnectionSettings) => Promise<T>,
  settings?: ConnectionSettings,
): Promise<T> {
  const g = ctx.globals();
  const resolved = settings ?? settingsFor(ctx.io, g, program);
  return withAdmin(ctx.io, g, resolved, (admin) => fn(admin, resolved));
}

/** "127.0.0.1:9092 (from --brokers)": the brokers and where they were configured, for messages. */
function whereFrom(settings: ConnectionSettings): string {
  const src = settings.source.startsWith('default')
    ? 'the default; set --brokers, EVT_BROKERS or a profile'
    : `from ${settings.source}`;
  return `${settings.brokers.join(',')} (${src})`;
}

/** The broker(s) an UnreachableError names: the cluster as configured, or one broker the cluster advertised. */
function unreachableLine(err: UnreachableError, settings: ConnectionSettings): string {
  const bootstrap = settings.brokers.every((b) => err.brokers.includes(b));
  if (err.refused) {
    const where = bootstrap ? whereFrom(settings) : `${err.brokers.join(',')} of the cluster at ${whereFrom(settings)}`;
    return `cannot connect to ${where}: ${err.reason} (tried for ${formatDuration(err.refused.triedMs)})`;
  }
  const within = err.timeoutMs !== undefined ? ` within ${formatDuration(err.timeoutMs)}` : '';
  const what = bootstrap
    ? `the cluster at ${whereFrom(settings)}`
    : `broker ${err.brokers.join(',')} of the cluster at ${whereFrom(settings)}`;
  return `cannot reach ${what}${within}: ${err.reason}`;
}

function authenticationLine(err: AuthenticationError, settings: ConnectionSettings): string {
  const sasl = settings.sasl;
  const mechanism = sasl ? `SASL ${sasl.mechanism.toUpperCase()} as ${sasl.username}` : 'SASL';
  return `authentication to ${whereFrom(settings)} failed (${mechanism}): ${err.reason}`;
}

/**
 * The CLI error for a failure of the client: 3 when the cluster cannot be reached or does not answer in time,
 * 4 when what was asked for does not exist, 2 for unusable settings (a TLS file that cannot be read), 1 for
 * the rest. Errors that are not the client's pass through unchanged.
 */
export function toCliError(err: unknown, settings?: ConnectionSettings): Error {
  if (err instanceof CliError || !(err instanceof WireError)) return err as Error;
  switch (err.kind) {
    case 'unreachable':
      return new CliError(
        err instanceof UnreachableError && settings ? unreachableLine(err, settings) : err.message,
        ExitCode.UNREACHABLE,
        { cause: err },
      );
    case 'timeout':
      return new CliError(err.message, ExitCode.UNREACHABLE);
    case 'auth':
      return new CliError(
        err instanceof AuthenticationError && settings ? authenticationLine(err, settings) : err.message,
        ExitCode.FAILURE,
      );
    case 'not-found':
      return new CliError(err.message, ExitCode.NOT_FOUND);
    case 'config':
      return new CliError(err.message, ExitCode.USAGE);
    default:
      return new CliError(err.message, ExitCode.FAILURE);
  }
}

/** The exit code an error ends a command with, a client error's included. */
export function exitCodeOf(err: unknown): number {
  return exitCodeFor(toCliError(err));
}
