// Replaying the workflow's topics into SQLite views on a real broker: the orders view agrees with what the
// simulation says happened; the entity index replay killed with SIGKILL at several points and resumed ends with exactly the
// rows of a clean rebuild; latest-by-key deletes on a null value; an undecodable event goes to the errors
// table and the replay goes on; --follow picks up new events.

import fs from 'node:fs';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryDecoder } from '../../src/codec/registry-codec.js';
import { createValueCodec } from '../../src/codec/create-codec.js';
import { builtinView } from '../../src/views/builtin.js';
import { replay } from '../../src/views/replay.js';
import { errorsOf, openDatabase, positions } from '../../src/views/store.js';
import { inProcessHost } from '../../src/workflow/runtime/hosts.js';
import { runSimulation, type SimulationSummary } from '../../src/workflow/runtime/simulation.js';
import { tempDir, until } from '../helpers/broker.js';
import { runInProcess } from '../helpers/cli.js';
import { startEvt } from '../helpers/spawn.js';
import { startWorkflowBed, type WorkflowBed } from '../workflow/helpers/cluster.js';

let bed: WorkflowBed;
let summary: SimulationSummary;
const dir = tempDir('evt-views-');

beforeAll(async () => {
  bed = await startWorkflowBed({ seed: 5 });
  summary = await runSimulation({
    rt: bed.rt,
    admin: bed.admin,
    host: inProcessHost(bed.rt),
    load: { seed: 5 },
    orders: 1200,
    rate: 600,
  });
  expect(summary.violations).toEqual([]);
}, 120_000);
afterAll(async () => bed?.close());

async function codec() {
  return new RegistryDecoder(bed.registry, await createValueCodec('auto'), false).codec();
}

function rows(db: Database, table: string, order: string): unknown[] {
  return db.prepare(`SELECT * FROM ${table} ORDER BY ${order}`).all();
}

