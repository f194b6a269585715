#!/usr/bin/env node
// bench/workflow: the bundled order workflow end to end, with the six services in one process (`evt
// simulate`, in-process workers) on `evt broker` (spawned, data on disk, fsync never).
//
//   latency     orders at a fixed rate (default 200/s): request -> decision (confirmed or final) p50/p99
//   throughput  orders offered at rising rates: orders/s sent and decided, and the latencies; the highest
//               rate whose latency stays bounded is the sustained rate
//   reference   in the same run on the same broker: kcat producing and consuming as many records of the
//               workflow's size as the highest rate's run carried, i.e. what the broker alone can move
//
//   node bench/workflow.js [--rate 200] [--seconds 15] [--rates 500,1000,1500,2000] [--json]
//
// Needs `npm run build`; kcat on the PATH for the reference (without it the reference is skipped, said so).

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { EVT, cpuSeconds, startBroker } from './lib.js';

const { values: args } = parseArgs({
  options: {
    rate: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '15' },
    rates: { type: 'string', default: '500,1000,1500,2000' },
    json: { type: 'boolean', default: false },
  },
});
const log = (m) => process.stderr.write(`bench: ${m}\n`);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'evt-bench-workflow-'));
const SECONDS = Number(args.seconds);

function simulate(broker, rate, orders, seed) {
  return new Promise((resolve, reject) => {
    const brokerCpu = cpuSeconds(broker.pid);
    const argv = [
      EVT,
      '--brokers',
      broker.bootstrap,
      '--registry',
      broker.registry,
      '--json',
      'simulate',
      '--orders',
      String(orders),
      '--rate',
      `${rate}/s`,
      '--seed',
      String(seed),
      '--drain',
      '60s',
    ];
    const p = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('exit', (code) => {
      if (code !== 0)
        return reject(new Error(`evt simulate exited ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`));
      const s = JSON.parse(out);
      resolve({ ...s, brokerCpu: cpuSeconds(broker.pid) - brokerCpu });
    });
  });
}

const eventsOf = (s) => Object.values(s.events).reduce((a, b) => a + b, 0);
const fmt = (n) => (Number.isFinite(n) ? String(Math.round(n)) : '-');

const broker = await startBroker({ dataDir: path.join(work, 'data'), partitions: 3, registry: true });
const results = { rate: Number(args.rate), seconds: SECONDS, fixed: null, sweep: [], reference: null };
try {
  // a warm-up: the JIT, the registry and the topics, so the first measured run is not the slow one
  await simulate(broker, 200, 400, 1);

  log(`fixed rate ${args.rate}/s for ${SECONDS}s`);
  results.fixed = await simulate(broker, Number(args.rate), Number(args.rate) * SECONDS, 2);
  let seed = 3;
  for (const rate of args.rates.split(',').map(Number)) {
    log(`offered ${rate}/s for ${SECONDS}s`);
    results.sweep.push({ offered: rate, ...(await simulate(broker, rate, rate * SECONDS, seed++)) });
  }

  // The reference: kcat moving the same number of records of the same size through the same broker.
  const biggest = results.sweep.at(-1);
  const records = eventsOf(biggest);
  const size = 200;
  if (spawnSync('kcat', ['-V']).status === 0) {
    const file = path.join(work, 'records.txt');
    fs.writeFileSync(file, `${'x'.repeat(size - 1)}\n`.repeat(records));
    const t0 = process.hrtime.bigint();
    const prod = spawnSync('kcat', ['-b', broker.bootstrap, '-P', '-t', 'bench.reference', '-l', file], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const produceSecs = Number(process.hrtime.bigint() - t0) / 1e9;
    const t1 = process.hrtime.bigint();
    const cons = spawnSync(
      'kcat',
      ['-b', broker.bootstrap, '-C', '-t', 'bench.reference', '-o', 'beginning', '-e', '-q'],
      { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 30 },
    );
    const consumeSecs = Number(process.hrtime.bigint() - t1) / 1e9;
    if (prod.status !== 0 || cons.status !== 0) throw new Error(`kcat failed: ${prod.stderr}${cons.stderr}`);
    results.reference = { records, size, producePerSec: records / produceSecs, consumePerSec: records / consumeSecs };
  }
} finally {
  await new Promise((resolve) => {
    broker.proc.once('exit', resolve);
    broker.proc.kill('SIGTERM');
  });
  fs.rmSync(work, { recursive: true, force: true });
}

if (args.json) {
  process.stdout.write(JSON.stringify(results) + '\n');
} else {
  const f = results.fixed;
  const line = (s) =>
    `${fmt(s.sentPerSecond).padStart(6)} sent/s ${fmt(s.decidedPerSecond).padStart(6)} decided/s   decision p50 ${fmt(s.latencyMs.decision.p50).padStart(5)} ms  p99 ${fmt(s.latencyMs.decision.p99).padStart(5)} ms   final p50 ${fmt(s.latencyMs.completion.p50).padStart(5)} ms   ${eventsOf(s)} events, broker cpu ${s.brokerCpu.toFixed(1)} s${s.violations.length ? `  ${s.violations.length} VIOLATIONS` : ''}`;
  console.log(
    `evt bench/workflow: evt simulate (six services in one process) on evt broker, 3 partitions, ${os.cpus().length} cores, ${SECONDS}s per rate`,
  );
  console.log(`fixed rate ${results.rate}/s:`);
  console.log(`  ${line(f)}`);
  console.log('offered rate:');
  for (const s of results.sweep) console.log(`  ${String(s.offered).padStart(5)}/s  ${line(s)}`);
  const sustained = results.sweep
    .filter((s) => s.latencyMs.decision.p99 < 2000 && s.decidedPerSecond >= 0.95 * s.offered)
    .at(-1);
  console.log(
    `sustained: ${sustained ? `${sustained.offered} orders/s (the highest offered rate decided at pace with p99 under 2 s)` : 'none of the offered rates'}`,
  );
  if (results.reference) {
    const r = results.reference;
    console.log(
      `reference (same broker, same run): kcat moving ${r.records} records of ${r.size} B (the largest run's event count):`,
    );
    console.log(`  kcat -P ${fmt(r.producePerSec)} rec/s, kcat -C -e ${fmt(r.consumePerSec)} rec/s`);
  } else console.log('reference: skipped (kcat is not installed)');
}
