#!/usr/bin/env node
// bench/views: replaying workflow events into SQLite views, next to the raw read rate of the same topics.
//
//   fill       `evt simulate --orders N` on `evt broker` (spawned): about 30 workflow events per order
//   replay     `evt replay orders` and `evt replay entities --flow shop` (the bundled flow's entity index, a row
//              and an envelope per event) into a fresh database: events/s
//   reference  kcat -C -e of the same topics to /dev/null, in the same run: what reading alone costs
//   sqlite     the orders view's final rows inserted again into a fresh copy of its table (one prepared
//              INSERT, transactions of 10,000): what writing the rows alone costs on this machine
//   lookups    `evt view get orders <id>`: in-process key lookups (getRow on an open database), and the CLI's
//              wall time for one (process start included)
//
//   node bench/views.js [--orders 70000] [--json]     (70,000 orders make about 1,000,000 workflow events)
//
// Needs `npm run build`; kcat on the PATH for the reference.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runEvt, startBroker } from './lib.js';

const { values: args } = parseArgs({
  options: { orders: { type: 'string', default: '70000' }, json: { type: 'boolean', default: false } },
});
const log = (m) => process.stderr.write(`bench: ${m}\n`);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'evt-bench-views-'));
const ORDERS = Number(args.orders);

const evt = runEvt;

const broker = await startBroker({ dataDir: path.join(work, 'data'), partitions: 3, registry: true });
const conn = ['--brokers', broker.bootstrap, '--registry', broker.registry];
const results = { orders: ORDERS, workflowEvents: 0, views: [], reference: [], sqlite: null, lookups: null };
try {
  log(`filling: ${ORDERS} orders through evt simulate`);
  const sim = JSON.parse(
    evt([...conn, '--json', 'simulate', '--orders', String(ORDERS), '--rate', '1200/s', '--drain', '120s']).stdout,
  );
  results.workflowEvents = Object.values(sim.events).reduce((a, b) => a + b, 0);
  const db = path.join(work, 'views.db');
  for (const [view, topics, extra] of [
    ['orders', ['shop.orders'], []],
    [
      'entities',
      [
        'basket.order-requests',
        'orders',
        'inventory.reservations',
        'inventory.stock',
        'payments',
        'fraud.checks',
        'shipments',
      ].map((t) => `shop.${t}`),
      ['--flow', 'shop'],
    ],
  ]) {
    log(`replay ${view}`);
    const r = evt([...conn, '--json', 'replay', view, ...extra, '--db', db]);
    const s = JSON.parse(r.stdout);
    results.views.push({
      view,
      events: s.events,
      secs: r.secs,
      perSec: s.events / r.secs,
      engineSecs: s.elapsedMs / 1000,
    });
    if (spawnSync('kcat', ['-V']).status === 0) {
      const t0 = process.hrtime.bigint();
      let records = 0;
      for (const t of topics) {
        const k = spawnSync('kcat', ['-b', broker.bootstrap, '-C', '-t', t, '-o', 'beginning', '-e', '-q', '-f', '.'], {
          encoding: 'utf8',
          maxBuffer: 1 << 30,
        });
        records += k.stdout.length;
      }
      const secs = Number(process.hrtime.bigint() - t0) / 1e9;
      results.reference.push({ view, records, secs, perSec: records / secs });
    }
  }
  const { openDatabase, viewInfo } = await import('../dist/src/views/store.js');
  results.sqlite = await sqliteFloor(db, openDatabase);
  // lookups: in-process on the built database, then one CLI call
  const { getRow } = await import('../dist/src/views/query.js');
  const handle = openDatabase(db, { readonly: true });
  const info = viewInfo(handle, 'orders');
  const ids = handle
    .prepare('SELECT order_id FROM orders')
    .all()
    .map((r) => r.order_id);
  const t0 = process.hrtime.bigint();
  const n = Math.min(ids.length * 3, 100_000);
  for (let i = 0; i < n; i++) if (!getRow(handle, info, ids[(i * 7919) % ids.length])) throw new Error('missing row');
  const perLookupUs = Number(process.hrtime.bigint() - t0) / 1e3 / n;
  handle.close();
  const cli = evt(['view', 'get', 'orders', ids[0], '--db', db]);
  results.lookups = { lookups: n, perLookupUs, cliSecs: cli.secs };
} finally {
  await new Promise((resolve) => {
    broker.proc.once('exit', resolve);
    broker.proc.kill('SIGTERM');
  });
  fs.rmSync(work, { recursive: true, force: true });
}

/** Inserts the orders view's rows again into a fresh copy of its table: the cost of the writes alone. */
async function sqliteFloor(dbFile, openDatabase) {
  const { builtinView } = await import('../dist/src/views/builtin.js');
  const source = openDatabase(dbFile, { readonly: true });
  const rows = source.prepare('SELECT * FROM orders').raw().all();
  source.close();
  const copy = openDatabase(path.join(work, 'floor.db'));
  builtinView('orders').create(copy);
  const insert = copy.prepare(`INSERT INTO orders VALUES (${rows[0].map(() => '?').join(', ')})`);
  const write = copy.transaction((from, to) => {
    for (let i = from; i < to; i++) insert.run(rows[i]);
  });
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < rows.length; i += 10_000) write(i, Math.min(rows.length, i + 10_000));
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  copy.close();
  return { rows: rows.length, secs, rowsPerSec: rows.length / secs };
}

if (args.json) process.stdout.write(JSON.stringify(results) + '\n');
else {
  console.log(
    `evt bench/views: ${ORDERS} simulated orders (${results.workflowEvents} workflow events) on evt broker, ${os.cpus().length} cores`,
  );
  for (const v of results.views) {
    const ref = results.reference.find((r) => r.view === v.view);
    console.log(
      `  evt replay ${v.view.padEnd(13)} ${String(v.events).padStart(8)} events  ${String(Math.round(v.perSec)).padStart(7)} events/s (${v.secs.toFixed(2)} s wall, process start included)` +
        (ref
          ? `   reference kcat -C -e: ${String(Math.round(ref.perSec)).padStart(7)} rec/s (${ref.records} records, ${ref.secs.toFixed(2)} s)`
          : '   reference: kcat not installed'),
    );
  }
  const f = results.sqlite;
  console.log(
    `  reference SQLite alone: the orders view's ${f.rows} rows inserted into a fresh table: ${Math.round(f.rowsPerSec)} rows/s (${((f.secs * 1e6) / f.rows).toFixed(1)} µs per row)`,
  );
  const l = results.lookups;
  console.log(
    `  evt view get orders <id>: ${l.perLookupUs.toFixed(1)} µs per in-process lookup (${l.lookups} lookups); the CLI: ${(l.cliSecs * 1000).toFixed(0)} ms per call, process start included`,
  );
}
