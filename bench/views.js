#!/usr/bin/env node
// bench/views: replaying workflow events into SQLite views, next to the raw read rate of the same topics.
//
//   fill       `evt simulate --orders N` on `evt broker` (spawned): about 30 workflow events per order
//   replay     `evt replay orders` and `evt replay order-events` into a fresh database: events/s
//   reference  kcat -C -e of the same topics to /dev/null, in the same run: what reading alone costs
//   lookups    `evt view get orders <id>`: in-process key lookups (getRow on an open database), and the CLI's
//              wall time for one (process start included)
//
//   node bench/views.js [--orders 30000] [--json]
//
// Needs `npm run build`; kcat on the PATH for the reference.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { EVT, startBroker } from './lib.js';

const { values: args } = parseArgs({ options: { orders: { type: 'string', default: '30000' }, json: { type: 'boolean', default: false } } });
const log = (m) => process.stderr.write(`bench: ${m}\n`);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'evt-bench-views-'));
const ORDERS = Number(args.orders);

function evt(argv) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [EVT, ...argv], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`evt ${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { secs, stdout: r.stdout };
}

const broker = await startBroker({ dataDir: path.join(work, 'data'), partitions: 3, registry: true });
const conn = ['--brokers', broker.bootstrap, '--registry', broker.registry];
const results = { orders: ORDERS, views: [], reference: [], lookups: null };
try {
  log(`filling: ${ORDERS} orders through evt simulate`);
  evt([...conn, 'simulate', '--orders', String(ORDERS), '--rate', '1500/s', '--drain', '60s']);
  const db = path.join(work, 'views.db');
  for (const [view, topics] of [
    ['orders', ['orders']],
    ['order-events', ['basket.order-requests', 'orders', 'inventory.reservations', 'payments', 'fraud.checks', 'shipments']],
  ]) {
    log(`replay ${view}`);
    const r = evt([...conn, '--json', 'replay', view, '--db', db]);
    const s = JSON.parse(r.stdout);
    results.views.push({ view, events: s.events, secs: r.secs, perSec: s.events / r.secs, engineSecs: s.elapsedMs / 1000 });
    if (spawnSync('kcat', ['-V']).status === 0) {
      const t0 = process.hrtime.bigint();
      let records = 0;
      for (const t of topics) {
        const k = spawnSync('kcat', ['-b', broker.bootstrap, '-C', '-t', t, '-o', 'beginning', '-e', '-q', '-f', '.'], { encoding: 'utf8', maxBuffer: 1 << 30 });
        records += k.stdout.length;
      }
      const secs = Number(process.hrtime.bigint() - t0) / 1e9;
      results.reference.push({ view, records, secs, perSec: records / secs });
    }
  }
  // lookups: in-process on the built database, then one CLI call
  const { openDatabase, viewInfo } = await import('../dist/src/views/store.js');
  const { getRow } = await import('../dist/src/views/query.js');
  const handle = openDatabase(db, { readonly: true });
  const info = viewInfo(handle, 'orders');
  const ids = handle.prepare('SELECT order_id FROM orders').all().map((r) => r.order_id);
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

if (args.json) process.stdout.write(JSON.stringify(results) + '\n');
else {
  console.log(`evt bench/views: ${ORDERS} simulated orders on evt broker, ${os.cpus().length} cores`);
  for (const v of results.views) {
    const ref = results.reference.find((r) => r.view === v.view);
    console.log(
      `  evt replay ${v.view.padEnd(13)} ${String(v.events).padStart(8)} events  ${String(Math.round(v.perSec)).padStart(7)} events/s (${v.secs.toFixed(2)} s wall, process start included)` +
        (ref ? `   reference kcat -C -e: ${String(Math.round(ref.perSec)).padStart(7)} rec/s (${ref.records} records, ${ref.secs.toFixed(2)} s)` : '   reference: kcat not installed'),
    );
  }
  const l = results.lookups;
  console.log(`  evt view get orders <id>: ${l.perLookupUs.toFixed(1)} µs per in-process lookup (${l.lookups} lookups); the CLI: ${(l.cliSecs * 1000).toFixed(0)} ms per call, process start included`);
}
