#!/usr/bin/env node
// bench/cli: `evt produce` and `evt tail` next to kcat, in one run against `evt broker` (spawned), plus the
// start-up time of `evt --version`.
//
//   produce  1,000,000 NDJSON lines from a file:  evt produce <topic> --file F   vs  kcat -P -t <topic> < F
//   consume  the same records to /dev/null:       evt tail <topic> --from beginning --until end --json
//                                                  vs  kcat -C -t <topic> -o beginning -e
//   start-up evt --version (median of several runs)
//
//   node bench/cli.js [--records 1000000] [--partitions 3] [--repeat 3] [--json]
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

function startupMs(runs = 11) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [EVT, '--version'], { stdio: ['ignore', 'pipe', 'pipe'] });
    if (r.status !== 0) throw new Error(`evt --version failed: ${r.stderr}`);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return +median(times).toFixed(1);
}

const hasKcat = spawnSync('kcat', ['-V']).status === 0;
if (!hasKcat) log('kcat not found: kcat columns skipped');

const results = { records: RECORDS, partitions: PARTITIONS, repeat: REPEAT, cpus: os.cpus().length };
log(`writing ${RECORDS.toLocaleString('en')} NDJSON lines`);
const input = path.join(work, 'records.ndjson');
const bytes = await writeInput(input);
results.recordBytes = +(bytes / RECORDS).toFixed(1);
results.startupMs = startupMs();

const broker = await spawnBroker({ dataDir: path.join(work, 'data'), partitions: PARTITIONS });
const kafka = new Kafka({ clientId: 'bench', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
const { bootstrap, pid } = broker;
try {
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
    `  start-up evt --version ${results.startupMs} ms (median of 11)`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}
