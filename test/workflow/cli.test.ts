// The workflow commands as a user runs them (in process; spawned where a process matters): `evt simulate`
// summaries and exit codes (0, 2, 5), a real SIGKILL of a worker process mid-run, `evt worker` leaving its
// group on SIGTERM, and `evt demo` ending by itself.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, until } from '../helpers/broker.js';
import { runInProcess } from '../helpers/cli.js';
import { startEvt } from '../helpers/spawn.js';
import type { RunningBroker } from '../../src/broker/broker.js';

interface Summary {
  ok: boolean;
  orders: { requested: number; byState: Record<string, number>; rejected: Record<string, number>; stuck: number };
  violations: { invariant: string; message: string }[];
  deadLetters: Record<string, number>;
  poisonSent: number;
  latencyMs: { decision: { count: number } };
  events: Record<string, number>;
}

const parse = (stdout: string) => JSON.parse(stdout) as Summary;

describe('evt simulate', () => {
  it('runs a seeded workflow on an embedded broker and reports every order settled', async () => {
    const r = await runInProcess(
      ['--json', 'simulate', '--embedded', '-n', '150', '-r', '150/s', '--poison-rate', '0.05'],
      { timeoutMs: 60_000 },
    );
    expect(r.stderr).toMatch(/embedded broker on 127\.0\.0\.1:\d+, registry http:/);
    expect(r.code, r.stderr).toBe(0);
    const s = parse(r.stdout);
    expect(s.ok).toBe(true);
    expect(s.violations).toEqual([]);
    expect(s.orders.requested).toBe(150);
    const settled =
      (s.orders.byState.COMPLETED ?? 0) + (s.orders.byState.REJECTED ?? 0) + (s.orders.byState.CANCELLED ?? 0);
    expect(settled).toBe(150);
    expect(s.latencyMs.decision.count).toBe(150);
    expect(s.poisonSent).toBeGreaterThan(0);
    expect(s.deadLetters).toEqual({ orders: s.poisonSent });
    expect(s.events['shop.basket.order-requests:OrderRequested']).toBe(150);
  }, 90_000);

  it('prints a readable summary without --json', async () => {
    const r = await runInProcess(['simulate', '--embedded', '-n', '60', '-r', '120/s'], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^simulated 60 orders \(seed 42\)/);
    expect(r.stdout).toMatch(
      /^topics {6}shop\.basket\.order-requests, shop\.orders, shop\.inventory\.reservations, shop\.inventory\.stock, shop\.payments, shop\.fraud\.checks, shop\.shipments$/m,
    );
    expect(r.stderr).toMatch(
      /^evt simulate: topics shop\.\*, groups shop\.<service>-service, dead letters shop\.dlq\.<service>$/m,
    );
    expect(r.stdout).toMatch(/^ {2}COMPLETED +\d+/m);
    expect(r.stdout).toMatch(/decision +p50 \d+ms {2}p95 \d+ms {2}p99 \d+ms/);
    expect(r.stdout).toContain('invariants: all hold');
  }, 90_000);

  it('survives a worker process killed with SIGKILL mid-run: nothing lost, nothing done twice', async () => {
    const r = await runInProcess(
      [
        '--json',
        'simulate',
        '--embedded',
        '--processes',
        '-n',
        '300',
        '-r',
        '100/s',
        '--order-timeout',
        '30s',
        '--chaos',
        'kill payments at 1s for 1s',
      ],
      { timeoutMs: 120_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('chaos: killing payments');
    expect(r.stderr).toContain('chaos: payments is back');
    const s = parse(r.stdout);
    expect(s.violations).toEqual([]); // includes exactly-once: no order reserved, authorized or captured twice
    expect(s.orders.stuck).toBe(0);
    expect(s.orders.rejected.TIMEOUT ?? 0).toBe(0); // the orders waited for payments instead of timing out
    expect(s.events['shop.payments:PaymentAuthorized'] + s.events['shop.payments:PaymentDeclined']).toBe(
      s.events['shop.orders:OrderPlaced'],
    );
  }, 150_000);

  it('exits 5 and lists the violation when a topic gets a record its writer did not write', async () => {
    const sim = startEvt(['simulate', '--embedded', '-n', '400', '-r', '100/s']);
    const found = await until(
      () => /embedded broker on (\S+), registry (\S+)/.exec(sim.stderr()) ?? undefined,
      30_000,
      'the embedded broker',
    );
    const [, bootstrap, registry] = found;
    const forged = JSON.stringify({
      eventType: 'StockLevel',
      sku: 'SKU-MUG',
      onHand: 5,
      reserved: 9,
      available: 1,
      version: 1,
      restocked: 0,
      at: Date.now(),
    });
    const produced = await runInProcess([
      '--brokers',
      bootstrap,
      '--registry',
      registry,
      'produce',
      'shop.inventory.stock',
      forged,
      '--key',
      'SKU-MUG',
      '--value-format',
      'avro',
      '-H',
      'evt-producer=payments',
      '-H',
      'evt-event-id=forged-1',
      '-H',
      'evt-event-type=StockLevel',
      '-H',
      'evt-correlation-id=SKU-MUG',
      '-H',
      'traceparent=00-0123456789abcdef0123456789abcdef-0123456789abcdef-01',
    ]);
    expect(produced.code, produced.stderr).toBe(0);
    const r = await sim.done;
    expect(r.code, r.stderr).toBe(5);
    expect(r.stdout).toMatch(
      /single-writer: shop\.inventory\.stock\[\d+\] written by payments, but shop\.inventory\.stock has one writer: inventory/,
    );
    expect(r.stdout).toMatch(/stock: reserved \+ available != onHand: SKU-MUG/);
    expect(r.stderr).toMatch(/^evt: \d+ invariant violation\(s\) \(listed above\)$/m);
  }, 90_000);

  it('refuses bad flags with one line and exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [
        ['simulate', '--embedded', '--orders', '5', '--duration', '3s'],
        /^evt: give --orders or --duration, not both\n$/,
      ],
      [
        ['simulate', '--embedded', '--chaos', 'explode inventory'],
        /^evt: --chaos: "explode inventory" does not start with stop or kill/,
      ],
      [['simulate', '--embedded', '--rate', 'fast'], /^evt: --rate: "fast" is not a positive rate/],
      [['simulate', '--embedded', '--skus', 'SKU-NOPE'], /^evt: --skus: unknown sku SKU-NOPE/],
      [['worker', 'basket'], /^evt: basket is the edge/],
      [
        ['worker', 'billing'],
        /^evt: unknown service billing: choose one of orders, inventory, payments, fraud, shipping\n$/,
      ],
      [['--brokers', '127.0.0.1:1', 'worker', 'payments'], /^evt: the workflow writes Avro through a schema registry/],
      [
        ['simulate', '--embedded', '--prefix', 'my shop.'],
        /^evt: --prefix: "my shop\." is not a topic-name prefix: " " is not allowed/,
      ],
      [
        ['--brokers', '127.0.0.1:1', 'worker', 'payments', '--prefix', 'shop/'],
        /^evt: --prefix: "shop\/" is not a topic-name prefix: "\/" is not allowed/,
      ],
      [['demo', '--prefix', 'ä.'], /^evt: --prefix: "ä\." is not a topic-name prefix/],
      [
        ['--brokers', '127.0.0.1:1', 'replay', 'orders', '--prefix', 'a:b'],
        /^evt: --prefix: "a:b" is not a topic-name prefix/,
      ],
      [
        ['--brokers', '127.0.0.1:1', 'replay', 'order-events', '--prefix', 'acme.'],
        /^evt: --prefix applies to the workflow's views orders, stock, payments, not to order-events\n$/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = await runInProcess(args, { env: { EVT_REGISTRY: '' } });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr.trimEnd().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stdout).toBe('');
    }
  }, 60_000);
});

