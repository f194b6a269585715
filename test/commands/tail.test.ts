// `evt tail` end to end (the spawned CLI against an in-process broker): the byte-faithful round trip
// `tail --json | produce --json`, bounded reads by offset and by time, timestamp-merged output, the last N,
// every filter, templates, --expect (success and exit 5), following and Ctrl-C (exit 130), undecodable
// payloads, consumer groups (none left behind without --group; committed offsets with it).

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker/broker.js';
import type { OutgoingRecord } from '../../src/client/records.js';
import { Cluster } from '../../src/client/wire/cluster.js';
import { WireProducer } from '../../src/client/wire/producer.js';
import { kafkaFor, startTestBroker, tempDir, until } from '../helpers/broker.js';
import { evt, evtProcess, json, lines, readTopic, start } from '../helpers/produce-tail.js';

let broker: RunningBroker;
let cluster: Cluster;
let producer: WireProducer;
let dir: string;
const b = () => ['--brokers', broker.bootstrap];
const T0 = Date.parse('2026-01-10T10:00:00.000Z');
const rec = (value: string | Buffer | null, extra: Partial<OutgoingRecord> = {}): OutgoingRecord => ({
  key: null,
  headers: [],
  value: typeof value === 'string' ? Buffer.from(value) : value,
  ...extra,
});

async function createTopics(...topics: [string, number][]): Promise<void> {
  const admin = kafkaFor(broker).admin();
  await admin.connect();
  await admin.createTopics({ topics: topics.map(([topic, numPartitions]) => ({ topic, numPartitions })) });
  await admin.disconnect();
}

async function groupIds(): Promise<string[]> {
  const admin = kafkaFor(broker).admin();
  await admin.connect();
  try {
    return (await admin.listGroups()).groups.map((g) => g.groupId).sort();
  } finally {
    await admin.disconnect();
  }
}

beforeAll(async () => {
  broker = await startTestBroker({ inMemory: true, autoCreateTopics: false });
  cluster = await Cluster.connect({ brokers: [broker.bootstrap], clientId: 'test', timeoutMs: 5000, source: 'test' });
  producer = await WireProducer.create(cluster);
  dir = tempDir('evt-tail-');
  await createTopics(
    ['rt-src', 3],
    ['rt-dst', 3],
    ['rt-bom', 1],
    ['seq', 1],
    ['merge', 3],
    ['orders', 3],
    ['exp', 2],
    ['exp2', 1],
    ['fol', 2],
    ['mixed', 1],
    ['grp', 2],
    ['grp-page', 1],
  );
  for (let i = 0; i < 50; i++) producer.write('seq', rec(`{"n":${i}}`, { timestamp: T0 + i * 1000 }));
  for (let i = 0; i < 30; i++) producer.write('merge', rec(`m${i}`, { partition: i % 3, timestamp: T0 + i }));
  for (let i = 0; i < 20; i++) {
    const status = i % 3 === 0 ? 'CONFIRMED' : 'PLACED';
    producer.write(
      'orders',
      rec(JSON.stringify({ orderId: `o-${i}`, status, total: i * 10 }), {
        key: Buffer.from(`o-${i}`),
        headers: [
          { key: 'evt-event-type', value: Buffer.from(status === 'CONFIRMED' ? 'OrderConfirmed' : 'OrderPlaced') },
        ],
        timestamp: T0 + i,
      }),
    );
  }
  await producer.flush();
});
afterAll(async () => {
  cluster?.close();
  await broker?.close();
});

