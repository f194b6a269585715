// The live DashboardSource of `evt dashboard`: polls the cluster on a timer and follows its topics,
// outside React, and pushes snapshots to the screen at a bounded rate (a busy workflow changes thousands of
// times a second; a terminal redraws a few times). Also the one-shot snapshot printed when there is no TTY.

import { traceEntity } from '../../trace/trace.js';
import type { DashboardSource, Snapshot } from '../source.js';
import { Monitor, type MonitorOptions } from './monitor.js';

export interface LiveSourceOptions extends MonitorOptions {
  /** between polls (default 1000 ms) */
  pollMs?: number;
  /** least time between snapshots (default 500 ms) */
  publishMs?: number;
  /** the views database `trace` may answer from */
  traceDb?: string;
  /** the schema registry's URL, shown in the status bar */
  registry?: string;
}

/** A snapshot is pushed at least this often even when nothing changed, so that the clock and ages move. */
const HEARTBEAT_MS = 1_000;

/** Starts polling and tailing; resolves after the first poll, with a first snapshot already taken. */
export async function createLiveSource(options: LiveSourceOptions): Promise<DashboardSource> {
  const monitor = new Monitor(options, true);
  const listeners = new Set<(snapshot: Snapshot) => void>();
  let current: Snapshot | null = null;
  let publishedVersion = -1;
  let closed = false;
  let polling = null as Promise<void> | null; // set in poll(): not narrowed to null here

  const publish = (force: boolean) => {
    if (closed) return;
    const version = monitor.version;
    if (!force && version === publishedVersion && current && monitor.now() - current.at < HEARTBEAT_MS) return;
    publishedVersion = version;
    current = withRegistry(monitor.snapshot(), options.registry);
    for (const listener of [...listeners]) {
      try {
        listener(current);
      } catch {
        // a listener's failure is its own: the others still get the snapshot
      }
    }
  };
  // polls never overlap: a tick that finds the previous poll running is skipped
  const poll = () => {
    if (closed || polling) return;
    polling = monitor.poll().finally(() => (polling = null));
  };

  poll();
  await polling;
  publish(true);
  const pollTimer = setInterval(poll, options.pollMs ?? 1_000);
  const publishTimer = setInterval(() => publish(false), options.publishMs ?? 500);

  return {
    current: () => current,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    trace: (id) =>
      traceEntity({ cluster: options.cluster, codec: options.codec, id, flow: options.flow, db: options.traceDb }),
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(pollTimer);
      clearInterval(publishTimer);
      listeners.clear();
      await monitor.tail.close();
      await polling;
      // the cluster is the caller's: it stays open
    },
  };
}

/**
 * One snapshot without following: a poll, then the window read up to the high watermarks that poll saw (for
 * `evt dashboard` without a TTY, printing text or JSON once). Rates per poll are 0: there is one poll.
 */
export async function takeSnapshot(options: MonitorOptions & { registry?: string }): Promise<Snapshot> {
  const monitor = new Monitor(options, false);
  try {
    await monitor.poll();
    await monitor.tail.drained();
    return withRegistry(monitor.snapshot(), options.registry);
  } finally {
    await monitor.tail.close();
  }
}

/** The snapshot with the registry's URL in its cluster status (the monitor knows nothing of registries). */
function withRegistry(snapshot: Snapshot, registry: string | undefined): Snapshot {
  return registry ? { ...snapshot, cluster: { ...snapshot.cluster, registry } } : snapshot;
}
