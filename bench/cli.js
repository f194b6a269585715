#!/usr/bin/env node
// bench/cli: `evt produce` and `evt tail` next to kcat, in one run against `evt broker` (spawned, with its
// registry), on several data shapes, plus the start-up of everyday commands.
//
//   shapes   compact JSON, JSON as Python's json.dumps and Java's Jackson write it, random bytes, Avro,
//            Protobuf and JSON Schema through the registry
//            (--shapes compact,python,java,binary,avro,protobuf,json-schema)
//   produce  --records lines of a shape from a file:   evt produce <topic> --file F   vs  kcat -P -t <topic> < F
//            (avro, protobuf, json-schema: evt encodes or checks the JSON lines with the schema; kcat sends the
//            same lines as they are)
//   consume  the same records to /dev/null: evt tail <topic> --from beginning --until end with --json, the
//            human format and --format '%s\n'   vs  kcat -C -t <topic> -o beginning -e
//   start-up node -e 0 (the floor), evt --version, and the everyday commands against the same broker:
//            evt produce t v, evt tail t -n 1, evt topics list, evt groups list, next to kcat's equivalents
//            (kcat -P, kcat -C -c 1 -o -1 -e, kcat -L): the median of --startup-runs runs each, taken in
//            turns (node, evt..., kcat..., node, ...) so that a busy machine slows all alike, and each evt
//            figure as a multiple of node -e 0's
//
//   node bench/cli.js [--records 400000] [--partitions 3] [--repeat 3] [--startup-runs 15] [--shapes a,b] [--json]
//   node bench/cli.js --startup-only        only the start-up part
//   node bench/cli.js --startup-only --baseline /other/checkout/bin/evt.js
//                                            each evt start-up row also measured with another build's bin/evt.js,
//                                            in the same turns (a before/after pair from one run)
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
    records: { type: 'string', default: '400000' },
    partitions: { type: 'string', default: '3' },
    repeat: { type: 'string', default: '3' },
    'startup-runs': { type: 'string', default: '15' },
    'startup-only': { type: 'boolean', default: false },
    baseline: { type: 'string' },
    shapes: { type: 'string' },
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

const CONSUME_MODES = [
  ['--json', ['--json']],
  ['human', []],
  ['--format', ['--format', '%s\\n']],
];
const SHAPE_NOTES = {
  compact: 'JSON as JSON.stringify writes it',
  python: "JSON as Python's json.dumps writes it: spaces, \\u escapes, nesting",
  java: "JSON as Java's Jackson writes it: doubles as 25.0, raw UTF-8, nesting",
  binary: 'random bytes, no newline among them',
  avro: 'Avro through the registry, from JSON lines',
  protobuf: 'Protobuf through the registry, from JSON lines',
  'json-schema': 'JSON Schema through the registry, JSON lines checked',
};

/** Python's json.dumps: ", " and ": " separators, non-ASCII as \u escapes (ensure_ascii). */
function pythonJson(v) {
  const ascii = (s) => s.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return ascii(JSON.stringify(v)).replace(/("(?:[^"\\]|\\.)*")|([,:])/g, (m, str, sep) => str ?? `${sep} `);
}

/** Jackson's doubles: always a fraction (25.0). */
function javaJson(v) {
  return JSON.stringify(v, (k, x) => (typeof x === 'number' && k === 'price' ? `@@${x}@@` : x)).replace(
    /"@@([^@]+)@@"/g,
    (m, n) => (n.includes('.') ? n : `${n}.0`),
  );
}

function order(i) {
  const statuses = ['PLACED', 'CONFIRMED', 'SHIPPED', 'COMPLETED'];
  return {
    orderId: `o-${i}`,
    customer: { id: `c-${i % 9973}`, name: i % 3 ? 'Zoë Müller' : 'Ana', country: 'DE' },
    status: statuses[i % 4],
    lines: Array.from({ length: 1 + (i % 3) }, (_, k) => ({
      sku: `sku-${(i + k) % 500}`,
      qty: 1 + k,
      price: ((i + k) % 90) + 10,
    })),
  };
}

