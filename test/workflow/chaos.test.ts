// The faults of a simulation (runtime/chaos.ts) with a fake host: a service stopped by a fault is started
// again once, however many ends arrive together. `evt demo` schedules a fault every minute for as long as it
// may run; q during a fault ended all of them at once, and each end started its own set of inventory
// instances (and said "inventory is back") before the fix.

import { describe, expect, it } from 'vitest';
import type { WorkerService } from '../../src/workflow/catalogue.js';
import { Chaos } from '../../src/workflow/runtime/chaos.js';
import type { InstanceSet, WorkerHost } from '../../src/workflow/runtime/hosts.js';
import type { ChaosAction } from '../../src/workflow/sim-options.js';

function fakeSet(service: WorkerService, events: string[]): InstanceSet {
  return {
    service,
    stop: async () => void events.push(`stop ${service}`),
    crash: async () => void events.push(`crash ${service}`),
    stats: () => [],
  };
}

function setup() {
  const events: string[] = [];
  const log: string[] = [];
  const sets = new Map<WorkerService, InstanceSet>([['inventory', fakeSet('inventory', events)]]);
  const down = new Set<WorkerService>();
  const host: WorkerHost = {
    async start(service) {
      events.push(`start ${service}`);
      // a start takes a while (joining the group): ends that come meanwhile must wait for this one
      await new Promise((r) => setTimeout(r, 30));
      return fakeSet(service, events);
    },
  };
  const chaos = new Chaos({ sets, down, host, log: (l) => log.push(l) });
  return { events, log, sets, down, chaos };
}

const until = async (test: () => boolean) => {
  for (let i = 0; i < 500 && !test(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(test()).toBe(true);
};

describe('chaos', () => {
  it('an interrupted run ends every fault at once: the stopped service starts once, "is back" is said once', async () => {
    const { events, log, down, sets, chaos } = setup();
    // the demo's schedule: inventory stopped 20 s every minute, for a day
    const actions: ChaosAction[] = Array.from({ length: 1440 }, (_, i) => ({
      kind: 'stop',
      service: 'inventory',
      atMs: i * 60_000,
      forMs: 20_000,
    }));
    chaos.schedule(actions, Date.now());
    await until(() => down.has('inventory'));
    expect(log).toEqual(['evt: chaos: stopping inventory for 20s']);
    await chaos.endAll();
    expect(events.filter((e) => e === 'start inventory')).toHaveLength(1);
    expect(log.filter((l) => l.includes('is back'))).toEqual(['evt: chaos: inventory is back']);
    expect(down.size).toBe(0);
    expect(sets.has('inventory')).toBe(true);
    // and no timer is left to stop it again
    await new Promise((r) => setTimeout(r, 50));
    expect(log).toHaveLength(2);
  });

  it('the end of a fault and an interruption at the same time start the service once', async () => {
    const { events, log, down, chaos } = setup();
    chaos.schedule([{ kind: 'kill', service: 'inventory', atMs: 0, forMs: 40 }], Date.now());
    await until(() => down.has('inventory'));
    await new Promise((r) => setTimeout(r, 45)); // the fault's own end is starting it now
    await Promise.all([chaos.endAll(), chaos.endAll()]);
    await until(() => down.size === 0);
    expect(events).toEqual(['crash inventory', 'start inventory']);
    expect(log).toEqual(['evt: chaos: killing inventory for 40ms', 'evt: chaos: inventory is back']);
  });

  it('faults due after the last order are called off', async () => {
    const { log, chaos } = setup();
    const t0 = Date.now();
    chaos.schedule([{ kind: 'stop', service: 'inventory', atMs: 30, forMs: 10 }], t0);
    chaos.callOffAfter(t0 + 10, t0);
    await new Promise((r) => setTimeout(r, 80));
    expect(log).toEqual([]);
  });
});