describe('evt tail', () => {
  it('tail --json | produce --json copies keys, headers, values (JSON, text, binary), timestamps and partitions byte for byte', async () => {
    const records: OutgoingRecord[] = [
      rec('{"orderId":"o-1","lines":[{"sku":"a","qty":2}],"total":12.5}', {
        key: Buffer.from('o-1'),
        headers: [{ key: 'evt-event-type', value: Buffer.from('OrderPlaced') }],
      }),
      rec('{ "spaced": true }', { key: Buffer.from('o-2') }),
      rec('{"a":1.0,"b":1e3}', { key: Buffer.from('o-2') }),
      rec('plain text with ünïcödé and "quotes"', { key: null }),
      rec(Buffer.from([0, 1, 2, 0xfe, 0xff]), { key: Buffer.from([0xff, 0x00, 0x80]) }),
      rec(null, { key: Buffer.from('tombstone') }),
      rec('', { key: Buffer.from('') }),
      rec('[1,2,3]', {
        headers: [
          { key: 'dup', value: Buffer.from('1') },
          { key: 'dup', value: Buffer.from('2') },
          { key: 'nil', value: null },
          { key: 'bin', value: Buffer.from([0xc3, 0x28]) },
        ],
      }),
    ];
    records.forEach((r, i) => {
      r.timestamp = T0 + i * 7;
      r.partition = i % 3;
    });
    await Promise.all(records.map((r) => producer.send('rt-src', r)));
    const tailed = await evt([...b(), '--json', 'tail', 'rt-src', '--from', 'beginning', '--until', 'end']);
    expect(tailed.code).toBe(0);
    expect(lines(tailed.stdout)).toHaveLength(records.length);
    const copied = await evt([...b(), '--json', 'produce', 'rt-dst'], { input: tailed.stdout });
    expect(copied.code).toBe(0);
    expect(JSON.parse(copied.stdout).records).toBe(records.length);
    const [src, dst] = [await readTopic(broker, 'rt-src'), await readTopic(broker, 'rt-dst')];
    const view = (r: (typeof src)[number]) => ({
      partition: r.partition,
      offset: r.offset,
      timestamp: r.timestamp,
      key: r.key?.toString('hex') ?? null,
      value: r.value?.toString('hex') ?? null,
      headers: r.headers.map((h) => [h.key, h.value?.toString('hex') ?? null]),
    });
    expect(dst.map(view)).toEqual(src.map(view));
    // and the envelopes look as the design says
    const envs = json(tailed.stdout);
    expect(envs.find((e) => e.key === 'o-1')).toEqual({
      topic: 'rt-src',
      partition: 0,
      offset: 0,
      timestamp: T0,
      key: 'o-1',
      headers: { 'evt-event-type': 'OrderPlaced' },
      value: { orderId: 'o-1', lines: [{ sku: 'a', qty: 2 }], total: 12.5 },
    });
    expect(envs.find((e) => e.keyEncoding === 'base64')).toMatchObject({
      key: Buffer.from([0xff, 0x00, 0x80]).toString('base64'),
      value: 'AAEC/v8=',
      valueEncoding: 'base64',
    });
    expect(envs.find((e) => e.key === 'o-2' && typeof e.value === 'string')!.value).toBe('{ "spaced": true }');
  });

  // TextDecoder drops a leading byte order mark unless told not to: the copy must keep it.
  it('a value or key that starts with a byte order mark survives the round trip', async () => {
    await producer.send(
      'rt-src',
      rec(Buffer.from([0xef, 0xbb, 0xbf, 0x68, 0x69]), {
        key: Buffer.from([0xef, 0xbb, 0xbf, 0x6b]),
        partition: 0,
        timestamp: T0,
      }),
    );
    const tailed = await evt([...b(), '--json', 'tail', 'rt-src', '--partition', '0', '-n', '1']);
    const copied = await evt([...b(), '--json', 'produce', 'rt-bom'], { input: tailed.stdout });
    expect(copied.code).toBe(0);
    const [got] = await readTopic(broker, 'rt-bom');
    expect([got.key!.toString('hex'), got.value!.toString('hex')]).toEqual(['efbbbf6b', 'efbbbf6869']);
  });

  it('--from/--until by offset (until is exclusive)', async () => {
    const r = await evt([...b(), '--json', 'tail', 'seq', '--from', '5', '--until', '10']);
    expect(r.code).toBe(0);
    expect(json<{ offset: number }>(r.stdout).map((e) => e.offset)).toEqual([5, 6, 7, 8, 9]);
  });

  it('--from/--until by time: epoch ms and ISO-8601', async () => {
    const r = await evt([
      ...b(),
      '--json',
      'tail',
      'seq',
      '--from',
      `@${T0 + 20_000}`,
      '--until',
      `@${new Date(T0 + 25_000).toISOString()}`,
    ]);
    expect(json<{ offset: number }>(r.stdout).map((e) => e.offset)).toEqual([20, 21, 22, 23, 24]);
    const before = await evt([...b(), '--json', 'tail', 'seq', '--until', `@${T0 + 3_500}`]);
    expect(json<{ offset: number }>(before.stdout).map((e) => e.offset)).toEqual([0, 1, 2, 3]);
  });

  it('by default prints the last 10 records; -n N the last N', async () => {
    const ten = await evt([...b(), '--json', 'tail', 'seq']);
    expect(json<{ offset: number }>(ten.stdout).map((e) => e.offset)).toEqual([40, 41, 42, 43, 44, 45, 46, 47, 48, 49]);
    const three = await evt([...b(), '--json', 'tail', 'seq', '-n', '3']);
    expect(json<{ offset: number }>(three.stdout).map((e) => e.offset)).toEqual([47, 48, 49]);
    const lastOverall = await evt([...b(), '--json', 'tail', 'merge', '-n', '4']);
    expect(json<{ value: string }>(lastOverall.stdout).map((e) => e.value)).toEqual(['m26', 'm27', 'm28', 'm29']);
  });

  it('merges partitions (and topics, with --pattern) in timestamp order for bounded reads', async () => {
    const r = await evt([...b(), '--json', 'tail', 'merge', '--from', 'beginning']);
    expect(json<{ value: string }>(r.stdout).map((e) => e.value)).toEqual(
      Array.from({ length: 30 }, (_, i) => `m${i}`),
    );
    const both = await evt([...b(), '--json', 'tail', '--pattern', '^(merge|seq)$', '--from', 'beginning', '-n', '8']);
    const got = json<{ topic: string; timestamp: number }>(both.stdout);
    expect(got.map((e) => e.timestamp)).toEqual([...got.map((e) => e.timestamp)].sort((x, y) => x - y));
    expect(new Set(got.map((e) => e.topic))).toEqual(new Set(['merge', 'seq']));
  });

  it('filters: --key, --grep, --header, --where (= and >), --partition, and together', async () => {
    const values = async (...args: string[]) => {
      const r = await evt([...b(), '--json', 'tail', 'orders', '--from', 'beginning', ...args]);
      expect(r.code, r.stderr).toBe(0);
      return json<{ key: string; partition: number; value: { total: number; status: string } }>(r.stdout);
    };
    expect((await values('--key', 'o-7')).map((e) => e.key)).toEqual(['o-7']);
    expect((await values('--grep', 'CONF')).map((e) => e.key)).toEqual([
      'o-0',
      'o-3',
      'o-6',
      'o-9',
      'o-12',
      'o-15',
      'o-18',
    ]);
    expect((await values('--header', 'evt-event-type=OrderConfirmed')).map((e) => e.key)).toEqual([
      'o-0',
      'o-3',
      'o-6',
      'o-9',
      'o-12',
      'o-15',
      'o-18',
    ]);
    expect((await values('--where', 'status=CONFIRMED')).length).toBe(7);
    expect((await values('--where', 'total>150')).map((e) => e.key)).toEqual(['o-16', 'o-17', 'o-18', 'o-19']);
    expect((await values('--where', 'total>150', '--where', 'status=CONFIRMED')).map((e) => e.key)).toEqual(['o-18']);
    const p1 = await values('--partition', '1');
    expect(p1.length).toBeGreaterThan(0);
    expect(new Set(p1.map((e) => e.partition))).toEqual(new Set([1]));
    // the last N that match, not the matches among the last N
    const lastTwo = await evt([...b(), '--json', 'tail', 'orders', '--where', 'status=CONFIRMED', '-n', '2']);
    expect(json<{ key: string }>(lastTwo.stdout).map((e) => e.key)).toEqual(['o-15', 'o-18']);
    const bad = await evt([...b(), 'tail', 'orders', '--where', 'nonsense']);
    expect(bad.code).toBe(2);
  });

  it('--format templates and the human format', async () => {
    const t = await evt([...b(), 'tail', 'orders', '--key', 'o-4', '--format', '%t/%p@%o %k %h %s\\n']);
    // as kcat's -f, the template says where lines end
    expect(t.stdout).toMatch(
      /^orders\/\d@\d+ o-4 evt-event-type=OrderPlaced \{"orderId":"o-4","status":"PLACED","total":40\}\n$/,
    );
    const joined = await evt([...b(), 'tail', 'seq', '--from', '0', '--until', '3', '--format', '%o,']);
    expect(joined.stdout).toBe('0,1,2,');
    const h = await evt([...b(), 'tail', 'seq', '-n', '1']);
    expect(h.stdout).toBe(`${new Date(T0 + 49_000).toISOString()} seq/0@49\n  {\n    "n": 49\n  }\n`);
  });

  it('undecodable payloads carry an error on their record and the stream goes on', async () => {
    const schema = path.join(dir, 'n.avsc');
    fs.writeFileSync(schema, JSON.stringify({ type: 'record', name: 'N', fields: [{ name: 'n', type: 'long' }] }));
    const avro = await import('avsc');
    const type = avro.default.Type.forSchema({ type: 'record', name: 'N', fields: [{ name: 'n', type: 'long' }] });
    await producer.send('mixed', rec(type.toBuffer({ n: 1 })));
    await producer.send('mixed', rec('this is not avro at all, far too long'));
    await producer.send('mixed', rec(type.toBuffer({ n: 3 })));
    const r = await evt([...b(), '--json', 'tail', 'mixed', '--value-format', 'avro', '--schema', schema]);
    expect(r.code).toBe(0);
    const envs = json(r.stdout);
    expect(envs.map((e) => e.value)).toEqual([{ n: 1 }, expect.any(String), { n: 3 }]);
    expect(envs[1].error).toMatch(/not Avro/);
  });

  it('an unknown topic is exit 4; no topic at all is a usage error', async () => {
    const r = await evt([...b(), 'tail', 'nope']);
    expect([r.code, r.stderr]).toEqual([4, 'evt: topic nope not found (see `evt topics list`)\n']);
    const u = await evt([...b(), 'tail']);
    expect(u.code).toBe(2);
  });
});

