// The session every command that talks to a cluster opens: resolving the connection settings, reaching the
// cluster with the wire client, and turning the wire client's errors into the CLI's one-line errors and exit
// codes.

import type { ConnectionSettings } from '../client/settings.js';
import type { Cluster } from '../client/wire/cluster.js';
import { UnreachableError, WireError } from '../client/wire/errors.js';
import { CliError, ExitCode, exitCodeFor } from './errors.js';
import { printLine, type GlobalOptions, type Io } from './io.js';

export interface Session {
  settings: ConnectionSettings;
  cluster: Cluster;
}

export async function resolveConnection(io: Io, g: GlobalOptions): Promise<ConnectionSettings> {
  // from profiles.js rather than connect.js, which would load kafkajs (100 ms) for nothing
  const { resolveSettings } = await import('../client/profiles.js');
  return resolveSettings(g, io.env, io.cwd);
}

/** Reaches the cluster (exit code 3 when it cannot be reached within --timeout). */
export async function openSession(io: Io, g: GlobalOptions): Promise<Session> {
  const settings = await resolveConnection(io, g);
  const { Cluster } = await import('../client/wire/cluster.js');
  try {
    const cluster = await Cluster.connect(settings, { log: g.verbose ? (m) => printLine(io.stderr, `evt: ${m}`) : undefined });
    return { settings, cluster };
  } catch (err) {
    throw toCliError(err, settings);
  }
}

/** "127.0.0.1:9092 (from --brokers)", as the kafkajs-based commands say it */
function whereFrom(settings: ConnectionSettings): string {
  const src = settings.source.startsWith('default') ? 'the default; set --brokers, EVT_BROKERS or a profile' : `from ${settings.source}`;
  return `${settings.brokers.join(',')} (${src})`;
}

function formatTime(ms: number): string {
  if (!Number.isFinite(ms)) return 'no limit';
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${+(ms / 1000).toFixed(1)}s`;
  return `${+(ms / 60_000).toFixed(1)}m`;
}

/** The CLI error for a failure of the wire client (other errors pass through unchanged). */
export function toCliError(err: unknown, settings?: ConnectionSettings): Error {
  if (err instanceof CliError || !(err instanceof WireError)) return err as Error;
  switch (err.kind) {
    case 'unreachable':
      if (err instanceof UnreachableError && settings) {
        const within = err.timeoutMs !== undefined ? ` within ${formatTime(err.timeoutMs)}` : '';
        return new CliError(`cannot reach the cluster at ${whereFrom(settings)}${within}: ${err.reason}`, ExitCode.UNREACHABLE);
      }
      return new CliError(err.message, ExitCode.UNREACHABLE);
    case 'timeout':
      return new CliError(err.message, ExitCode.UNREACHABLE);
    case 'not-found':
      return new CliError(err.message, ExitCode.NOT_FOUND);
    case 'config':
      return new CliError(err.message, ExitCode.USAGE);
    default:
      return new CliError(err.message, ExitCode.FAILURE);
  }
}

/** The exit code a wire error maps to. */
export function exitCodeOf(err: unknown): number {
  return exitCodeFor(toCliError(err));
}
