// `evt produce` end to end (the spawned CLI against an in-process broker): values from the argument, stdin
// and --file, keys, headers, partitions, the summary, malformed input (line numbers; nothing sent from a
// file; exactly the records before the bad line from a stream), Avro with a schema, and unreachable brokers.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker/broker.js';
import { kafkaFor, startTestBroker, tempDir, until } from '../helpers/broker.js';
import { unusedPort } from '../helpers/ports.js';
import { evt, json, readTopic, start } from '../helpers/produce-tail.js';

let broker: RunningBroker;
let dir: string;
const b = () => ['--brokers', broker.bootstrap];

beforeAll(async () => {
  broker = await startTestBroker({ inMemory: true });
  dir = tempDir('evt-produce-');
  const admin = kafkaFor(broker).admin();
  await admin.connect();
  await admin.createTopics({
    topics: [
      'single',
      'lines',
      'headers',
      'bad-file',
      'bad-stream',
      'avro',
      'parted',
      'gz',
      'summary',
      'interrupted',
    ].map((topic) => ({ topic, numPartitions: 3 })),
  });
  await admin.disconnect();
});
afterAll(async () => {
  await broker?.close();
});

describe('evt produce', () => {
  it('sends one value from the argument with a key and headers, and says where it went', async () => {
    const r = await evt([
      ...b(),
      'produce',
      'single',
      '{"orderId":"o-1","total":12}',
      '--key',
      'o-1',
      '-H',
      'source=cli',
      '-H',
      'evt-event-type=OrderPlaced',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const [rec] = await readTopic(broker, 'single');
    // bytes: key 3 + value 28 + headers 6+3+14+11
    expect(r.stderr).toBe(`produced 1 record (65 B) to single: partition ${rec.partition}, offset 0\n`);
    expect(rec.key!.toString()).toBe('o-1');
    expect(rec.value!.toString()).toBe('{"orderId":"o-1","total":12}');
    expect(rec.headers.map((h) => `${h.key}=${String(h.value)}`)).toEqual(['source=cli', 'evt-event-type=OrderPlaced']);
  });

  it('sends one record per line from stdin (blank lines skipped, a \\r before \\n kept as kcat keeps it), keyed with -K', async () => {
    const input = 'a:one\r\nb:two\n\nc:three with: colon\nd:{"x":1}';
    const r = await evt([...b(), 'produce', 'lines', '-K', ':'], { input });
    expect(r.code).toBe(0);
    const got = await readTopic(broker, 'lines');
    const byKey = Object.fromEntries(got.map((g) => [g.key!.toString(), g.value!.toString()]));
    expect(byKey).toEqual({ a: 'one\r', b: 'two', c: 'three with: colon', d: '{"x":1}' });
    expect(r.stderr).toMatch(/^produced 4 records \(\d+ B\) to lines in .*\n/);
  });

  it('--partition pins the partition; --json prints the summary as one JSON object on stdout', async () => {
    const r = await evt([...b(), '--json', 'produce', 'parted', '--partition', '2', '--value-format', 'string'], {
      input: '{"value":"a"}\n{"value":"b"}\n{"value":"c"}\n',
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({
      topic: 'parted',
      records: 3,
      failed: 0,
      bytes: 3,
      partitions: [{ partition: 2, records: 3, firstOffset: 0, lastOffset: 2 }],
    });
    expect((await readTopic(broker, 'parted')).map((x) => [x.partition, x.value!.toString()])).toEqual([
      [2, 'a'],
      [2, 'b'],
      [2, 'c'],
    ]);
  });

  it('the summary counts records, bytes and per-partition first/last offsets of what was acknowledged', async () => {
    const input = Array.from({ length: 300 }, (_, i) => JSON.stringify({ key: `k${i % 7}`, value: `value-${i}` })).join(
      '\n',
    );
    const r = await evt([...b(), '--json', 'produce', 'summary', '--compression', 'gzip'], { input });
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    const got = await readTopic(broker, 'summary');
    expect(s.records).toBe(300);
    expect(s.bytes).toBe(got.reduce((n, x) => n + x.key!.length + x.value!.length, 0));
    for (const p of s.partitions) {
      const mine = got.filter((x) => x.partition === p.partition);
      expect(p).toEqual({ partition: p.partition, records: mine.length, firstOffset: 0, lastOffset: mine.length - 1 });
    }
    expect(s.recordsPerSec).toBeGreaterThan(0);
  });

  it('--file with a bad line: names the line and the reason, sends nothing, exit 1', async () => {
    const file = path.join(dir, 'bad.ndjson');
    fs.writeFileSync(file, '{"value":{"a":1}}\n{"value":2}\n{"value": oops}\n{"value":4}\nnot json either\n');
    const r = await evt([...b(), '--json', 'produce', 'bad-file', '--file', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      new RegExp(
        `^evt: line 3 of ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not a JSON record envelope: .* \\(and 1 more bad line\\); nothing was sent\\n$`,
      ),
    );
    expect(await readTopic(broker, 'bad-file')).toEqual([]);
  });

  it('a bad line on stdin: the records before it are sent, the count reported is what the topic holds, exit 1', async () => {
    const input = Array.from({ length: 5000 }, (_, i) => (i === 4321 ? 'not json' : JSON.stringify({ n: i }))).join(
      '\n',
    );
    const r = await evt([...b(), 'produce', 'bad-stream', '--value-format', 'json'], { input });
    expect(r.code).toBe(1);
    const got = await readTopic(broker, 'bad-stream');
    expect(got).toHaveLength(4321);
    const lastLine = r.stderr.trim().split('\n').pop()!;
    expect(lastLine).toMatch(
      /^evt: line 4322: not JSON: .*; stopped there: the 4,321 records before it were sent \(acknowledged\), nothing after it$/,
    );
    expect(r.stderr).toMatch(/^produced 4,321 records/);
    expect(new Set(got.map((g) => JSON.parse(g.value!.toString()).n)).size).toBe(4321);
  });

  it('a bad first line on stdin: one error line and nothing else (no "produced 0 records"), exit 1', async () => {
    const r = await evt([...b(), 'produce', 'bad-first', '--value-format', 'json'], { input: 'oops\n{"n":2}\n' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^evt: line 1: not JSON: .*; stopped there: nothing was sent\n$/);
    expect(await readTopic(broker, 'bad-first')).toEqual([]);
  });

  it('Avro from --file: the values encoded by the check are the ones sent, a value of spaces kept, blank lines skipped', async () => {
    const schema = path.join(dir, 'int.avsc');
    fs.writeFileSync(schema, '"int"');
    const file = path.join(dir, 'ints.lines');
    // 16 encodes to 0x20 (a space), 4 to 0x08 (a tab): values, not blank lines
    fs.writeFileSync(file, '16\n\n4\n  \n-1\n1000000\n');
    const ok = await evt([
      ...b(),
      'produce',
      'avro-file',
      '--file',
      file,
      '--value-format',
      'avro',
      '--schema',
      schema,
      '--partition',
      '0',
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    const got = await readTopic(broker, 'avro-file');
    expect(got.map((r) => r.value!.toString('hex'))).toEqual(['20', '08', '01', '80897a']);
  });

  it('Avro: plain JSON lines encoded with the schema (unions included); a value that does not fit names the field', async () => {
    const schema = path.join(dir, 'order.avsc');
    fs.writeFileSync(
      schema,
      JSON.stringify({
        type: 'record',
        name: 'Order',
        fields: [
          { name: 'orderId', type: 'string' },
          { name: 'total', type: 'double' },
          { name: 'note', type: ['null', 'string'], default: null },
          { name: 'status', type: { type: 'enum', name: 'Status', symbols: ['PLACED', 'CONFIRMED'] } },
        ],
      }),
    );
    const values = [
      { orderId: 'o-1', total: 12.5, note: null, status: 'PLACED' },
      { orderId: 'o-2', total: 3, note: 'gift wrap', status: 'CONFIRMED' },
    ];
    const ok = await evt([...b(), 'produce', 'avro', '--value-format', 'avro', '--schema', schema], {
      input: values.map((v) => JSON.stringify(v)).join('\n'),
    });
    expect(ok.code).toBe(0);
    const tail = await evt([
      ...b(),
      '--json',
      'tail',
      'avro',
      '--from',
      'beginning',
      '--value-format',
      'avro',
      '--schema',
      schema,
    ]);
    expect(tail.code).toBe(0);
    expect(
      json<{ value: unknown }>(tail.stdout)
        .map((e) => e.value)
        .sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y))),
    ).toEqual(values);
    const bad = await evt([...b(), 'produce', 'avro', '--value-format', 'avro', '--schema', schema], {
      input: '{"orderId":"o-3","total":"lots","status":"PLACED"}',
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/line 1: total: expected double, got "lots"/);
  });

  it('usage errors: exit 2 before connecting', async () => {
    const r1 = await evt([...b(), 'produce', 't', 'v', '--file', 'x']);
    expect([r1.code, r1.stderr]).toEqual([2, 'evt: give either a value or --file, not both\n']);
    const r2 = await evt([...b(), 'produce', 't', 'v', '--acks', '1', '--idempotent']);
    expect([r2.code, r2.stderr]).toEqual([2, 'evt: --idempotent needs --acks all\n']);
    const r3 = await evt([...b(), 'produce', 't', 'v', '--value-format', 'avro']);
    expect(r3.code).toBe(2);
    const r4 = await evt([...b(), 'produce', 't', 'v', '--rate', 'fast']);
    expect(r4.stderr).toBe('evt: --rate: "fast" is not a rate (use e.g. 100/s or 6000/m)\n');
  });

  it('unknown partition: exit 4', async () => {
    const r = await evt([...b(), 'produce', 'single', 'x', '--partition', '9']);
    expect(r.code).toBe(4);
    expect(r.stderr).toBe('evt: partition 9 of single does not exist (the topic has 3 partitions: 0-2)\n');
  });

  it('Ctrl-C while reading stdin: what was read is flushed and reported, exit 130', async () => {
    const s = start([...b(), 'produce', 'interrupted'], { keepStdin: true });
    s.proc.stdin!.write('one\ntwo\nthree\n');
    // interrupted once the three lines are on the topic: evt is reading stdin by then, whatever the machine's load
    await until(
      async () => (await readTopic(broker, 'interrupted').catch(() => [])).length === 3,
      20_000,
      'the three records',
    );
    s.proc.kill('SIGINT');
    const r = await s.done;
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/^produced 3 records \(11 B\) to interrupted/);
    expect(r.stderr).toMatch(/\nevt: interrupted: 3 records were sent \(acknowledged\)\n$/);
    expect((await readTopic(broker, 'interrupted')).map((x) => x.value!.toString()).sort()).toEqual([
      'one',
      'three',
      'two',
    ]);
  });

  it('--rate paces the records', async () => {
    const r = await evt([...b(), 'produce', 'paced', '--rate', '20/s'], { input: 'a\nb\nc\nd\ne\nf\n' });
    expect(r.code).toBe(0);
    // six records at 20/s: the sixth goes 250 ms after the first, as their timestamps show. The bound leaves one
    // interval of slack: a timestamp is wall-clock milliseconds, taken a moment after the pacer's monotonic check,
    // and a loaded runner may stretch that moment for the first record. Unpaced, the six are a few ms apart.
    const times = (await readTopic(broker, 'paced')).map((x) => x.timestamp).sort((x, y) => x - y);
    expect(times).toHaveLength(6);
    expect(times[5] - times[0]).toBeGreaterThanOrEqual(200);
  });
});

describe('unreachable brokers', () => {
  it('produce and tail fail within the timeout with one line and exit code 3', async () => {
    const port = await unusedPort();
    for (const args of [
      ['produce', 't', 'v'],
      ['tail', 't'],
    ]) {
      const r = await evt(['--brokers', `127.0.0.1:${port}`, '--timeout', '1500ms', ...args]);
      expect(r.code).toBe(3);
      expect(r.stderr).toBe(
        `evt: cannot connect to 127.0.0.1:${port} (from --brokers): connection refused (tried for 1.5s)\n`,
      );
    }
  });
});
