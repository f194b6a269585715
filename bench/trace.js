#!/usr/bin/env node
// bench/trace: following one order with `evt trace`, next to a full scan of the same topics for its id.
//
//   fill       `evt simulate --orders N` on `evt broker` (spawned): about 15 workflow events per order
//   orders     three order ids from partition 0 of `orders`: its first record, the one at its middle offset
//              and its last (keys are order ids), i.e. early, middle and late in the run
//   trace      `evt trace <id> --json` (no views database: the topics answer), 3 runs per order, median of
//              the wall time (process start included); the engine's own elapsedMs and records examined from
//              its scan report; one `--all-partitions` run per order
//   reference  `kcat -C -e` of each of the 7 workflow topics piped into `grep -c <id>`, one shell pipeline,
//              in the same run: what finding the order by reading everything costs
//
//   node bench/trace.js [--orders 70000] [--json]     (70,000 orders make about 1,000,000 workflow events)
//
// Aim: every trace under one second and at least ten times faster than the full scan.
// Needs `npm run build`; kcat on the PATH for the order ids and the reference.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { median, runEvt, startBroker, stopBroker } from './lib.js';

const { values: args } = parseArgs({
  options: { orders: { type: 'string', default: '70000' }, json: { type: 'boolean', default: false } },
});
const log = (m) => process.stderr.write(`bench: ${m}\n`);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'evt-bench-trace-'));
const ORDERS = Number(args.orders);
const RUNS = 3;
const AIM_MS = 1000;
const AIM_SPEEDUP = 10;
// the workflow's topics under evt simulate's default prefix
const TOPICS = [
  'basket.order-requests',
  'orders',
  'inventory.reservations',
  'inventory.stock',
  'payments',
  'fraud.checks',
  'shipments',
].map((t) => `shop.${t}`);

const evt = runEvt;

