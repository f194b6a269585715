// Wrong input refused up front: one `evt: ...` line, the documented exit code, and nothing sent or read.
// Broker addresses, --where operators, --from after --until, and records larger than the topic accepts.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker/broker.js';
import { startTestBroker, tempDir } from '../helpers/broker.js';
import { evt, readTopic } from '../helpers/produce-tail.js';

describe('refused before connecting', () => {
  // a valid address nobody listens on: a command that tried to connect would end with exit 3, not 2
  const nowhere = ['--brokers', '127.0.0.1:1', '--timeout', '1s'];

  it.each([
    ['127.0.0.1:99999', 'evt: --brokers: "127.0.0.1:99999": port 99999 is not between 1 and 65535'],
    ['127.0.0.1:0', 'evt: --brokers: "127.0.0.1:0": port 0 is not between 1 and 65535'],
    ['kafka-1', 'evt: --brokers: "kafka-1" has no port (host:port, e.g. kafka-1:9092)'],
    ['::1:9092', 'evt: --brokers: "::1:9092" is not host:port (an IPv6 address goes in brackets: [::1]:9092)'],
    ['b1:9092,b2:x', 'evt: --brokers: "b2:x" is not host:port'],
  ])('--brokers %s', async (brokers, line) => {
    const r = await evt(['--brokers', brokers, 'topics', 'list']);
    expect([r.code, r.stderr, r.stdout]).toEqual([2, `${line}\n`, '']);
  });

  it('EVT_BROKERS and profiles are checked the same way; IPv6 in brackets is accepted', async () => {
    const env = await evt(['topics', 'list'], { env: { EVT_BROKERS: '127.0.0.1:70000' } });
    expect([env.code, env.stderr]).toEqual([
      2,
      'evt: EVT_BROKERS: "127.0.0.1:70000": port 70000 is not between 1 and 65535\n',
    ]);
    const dir = tempDir('evt-input-checks-');
    fs.writeFileSync(path.join(dir, 'evt.config.json'), JSON.stringify({ profiles: { p: { brokers: ['h:123456'] } } }));
    const profile = await evt(['--profile', 'p', 'topics', 'list'], { cwd: dir });
    expect(profile.code).toBe(2);
    expect(profile.stderr).toMatch(/^evt: profile p.*: "h:123456": port 123456 is not between 1 and 65535\n$/);
    const set = await evt(['config', 'set', 'q', '--project', '--brokers', 'h:65536'], { cwd: dir });
    expect([set.code, set.stderr]).toEqual([2, 'evt: --brokers: "h:65536": port 65536 is not between 1 and 65535\n']);
    // [::1]:1 is an address: evt tries it (nobody listens: exit 3)
    const v6 = await evt(['--brokers', '[::1]:1', '--timeout', '1s', 'topics', 'list']);
    expect(v6.code).toBe(3);
  });

  it.each([
    [
      'total>>5',
      'evt: --where: "total>>5" has no operator ">>" (ops: = != > >= < <= ~; quote a value that starts with one: total>"=5")',
    ],
    [
      'total=>5',
      'evt: --where: "total=>5" has no operator "=>" (ops: = != > >= < <= ~; quote a value that starts with one: total>"=5")',
    ],
    ['total>', 'evt: --where: "total>" has nothing to compare with after ">" (e.g. total>100)'],
  ])('--where %s', async (where, line) => {
    const r = await evt([...nowhere, 'tail', 'orders', '--where', where]);
    expect([r.code, r.stderr, r.stdout]).toEqual([2, `${line}\n`, '']);
  });

  it('--from after --until (offsets or times)', async () => {
    const r = await evt([...nowhere, 'tail', 'orders', '--from', '5', '--until', '2']);
    expect([r.code, r.stderr, r.stdout]).toEqual([
      2,
      'evt: --from 5 is not before --until 2 (--until is exclusive): nothing to read\n',
      '',
    ]);
    const same = await evt([...nowhere, 'tail', 'orders', '--from', '5', '--until', '5']);
    expect(same.code).toBe(2);
    const times = await evt([
      ...nowhere,
      ...['tail', 'orders', '--from', '@2026-11-22T10:00:00Z', '--until', '@2026-11-22T09:00:00Z'],
    ]);
    expect([times.code, times.stderr]).toEqual([
      2,
      'evt: --from @2026-11-22T10:00:00Z (2026-11-22T10:00:00.000Z) is not before --until @2026-11-22T09:00:00Z (2026-11-22T09:00:00.000Z) (--until is exclusive): nothing to read\n',
    ]);
  });
});