describe('large reads on worker threads', () => {
  it('print exactly what one thread prints (JSON with fast and general paths, templates, filters, limits)', async () => {
    await createTopics(['big', 3]);
    for (let i = 0; i < 60_000; i++) {
      const value =
        i % 97 === 0
          ? Buffer.from([0xff, i % 256])
          : i % 89 === 0
            ? `{ "spaced": ${i} }`
            : i % 83 === 0
              ? `text ${i}`
              : `{"n":${i},"even":${i % 2 === 0}}`;
      producer.write(
        'big',
        rec(value, {
          key: i % 5 === 0 ? null : Buffer.from(`k${i % 11}`),
          headers: i % 7 === 0 ? [{ key: 'h', value: Buffer.from(String(i)) }] : [],
          timestamp: T0 + Math.floor(i / 3),
        }),
      );
    }
    await producer.flush();
    for (const args of [
      ['--json', 'tail', 'big', '--from', 'beginning', '--until', 'end'],
      ['tail', 'big', '--from', 'beginning', '--format', '%p %o %k %s\n'],
      ['--json', 'tail', 'big', '--from', 'beginning', '--where', 'even=true', '--key', 'k3'],
      ['--json', 'tail', 'big', '--from', '100', '-n', '55555'],
    ]) {
      // spawned: the worker threads run the build's format-worker.js, which a run from the sources has not
      const [one, many] = await Promise.all([
        evtProcess([...b(), ...args], { env: { EVT_WORKERS: '0' } }),
        evtProcess([...b(), '--verbose', ...args], { env: { EVT_WORKERS: '2' } }),
      ]);
      expect(one.code, one.stderr).toBe(0);
      expect(many.code, many.stderr).toBe(0);
      expect(many.stderr).toMatch(/evt: decoding and formatting [\d,]+ records on 2 worker threads/);
      expect(many.stdout.length).toBeGreaterThan(1000);
      expect(many.stdout === one.stdout, args.join(' ')).toBe(true);
    }
    // eight spawned reads of 60,000 records: about 20 s on an idle machine, three times that on a busy CI runner
  }, 180_000);
});

