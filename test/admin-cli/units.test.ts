// The pure pieces behind the admin commands: tables, confirmation, times and reset targets, retry policy,
// connection error lines.

import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseResetTarget } from '../../commands/groups.js';
import { confirm } from '../../src/cli/confirm.js';
import type { Io } from '../../src/cli/io.js';
import { colorOnStdout } from '../../src/cli/table.js';
import { renderFields, renderTable } from '../../src/common/text-table.js';
import { describeConnectError, retryPolicy } from '../../src/client/connect.js';
import { parseTime } from '../../src/cli/time-spec.js';
import type { ConnectionSettings } from '../../src/client/settings.js';

function fakeIo(tty: boolean, env: NodeJS.ProcessEnv = {}): Io & { err: () => string } {
  let err = '';
  const stderr = Object.assign(new PassThrough(), { isTTY: tty });
  stderr.on('data', (d) => (err += d));
  return {
    stdin: Object.assign(new PassThrough(), { isTTY: tty }),
    stdout: Object.assign(new PassThrough(), { isTTY: tty }),
    stderr,
    env,
    cwd: process.cwd(),
    interrupted: () => new Promise(() => {}),
    err: () => err,
  };
}

describe('tables', () => {
  it('aligns columns, numbers to the right, no trailing spaces, "-" for missing values', () => {
    const lines = renderTable(['NAME', 'COUNT', 'NOTE'], [['a', 1, null], ['longer', 1234, 'x']]);
    expect(lines).toEqual(['NAME    COUNT  NOTE', 'a           1  -', 'longer   1234  x']);
  });
  it('colour (bold headers) only when asked, and never breaks alignment', () => {
    const lines = renderTable(['A', 'B'], [['x', 'y']], { color: true });
    expect(lines[0]).toContain('\x1b[1m');
    expect(lines[0].replace(/\x1b\[[0-9;]*m/g, '')).toBe('A  B');
    expect(renderFields([['topic', 'orders'], ['records', 7]])).toEqual(['topic    orders', 'records  7']);
  });
  it('colour on stdout only on a terminal, without NO_COLOR and without --no-color', () => {
    expect(colorOnStdout(fakeIo(true), { color: true })).toBe(true);
    expect(colorOnStdout(fakeIo(false), { color: true })).toBe(false);
    expect(colorOnStdout(fakeIo(true, { NO_COLOR: '1' }), { color: true })).toBe(false);
    expect(colorOnStdout(fakeIo(true), { color: false })).toBe(false);
  });
});

describe('confirm', () => {
  const input = (answer: string | null) => {
    const s = Object.assign(new PassThrough(), { isTTY: true });
    setTimeout(() => (answer === null ? s.end() : s.write(answer + '\n')), 10);
    return s;
  };
  it('goes ahead on y/yes typed at a terminal', async () => {
    const io = fakeIo(true);
    await expect(confirm(io, 'delete topic orders?', { yes: false, action: 'delete topic orders', input: input('yes') })).resolves.toBeUndefined();
    expect(io.err()).toContain('delete topic orders? [y/N]');
  });
  it('stops (exit 1) on anything else, or end of input', async () => {
    await expect(confirm(fakeIo(true), 'q?', { yes: false, action: 'delete topic orders', input: input('n') })).rejects.toMatchObject({ exitCode: 1, message: 'not confirmed: did not delete topic orders' });
    await expect(confirm(fakeIo(true), 'q?', { yes: false, action: 'delete topic orders', input: input(null) })).rejects.toMatchObject({ exitCode: 1 });
  });
  it('--yes needs no terminal; without a terminal and --yes it is a usage error', async () => {
    await expect(confirm(fakeIo(false), 'q?', { yes: true, action: 'x' })).resolves.toBeUndefined();
    const notTty = Object.assign(new PassThrough(), { isTTY: false });
    await expect(confirm(fakeIo(true), 'q?', { yes: false, action: 'delete group g', input: notTty })).rejects.toMatchObject({ exitCode: 2 });
  });
});

describe('times and reset targets', () => {
  const now = Date.parse('2024-05-29T12:00:00Z');
  it('parses epoch ms, ISO-8601 and relative times', () => {
    expect(parseTime('1717000000000', now, '--to')).toBe(1717000000000);
    expect(parseTime('2024-05-29T11:00:00Z', now, '--to')).toBe(now - 3_600_000);
    expect(parseTime('-15m', now, '--to')).toBe(now - 900_000);
    expect(parseTime('-1d', now, '--to')).toBe(now - 86_400_000);
    expect(() => parseTime('soon', now, '--to')).toThrow(/not a time/);
  });
  it('reads --to targets', () => {
    expect(parseResetTarget('earliest')).toEqual({ kind: 'earliest' });
    expect(parseResetTarget('end')).toEqual({ kind: 'latest' });
    expect(parseResetTarget('42')).toEqual({ kind: 'offset', offset: 42 });
    expect(parseResetTarget('@-2h', now)).toEqual({ kind: 'time', timestamp: now - 7_200_000 });
    expect(() => parseResetTarget('-3')).toThrow(/is not earliest/);
  });
});

describe('connection limits and errors', () => {
  it('retries fit in the timeout', () => {
    for (const timeoutMs of [1000, 2000, 10_000, 60_000]) {
      const r = retryPolicy(timeoutMs);
      let total = 0;
      let wait = r.initialRetryTime!;
      for (let i = 0; i < r.retries! - 1; i++) {
        total += wait;
        wait = Math.min(wait * 2, r.maxRetryTime!);
      }
      expect(total, `${timeoutMs}`).toBeLessThanOrEqual(timeoutMs);
      expect(r.retries).toBeGreaterThanOrEqual(2);
    }
  });
  it('one line for kafkajs connection errors, exit 3; SASL failures exit 1', () => {
    const settings: ConnectionSettings = { brokers: ['k1:9092'], clientId: 'evt', timeoutMs: 10_000, source: 'profile prod', sasl: { mechanism: 'plain', username: 'ops', password: 'pw' } };
    const refused = Object.assign(new Error('Connection error: connect ECONNREFUSED 1.2.3.4:9092'), { name: 'KafkaJSConnectionError', code: 'ECONNREFUSED' });
    const wrapped = Object.assign(new Error(refused.message), { name: 'KafkaJSNumberOfRetriesExceeded', cause: refused });
    const e = describeConnectError(wrapped, settings);
    expect(e.exitCode).toBe(3);
    expect(e.message).toBe('cannot reach the cluster at k1:9092 (from profile prod) within 10s: connection refused');
    const auth = describeConnectError(Object.assign(new Error('SASL PLAIN authentication failed: bad password'), { name: 'KafkaJSSASLAuthenticationError' }), settings);
    expect(auth.exitCode).toBe(1);
    expect(auth.message).toBe('authentication to k1:9092 (from profile prod) failed (SASL PLAIN as ops): bad password');
    expect(auth.message).not.toContain('pw');
  });
});
