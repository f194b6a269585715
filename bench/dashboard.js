#!/usr/bin/env node
// bench/dashboard: a soak of `evt demo` with its dashboard, and what the dashboard costs.
//
//   A  dashboard   `evt demo --port 0` on a tmux pseudo-terminal (120x40 by default: the wide layout, every
//                  panel at once) for N minutes, then `q`: the summary must follow
//   B  reference   in the same run, the same demo for the same N minutes without a terminal (the plain
//                  progress-line mode): the broker, the services and the orders without the dashboard
//
//   C  attached    `evt dashboard` alone, attached to the broker of a demo running without a terminal: the
//                  dashboard's own process, which must stay flat however long it runs (a demo's process also
//                  holds the simulation, whose bookkeeping of every order grows by design)
//   D  reference   in the same run as C, `evt tail -f --json` of the same topics (> /dev/null): a plain
//                  follower of the same events
//
// Every 10 s each is sampled: the node process's RSS (VmRSS) and its CPU time (utime + stime). For A the
// bytes the dashboard writes to the terminal (tmux pipe-pane) and its frames (one ESC[?2026h, ink's
// synchronized-output begin, per redraw) are counted too. Printed: RSS at 1 min, at the end and the max,
// the RSS slope over the second half (MB/min; a leak shows as a slope that stays above B's), CPU seconds per
// minute (the dashboard's extra cost = A - B), terminal bytes/s and frames/s.
//
//   node bench/dashboard.js [--minutes 3] [--rate 20/s] [--size 120x40] [--max-old-space MB] [--json]
//
// --max-old-space caps both processes' V8 old generation: RSS alone cannot tell garbage not yet collected
// from a leak, but a leaking process dies under a cap (exit 134, "heap out of memory") and a bounded one
// runs to the end with its RSS levelled.
//
// Needs `npm run build` and tmux.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { EVT, cpuSeconds } from './lib.js';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '3' },
    'max-old-space': { type: 'string' },
    runs: { type: 'string', default: 'demo,attached' },
    rate: { type: 'string', default: '20/s' },
    size: { type: 'string', default: '120x40' },
    json: { type: 'boolean', default: false },
  },
});
const MINUTES = Number(args.minutes);
const RATE = /\/s$/.test(args.rate) ? args.rate : `${args.rate}/s`;
const [COLUMNS, ROWS] = args.size.split('x').map(Number);
if (!(MINUTES > 0) || !(COLUMNS > 0) || !(ROWS > 0))
  throw new Error('usage: node bench/dashboard.js [--minutes 3] [--rate 20/s] [--size 120x40]');
const RUN_MS = MINUTES * 60_000;
const NODE_FLAGS = args['max-old-space'] ? [`--max-old-space-size=${Number(args['max-old-space'])}`] : [];
const SAMPLE_MS = 10_000;
const FRAME = Buffer.from('\x1b[?2026h');

