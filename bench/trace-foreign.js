#!/usr/bin/env node
// bench/trace-foreign: `evt trace` on an event system evt did not write, by an id that is neither a key nor
// where evt's own workflow keeps it: a `correlationId` header and a nested JSON field (`$.cart.cartId`), the
// keys being customer, session, payment, warehouse, carrier and e-mail ids. Next to the reference a user
// would reach for, `kcat -C -e ... | grep -F <id>` over the same topics in the same run, and to the same trace
// answered by the flow's entity index.
//
//   fill       N events (default 1,000,000) of a checkout system over 6 topics, about 10 per cart, values JSON
//              as Python's json.dumps writes it (spaces), written with `evt produce --json --file`; shapes:
//              plain, and gzip-compressed batches (the same events on a second set of topics)
//   carts      three cart ids: one of the first, one of the middle and one of the last carts
//   trace      `evt trace <id> --flow F --json` (F: the flow `evt flow infer` writes for the cluster: the id
//              at the header, not a key, so every partition is searched), 3 runs, median wall time (process
//              start included) and the engine's own time; and once with --no-flow (conventions only)
//   reference  for each topic `kcat -C -e -q -f '%k %h %s\n' | grep -cF <id>`, one shell pipeline
//   index      `evt replay entities --flow F` (its time), then `evt trace <id> --flow F --db ...`: the engine's
//              time (the index answers) and the wall time
//
//   node bench/trace-foreign.js [--events 1000000] [--json]
//
// Aims (issue 14): the scan at least as fast as kcat piped to grep; from the index under 100 ms.
// Needs `npm run build`; kcat on the PATH.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { median, runEvt, startBroker, stopBroker } from './lib.js';

const { values: args } = parseArgs({
  options: { events: { type: 'string', default: '1000000' }, json: { type: 'boolean', default: false } },
});
const log = (m) => process.stderr.write(`bench: ${m}\n`);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'evt-bench-trace-foreign-'));
const EVENTS = Number(args.events);
const RUNS = 3;
const PARTITIONS = 3;

// a checkout system: per cart, the topics its events go to, keyed by someone else's id each
const STEPS = [
  ['carts', 'CartOpened', 'customer'],
  ['carts', 'ItemAdded', 'customer'],
  ['carts', 'ItemAdded', 'customer'],
  ['checkout', 'CheckoutStarted', 'session'],
  ['payments', 'PaymentCaptured', 'payment'],
  ['fulfilment', 'PickListCreated', 'warehouse'],
  ['fulfilment', 'Packed', 'warehouse'],
  ['shipping', 'LabelCreated', 'carrier'],
  ['shipping', 'Shipped', 'carrier'],
  ['notifications', 'EmailSent', 'email'],
];
const TOPICS = [...new Set(STEPS.map((s) => s[0]))];
const cartId = (n) => `C-${String(n).padStart(7, '0')}`;

