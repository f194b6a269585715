#!/usr/bin/env node
// bench/broker: throughput of `evt broker` with kcat (librdkafka) and kafkajs, printed next to the machine's
// loopback TCP rate and disk write rate measured in the same run; and kafkajs' transactional produce next to
// the same sends without transactions.
//
//   node bench/broker.js [--records 1000000] [--size 100] [--partitions 3] [--fsync never] [--json]
//                        [--txn-records 200000] [--txn-size 1000]   (records, and records per transaction)
//   node bench/broker.js --startup-only      # only evt/testing's in-process start-up, next to a bare listen
//   node bench/broker.js --compaction-only [--compaction-mb 128]   # only the log cleaner, next to the disk
//
// Needs `npm run build` first (it runs the compiled CLI) and kcat on the PATH for the kcat rows.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { compactionLines, compactionRows } from './broker-compaction.js';
import { cpuSeconds, startBroker, timeClient } from './lib.js';

const { values: args } = parseArgs({
  options: {
    records: { type: 'string', default: '1000000' },
    size: { type: 'string', default: '100' },
    partitions: { type: 'string', default: '3' },
    fsync: { type: 'string', default: 'never' },
    json: { type: 'boolean', default: false },
    'startup-only': { type: 'boolean', default: false },
    'compaction-only': { type: 'boolean', default: false },
    'compaction-mb': { type: 'string', default: '128' },
    'txn-records': { type: 'string', default: '200000' },
    'txn-size': { type: 'string', default: '1000' },
  },
});
const RECORDS = Number(args.records);
const SIZE = Number(args.size);
const PARTITIONS = Number(args.partitions);
const MB = 1e6;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'evt-bench-'));
const log = (m) => process.stderr.write(`bench: ${m}\n`);

function rate(bytes, records, seconds) {
  return {
    seconds: +seconds.toFixed(3),
    recordsPerSec: Math.round(records / seconds),
    mbPerSec: +(bytes / MB / seconds).toFixed(1),
  };
}

/** Loopback reference: one TCP stream from this process to itself, 64 KiB writes, for about 2 s. */
async function loopback() {
  const chunk = Buffer.alloc(64 * 1024, 7);
  let received = 0;
  const server = net.createServer((s) => s.on('data', (d) => (received += d.length)));
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const client = net.connect(server.address().port, '127.0.0.1');
  await new Promise((r) => client.once('connect', r));
  const start = process.hrtime.bigint();
  const until = Date.now() + 2000;
  while (Date.now() < until) {
    if (!client.write(chunk)) await new Promise((r) => client.once('drain', r));
  }
  await new Promise((r) => client.end(r));
  while (received < 1) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 50));
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  server.close();
  return rate(received, 0, secs);
}

/** Disk reference: 512 MiB written in 1 MiB blocks to the data dir's filesystem, then fdatasync'd. */
function diskWrite() {
  const file = path.join(work, 'disk-probe');
  const block = Buffer.alloc(1024 * 1024, 1);
  const fd = fs.openSync(file, 'w');
  const start = process.hrtime.bigint();
  for (let i = 0; i < 512; i++) fs.writeSync(fd, block);
  const buffered = Number(process.hrtime.bigint() - start) / 1e9;
  fs.fdatasyncSync(fd);
  const synced = Number(process.hrtime.bigint() - start) / 1e9;
  fs.closeSync(fd);
  fs.rmSync(file);
  return { pageCache: rate(512 * 1024 * 1024, 0, buffered), fdatasync: rate(512 * 1024 * 1024, 0, synced) };
}

function recordValue(i) {
  const s = `record-${i}-`;
  return (s + 'x'.repeat(SIZE)).slice(0, SIZE);
}