function writeAvroSchema() {
  const file = path.join(work, 'order.avsc');
  fs.writeFileSync(
    file,
    JSON.stringify({
      type: 'record',
      name: 'Order',
      namespace: 'bench',
      fields: [
        { name: 'orderId', type: 'string' },
        {
          name: 'customer',
          type: {
            type: 'record',
            name: 'Customer',
            fields: [
              { name: 'id', type: 'string' },
              { name: 'name', type: 'string' },
              { name: 'country', type: 'string' },
            ],
          },
        },
        { name: 'status', type: 'string' },
        {
          name: 'lines',
          type: {
            type: 'array',
            items: {
              type: 'record',
              name: 'Line',
              fields: [
                { name: 'sku', type: 'string' },
                { name: 'qty', type: 'int' },
                { name: 'price', type: 'double' },
              ],
            },
          },
        },
      ],
    }),
  );
  return file;
}

/** The order as a .proto (field names as the JSON lines write them). */
function writeProtoSchema() {
  const file = path.join(work, 'order.proto');
  fs.writeFileSync(
    file,
    `syntax = "proto3";
package bench;
message Order {
  string orderId = 1;
  message Customer { string id = 1; string name = 2; string country = 3; }
  Customer customer = 2;
  string status = 3;
  message Line { string sku = 1; int32 qty = 2; double price = 3; }
  repeated Line lines = 4;
}
`,
  );
  return file;
}

/** The order as a JSON Schema (draft-07), closed like the Avro and Protobuf ones. */
function writeJsonSchema() {
  const file = path.join(work, 'order.json');
  const object = (properties) => ({
    type: 'object',
    properties,
    required: Object.keys(properties),
    additionalProperties: false,
  });
  const string = { type: 'string' };
  fs.writeFileSync(
    file,
    JSON.stringify({
      $schema: 'http://json-schema.org/draft-07/schema#',
      title: 'Order',
      ...object({
        orderId: string,
        customer: object({ id: string, name: string, country: string }),
        status: string,
        lines: { type: 'array', items: object({ sku: string, qty: { type: 'integer' }, price: { type: 'number' } }) },
      }),
    }),
  );
  return file;
}

/** The produce options of a shape encoded through the registry ([] for the others). */
function schemaArgs(shape) {
  const schema = { avro: writeAvroSchema, protobuf: writeProtoSchema, 'json-schema': writeJsonSchema }[shape];
  return schema ? ['--value-format', shape, '--schema', schema(), '--registry', broker.registry] : [];
}

/** `RECORDS` lines of one shape into `file`; the bytes of the values (newlines not counted). */
async function writeInput(shape, file) {
  const out = fs.createWriteStream(file);
  let bytes = 0;
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
  for (let i = 0; i < RECORDS; i++) {
    let line;
    if (shape === 'binary') {
      line = Buffer.alloc(100);
      for (let k = 0; k < 100; k++) {
        const b = random() & 0xff;
        line[k] = b === 0x0a ? 0x0b : b;
      }
    } else {
      const v = order(i);
      line = Buffer.from(shape === 'python' ? pythonJson(v) : shape === 'java' ? javaJson(v) : JSON.stringify(v));
    }
    bytes += line.length;
    out.write(line);
    if (!out.write('\n')) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((r) => out.end(r));
  return bytes;
}

async function runAdmin(kafka, f) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await f(admin);
  } finally {
    await admin.disconnect();
  }
}

async function topicSize(kafka, topic) {
  const offsets = await runAdmin(kafka, (admin) => admin.fetchTopicOffsets(topic));
  return offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
}

/**
 * Start-up: each command's wall time from spawn to exit, in turns, `runs` times after one warm-up round (which
 * also fills Node's compile cache where it has one); medians in ms. Runs synchronously: nothing else in this
 * process runs meanwhile, and the broker is a process of its own.
 */