const log = (m) => process.stderr.write(`bench: ${m}\n`);
if (spawnSync('tmux', ['-V']).status !== 0) {
  log('tmux is not installed (apt-get install tmux): the dashboard run needs a pseudo-terminal');
  process.exit(2);
}
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'evt-bench-dashboard-'));
const SOCKET = `evt-bench-dashboard-${process.pid}`;
const tmux = (...a) => {
  const r = spawnSync('tmux', ['-L', SOCKET, '-f', '/dev/null', ...a], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tmux ${a.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout;
};
let reference = null; // run B's child process, while it runs
let tmuxUp = false;
let socketPath = '';
function cleanup() {
  if (tmuxUp) spawnSync('tmux', ['-L', SOCKET, 'kill-server'], { stdio: 'ignore' });
  if (socketPath) fs.rmSync(socketPath, { force: true });
  tmuxUp = false;
  if (reference && reference.exitCode === null) reference.kill('SIGKILL');
  fs.rmSync(work, { recursive: true, force: true });
}
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    log(`${sig}: stopping`);
    cleanup();
    process.exit(130);
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const rssMb = (pid) => Number(/^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
const alive = (pid) => fs.existsSync(`/proc/${pid}/stat`);
const fileSize = (f) => (fs.existsSync(f) ? fs.statSync(f).size : 0);

/** Samples pid every 10 s for RUN_MS (t = 0 at the start): RSS, CPU, and `extra()`'s figures. */
async function soak(pid, name, extra = () => ({})) {
  const t0 = Date.now();
  const samples = [];
  const take = () => samples.push({ t: (Date.now() - t0) / 1000, rss: rssMb(pid), cpu: cpuSeconds(pid), ...extra() });
  for (let next = SAMPLE_MS; ; next += SAMPLE_MS) {
    await sleep(Math.max(0, t0 + next - Date.now()));
    if (!alive(pid)) throw new Error(`${name}: the demo exited early`);
    take();
    if (next % 60_000 === 0)
      log(
        `${name}: ${next / 60_000} of ${MINUTES} min, RSS ${samples.at(-1).rss.toFixed(0)} MB, CPU ${samples.at(-1).cpu.toFixed(1)} s`,
      );
    if (next >= RUN_MS) return samples;
  }
}

/** Least-squares slope of RSS (MB per minute) over the samples of the second half of the run. */
function slope(samples) {
  const pts = samples.filter((s) => s.t >= RUN_MS / 2000);
  if (pts.length < 2) return NaN;
  const mx = pts.reduce((a, p) => a + p.t, 0) / pts.length;
  const my = pts.reduce((a, p) => a + p.rss, 0) / pts.length;
  const num = pts.reduce((a, p) => a + (p.t - mx) * (p.rss - my), 0);
  const den = pts.reduce((a, p) => a + (p.t - mx) ** 2, 0);
  return (num / den) * 60;
}

function figures(samples) {
  const at1 = samples.reduce((best, s) => (Math.abs(s.t - 60) < Math.abs(best.t - 60) ? s : best));
  const end = samples.at(-1);
  const minutes = end.t / 60;
  return {
    rssAt1Min: at1.rss,
    rssEnd: end.rss,
    rssMax: Math.max(...samples.map((s) => s.rss)),
    rssSlopeSecondHalf: slope(samples),
    cpuPerMin: end.cpu / minutes, // the whole run, start-up included
    cpuPerMinSteady: end.t > at1.t ? ((end.cpu - at1.cpu) / (end.t - at1.t)) * 60 : NaN, // from 1 min on
    samples,
  };
}

/** Occurrences of ESC[?2026h in the first `upTo` bytes of a file (a few MB at most: read whole). */
function countFrames(file, upTo) {
  const data = fs.readFileSync(file).subarray(0, upTo);
  let frames = 0;
  for (let i = data.indexOf(FRAME); i >= 0; i = data.indexOf(FRAME, i + FRAME.length)) frames++;
  return frames;
}

// ---- A: the dashboard on a pseudo-terminal ----
async function runDashboard(name, evtArgs, expectSummary) {
  const go = path.join(work, 'go');
  const stream = path.join(work, 'terminal.bin');
  const errFile = path.join(work, 'a.stderr');
  // the demo waits for `go` so that pipe-pane is attached before its first byte; exec keeps the pane's pid
  // the node process's
  const cmd =
    `while [ ! -e '${go}' ]; do sleep 0.05; done; cd '${path.dirname(path.dirname(EVT))}' && ` +
    `exec env TERM=xterm-256color '${process.execPath}' ${NODE_FLAGS.join(' ')} '${EVT}' ${evtArgs.map((a) => `'${a}'`).join(' ')} 2>'${errFile}'`;
  tmux('new-session', '-d', '-s', 'a', '-x', String(COLUMNS), '-y', String(ROWS), 'sh', '-c', cmd);
  tmuxUp = true;
  socketPath = tmux('display-message', '-p', '#{socket_path}').trim();
  tmux('set-option', '-t', 'a', 'remain-on-exit', 'on');
  tmux('pipe-pane', '-o', '-t', 'a', `cat >> '${stream}'`);
  const pid = Number(tmux('display-message', '-p', '-t', 'a', '#{pane_pid}').trim());
  fs.writeFileSync(go, '');
  log(`${name}: evt ${evtArgs.join(' ')} (${COLUMNS}x${ROWS}, pid ${pid}) for ${MINUTES} min`);

  const samples = await soak(pid, name, () => ({ bytes: fileSize(stream) }));
  const end = samples.at(-1);
  const frames = countFrames(stream, end.bytes);
  const alternate = tmux('display-message', '-p', '-t', 'a', '#{alternate_on}').trim() === '1';

  // quit: the summary must follow once the last orders have settled
  tmux('send-keys', '-t', 'a', 'q');
  const quitAt = Date.now();
  let dead = false;
  while (!dead && Date.now() - quitAt < 60_000) {
    await sleep(250);
    dead = tmux('display-message', '-p', '-t', 'a', '#{pane_dead}').trim() === '1';
  }
  const quitSecs = (Date.now() - quitAt) / 1000;
  const status = dead ? Number(tmux('display-message', '-p', '-t', 'a', '#{pane_dead_status}').trim()) : null;
  const screen = tmux('capture-pane', '-p', '-J', '-S', '-300', '-t', 'a');
  const summary = screen.split('\n').filter((l) => /^(simulated \d+ orders|invariants:)/.test(l));
  tmux('kill-server');
  tmuxUp = false;
  if (!dead)
    throw new Error(`${name}: evt did not exit within 60 s of q:\n${screen}\n${fs.readFileSync(errFile, 'utf8')}`);
  return {
    ...figures(samples),
    bytesPerSec: end.bytes / end.t,
    framesPerSec: frames / end.t,
    bytesPerFrame: frames ? end.bytes / frames : NaN,
    frames,
    alternateScreen: alternate,
    quit: { secs: quitSecs, exitCode: status, summary, ok: status === 0 && (!expectSummary || summary.length === 2) },
  };
}

// ---- B: the same demo without a terminal ----
async function runReference() {
  const secs = Math.ceil(RUN_MS / 1000) + 5; // outlives the sampling
  reference = spawn(
    process.execPath,
    [...NODE_FLAGS, EVT, 'demo', '--port', '0', '--rate', RATE, '--duration', `${secs}s`],
    { stdio: ['ignore', 'ignore', 'ignore'] },
  );
  const exited = new Promise((resolve) => reference.once('exit', (code, signal) => resolve(code ?? signal)));
  log(`B: reference, no terminal (pid ${reference.pid}) for ${MINUTES} min at ${RATE}`);
  const samples = await soak(reference.pid, 'B reference');
  const code = await exited;
  reference = null;
  return { ...figures(samples), exitCode: code };
}

// ---- C and D: the dashboard alone, and a plain follower, on the broker of a demo without a terminal ----
async function runAttached() {
  const secs = Math.ceil(RUN_MS / 1000) + 90; // the load outlives both
  const loadGen = spawn(process.execPath, [EVT, 'demo', '--port', '0', '--rate', RATE, '--duration', `${secs}s`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  reference = loadGen;
  let err = '';
  loadGen.stderr.on('data', (d) => (err += d));
  const deadline = Date.now() + 30_000;
  let where;
  while (!(where = /broker (\S+) {2}registry (\S+?);/.exec(err)) && Date.now() < deadline) await sleep(100);
  if (!where) throw new Error(`the demo did not say where its broker is:\n${err}`);
  const [, brokers, registry] = where;
  const follower = spawn(
    process.execPath,
    [...NODE_FLAGS, EVT, '--brokers', brokers, '--registry', registry, 'tail', ...TAILED, '-f', '--json'],
    { stdio: ['ignore', 'ignore', 'ignore'] },
  );
  const followed = soak(follower.pid, 'D evt tail -f');
  const c = await runDashboard(
    'C dashboard attached',
    ['--brokers', brokers, '--registry', registry, 'dashboard', '--since', '1m'],
    false,
  );
  const d = figures(await followed);
  follower.kill('SIGTERM');
  loadGen.kill('SIGINT');
  await new Promise((r) => loadGen.once('exit', r));
  reference = null;
  return { c, d };
}

/** The topics the dashboard tails: the order-keyed workflow topics and the dead-letter topics. */
const TAILED = [
  ...['basket.order-requests', 'orders', 'inventory.reservations', 'payments', 'fraud.checks', 'shipments'].map(
    (t) => `shop.${t}`,
  ),
  ...['basket', 'orders', 'inventory', 'payments', 'fraud', 'shipping'].map((s) => `shop.dlq.${s}`),
];

const load = os.loadavg()[0];
const runs = new Set(args.runs.split(','));
const a = runs.has('demo') ? await runDashboard('A dashboard', ['demo', '--port', '0', '--rate', RATE], true) : null;
const b = runs.has('demo') ? await runReference() : null;
const { c, d } = runs.has('attached') ? await runAttached() : { c: null, d: null };

if (args.json) {
  process.stdout.write(
    JSON.stringify({
      minutes: MINUTES,
      rate: RATE,
      size: args.size,
      cores: os.cpus().length,
      loadBefore: load,
      dashboard: a,
      reference: b,
      attached: c,
      follower: d,
    }) + '\n',
  );
} else {
  const mb = (n) => `${n.toFixed(0).padStart(5)} MB`;
  const num = (n, d) => (Number.isFinite(n) ? n.toFixed(d) : '-');
  const row = (name, f) =>
    `  ${name.padEnd(20)}${mb(f.rssAt1Min)}  ${mb(f.rssEnd)}  ${mb(f.rssMax)}  ${((f.rssSlopeSecondHalf >= 0 ? '+' : '') + num(f.rssSlopeSecondHalf, 1)).padStart(6)} MB/min   ${num(f.cpuPerMin, 2).padStart(5)} s/min  ${num(f.cpuPerMinSteady, 2).padStart(5)} s/min`;
  const cost = (x, y) =>
    `RSS at the end ${(x.rssEnd - y.rssEnd >= 0 ? '+' : '') + (x.rssEnd - y.rssEnd).toFixed(0)} MB, CPU ${num(x.cpuPerMinSteady - y.cpuPerMinSteady, 2)} s per minute from 1 min on (${num((x.cpuPerMinSteady - y.cpuPerMinSteady) / 0.6, 1)}% of a core)`;
  const screen = (tag, x) => [
    `  terminal (${tag}, ${args.size}): ${(x.bytesPerSec / 1024).toFixed(1)} KiB/s, ${x.framesPerSec.toFixed(2)} frames/s (${x.frames} frames, ${(x.bytesPerFrame / 1024).toFixed(1)} KiB per frame); alternate screen ${x.alternateScreen ? 'on' : 'OFF'}`,
    `  ${tag} quit with q: exit ${x.quit.exitCode} after ${x.quit.secs.toFixed(1)} s${x.quit.summary.length ? `, summary: ${x.quit.summary.join(' | ')}` : ''}`,
  ];
  console.log(
    `evt bench/dashboard: ${MINUTES} min per run, orders at ${RATE}; ${os.cpus().length} cores, load average ${load.toFixed(2)} before${NODE_FLAGS.length ? `; node ${NODE_FLAGS.join(' ')}` : ''}`,
  );
  console.log(
    `  ${''.padEnd(20)}${'RSS 1 min'.padStart(8)} ${'RSS end'.padStart(8)} ${'RSS max'.padStart(8)}  ${'slope 2nd half'.padStart(14)}   ${'CPU (all)'.padStart(11)}  ${'CPU (from 1 min)'}`,
  );
  const shown = [];
  if (a) {
    console.log(row('A demo + dashboard', a));
    console.log(row('B demo, no terminal', b));
    console.log(`  the dashboard in the demo (A - B): ${cost(a, b)}; B exit ${b.exitCode}`);
    for (const l of screen('A', a)) console.log(l);
    shown.push(['A', a], ['B', b]);
  }
  if (c) {
    console.log(row('C dashboard attached', c));
    console.log(row('D evt tail -f', d));
    console.log(`  the dashboard next to a plain follower of the same events (C - D): ${cost(c, d)}`);
    for (const l of screen('C', c)) console.log(l);
    shown.push(['C', c], ['D', d]);
  }
  console.log(`  samples every ${SAMPLE_MS / 1000} s (t s: RSS MB / CPU s):`);
  for (const [name, f] of shown)
    console.log(
      `    ${name} ${f.samples.map((s) => `${s.t.toFixed(0)}: ${s.rss.toFixed(0)}/${s.cpu.toFixed(1)}`).join('  ')}`,
    );
}
if ((a && (!a.quit.ok || b.exitCode !== 0)) || (c && !c.quit.ok)) process.exitCode = 1;