describe('evt tail --expect', () => {
  it('exits 0 as soon as N matching records were seen (some there before, some produced later)', async () => {
    await producer.send('exp', rec('{"ok":true,"n":1}'));
    await producer.send('exp', rec('{"ok":false,"n":2}'));
    const s = start([...b(), '--json', '--timeout', '20s', 'tail', 'exp', '--expect', '3', '--where', 'ok=true']);
    await new Promise((r) => setTimeout(r, 800));
    for (const n of [3, 4, 5, 6]) await producer.send('exp', rec(`{"ok":${n !== 4},"n":${n}}`));
    const r = await s.done;
    expect(r.code, r.stderr).toBe(0);
    // exit 0 rather than 5: it stopped at the third match, well inside its 20 s
    expect(json<{ value: { n: number } }>(r.stdout).map((e) => e.value.n)).toEqual([1, 3, 5]);
  });

  it('exits 5 when the timeout passes first, saying how many it saw', async () => {
    await producer.send('exp2', rec('a'));
    await producer.send('exp2', rec('b'));
    const r = await evt([...b(), '--timeout', '1500ms', 'tail', 'exp2', '--expect', '5']);
    expect(r.code).toBe(5);
    expect(r.stderr).toBe('evt: expected 5 matching records within 1.5s, saw 2\n');
    expect(lines(r.stdout).filter((l) => !l.startsWith(' '))).toHaveLength(2);
  });
});