function startup(bootstrap, runs) {
  const node = [process.execPath, '-e', '0'];
  const builds = [['', EVT], ...(args.baseline ? [[' (baseline)', path.resolve(args.baseline)]] : [])];
  const evt = (name, ...argv) =>
    builds.map(([suffix, bin]) => [name + suffix, [process.execPath, bin, '--brokers', bootstrap, ...argv]]);
  const commands = [
    ['node -e 0', node],
    ...builds.map(([suffix, bin]) => ['evt --version' + suffix, [process.execPath, bin, '--version']]),
    ...evt('evt produce t v', 'produce', 'startup', 'v'),
    ...evt('evt tail t -n 1', 'tail', 'startup', '-n', '1'),
    ...evt('evt topics list', 'topics', 'list'),
    ...evt('evt groups list', 'groups', 'list'),
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
  const cpu = commands.map(() => []);
  for (let round = 0; round <= runs; round++) {
    commands.forEach(([name, [cmd, ...argv], input], i) => {
      const cpuBefore = childCpuMs();
      const start = process.hrtime.bigint();
      const r = spawnSync(cmd, argv, { input: input ?? '', stdio: ['pipe', 'pipe', 'pipe'] });
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (r.status !== 0) throw new Error(`${name} exited ${r.status}: ${r.stderr}`);
      if (round > 0) times[i].push(ms);
      if (round > 0 && cpuBefore !== null) cpu[i].push(childCpuMs() - cpuBefore);
    });
  }
  const floor = median(times[0]);
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const cpuFloor = cpu[0].length ? mean(cpu[0]) : null;
  return commands.map(([name], i) => ({
    command: name,
    ms: +median(times[i]).toFixed(1),
    ofNode: +(median(times[i]) / floor).toFixed(2),
    ...(cpuFloor ? { cpuMs: +mean(cpu[i]).toFixed(1), cpuOfNode: +(mean(cpu[i]) / cpuFloor).toFixed(2) } : {}),
  }));
}

/**
 * CPU time (user + system) of this process's finished children so far, from /proc/self/stat (cutime and
 * cstime, in clock ticks of 10 ms: hence means, not medians), or null off Linux. On a shared, busy machine a
 * command's CPU time varies far less than its wall time.
 */
function childCpuMs() {
  try {
    const fields = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return null;
  }
}

function printStartup(rows, runs) {
  const lines = [
    `  start-up (wall: median of ${runs} runs each, in turns; CPU: user + system, mean; x = multiple of node -e 0's)`,
  ];
  for (const r of rows)
    lines.push(
      `    ${r.command.padEnd(36)} ${r.ms.toFixed(1).padStart(7)} ms  ${r.ofNode.toFixed(2)}x` +
        (r.cpuMs !== undefined ? `   CPU ${r.cpuMs.toFixed(0).padStart(4)} ms  ${r.cpuOfNode.toFixed(2)}x` : ''),
    );
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

const SHAPES = (args.shapes ?? 'compact,python,java,binary,avro,protobuf,json-schema').split(',');
const broker = await spawnBroker({ dataDir: path.join(work, 'data'), partitions: PARTITIONS, registry: true });
const kafka = new Kafka({ clientId: 'bench', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
const { bootstrap, pid } = broker;
results.shapes = {};
try {
  log('start-up');
  results.startup = startup(bootstrap, STARTUP_RUNS);

  for (const shape of SHAPES) {
    log(`${shape}: writing ${RECORDS.toLocaleString('en')} lines`);
    const input = path.join(work, `${shape}.lines`);
    const bytes = await writeInput(shape, input);
    const r = { recordBytes: +(bytes / RECORDS).toFixed(1) };
    results.shapes[shape] = r;
    const valueArgs = schemaArgs(shape);
    const readArgs = valueArgs.length ? ['--registry', broker.registry] : [];

    log(`${shape}: evt produce`);
    const evtProduce = await medianRun(REPEAT, async (i) => {
      const topic = `${shape}-evt-${i}`;
      const run = await timeClient(
        [process.execPath, EVT, '--brokers', bootstrap, 'produce', topic, '--file', input, ...valueArgs],
        { brokerPid: pid },
      );
      const n = await topicSize(kafka, topic);
      if (n !== RECORDS)
        throw new Error(`evt produce left ${n} records in ${topic}, expected ${RECORDS}: ${run.stderr}`);
      return { ...run, topic };
    });
    r.produce = { evt: rate(evtProduce, bytes) };
    const readTopic = evtProduce.topic;
    if (hasKcat) {
      // for the schema shapes, kcat (which has no serialiser for them) sends the same JSON lines as they are
      log(`${shape}: kcat -P`);
      const kcatProduce = await medianRun(REPEAT, async (i) => {
        const topic = `${shape}-kcat-${i}`;
        const run = await timeClient(['kcat', '-P', '-b', bootstrap, '-t', topic], {
          stdinFile: input,
          brokerPid: pid,
        });
        const n = await topicSize(kafka, topic);
        if (n !== RECORDS) throw new Error(`kcat -P left ${n} records in ${topic}, expected ${RECORDS}`);
        return run;
      });
      r.produce.kcat = rate(kcatProduce, bytes);
    }

    r.consume = {};
    for (const [mode, modeArgs] of CONSUME_MODES) {
      log(`${shape}: evt tail ${mode}`);
      const argv = [process.execPath, EVT, '--brokers', bootstrap, 'tail', readTopic];
      const all = [...argv, '--from', 'beginning', '--until', 'end', ...modeArgs, ...readArgs];
      const run = await medianRun(REPEAT, () => timeClient(all, { brokerPid: pid }));
      r.consume[mode] = rate(run, bytes);
      // and that it printed every record: a line each with --json, and with --format '%s\n' for values
      // without newlines of their own (the human format prints a record on several lines)
      if (mode === '--json' || (mode === '--format' && shape !== 'binary')) {
        const quoted = all.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
        const count = spawnSync('bash', ['-c', `${quoted} | wc -l`], { encoding: 'utf8' });
        if (Number(count.stdout.trim()) !== RECORDS)
          throw new Error(`evt tail ${mode} printed ${count.stdout.trim()} lines, expected ${RECORDS}`);
      }
    }
    if (hasKcat) {
      log(`${shape}: kcat -C -e`);
      const kcatConsume = await medianRun(REPEAT, async () => {
        const run = await timeClient(['kcat', '-C', '-b', bootstrap, '-t', readTopic, '-o', 'beginning', '-e'], {
          brokerPid: pid,
        });
        const ends = [...run.stderr.matchAll(/Reached end of topic \S+ \[\d+\] at offset (\d+)/g)].map((m) =>
          Number(m[1]),
        );
        if (ends.reduce((a, b) => a + b, 0) !== RECORDS)
          throw new Error(`kcat consumed to offsets totalling ${ends.reduce((a, b) => a + b, 0)}, expected ${RECORDS}`);
        return run;
      });
      r.consume.kcat = rate(kcatConsume, bytes);
    }
    if (r.produce.kcat) {
      r.fractionOfKcat = { produce: +(r.produce.evt.recordsPerSec / r.produce.kcat.recordsPerSec).toFixed(2) };
      for (const [mode] of CONSUME_MODES)
        r.fractionOfKcat[mode] = +(r.consume[mode].recordsPerSec / r.consume.kcat.recordsPerSec).toFixed(2);
    }
    // the topics of this shape go, so that the broker's page cache holds only the next shape's
    await runAdmin(kafka, (admin) => admin.deleteTopics({ topics: [readTopic] }));
  }
} finally {
  broker.proc.kill('SIGTERM');
  await new Promise((r) => broker.proc.once('exit', r));
  fs.rmSync(work, { recursive: true, force: true });
}

if (args.json) {
  process.stdout.write(JSON.stringify(results, null, 2) + '\n');
} else {
  const cell = (r) =>
    `${String(r.recordsPerSec.toLocaleString('en')).padStart(10)} rec/s ${String(r.mbPerSec).padStart(6)} MB/s ${r.seconds.toFixed(2).padStart(6)} s  cpu ${r.clientCpu.toFixed(2)}+${r.brokerCpu.toFixed(2)} s`;
  const lines = [
    `evt bench/cli: ${RECORDS.toLocaleString('en')} records a shape, ${PARTITIONS} partitions, median of ${REPEAT}, ${results.cpus} cores, node ${process.version}`,
    '(cpu: client + broker seconds; x: evt as a fraction of kcat in the same run)',
  ];
  for (const [shape, r] of Object.entries(results.shapes)) {
    lines.push(`  ${shape} (${SHAPE_NOTES[shape]}, ~${r.recordBytes} B)`);
    const x = (k) => (r.fractionOfKcat ? `  x ${r.fractionOfKcat[k].toFixed(2)}` : '');
    lines.push(`    produce       evt ${cell(r.produce.evt)}${x('produce')}`);
    if (r.produce.kcat) lines.push(`                  kcat${cell(r.produce.kcat)}`);
    for (const [mode] of CONSUME_MODES) lines.push(`    tail ${mode.padEnd(8)} evt ${cell(r.consume[mode])}${x(mode)}`);
    if (r.consume.kcat) lines.push(`    kcat -C -e        ${cell(r.consume.kcat)}`);
  }
  lines.push(...printStartup(results.startup, STARTUP_RUNS));
  process.stdout.write(lines.join('\n') + '\n');
}