describe('records larger than the topic accepts', () => {
  let broker: RunningBroker;
  let dir: string;
  const b = () => ['--brokers', broker.bootstrap];
  beforeAll(async () => {
    broker = await startTestBroker({ inMemory: true });
    dir = tempDir('evt-too-large-');
    const c = await evt([...b(), 'topics', 'create', 'small', '-p', '1', '--config', 'max.message.bytes=1000']);
    expect(c.code, c.stderr).toBe(0);
  });
  afterAll(async () => {
    await broker?.close();
  });

  it("a 10 MB value is refused with its size and the broker's default limit, nothing sent", async () => {
    const r = await evt([...b(), 'produce', 'big', 'x'.repeat(10 * 1024 * 1024)]);
    expect([r.code, r.stderr]).toEqual([
      2,
      'evt: the record is 10,485,834 bytes; topic big accepts at most 1,048,588 (max.message.bytes); nothing was sent\n',
    ]);
    expect(await readTopic(broker, 'big')).toEqual([]);
  });

  it('with --file every line is sized first: nothing is sent', async () => {
    const file = path.join(dir, 'lines.txt');
    // 930 bytes of value make a batch of exactly 1000 bytes (61 header + 2 length + 937 body); 931 is one more
    fs.writeFileSync(file, ['fits', 'a'.repeat(930), 'b'.repeat(931), 'also fits', 'c'.repeat(5000)].join('\n') + '\n');
    const r = await evt([...b(), 'produce', 'small', '--file', file]);
    expect([r.code, r.stderr]).toEqual([
      2,
      `evt: record at line 3 of ${file} is 1,001 bytes; topic small accepts at most 1,000 (max.message.bytes) (and 1 more bad line); nothing was sent\n`,
    ]);
    expect(await readTopic(broker, 'small')).toEqual([]);
    // the limit is exact: the 930-byte line alone goes through
    fs.writeFileSync(file, 'a'.repeat(930) + '\n');
    const ok = await evt([...b(), 'produce', 'small', '--file', file]);
    expect(ok.code, ok.stderr).toBe(0);
    expect((await readTopic(broker, 'small')).map((x) => x.value!.length)).toEqual([930]);
  });

  it('with --file and keys (lines parsed before connecting), the sizes come from that check, nothing is sent', async () => {
    const created = await evt([
      ...b(),
      'topics',
      'create',
      'keyed-small',
      '-p',
      '1',
      '--config',
      'max.message.bytes=1000',
    ]);
    expect(created.code, created.stderr).toBe(0);
    const file = path.join(dir, 'keyed.txt');
    // the key counts: 1 + 929 value bytes make the 1000-byte batch, 1 + 930 one more
    fs.writeFileSync(file, ['k:fits', `k:${'a'.repeat(929)}`, `k:${'b'.repeat(930)}`, 'k:also fits'].join('\n') + '\n');
    const r = await evt([...b(), 'produce', 'keyed-small', '-K', ':', '--file', file]);
    expect([r.code, r.stderr]).toEqual([
      2,
      `evt: record at line 3 of ${file} is 1,001 bytes; topic keyed-small accepts at most 1,000 (max.message.bytes); nothing was sent\n`,
    ]);
    expect(await readTopic(broker, 'keyed-small')).toEqual([]);
    fs.writeFileSync(file, ['k:fits', `k:${'a'.repeat(929)}`].join('\n') + '\n');
    const ok = await evt([...b(), 'produce', 'keyed-small', '-K', ':', '--file', file]);
    expect(ok.code, ok.stderr).toBe(0);
    expect((await readTopic(broker, 'keyed-small')).map((x) => x.value!.length)).toEqual([4, 929]);
  });

  it('from stdin it stops at the record that does not fit, keys, headers and envelopes counted', async () => {
    const r = await evt([...b(), 'produce', 'small', '-K', ':', '-H', 'h=v'], {
      input: `k1:one\nk2:${'z'.repeat(2000)}\nk3:three\n`,
    });
    // the summary of what was sent, then the one line saying why it stopped
    expect([r.code, r.stderr]).toEqual([
      2,
      'produced 1 record (7 B) to small: partition 0, offset 1\n' +
        'evt: record at line 2 is 2,076 bytes; topic small accepts at most 1,000 (max.message.bytes); stopped there: the 1 record before it was sent (acknowledged), nothing after it\n',
    ]);
    const json = await evt([...b(), 'produce', 'small', '--json'], {
      input: JSON.stringify({ key: 'k', value: 'v'.repeat(3000) }) + '\n',
    });
    expect(json.code).toBe(2);
    expect(json.stderr).toMatch(/^evt: record at line 1 is 3,\d{3} bytes; topic small accepts at most 1,000/);
    expect((await readTopic(broker, 'small')).map((x) => x.key?.toString())).toEqual([undefined, 'k1']);
  });
});