describe('evt tail -f', () => {
  it('follows new records until Ctrl-C, flushes what it has and exits 130', async () => {
    const s = start([...b(), '--json', 'tail', 'fol', '-f']);
    await new Promise((r) => setTimeout(r, 800));
    await producer.send('fol', rec('first', { partition: 0 }));
    await producer.send('fol', rec('second', { partition: 1 }));
    await until(() => lines(s.stdout()).length === 2, 10_000, 'two records followed');
    s.proc.kill('SIGINT');
    const r = await s.done;
    expect(r.code).toBe(130);
    expect(
      json<{ value: string }>(r.stdout)
        .map((e) => e.value)
        .sort(),
    ).toEqual(['first', 'second']);
    expect(r.stderr).toBe('evt: interrupted\n');
  });

  it('a reader that goes away (| head) ends it quietly', async () => {
    const s = start([...b(), '--json', 'tail', 'seq', '--from', 'beginning', '-f']);
    await until(() => s.stdout().length > 0, 10_000, 'output');
    s.proc.stdout!.destroy();
    await producer.send('seq', rec('{"n":50}', { timestamp: T0 + 50_000 }));
    const timer = setTimeout(() => s.proc.kill('SIGKILL'), 10_000);
    const r = await s.done;
    clearTimeout(timer);
    expect(r.signal).toBe(null);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });
});

