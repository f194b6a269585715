// The faults of a simulation: at each action's time its service's instances stop (or crash), and when it is
// over they start again. A service is started again once however many ends come at the same time (the end
// of a fault, and an interrupted run ending every fault at once), so it never gets two sets of instances and
// "is back" is said once per fault.

import { formatDuration } from '../../common/time.js';
import type { ServiceName, WorkerService } from '../catalogue.js';
import type { ChaosAction, LatencyRange } from '../sim-options.js';
import type { InstanceSet, WorkerHost } from './hosts.js';

export interface ChaosContext {
  /** the running instances by service (a service stopped by a fault has none) */
  sets: Map<WorkerService, InstanceSet>;
  /** the services a fault has stopped, right now */
  down: Set<WorkerService>;
  host: WorkerHost;
  instances?: Partial<Record<ServiceName, number>>;
  latency?: Partial<Record<ServiceName, LatencyRange>>;
  log(line: string): void;
}

export class Chaos {
  private readonly timers = new Map<ChaosAction, NodeJS.Timeout[]>();
  /** a start under way per service: every end of a fault waits for that one */
  private readonly starting = new Map<WorkerService, Promise<void>>();

  constructor(private readonly c: ChaosContext) {}

  /** Sets the timers of the actions, their times counted from `t0` (epoch ms). */
  schedule(actions: readonly ChaosAction[], t0: number): void {
    for (const action of actions) {
      if (action.service === 'basket') continue; // the driver is the basket: nothing to stop
      const service = action.service;
      const at = (ms: number, fn: () => Promise<void>) =>
        setTimeout(
          () => {
            fn().catch((err: Error) => this.c.log(`evt: chaos: ${action.kind} ${service}: ${err.message}`));
          },
          Math.max(0, t0 + ms - Date.now()),
        );
      this.timers.set(action, [
        at(action.atMs, () => this.begin(action, service)),
        at(action.atMs + action.forMs, () => this.restart(service)),
      ]);
    }
  }

  /** Calls off the actions that have not begun by `time` (epoch ms): those due after the last order. */
  callOffAfter(time: number, t0: number): void {
    for (const [action, timers] of this.timers) {
      if (t0 + action.atMs <= time) continue;
      for (const t of timers) clearTimeout(t);
      this.timers.delete(action);
    }
  }

  /** Ends every fault now (an interrupted run settles what it sent): each stopped service is started once. */
  async endAll(): Promise<void> {
    this.clear();
    await Promise.all([...this.c.down].map((s) => this.restart(s)));
  }

  /** Clears every timer (what is under way stays as it is). */
  clear(): void {
    for (const timers of this.timers.values()) for (const t of timers) clearTimeout(t);
    this.timers.clear();
  }

  private async begin(action: ChaosAction, service: WorkerService): Promise<void> {
    const set = this.c.sets.get(service);
    if (!set) return;
    this.c.sets.delete(service);
    this.c.down.add(service);
    this.c.log(
      `evt: chaos: ${action.kind === 'kill' ? 'killing' : 'stopping'} ${service} for ${formatDuration(action.forMs)}`,
    );
    await (action.kind === 'kill' ? set.crash() : set.stop());
  }

  /** Starts a stopped service again; a start already under way is waited for instead of starting another. */
  restart(service: WorkerService): Promise<void> {
    const under = this.starting.get(service);
    if (under) return under;
    if (this.c.sets.has(service) || !this.c.down.has(service)) return Promise.resolve();
    const start = (async () => {
      this.c.sets.set(
        service,
        await this.c.host.start(service, this.c.instances?.[service] ?? 1, this.c.latency?.[service]),
      );
      this.c.down.delete(service);
      this.c.log(`evt: chaos: ${service} is back`);
    })().finally(() => this.starting.delete(service));
    this.starting.set(service, start);
    return start;
  }
}
