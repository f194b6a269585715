// `evt tail --format`: kcat's tokens and escapes, compared byte for byte with kcat's own output on the same
// records (binary keys, values and headers, a tombstone, a null header), and unknown tokens refused.

import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker/broker.js';
import type { ConsumedRecord } from '../../src/client/records.js';
import { compileTemplate, unescapeLiteral } from '../../src/cli/kcat-format.js';
import { toEnvelope } from '../../src/codec/envelope.js';
import { autoCodec } from '../../src/codec/value-codec.js';
import { startTestBroker } from '../helpers/broker.js';
import { hasKcat } from '../helpers/interop.js';
import { evt } from '../helpers/produce-tail.js';

const record = (over: Partial<ConsumedRecord>): ConsumedRecord => ({
  topic: 'orders',
  partition: 2,
  offset: 7,
  timestamp: 1_700_000_000_123,
  key: Buffer.from('k-1'),
  value: Buffer.from('v'),
  headers: [],
  ...over,
});

const render = (template: string, r: ConsumedRecord) => compileTemplate(template)(r, toEnvelope(r, autoCodec));

describe('kcat templates', () => {
  it('prints binary values and keys as their bytes, lengths with %S %K, -1 for null', () => {
    const bin = Buffer.from([0x00, 0xff, 0x80, 0x0a, 0x41]);
    const r = record({ key: Buffer.from([0xfe, 0x01]), value: bin });
    expect(render('%s', r)).toEqual(bin);
    expect(render('%k|%K|%S', r)).toEqual(Buffer.concat([Buffer.from([0xfe, 0x01]), Buffer.from('|2|5')]));
    const tomb = record({ key: null, value: null });
    expect(render('[%k][%s] %K %S', tomb).toString()).toBe('[][] -1 -1');
    expect(render('%R', tomb)).toEqual(Buffer.from([0xff, 0xff, 0xff, 0xff]));
    expect(render('%R', r)).toEqual(Buffer.from([0, 0, 0, 5]));
  });

  it('prints %t %p %o %T %h and escapes as kcat', () => {
    const r = record({
      headers: [
        { key: 'a', value: Buffer.from('1') },
        { key: 'n', value: null },
        { key: 'a', value: Buffer.from('') },
      ],
    });
    expect(render('%t [%p] @%o %T %h 100%%\\n', r).toString()).toBe('orders [2] @7 1700000000123 a=1,n=NULL,a= 100%\n');
    expect(unescapeLiteral('\\t\\r\\n\\x41\\101\\065\\q\\\\')).toEqual(Buffer.from('\t\r\nAe5q\\'));
    // a backslash at the very end stays
    expect(unescapeLiteral('x\\')).toEqual(Buffer.from('x\\'));
  });

  it('refuses an unknown token and a lone % as usage errors', () => {
    const refused = (t: string) => {
      try {
        compileTemplate(t);
      } catch (err) {
        expect((err as { exitCode?: number }).exitCode).toBe(2);
        return (err as Error).message;
      }
      return 'accepted';
    };
    expect(refused('%x')).toBe("--format: unknown token %x (kcat's tokens: %t %p %o %T %k %K %s %S %R %h %%)");
    expect(refused('%s %')).toMatch(/^--format: the template ends with a lone %/);
    expect(refused('%%')).toBe('accepted');
  });
});

const kcatEnabled = hasKcat();

/** Runs kcat and returns its stdout as bytes. */
function kcatBytes(args: string[]): Promise<{ status: number | null; out: Buffer; err: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn('kcat', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    p.stdout.on('data', (d: Buffer) => out.push(d));
    p.stderr.on('data', (d) => (err += d));
    p.on('error', reject);
    p.on('close', (status) => resolve({ status, out: Buffer.concat(out), err }));
  });
}

describe.skipIf(!kcatEnabled)('evt tail --format against kcat -f', () => {
  let broker: RunningBroker;
  beforeAll(async () => {
    broker = await startTestBroker();
  });
  afterAll(async () => {
    await broker?.close();
  });

  it('prints the same bytes as kcat for the same records and template', async () => {
    const envelopes = [
      {
        key: Buffer.from([0xfe, 0x01]).toString('base64'),
        keyEncoding: 'base64',
        value: Buffer.from([0x00, 0xff, 0x80, 0x0a, 0x0d, 0x41]).toString('base64'),
        valueEncoding: 'base64',
        headers: { h: Buffer.from([0x00, 0xff]).toString('base64'), n: null, e: '' },
        headerEncoding: { h: 'base64' },
      },
      { key: 'tomb', value: null },
      { key: null, value: 'héllo\tworld' },
      { key: 'j', value: { a: 1 }, headers: { 'evt-event-type': 'X' } },
    ];
    const input = envelopes.map((e) => JSON.stringify(e)).join('\n') + '\n';
    const p = await evt(['--brokers', broker.bootstrap, 'produce', 'bin', '--json', '--partition', '0'], { input });
    expect(p.code, p.stderr).toBe(0);

    const template = '%t|%p|%o|%T|%k|%K|%s|%S|%h|%R|100%%\\n\\t\\x41\\101-';
    const k = await kcatBytes([
      '-b',
      broker.bootstrap,
      '-C',
      '-t',
      'bin',
      '-p',
      '0',
      '-o',
      'beginning',
      '-e',
      '-q',
      '-f',
      template,
    ]);
    expect(k.status, k.err).toBe(0);
    const e = await evt([
      '--brokers',
      broker.bootstrap,
      'tail',
      'bin',
      '-p',
      '0',
      '--from',
      'beginning',
      '--format',
      template,
    ]);
    expect(e.code, e.stderr).toBe(0);
    expect(e.stdoutBytes!.toString('hex')).toBe(k.out.toString('hex'));
    // and it is really the raw bytes: the binary value is in there as it is, not as base64
    expect(e.stdoutBytes!.includes(Buffer.from([0x00, 0xff, 0x80, 0x0a, 0x0d, 0x41]))).toBe(true);
  });

  it('an unknown token is one line and exit 2, before anything is read', async () => {
    const e = await evt(['--brokers', '127.0.0.1:1', 'tail', 'bin', '--format', '%s %Z\\n']);
    expect(e.code).toBe(2);
    expect(e.stdout).toBe('');
    expect(e.stderr).toBe("evt: --format: unknown token %Z (kcat's tokens: %t %p %o %T %k %K %s %S %R %h %%)\n");
  });
});