async function kcatRows({ bootstrap, pid }) {
  if (spawnSync('kcat', ['-V']).status !== 0) {
    log('kcat not found: kcat rows skipped');
    return null;
  }
  const input = path.join(work, 'records.txt');
  const out = fs.createWriteStream(input);
  for (let i = 0; i < RECORDS; i++) {
    if (!out.write(recordValue(i) + '\n')) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((r) => out.end(r));
  const bytes = RECORDS * SIZE;
  // The fixed cost of one kcat run (start, metadata, and at the end one fetch that waits fetch.wait.max.ms
  // = 500 ms to see that nothing more comes), measured on a topic holding one record.
  const one = path.join(work, 'one.txt');
  fs.writeFileSync(one, 'x\n');
  await timeClient(['kcat', '-P', '-b', bootstrap, '-t', 'bench-one'], { stdinFile: one, brokerPid: pid });
  const fixed = await timeClient(['kcat', '-C', '-b', bootstrap, '-t', 'bench-one', '-o', 'beginning', '-e'], {
    brokerPid: pid,
  });
  log(`kcat produce ${RECORDS} records`);
  const p = await timeClient(['kcat', '-P', '-b', bootstrap, '-t', 'bench-kcat'], { stdinFile: input, brokerPid: pid });
  log('kcat consume');
  const c = await timeClient(['kcat', '-C', '-b', bootstrap, '-t', 'bench-kcat', '-o', 'beginning', '-e'], {
    brokerPid: pid,
  });
  // kcat reports where each partition ended: together they must account for every record
  const ends = [...c.stderr.matchAll(/Reached end of topic \S+ \[\d+\] at offset (\d+)/g)].map((m) => Number(m[1]));
  const consumed = ends.reduce((a, b) => a + b, 0);
  if (consumed !== RECORDS) throw new Error(`kcat consumed to offsets totalling ${consumed}, expected ${RECORDS}`);
  const withCpu = (r, run) => ({ ...r, clientCpu: +run.clientCpu.toFixed(2), brokerCpu: +run.brokerCpu.toFixed(2) });
  return {
    fixedConsumeSecs: +fixed.secs.toFixed(3),
    produce: withCpu(rate(bytes, RECORDS, p.secs), p),
    consume: withCpu(rate(bytes, RECORDS, c.secs), c),
  };
}

async function kafkajsRows({ bootstrap, pid }) {
  const kafka = new Kafka({ clientId: 'bench', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: true });
  await producer.connect();
  // as many records per send as keep each partition's batch under the 1 MB max.message.bytes default
  const BATCH = Math.min(10_000, Math.floor((900_000 * PARTITIONS) / (SIZE + 30)));
  const IN_FLIGHT = 4;
  log(`kafkajs produce ${RECORDS} records`);
  let cpu = process.cpuUsage();
  let brokerCpu = cpuSeconds(pid);
  let start = process.hrtime.bigint();
  const pending = new Set();
  for (let i = 0; i < RECORDS; i += BATCH) {
    const messages = [];
    for (let j = i; j < Math.min(RECORDS, i + BATCH); j++) messages.push({ value: recordValue(j) });
    const p = producer.send({ topic: 'bench-kafkajs', acks: -1, messages }).finally(() => pending.delete(p));
    pending.add(p);
    if (pending.size >= IN_FLIGHT) await Promise.race(pending);
  }
  await Promise.all(pending);
  const produceSecs = Number(process.hrtime.bigint() - start) / 1e9;
  const produceCpu = process.cpuUsage(cpu);
  const produceBrokerCpu = cpuSeconds(pid) - brokerCpu;
  await producer.disconnect();

  log('kafkajs consume');
  const consumer = kafka.consumer({
    groupId: `bench-${Date.now()}`,
    maxBytes: 50 * 1024 * 1024,
    maxBytesPerPartition: 10 * 1024 * 1024,
  });
  await consumer.connect();
  await consumer.subscribe({ topic: 'bench-kafkajs', fromBeginning: true });
  let seen = 0;
  cpu = process.cpuUsage();
  brokerCpu = cpuSeconds(pid);
  start = process.hrtime.bigint();
  let consumeSecs = 0;
  let consumeCpu;
  let consumeBrokerCpu = 0;
  await new Promise((resolve) => {
    consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        seen += batch.messages.length;
        if (seen >= RECORDS && !consumeSecs) {
          consumeSecs = Number(process.hrtime.bigint() - start) / 1e9;
          consumeCpu = process.cpuUsage(cpu);
          consumeBrokerCpu = cpuSeconds(pid) - brokerCpu;
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  const bytes = RECORDS * SIZE;
  const cpuOf = (u) => +((u.user + u.system) / 1e6).toFixed(2);
  return {
    produce: {
      ...rate(bytes, RECORDS, produceSecs),
      clientCpu: cpuOf(produceCpu),
      brokerCpu: +produceBrokerCpu.toFixed(2),
    },
    consume: {
      ...rate(bytes, RECORDS, consumeSecs),
      clientCpu: cpuOf(consumeCpu),
      brokerCpu: +consumeBrokerCpu.toFixed(2),
    },
  };
}

/**
 * kafkajs' transactional producer: one send of --txn-size records per transaction, committed, one transaction
 * after another (a producer has one open at a time); next to the reference of the same run, an idempotent
 * producer making the same sends one after another without transactions. What differs is the transaction's
 * own cost: AddPartitionsToTxn, EndTxn, and the markers written to every partition.
 */
async function transactionRows({ bootstrap, pid }) {
  const total = Number(args['txn-records']);
  const per = Number(args['txn-size']);
  const kafka = new Kafka({ clientId: 'bench-txn', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const measure = async (label, producer, sendChunk) => {
    await producer.connect();
    log(`kafkajs ${label}: ${total} records, ${per} per send`);
    const cpu = process.cpuUsage();
    const brokerCpu = cpuSeconds(pid);
    const start = process.hrtime.bigint();
    for (let i = 0; i < total; i += per) {
      const messages = [];
      for (let j = i; j < Math.min(total, i + per); j++) messages.push({ value: recordValue(j) });
      await sendChunk(producer, messages);
    }
    const secs = Number(process.hrtime.bigint() - start) / 1e9;
    const used = process.cpuUsage(cpu);
    const brokerUsed = cpuSeconds(pid) - brokerCpu;
    await producer.disconnect();
    return {
      ...rate(total * SIZE, total, secs),
      sendsPerSec: Math.round(Math.ceil(total / per) / secs),
      clientCpu: +((used.user + used.system) / 1e6).toFixed(2),
      brokerCpu: +brokerUsed.toFixed(2),
    };
  };
  const plain = await measure('plain produce', kafka.producer({ idempotent: true, maxInFlightRequests: 1 }), (p, m) =>
    p.send({ topic: 'bench-plain', acks: -1, messages: m }),
  );
  const txn = kafka.producer({ transactionalId: 'bench-txn', idempotent: true, maxInFlightRequests: 1 });
  const transactional = await measure('transactional produce', txn, async (p, m) => {
    const t = await p.transaction();
    await t.send({ topic: 'bench-txn', acks: -1, messages: m });
    await t.commit();
  });
  // every record committed: read_committed ends (the last stable offsets) hold them all, plus one marker per
  // partition per transaction
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets('bench-txn');
  await admin.disconnect();
  const stored = ends.reduce((n, p) => n + Number(p.high), 0);
  if (stored < total) throw new Error(`bench-txn holds ${stored} offsets, expected at least ${total}`);
  return { records: total, perTransaction: per, plain, transactional };
}

const results = {
  records: RECORDS,
  recordBytes: SIZE,
  partitions: PARTITIONS,
  fsync: args.fsync,
  cpus: os.cpus().length,
};
/** Median ms of `runs` calls of `start` (each result closed before the next). */
async function medianMs(runs, start) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const closeable = await start();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    await closeable.close();
  }
  times.sort((a, b) => a - b);
  return +times[Math.floor(runs / 2)].toFixed(2);
}

/**
 * evt/testing's startBroker (in memory, a seeded topic, port 0) until it accepts connections, next to the
 * floor for any in-process server: an empty net.createServer().listen(0) in the same process.
 */
async function startupRows() {
  const { startBroker: startTestBroker } = await import('../dist/src/testing/index.js');
  const listen = () =>
    new Promise((resolve) => {
      const server = net.createServer();
      server.listen(0, '127.0.0.1', () => resolve({ close: () => new Promise((r) => server.close(r)) }));
    });
  await medianMs(3, () => startTestBroker({ topics: { orders: 3 } })); // warm-up: module loading
  return {
    netListenMs: await medianMs(31, listen),
    testBrokerMs: await medianMs(31, () => startTestBroker({ topics: { orders: 3 } })),
  };
}

results.compaction = await compactionRows({ work, mb: Number(args['compaction-mb']) });
if (args['compaction-only']) {
  const out = args.json ? JSON.stringify(results.compaction, null, 2) : compactionLines(results.compaction).join('\n');
  process.stdout.write(out + '\n');
  fs.rmSync(work, { recursive: true, force: true });
  process.exit(0);
}
results.startup = await startupRows();
const startupLines = [
  'start-up in process (median of 31):',
  `  ${'net listen(0)'.padEnd(20)} ${String(results.startup.netListenMs).padStart(8)} ms   (reference, same run)`,
  `  ${'evt/testing'.padEnd(20)} ${String(results.startup.testBrokerMs).padStart(8)} ms   startBroker({ topics: { orders: 3 } })`,
];
if (args['startup-only']) {
  process.stdout.write((args.json ? JSON.stringify(results.startup, null, 2) : startupLines.join('\n')) + '\n');
  fs.rmSync(work, { recursive: true, force: true });
  process.exit(0);
}
log('measuring loopback and disk');
results.loopback = await loopback();
results.disk = diskWrite();
const broker = await startBroker({ dataDir: path.join(work, 'data'), partitions: PARTITIONS, fsync: args.fsync });
try {
  results.kcat = await kcatRows(broker);
  results.kafkajs = await kafkajsRows(broker);
  results.transactions = await transactionRows(broker);
} finally {
  broker.proc.kill('SIGTERM');
  await new Promise((r) => broker.proc.once('exit', r));
  fs.rmSync(work, { recursive: true, force: true });
}

if (args.json) {
  process.stdout.write(JSON.stringify(results, null, 2) + '\n');
} else {
  const row = (name, r) =>
    `  ${name.padEnd(20)} ${String(r.recordsPerSec).padStart(10)} rec/s ${String(r.mbPerSec).padStart(8)} MB/s ${String(r.seconds).padStart(8)} s wall` +
    `  cpu: client ${r.clientCpu} s, broker ${r.brokerCpu} s`;
  const lines = [
    `evt bench/broker: ${RECORDS.toLocaleString('en')} records x ${SIZE} B, ${PARTITIONS} partitions, fsync ${args.fsync}, ${results.cpus} cores`,
    'reference (same run):',
    `  ${'loopback TCP'.padEnd(20)} ${''.padStart(16)} ${String(results.loopback.mbPerSec).padStart(8)} MB/s`,
    `  ${'disk write (cache)'.padEnd(20)} ${''.padStart(16)} ${String(results.disk.pageCache.mbPerSec).padStart(8)} MB/s`,
    `  ${'disk write (synced)'.padEnd(20)} ${''.padStart(16)} ${String(results.disk.fdatasync.mbPerSec).padStart(8)} MB/s`,
    'evt broker:',
  ];
  if (results.kcat) {
    lines.push(row('kcat -P (produce)', results.kcat.produce), row('kcat -C -e (consume)', results.kcat.consume));
    lines.push(
      `  (a kcat -C -e run over a 1-record topic takes ${results.kcat.fixedConsumeSecs} s: start-up, metadata, the final 500 ms EOF poll)`,
    );
  }
  lines.push(row('kafkajs produce', results.kafkajs.produce), row('kafkajs consume', results.kafkajs.consume));
  const t = results.transactions;
  lines.push(
    `transactions (kafkajs, ${t.records.toLocaleString('en')} records, ${t.perTransaction} per send, one send at a time):`,
    `${row('plain (reference)', t.plain)}  ${t.plain.sendsPerSec} sends/s`,
    `${row('transactional', t.transactional)}  ${t.transactional.sendsPerSec} transactions/s`,
  );
  lines.push(...startupLines, ...compactionLines(results.compaction));
  process.stdout.write(lines.join('\n') + '\n');
}