describe('consumer groups', () => {
  it('a tail without --group joins no group and leaves none behind', async () => {
    await evt([...b(), 'tail', 'orders', '--from', 'beginning']);
    await evt([...b(), 'tail', 'orders', '-n', '3']);
    expect(await groupIds()).toEqual([]);
  });

  it('--group consumes as that group and commits: a second run only sees what came after', async () => {
    for (let i = 0; i < 6; i++) await producer.send('grp', rec(`g${i}`, { partition: i % 2 }));
    const first = await evt([...b(), '--json', 'tail', 'grp', '--group', 'audit'], { timeoutMs: 60_000 });
    expect(first.code, first.stderr).toBe(0);
    expect(
      json<{ value: string }>(first.stdout)
        .map((e) => e.value)
        .sort(),
    ).toEqual(['g0', 'g1', 'g2', 'g3', 'g4', 'g5']);
    const admin = kafkaFor(broker).admin();
    await admin.connect();
    const offsets = await admin.fetchOffsets({ groupId: 'audit', topics: ['grp'] });
    await admin.disconnect();
    expect(offsets[0].partitions.map((p) => [p.partition, p.offset]).sort()).toEqual([
      [0, '3'],
      [1, '3'],
    ]);
    expect(await groupIds()).toEqual(['audit']);
    await producer.send('grp', rec('g6', { partition: 0 }));
    const second = await evt([...b(), '--json', 'tail', 'grp', '--group', 'audit'], { timeoutMs: 60_000 });
    expect(second.code, second.stderr).toBe(0);
    expect(json<{ value: string }>(second.stdout).map((e) => e.value)).toEqual(['g6']);
  });

  it('--group -n N prints N records and commits exactly those; --from applies where the group committed nothing', async () => {
    for (let i = 0; i < 10; i++) await producer.send('grp-page', rec(`p${i}`));
    const page = async (...args: string[]) => {
      const r = await evt([...b(), '--json', 'tail', 'grp-page', ...args], { timeoutMs: 60_000 });
      expect(r.code, r.stderr).toBe(0);
      return json<{ value: string }>(r.stdout).map((e) => e.value);
    };
    const committed = async (groupId: string) => {
      const admin = kafkaFor(broker).admin();
      await admin.connect();
      try {
        return (await admin.fetchOffsets({ groupId, topics: ['grp-page'] }))[0].partitions[0].offset;
      } finally {
        await admin.disconnect();
      }
    };
    expect(await page('--group', 'pager', '-n', '3')).toEqual(['p0', 'p1', 'p2']);
    expect(await committed('pager')).toBe('3');
    expect(await page('--group', 'pager', '-n', '3')).toEqual(['p3', 'p4', 'p5']);
    expect(await committed('pager')).toBe('6');
    // --from counts only where nothing is committed
    expect(await page('--group', 'pager', '--from', '1')).toEqual(['p6', 'p7', 'p8', 'p9']);
    expect(await page('--group', 'latecomer', '--from', '7')).toEqual(['p7', 'p8', 'p9']);
    expect(await committed('latecomer')).toBe('10');
  });
});

describe('evt tail -f --group, interrupted', () => {
  it('Ctrl-C on an idle member exits 130, leaves the group at once and commits what it printed', async () => {
    await createTopics(['grp-idle', 2]);
    for (let i = 0; i < 4; i++) await producer.send('grp-idle', rec(`i${i}`, { partition: i % 2 }));
    const s = start([...b(), '--json', 'tail', 'grp-idle', '-f', '--group', 'idler']);
    await until(() => lines(s.stdout()).length === 4, 20_000, 'the four records printed');
    // idle: everything read, the member waits in its fetches when Ctrl-C comes
    const admin = kafkaFor(broker).admin();
    await admin.connect();
    try {
      await until(
        async () => (await admin.describeGroups(['idler'])).groups[0].state === 'Stable',
        20_000,
        'the member in a stable group',
      );
      s.proc.kill('SIGINT');
      const r = await s.done;
      expect(r.signal).toBe(null);
      expect(r.code).toBe(130);
      expect(r.stderr).toBe('evt: interrupted\n');
      expect(
        json<{ value: string }>(r.stdout)
          .map((e) => e.value)
          .sort(),
      ).toEqual(['i0', 'i1', 'i2', 'i3']);
      // it left (LeaveGroup) rather than waiting for its session to time out: no member right after it exited
      const [group] = (await admin.describeGroups(['idler'])).groups;
      expect(group.members).toEqual([]);
      expect(group.state).toBe('Empty');
      const offsets = await admin.fetchOffsets({ groupId: 'idler', topics: ['grp-idle'] });
      expect(offsets[0].partitions.map((p) => [p.partition, p.offset]).sort()).toEqual([
        [0, '2'],
        [1, '2'],
      ]);
    } finally {
      await admin.disconnect();
    }
  });
});

describe('help', () => {
  it('produce and tail explain themselves with examples', async () => {
    for (const cmd of ['produce', 'tail']) {
      const r = await evt([cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Examples:\n {2}\$ evt /);
    }
  });
});
