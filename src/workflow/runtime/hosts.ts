// Where a simulation's service instances run: in this process (the default: one event loop, nothing to
// spawn) or as `evt worker` child processes (--processes: what a team would deploy, and the only way to
// really kill -9 one). The simulation drives both through this interface, chaos included.

import { spawn, type ChildProcess } from 'node:child_process';
import { evtBin } from '../../package-root.js';
import type { ConnectionSettings } from '../../client/settings.js';
import type { WorkerService } from '../catalogue.js';
import type { WorkflowConfig } from '../config.js';
import type { LatencyRange } from '../sim-options.js';
import { startInstances } from './runtime.js';
import type { ServiceWorker, WorkerRuntime, WorkerStats } from './worker.js';

export type { WorkerService };

/** The running instances of one service. */
export interface InstanceSet {
  readonly service: WorkerService;
  /** leave the group cleanly */
  stop(): Promise<void>;
  /** die without leaving (kill -9, or its in-process stand-in) */
  crash(): Promise<void>;
  /** per-instance counters, when the host can see them (in-process only) */
  stats(): WorkerStats[];
}

export interface WorkerHost {
  start(service: WorkerService, count: number, latency?: LatencyRange): Promise<InstanceSet>;
}

/** Instances as ServiceWorkers in this process, sharing one runtime. */
export function inProcessHost(
  rt: WorkerRuntime,
  options: { tickMs?: number; sessionTimeoutMs?: number } = {},
): WorkerHost {
  let started = 0;
  return {
    async start(service, count, latency) {
      const first = started + 1;
      started += count;
      const workers: ServiceWorker[] = await startInstances(rt, service, count, { ...options, latency }, first);
      return {
        service,
        stop: async () => void (await Promise.all(workers.map((w) => w.stop()))),
        crash: async () => void (await Promise.all(workers.map((w) => w.crash()))),
        stats: () => workers.map((w) => w.stats),
      };
    },
  };
}

export interface ProcessHostOptions {
  settings: ConnectionSettings;
  registryUrl: string;
  config: WorkflowConfig;
  /** the workflow's prefix: the children's topics and groups must be the parent's */
  prefix: string;
  /** where the children's stderr goes (prefixed with their service) */
  log(line: string): void;
  verbose?: boolean;
}

/** The environment variable that hands a child `evt worker` the simulation's service configuration. */
export const WORKER_CONFIG_ENV = 'EVT_WORKFLOW_CONFIG';

/**
 * Instances as `evt worker <service>` processes, one per instance. A process counts as started once it has
 * printed its ready line (it has joined its group and rebuilt its state).
 */
export function processHost(options: ProcessHostOptions): WorkerHost {
  const bin = evtBin();
  const spawnOne = (service: WorkerService, latency?: LatencyRange): Promise<ChildProcess> => {
    const args = [
      bin,
      'worker',
      service,
      '--brokers',
      options.settings.brokers.join(','),
      '--registry',
      options.registryUrl,
      `--prefix=${options.prefix}`,
    ];
    if (latency) args.push('--latency', `${latency.minMs}ms..${latency.maxMs}ms`);
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, [WORKER_CONFIG_ENV]: JSON.stringify(options.config) },
    });
    return new Promise((resolve, reject) => {
      let buffered = '';
      let ready = false;
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (text: string) => {
        buffered += text;
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          if (!ready && /\bready\b/.test(line)) {
            ready = true;
            resolve(child);
          }
          if (options.verbose || !/\bready\b/.test(line)) options.log(`[${service} pid ${child.pid}] ${line}`);
        }
      });
      child.once('exit', (code, signal) => {
        if (!ready) reject(new Error(`evt worker ${service} exited before it was ready (${signal ?? `exit ${code}`})`));
      });
    });
  };
  return {
    async start(service, count, latency) {
      const children = await Promise.all(Array.from({ length: count }, () => spawnOne(service, latency)));
      const end = (signal: NodeJS.Signals) =>
        Promise.all(
          children.map(
            (c) =>
              new Promise<void>((resolve) => {
                if (c.exitCode !== null || c.signalCode !== null) return resolve();
                c.once('exit', () => resolve());
                c.kill(signal);
              }),
          ),
        ).then(() => {});
      return { service, stop: () => end('SIGTERM'), crash: () => end('SIGKILL'), stats: () => [] };
    },
  };
}