describe('evt worker', () => {
  let broker: RunningBroker;
  beforeAll(async () => {
    broker = await startTestBroker({ registryPort: 0 });
  });
  afterAll(async () => broker?.close());

  it('joins its group, says when it is ready, and leaves the group cleanly on SIGTERM', async () => {
    const w = startEvt([
      '--brokers',
      broker.bootstrap,
      '--registry',
      broker.registryUrl!,
      '--json',
      'worker',
      'payments',
      '--instances',
      '2',
    ]);
    await until(
      () => (w.stderr().match(/ready in group shop\.payments-service/g) ?? []).length === 2,
      30_000,
      'two ready lines',
    );
    expect(w.stderr()).toMatch(
      /evt worker payments#1: ready in group shop\.payments-service \((partitions [\d,]+|standing by)/,
    );
    const members = await runInProcess([
      '--brokers',
      broker.bootstrap,
      '--json',
      'groups',
      'describe',
      'shop.payments-service',
    ]);
    expect(JSON.parse(members.stdout).members).toHaveLength(2);
    w.proc.kill('SIGTERM');
    const r = await w.done;
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      service: 'payments',
      group: 'shop.payments-service',
      instances: [{ instance: 'payments#1' }, { instance: 'payments#2' }],
    });
    // left, not timed out: the group is empty at once
    const after = await runInProcess([
      '--brokers',
      broker.bootstrap,
      '--json',
      'groups',
      'describe',
      'shop.payments-service',
    ]);
    const group = JSON.parse(after.stdout) as { state: string; members: unknown[] };
    expect(group.members).toEqual([]);
    expect(group.state).toBe('Empty');
  }, 60_000);
});

describe('evt demo', () => {
  it('--help shows what to try from another terminal, the registry included', async () => {
    const r = await runInProcess(['demo', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\$ evt --brokers 127\.0\.0\.1:9092 --registry URL tail shop\.orders -f/);
  });

  it('runs the workflow on an embedded broker and ends by itself with --duration', async () => {
    const r = await runInProcess(['--json', 'demo', '--duration', '6s', '--rate', '30/s', '--port', '0'], {
      timeoutMs: 60_000,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /^evt demo: broker 127\.0\.0\.1:\d+ {2}registry http:\/\/127\.0\.0\.1:\d+; topics shop\.\*, groups shop\.<service>-service, dead letters shop\.dlq\.<service>; Ctrl-C to stop$/m,
    );
    expect(r.stderr).toMatch(/^evt demo: 5\.\ds sent \d+ \| .* settled\/s \| lag /m);
    // what to try from another terminal, with the registry the values need to be decoded
    const registry = /registry (http:\/\/127\.0\.0\.1:\d+); topics /m.exec(r.stderr)![1];
    expect(r.stderr).toMatch(
      new RegExp(
        `^evt demo: from another terminal: evt --brokers 127\\.0\\.0\\.1:\\d+ --registry ${registry.replace(/\./g, '\\.')} tail shop\\.orders -f$`,
        'm',
      ),
    );
    const s = parse(r.stdout);
    expect(s.violations).toEqual([]);
    expect(s.orders.requested).toBeGreaterThan(100);
  }, 90_000);
});