describe('evt replay', () => {
  it('builds the orders view with the final state of every order the simulation settled', async () => {
    const db = openDatabase(path.join(dir, 'orders.db'));
    const result = await replay({ db, def: builtinView('orders')!, cluster: bed.rt.cluster, codec: await codec() });
    expect(result.errors).toBe(0);
    expect(result.events).toBe(
      Object.entries(summary.events)
        .filter(([k]) => k.startsWith('shop.orders:'))
        .reduce((s, [, n]) => s + (n ?? 0), 0),
    );
    const states = db.prepare('SELECT order_id, state, reason FROM orders').all() as {
      order_id: string;
      state: string;
      reason: string | null;
    }[];
    expect(states).toHaveLength(summary.outcomes.size);
    for (const row of states)
      expect({ state: row.state, reason: row.reason }, row.order_id).toEqual(summary.outcomes.get(row.order_id));
    const completed = db.prepare("SELECT * FROM orders WHERE state = 'COMPLETED' LIMIT 1").get() as Record<
      string,
      unknown
    >;
    expect(completed.placed_at).toBeTypeOf('number');
    expect(completed.completed_at as number).toBeGreaterThanOrEqual(completed.confirmed_at as number);
    expect(JSON.parse(completed.lines as string)[0]).toHaveProperty('sku');
    // offsets stored with the rows: a second replay has nothing to do
    const again = await replay({ db, def: builtinView('orders')!, cluster: bed.rt.cluster, codec: await codec() });
    expect(again.events).toBe(0);
    expect(positions(db, 'orders').map((p) => p.topic)).toEqual(['shop.orders', 'shop.orders', 'shop.orders']);
    db.close();
  }, 60_000);

  it('killed with SIGKILL at several points and resumed, ends with the same rows as a clean rebuild', async () => {
    const file = path.join(dir, 'killed.db');
    const args = [
      '--brokers',
      bed.broker.bootstrap,
      '--registry',
      bed.broker.registryUrl!,
      'replay',
      'entities',
      '--db',
      file,
    ];
    let kills = 0;
    for (const delay of [400, 700, 1000, 1300]) {
      const p = startEvt(args);
      // let it commit something first, then kill it wherever it is
      await until(() => fs.existsSync(file) && p.stderr().length >= 0, 20_000, 'the database');
      await new Promise((r) => setTimeout(r, delay));
      if (p.proc.exitCode === null) {
        p.proc.kill('SIGKILL');
        kills++;
      }
      await p.done;
    }
    expect(kills).toBeGreaterThan(0);
    const finished = await runInProcess([...args, '--json'], { timeoutMs: 60_000 });
    expect(finished.code, finished.stderr).toBe(0);

    const clean = path.join(dir, 'clean.db');
    const rebuilt = await runInProcess(
      [
        '--brokers',
        bed.broker.bootstrap,
        '--registry',
        bed.broker.registryUrl!,
        'replay',
        'entities',
        '--db',
        clean,
        '--rebuild',
      ],
      { timeoutMs: 60_000 },
    );
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    const a = openDatabase(file, { readonly: true });
    const b = openDatabase(clean, { readonly: true });
    // the entity index of the bundled flow (found by its topics): one row per event of every order
    const left = rows(a, 'entity_events', 'topic, partition, offset');
    expect(left.length).toBeGreaterThan(10_000);
    expect(left).toEqual(rows(b, 'entity_events', 'topic, partition, offset'));
    expect(positions(a, 'entities')).toEqual(positions(b, 'entities'));
    a.close();
    b.close();
  }, 180_000);

  it('keeps the last value per key for latest <topic>, deletes a key on a null value, and records undecodable events', async () => {
    await bed.admin.createTopic({ name: 'customers', partitions: 2 });
    const producer = bed.rt.producer;
    const send = (key: string, value: string | null) =>
      producer.send('customers', {
        key: Buffer.from(key),
        value: value === null ? null : Buffer.from(value),
        headers: [],
      });
    await send('c1', '{"name":"Ada","tier":"gold"}');
    await send('c2', '{"name":"Bob"}');
    await send('c1', '{"name":"Ada","tier":"platinum"}');
    await send('c2', null);
    const db = openDatabase(path.join(dir, 'latest.db'));
    const result = await replay({
      db,
      def: builtinView('latest-customers')!,
      cluster: bed.rt.cluster,
      codec: await codec(),
    });
    expect(result.events).toBe(4);
    expect(db.prepare('SELECT key, value, updates FROM latest_customers').all()).toEqual([
      { key: 'c1', value: '{"name":"Ada","tier":"platinum"}', updates: 2 },
    ]);

    // a garbage value on a workflow topic: the orders view records it and goes on to later events
    const garbage = await producer.send('shop.orders', {
      key: Buffer.from('o-garbage'),
      value: Buffer.from([0, 0, 0, 0, 99, 1, 2]),
      headers: [],
    });
    const ordersDb = openDatabase(path.join(dir, 'orders-errors.db'));
    const r = await replay({
      db: ordersDb,
      def: builtinView('orders')!,
      cluster: bed.rt.cluster,
      codec: await codec(),
    });
    expect(r.errors).toBe(1);
    const [error] = errorsOf(ordersDb, 'orders');
    expect(error).toMatchObject({ topic: 'shop.orders', partition: garbage.partition, offset: garbage.offset });
    expect(error.error).toMatch(/cannot decode the value: .*schema id 99/);
    expect((ordersDb.prepare('SELECT count(*) AS n FROM orders').get() as { n: number }).n).toBe(summary.outcomes.size);
    db.close();
    ordersDb.close();
  }, 60_000);

  it('--follow picks up events produced after it caught up', async () => {
    await bed.admin.createTopic({ name: 'follow.me', partitions: 1 });
    const db = openDatabase(path.join(dir, 'follow.db'));
    const stop = new AbortController();
    const running = replay({
      db,
      def: builtinView('latest-follow.me')!,
      cluster: bed.rt.cluster,
      codec: await codec(),
      follow: true,
      signal: stop.signal,
      rebuild: true,
    }).catch((e: Error) => e);
    const send = (key: string, value: string) =>
      bed.rt.producer.send('follow.me', { key: Buffer.from(key), value: Buffer.from(value), headers: [] });
    await send('k', '{"v":"first"}');
    await until(
      () =>
        (db.prepare('SELECT value FROM latest_follow_me').get() as { value: string } | undefined)?.value ===
        '{"v":"first"}',
      20_000,
      'the first value',
    );
    await send('k', '{"v":"second"}');
    await until(
      () =>
        (db.prepare('SELECT value FROM latest_follow_me').get() as { value: string } | undefined)?.value ===
        '{"v":"second"}',
      20_000,
      'the second value',
    );
    stop.abort();
    const result = await running;
    expect(result).not.toBeInstanceOf(Error);
    db.close();
  }, 60_000);
});