/** Writes one NDJSON file of record envelopes per topic; returns the number of carts. */
function generate(dir, t0) {
  const carts = Math.ceil(EVENTS / STEPS.length);
  const files = Object.fromEntries(TOPICS.map((t) => [t, fs.openSync(path.join(dir, `${t}.ndjson`), 'w')]));
  const buffers = Object.fromEntries(TOPICS.map((t) => [t, []]));
  const flush = (t) => {
    fs.writeSync(files[t], buffers[t].join(''));
    buffers[t] = [];
  };
  let written = 0;
  for (let c = 0; c < carts && written < EVENTS; c++) {
    const id = cartId(c);
    const start = t0 + c * 5;
    STEPS.forEach(([topic, type, keyKind], i) => {
      if (written >= EVENTS) return;
      written++;
      const value = {
        eventType: type,
        cart: { cartId: id, customer: `U-${(c * 7919) % 50000}`, currency: 'EUR' },
        item: { sku: `SKU-${(c + i) % 300}`, qty: 1 + (i % 3), price: 1999 },
        at: new Date(start + i * 40).toISOString(),
      };
      // Python's json.dumps: ", " and ": " separators
      const text = JSON.stringify(value).replace(/","/g, '", "').replace(/":/g, '": ').replace(/,"/g, ', "');
      const key = `${keyKind}-${(c * 31 + i) % 20000}`;
      buffers[topic].push(
        JSON.stringify({
          key,
          headers: { correlationId: id, eventType: type, source: `/acme/${topic}` },
          value: text,
          timestamp: start + i * 40,
        }) + '\n',
      );
      if (buffers[topic].length >= 5000) flush(topic);
    });
  }
  for (const t of TOPICS) {
    flush(t);
    fs.closeSync(files[t]);
  }
  return { carts, written };
}

if (spawnSync('kcat', ['-V']).status !== 0)
  throw new Error('bench/trace-foreign needs kcat on the PATH (the reference)');
const broker = await startBroker({ dataDir: path.join(work, 'data'), partitions: PARTITIONS });
const conn = ['--brokers', broker.bootstrap];
const results = { events: EVENTS, topics: TOPICS.length, partitions: PARTITIONS, shapes: [] };
try {
  const gen = path.join(work, 'gen');
  fs.mkdirSync(gen);
  const { carts, written } = generate(gen, Date.now() - 3600_000);
  results.carts = carts;
  log(`generated ${written} events of ${carts} carts`);
  for (const shape of [
    { name: 'json', prefix: 'acme.', compression: 'none' },
    { name: 'json, gzip batches', prefix: 'acme-gz.', compression: 'gzip' },
  ]) {
    const topics = TOPICS.map((t) => shape.prefix + t);
    const fill = process.hrtime.bigint();
    for (const t of TOPICS) {
      runEvt([...conn, 'topics', 'create', shape.prefix + t, '--partitions', String(PARTITIONS)]);
      runEvt([
        ...conn,
        'produce',
        shape.prefix + t,
        '--json',
        '--file',
        path.join(gen, `${t}.ndjson`),
        '--compression',
        shape.compression,
      ]);
    }
    const fillSecs = Number(process.hrtime.bigint() - fill) / 1e9;
    log(`${shape.name}: filled ${topics.length} topics in ${fillSecs.toFixed(1)} s`);
    // the flow a user would get: evt flow infer over these topics
    const flowFile = path.join(work, `${shape.prefix}flow.json`);
    runEvt([
      ...conn,
      'flow',
      'infer',
      '--pattern',
      `^${shape.prefix.replace(/[.-]/g, '\\$&')}`,
      '--since',
      '-2h',
      '--per-partition',
      '2000',
      '--output',
      flowFile,
      '--force',
    ]);
    const flow = JSON.parse(fs.readFileSync(flowFile, 'utf8'));
    const picks = [
      ['first', cartId(0)],
      ['middle', cartId(Math.floor(carts / 2))],
      ['last', cartId(carts - 1)],
    ];
    const entry = {
      shape: shape.name,
      compression: shape.compression,
      fillSecs,
      idLocations: Object.fromEntries(Object.entries(flow.topics).map(([t, s]) => [t, s.id])),
      traces: [],
    };
    // the entity index, for the same traces answered from it
    const db = path.join(work, `${shape.prefix}views.db`);
    const replay = runEvt([...conn, '--json', 'replay', 'entities', '--flow', flowFile, '--db', db]);
    entry.index = { replaySecs: replay.secs, events: JSON.parse(replay.stdout).events };
    for (const [position, id] of picks) {
      log(`${shape.name}: evt trace ${id} (${position})`);
      const runs = [];
      for (let i = 0; i < RUNS; i++) {
        const r = runEvt([...conn, '--json', 'trace', id, '--flow', flowFile, '--db', path.join(work, 'none.db')]);
        const t = JSON.parse(r.stdout);
        runs.push({
          secs: r.secs,
          engineMs: t.scan.elapsedMs,
          recordsExamined: t.scan.recordsExamined,
          events: t.events.length,
          status: t.verdict.status,
        });
      }
      const noFlow = runEvt([...conn, '--json', 'trace', id, '--no-flow']);
      const nf = JSON.parse(noFlow.stdout);
      const fromIndex = [0, 1, 2].map(() => {
        const r = runEvt([...conn, '--json', 'trace', id, '--flow', flowFile, '--db', db]);
        const t = JSON.parse(r.stdout);
        if (t.source !== 'entity index') throw new Error(`the index did not answer: ${t.scan.notes.join('; ')}`);
        return { secs: r.secs, engineMs: t.scan.elapsedMs, events: t.events.length };
      });
      log(`${shape.name}: kcat -C -e ${topics.length} topics | grep -cF ${id}`);
      const script = `for t in ${topics.join(' ')}; do kcat -b "$1" -C -t "$t" -o beginning -e -q -f '%k %h %s\\n' || exit 9; done | grep -cF -- "$2"`;
      const t0 = process.hrtime.bigint();
      const g = spawnSync('bash', ['-c', script, 'bench', broker.bootstrap, id], { encoding: 'utf8' });
      const scanSecs = Number(process.hrtime.bigint() - t0) / 1e9;
      if (g.status !== 0 && g.status !== 1) throw new Error(`kcat | grep exited ${g.status}: ${g.stderr}`);
      const secs = median(runs.map((r) => r.secs));
      const s = runs.find((r) => r.secs === secs);
      const idx = fromIndex.find((r) => r.secs === median(fromIndex.map((x) => x.secs)));
      entry.traces.push({
        position,
        id,
        secs,
        engineMs: s.engineMs,
        recordsExamined: s.recordsExamined,
        events: s.events,
        status: s.status,
        noFlow: { secs: noFlow.secs, engineMs: nf.scan.elapsedMs, events: nf.events.length },
        kcatGrep: { secs: scanSecs, lines: Number(g.stdout.trim()) },
        ratio: scanSecs / secs,
        index: { secs: idx.secs, engineMs: idx.engineMs, events: idx.events },
        met: { scan: secs <= scanSecs, index: idx.engineMs < 100 },
      });
    }
    results.shapes.push(entry);
  }
  results.startMs = median([0, 1, 2].map(() => runEvt(['--version']).secs * 1000));
} finally {
  await stopBroker(broker);
  fs.rmSync(work, { recursive: true, force: true });
}

if (args.json) process.stdout.write(JSON.stringify(results) + '\n');
else {
  console.log(
    `evt bench/trace-foreign: ${EVENTS} events of ${results.carts} carts on ${results.topics} topics x ${results.partitions} partitions, id in a header and a JSON field (not the key), on evt broker, ${os.cpus().length} cores`,
  );
  console.log(`  evt --version: ${Math.round(results.startMs)} ms wall (process start alone, median of 3)`);
  for (const s of results.shapes) {
    console.log(
      `  shape ${s.shape}: filled in ${s.fillSecs.toFixed(1)} s; inferred id locations ${JSON.stringify(s.idLocations)}; entity index built in ${s.index.replaySecs.toFixed(1)} s (${s.index.events} events)`,
    );
    for (const t of s.traces) {
      console.log(
        `    ${t.position.padEnd(6)} ${t.id}: evt trace ${Math.round(t.secs * 1000)} ms wall (median of ${RUNS}), engine ${t.engineMs} ms, ${t.recordsExamined} records examined, ${t.events} events, ${t.status}; ` +
          `--no-flow ${Math.round(t.noFlow.secs * 1000)} ms (${t.noFlow.events} events)`,
      );
      console.log(
        `           kcat -C -e | grep -cF: ${Math.round(t.kcatGrep.secs * 1000)} ms (${t.kcatGrep.lines} lines): evt is ${t.ratio.toFixed(2)}x its speed; aim >= 1x: ${t.met.scan ? 'met' : 'not met'}`,
      );
      console.log(
        `           from the entity index: engine ${t.index.engineMs} ms (${t.index.events} events), ${Math.round(t.index.secs * 1000)} ms wall; aim < 100 ms: ${t.met.index ? 'met' : 'not met'}`,
      );
    }
  }
}
