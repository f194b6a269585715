import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcessHost } from '../../src/workflow/runtime/hosts.js';
import { runSimulation } from '../../src/workflow/runtime/simulation.js';
import { startWorkflowBed, type WorkflowBed } from './helpers/cluster.js';

let bed: WorkflowBed;
beforeAll(async () => {
  bed = await startWorkflowBed({ seed: 42 });
}, 30_000);
afterAll(async () => bed?.close());

describe('smoke', () => {
  it('runs', async () => {
    const summary = await runSimulation({ rt: bed.rt, admin: bed.admin, host: inProcessHost(bed.rt, { sessionTimeoutMs: 3000 }), load: { seed: 42 }, orders: 100, rate: 100, onProgress: (p) => console.error(JSON.stringify(p)) });
    console.error(JSON.stringify({ ...summary, outcomes: undefined }, null, 1));
    console.error(bed.logs.join('\n'));
    expect(summary.violations).toEqual([]);
  }, 120_000);
});
