#!/usr/bin/env node
// bench/cli: `evt produce` and `evt tail` next to kcat, in one run against `evt broker` (spawned), plus the
// start-up time of `evt --version`.
//
//   produce  1,000,000 NDJSON lines from a file:  evt produce <topic> --file F   vs  kcat -P -t <topic> < F
//   consume  the same records to /dev/null:       evt tail <topic> --from beginning --until end --json
//                                                  vs  kcat -C -t <topic> -o beginning -e
//   start-up node -e 0 (the floor), evt --version, and the everyday commands against the same broker:
//            evt produce t v, evt tail t -n 1, evt topics list, evt groups list, next to kcat's equivalents
//            (kcat -P, kcat -C -c 1 -o -1 -e, kcat -L): the median of --startup-runs runs each, taken in
//            turns (node, evt..., kcat..., node, ...) so that a busy machine slows all alike, and each evt
//            figure as a multiple of node -e 0's
//
//   node bench/cli.js [--records 1000000] [--partitions 3] [--repeat 3] [--startup-runs 15] [--json]
//   node bench/cli.js --startup-only        only the start-up part
//
// Each figure is the median of --repeat runs (the machine may be busy); the client's CPU time and the
// broker's are shown next to the wall time. Needs `npm run build` first, and kcat on the PATH for the kcat
// columns (without it only evt's figures are printed).

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { EVT, startBroker as spawnBroker, timeClient } from './lib.js';