function kcat(argv) {
  const r = spawnSync('kcat', argv, { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`kcat ${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

if (spawnSync('kcat', ['-V']).status !== 0)
  throw new Error('bench/trace needs kcat on the PATH (order ids and the full-scan reference)');
const broker = await startBroker({ dataDir: path.join(work, 'data'), partitions: 3, registry: true });
const conn = ['--brokers', broker.bootstrap, '--registry', broker.registry];
const results = {
  orders: ORDERS,
  workflowEvents: 0,
  records: 0,
  startMs: 0,
  aim: { ms: AIM_MS, speedup: AIM_SPEEDUP },
  traces: [],
};
try {
  log(`filling: ${ORDERS} orders through evt simulate`);
  const sim = JSON.parse(
    evt([...conn, '--json', 'simulate', '--orders', String(ORDERS), '--rate', '1200/s', '--drain', '120s']).stdout,
  );
  results.workflowEvents = Object.values(sim.events).reduce((a, b) => a + b, 0);

  // the order ids: first, middle and last record of shop.orders partition 0 (its end from ListOffsets latest)
  const end = Number(/offset (\d+)/.exec(kcat(['-b', broker.bootstrap, '-Q', '-t', 'shop.orders:0:-1']))?.[1]);
  if (!(end > 0)) throw new Error('shop.orders partition 0 is empty');
  const keyAt = (offset) =>
    kcat([
      '-b',
      broker.bootstrap,
      '-C',
      '-t',
      'shop.orders',
      '-p',
      '0',
      '-o',
      String(offset),
      '-c',
      '1',
      '-e',
      '-q',
      '-f',
      '%k',
    ]);
  const picks = [
    ['start', 0],
    ['middle', Math.floor(end / 2)],
    ['end', end - 1],
  ].map(([position, offset]) => ({ position, offset, orderId: keyAt(offset) }));

  const noDb = path.join(work, 'no-such-views.db'); // never created: the topics answer, not a view
  for (const p of picks) {
    log(`evt trace ${p.orderId} (${p.position}, orders[0]@${p.offset})`);
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      const r = evt([...conn, '--json', 'trace', p.orderId, '--db', noDb]);
      const t = JSON.parse(r.stdout);
      if (!t.found) throw new Error(`evt trace ${p.orderId} found nothing`);
      runs.push({
        secs: r.secs,
        engineMs: t.scan.elapsedMs,
        recordsExamined: t.scan.recordsExamined,
        events: t.events.length,
        complete: t.scan.complete,
        status: t.verdict.status,
        state: t.verdict.state,
        source: t.source,
      });
    }
    const all = evt([...conn, '--json', 'trace', p.orderId, '--db', noDb, '--all-partitions']);
    const a = JSON.parse(all.stdout);

    // the reference: every record of every workflow topic, keys and headers, through grep
    log(`kcat -C -e ${TOPICS.length} topics | grep -c ${p.orderId}`);
    const script = `for t in ${TOPICS.join(' ')}; do kcat -b "$1" -C -t "$t" -o beginning -e -q -f '%k %h\\n' || exit 9; done | grep -cF -- "$2"`;
    const t0 = process.hrtime.bigint();
    const g = spawnSync('bash', ['-c', script, 'bench', broker.bootstrap, p.orderId], { encoding: 'utf8' });
    const scanSecs = Number(process.hrtime.bigint() - t0) / 1e9;
    if (g.status !== 0 && g.status !== 1) throw new Error(`kcat | grep exited ${g.status}: ${g.stderr}`);

    const secs = median(runs.map((r) => r.secs));
    const s = runs.find((r) => r.secs === secs);
    results.traces.push({
      ...p,
      runs,
      secs,
      engineMs: s.engineMs,
      recordsExamined: s.recordsExamined,
      events: s.events,
      complete: s.complete,
      status: s.status,
      state: s.state,
      source: s.source,
      allPartitions: {
        secs: all.secs,
        engineMs: a.scan.elapsedMs,
        recordsExamined: a.scan.recordsExamined,
        events: a.events.length,
      },
      fullScan: { secs: scanSecs, matchedLines: Number(g.stdout.trim()) },
      speedup: scanSecs / secs,
      met: secs * 1000 < AIM_MS && scanSecs / secs >= AIM_SPEEDUP,
    });
  }
  // process start alone, for the wall times above
  results.startMs = median([0, 1, 2].map(() => evt(['--version']).secs * 1000));
  // all records of the workflow topics, for the report (what the full scan reads)
  for (const t of TOPICS)
    for (const m of kcat([
      '-b',
      broker.bootstrap,
      '-Q',
      ...[0, 1, 2].flatMap((pt) => ['-t', `${t}:${pt}:-1`]),
    ]).matchAll(/offset (\d+)/g))
      results.records += Number(m[1]);
} finally {
  await stopBroker(broker);
  fs.rmSync(work, { recursive: true, force: true });
}

if (args.json) process.stdout.write(JSON.stringify(results) + '\n');
else {
  console.log(
    `evt bench/trace: ${ORDERS} simulated orders (${results.workflowEvents} workflow events, ${results.records} records on the ${TOPICS.length} workflow topics) on evt broker, ${os.cpus().length} cores`,
  );
  console.log(`  evt --version: ${Math.round(results.startMs)} ms wall (process start alone, median of 3)`);
  for (const t of results.traces) {
    console.log(
      `  ${t.position.padEnd(6)} ${t.orderId} (orders[0]@${t.offset}): evt trace ${String(Math.round(t.secs * 1000)).padStart(5)} ms wall (median of ${RUNS}, process start included), ` +
        `engine ${t.engineMs} ms, ${t.recordsExamined} records examined, ${t.events} events, ${t.status}${t.state ? ` ${t.state}` : ''}`,
    );
    console.log(
      `         --all-partitions ${Math.round(t.allPartitions.secs * 1000)} ms wall (engine ${t.allPartitions.engineMs} ms, ${t.allPartitions.recordsExamined} records examined, ${t.allPartitions.events} events); ` +
        `full scan kcat -C -e | grep -c: ${Math.round(t.fullScan.secs * 1000)} ms (${t.fullScan.matchedLines} lines matched)`,
    );
    console.log(
      `         speedup ${t.speedup.toFixed(1)}x; aim: < 1 s and >= ${AIM_SPEEDUP}x: ${t.met ? 'met' : 'not met'}`,
    );
  }
}
