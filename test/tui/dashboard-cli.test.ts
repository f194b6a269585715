// `evt dashboard` without a terminal, as CI logs run it: one snapshot printed as text or JSON, exit 0; and
// the usage errors. The bed holds a seeded run of orders with poison records, its services stopped.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../src/tui/source.js';
import { WORKER_SERVICES } from '../../src/workflow/catalogue.js';
import { inProcessHost } from '../../src/workflow/runtime/hosts.js';
import { runSimulation, type SimulationSummary } from '../../src/workflow/runtime/simulation.js';
import { runInProcess } from '../helpers/cli.js';
import { evtOn } from '../trace/helpers.js';
import { startWorkflowBed, type WorkflowBed } from '../workflow/helpers/cluster.js';

const ORDERS = 80;

let bed: WorkflowBed;
let dir: string;
let evt: ReturnType<typeof evtOn>;
let summary: SimulationSummary;

beforeAll(async () => {
  bed = await startWorkflowBed({ seed: 7 });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'evt-dashboard-'));
  evt = evtOn(bed, dir);
  summary = await runSimulation({
    rt: bed.rt,
    admin: bed.admin,
    host: inProcessHost(bed.rt, { sessionTimeoutMs: 3_000 }),
    load: { seed: 7, poisonRate: 0.05 },
    orders: ORDERS,
    rate: 200,
  });
  expect(summary.violations).toEqual([]);
}, 60_000);

afterAll(async () => {
  await bed?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('evt dashboard without a terminal', () => {
  it('prints one text snapshot of every panel and exits 0', async () => {
    const r = await evt(['dashboard', '--events', '5']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      new RegExp(
        // the address once: it is the cluster's name when no profile names it
        `^evt dashboard: ${bed.broker.bootstrap.replace(/\./g, '\\.')} at \\d{4}-`,
      ),
    );
    const text = r.stdout;
    // the run's outcomes, counted from the topics by the tail
    expect(text).toContain(`completed ${summary.orders.byState.COMPLETED}`);
    expect(text).toContain(`rejected ${summary.orders.byState.REJECTED}`);
    expect(text).toContain('stuck none');
    // the services, stopped after the run, with their dead letters
    for (const service of WORKER_SERVICES)
      expect(text).toMatch(new RegExp(`^${service} +DOWN +(Empty|Dead) +0 +0 `, 'm'));
    const dlqOrders = summary.deadLetters.orders ?? 0;
    expect(dlqOrders).toBeGreaterThan(0);
    expect(text).toMatch(new RegExp(`^orders +DOWN .* ${dlqOrders}$`, 'm'));
    expect(text).toMatch(/^shop\.orders +3 +\d+ +0 .* Order[A-Z][a-z]+/m);
    expect(lines.filter((l) => /^\d\d:\d\d:\d\d\.\d{3} /.test(l))).toHaveLength(5);
    expect(r.stderr).toBe('');
  });

  it('--json prints the snapshot as the dashboard sees it', async () => {
    const r = await evt(['--json', 'dashboard']);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as Snapshot;
    expect(s.cluster).toMatchObject({ reachable: true, error: null, brokers: [bed.broker.bootstrap] });
    expect(s.simulation).toBeNull();
    // the bundled flow, found by its topics on the cluster
    expect(s.flow).toMatchObject({ name: 'shop', entity: 'order' });
    expect(s.flow!.states.find((x) => x.state === 'COMPLETED')!.count).toBe(summary.orders.byState.COMPLETED);
    expect(s.flow!.reasons.REJECTED).toEqual(
      Object.fromEntries(Object.entries(summary.orders.rejected).filter(([, n]) => (n ?? 0) > 0)),
    );
    expect(s.services.slice(0, WORKER_SERVICES.length).map((g) => g.group)).toEqual(
      WORKER_SERVICES.map((s) => `shop.${s}-service`),
    );
    expect(s.services.every((g) => g.lag === 0 && !g.up)).toBe(true);
    expect(s.feed.length).toBeGreaterThan(0);
    expect(s.feed.length).toBeLessThanOrEqual(200);
  });

  it('--no-flow leaves the flow panel out; a broken --flow file is a usage error naming it', async () => {
    const s = JSON.parse((await evt(['--json', 'dashboard', '--no-flow'])).stdout) as Snapshot;
    expect(s.flow).toBeNull();
    expect(s.services.every((g) => !g.inFlow)).toBe(true);
    const bad = path.join(dir, 'bad.flow.json');
    fs.writeFileSync(bad, JSON.stringify({ flow: 'x', topics: { a: { id: 'nope' } } }));
    const r = await evt(['dashboard', '--flow', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `evt: ${bad}: topics.a.id: bad path "nope": a path starts with $ (the value), $key or $headers.<name> (an id lives at $key, $headers.<name> or a value path like $.parcel.id)\n`,
    );
  });

  it('bad flags are usage errors (exit 2) with one line', async () => {
    for (const [args, message] of [
      [['dashboard', '--since', 'soon'], /--since/],
      [['dashboard', '--refresh', '10ms'], /--refresh: "10ms" is too often/],
      [['dashboard', '--events', '-1'], /--events/],
    ] as const) {
      const r = await evt([...args]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stdout).toBe('');
    }
  });

  it('an unreachable cluster is exit 3', async () => {
    const r = await runInProcess(['--brokers', '127.0.0.1:1', '--timeout', '1s', 'dashboard'], { cwd: dir });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});