const { values: args } = parseArgs({
  options: {
    records: { type: 'string', default: '1000000' },
    partitions: { type: 'string', default: '3' },
    repeat: { type: 'string', default: '3' },
    'startup-runs': { type: 'string', default: '15' },
    'startup-only': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const RECORDS = Number(args.records);
const PARTITIONS = Number(args.partitions);
const REPEAT = Math.max(1, Number(args.repeat));
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'evt-bench-cli-'));
const log = (m) => process.stderr.write(`bench: ${m}\n`);
const MB = 1e6;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The median run (by wall time) of `repeat` runs. */
async function medianRun(repeat, run) {
  const runs = [];
  for (let i = 0; i < repeat; i++) runs.push(await run(i));
  const secs = median(runs.map((r) => r.secs));
  return runs.find((r) => r.secs === secs);
}

function rate(r, bytes) {
  return {
    seconds: +r.secs.toFixed(3),
    recordsPerSec: Math.round(RECORDS / r.secs),
    mbPerSec: +(bytes / MB / r.secs).toFixed(1),
    clientCpu: +r.clientCpu.toFixed(2),
    brokerCpu: +r.brokerCpu.toFixed(2),
  };
}

/** The records as NDJSON lines of about 100 bytes, like the events of the order workflow. */
async function writeInput(file) {
  const out = fs.createWriteStream(file);
  const statuses = ['PLACED', 'CONFIRMED', 'SHIPPED', 'COMPLETED'];
  let bytes = 0;
  for (let i = 0; i < RECORDS; i++) {
    const line =
      JSON.stringify({
        orderId: `o-${i}`,
        customer: `c-${i % 9973}`,
        status: statuses[i % 4],
        total: (i % 9901) / 100,
        items: 1 + (i % 5),
      }) + '\n';
    bytes += line.length - 1;
    if (!out.write(line)) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((r) => out.end(r));
  return bytes;
}

async function topicSize(kafka, topic) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
}

/**
 * Start-up: each command's wall time from spawn to exit, in turns, `runs` times after one warm-up round (which
 * also fills Node's compile cache where it has one); medians in ms. Runs synchronously: nothing else in this
 * process runs meanwhile, and the broker is a process of its own.
 */
function startup(bootstrap, runs) {
  const node = [process.execPath, '-e', '0'];
  const evt = (...argv) => [process.execPath, EVT, '--brokers', bootstrap, ...argv];
  const commands = [
    ['node -e 0', node],
    ['evt --version', [process.execPath, EVT, '--version']],
    ['evt produce t v', evt('produce', 'startup', 'v')],
    ['evt tail t -n 1', evt('tail', 'startup', '-n', '1')],
    ['evt topics list', evt('topics', 'list')],
    ['evt groups list', evt('groups', 'list')],
    ...(hasKcat
      ? [
          ['kcat -P (one record)', ['kcat', '-P', '-b', bootstrap, '-t', 'startup'], 'v\n'],
          [
            'kcat -C -o -1 -c 1 -e',
            ['kcat', '-C', '-b', bootstrap, '-t', 'startup', '-o', '-1', '-c', '1', '-e', '-q'],
          ],
          ['kcat -L', ['kcat', '-L', '-b', bootstrap]],
        ]
      : []),
  ];
  const times = commands.map(() => []);
  for (let round = 0; round <= runs; round++) {
    commands.forEach(([name, [cmd, ...argv], input], i) => {
      const start = process.hrtime.bigint();
      const r = spawnSync(cmd, argv, { input: input ?? '', stdio: ['pipe', 'pipe', 'pipe'] });
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (r.status !== 0) throw new Error(`${name} exited ${r.status}: ${r.stderr}`);
      if (round > 0) times[i].push(ms);
    });
  }
  const floor = median(times[0]);
  return commands.map(([name], i) => ({
    command: name,
    ms: +median(times[i]).toFixed(1),
    ofNode: +(median(times[i]) / floor).toFixed(2),
  }));
}

function printStartup(rows, runs) {
  const lines = [`  start-up (median of ${runs} runs each, in turns; x = multiple of node -e 0)`];
  for (const r of rows)
    lines.push(`    ${r.command.padEnd(24)} ${r.ms.toFixed(1).padStart(7)} ms  ${r.ofNode.toFixed(2)}x`);
  return lines;
}

const hasKcat = spawnSync('kcat', ['-V']).status === 0;
if (!hasKcat) log('kcat not found: kcat columns skipped');

const results = { records: RECORDS, partitions: PARTITIONS, repeat: REPEAT, cpus: os.cpus().length };
const STARTUP_RUNS = Math.max(1, Number(args['startup-runs']));

if (args['startup-only']) {
  const broker = await spawnBroker({ dataDir: path.join(work, 'data'), partitions: 1 });
  try {
    results.startup = startup(broker.bootstrap, STARTUP_RUNS);
  } finally {
    broker.proc.kill('SIGTERM');
    await new Promise((r) => broker.proc.once('exit', r));
    fs.rmSync(work, { recursive: true, force: true });
  }
  if (args.json) process.stdout.write(JSON.stringify({ cpus: results.cpus, startup: results.startup }, null, 2) + '\n');
  else
    process.stdout.write(
      [
        `evt bench/cli --startup-only, ${results.cpus} cores, node ${process.version}`,
        ...printStartup(results.startup, STARTUP_RUNS),
      ].join('\n') + '\n',
    );
  process.exit(0);
}

log(`writing ${RECORDS.toLocaleString('en')} NDJSON lines`);
const input = path.join(work, 'records.ndjson');
const bytes = await writeInput(input);
results.recordBytes = +(bytes / RECORDS).toFixed(1);
const broker = await spawnBroker({ dataDir: path.join(work, 'data'), partitions: PARTITIONS });
const kafka = new Kafka({ clientId: 'bench', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
const { bootstrap, pid } = broker;
try {
  log('start-up');
  results.startup = startup(bootstrap, STARTUP_RUNS);

  log('evt produce');
  const evtProduce = await medianRun(REPEAT, async (i) => {
    const topic = `bench-evt-${i}`;
    const r = await timeClient([process.execPath, EVT, '--brokers', bootstrap, 'produce', topic, '--file', input], {
      brokerPid: pid,
    });
    const n = await topicSize(kafka, topic);
    if (n !== RECORDS) throw new Error(`evt produce left ${n} records in ${topic}, expected ${RECORDS}`);
    return { ...r, topic };
  });
  results.evt = { produce: rate(evtProduce, bytes) };
  const readTopic = evtProduce.topic;

  if (hasKcat) {
    log('kcat -P');
    const kcatProduce = await medianRun(REPEAT, async (i) => {
      const topic = `bench-kcat-${i}`;
      const r = await timeClient(['kcat', '-P', '-b', bootstrap, '-t', topic], { stdinFile: input, brokerPid: pid });
      const n = await topicSize(kafka, topic);
      if (n !== RECORDS) throw new Error(`kcat -P left ${n} records in ${topic}, expected ${RECORDS}`);
      return r;
    });
    results.kcat = { produce: rate(kcatProduce, bytes) };
  }

  log('evt tail --json');
  const evtConsume = await medianRun(REPEAT, async () => {
    const r = await timeClient(
      [
        process.execPath,
        EVT,
        '--brokers',
        bootstrap,
        '--json',
        'tail',
        readTopic,
        '--from',
        'beginning',
        '--until',
        'end',
      ],
      { brokerPid: pid },
    );
    return r;
  });
  results.evt.consume = rate(evtConsume, bytes);
  // and that it printed every record
  const count = spawnSync(
    'bash',
    [
      '-c',
      `"${process.execPath}" "${EVT}" --brokers ${bootstrap} --json tail ${readTopic} --from beginning --until end | wc -l`,
    ],
    { encoding: 'utf8' },
  );
  if (Number(count.stdout.trim()) !== RECORDS)
    throw new Error(`evt tail printed ${count.stdout.trim()} lines, expected ${RECORDS}`);

  if (hasKcat) {
    log('kcat -C -e');
    const kcatConsume = await medianRun(REPEAT, async () => {
      const r = await timeClient(['kcat', '-C', '-b', bootstrap, '-t', readTopic, '-o', 'beginning', '-e'], {
        brokerPid: pid,
      });
      const ends = [...r.stderr.matchAll(/Reached end of topic \S+ \[\d+\] at offset (\d+)/g)].map((m) => Number(m[1]));
      if (ends.reduce((a, b) => a + b, 0) !== RECORDS)
        throw new Error(`kcat consumed to offsets totalling ${ends.reduce((a, b) => a + b, 0)}, expected ${RECORDS}`);
      return r;
    });
    results.kcat.consume = rate(kcatConsume, bytes);
  }
} finally {
  broker.proc.kill('SIGTERM');
  await new Promise((r) => broker.proc.once('exit', r));
  fs.rmSync(work, { recursive: true, force: true });
}

if (results.kcat) {
  results.fractionOfKcat = {
    produce: +(results.evt.produce.recordsPerSec / results.kcat.produce.recordsPerSec).toFixed(2),
    consume: +(results.evt.consume.recordsPerSec / results.kcat.consume.recordsPerSec).toFixed(2),
  };
}

if (args.json) {
  process.stdout.write(JSON.stringify(results, null, 2) + '\n');
} else {
  const cell = (r) =>
    r
      ? `${String(r.recordsPerSec.toLocaleString('en')).padStart(10)} rec/s ${String(r.mbPerSec).padStart(6)} MB/s ${r.seconds.toFixed(2).padStart(6)} s  cpu ${r.clientCpu.toFixed(2)}+${r.brokerCpu.toFixed(2)} s`
      : '      (no kcat)';
  const row = (name, evt, kcat, fraction) =>
    `  ${name.padEnd(8)} evt ${cell(evt)}\n  ${''.padEnd(8)} kcat${cell(kcat)}${fraction !== undefined ? `\n  ${''.padEnd(8)} evt/kcat ${fraction}` : ''}`;
  const lines = [
    `evt bench/cli: ${RECORDS.toLocaleString('en')} NDJSON records of ~${results.recordBytes} B, ${PARTITIONS} partitions, median of ${REPEAT}, ${results.cpus} cores`,
    '(cpu: client + broker seconds)',
    row('produce', results.evt.produce, results.kcat?.produce, results.fractionOfKcat?.produce),
    row('consume', results.evt.consume, results.kcat?.consume, results.fractionOfKcat?.consume),
    ...printStartup(results.startup, STARTUP_RUNS),
  ];
  process.stdout.write(lines.join('\n') + '\n');
}
