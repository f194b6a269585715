// The pure pieces behind the admin commands: tables, confirmation, times and reset targets, and the one
// mapping of client errors to error lines and exit codes.

import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseResetTarget } from '../../commands/groups.js';
import { confirm } from '../../src/cli/confirm.js';
import type { Io } from '../../src/cli/io.js';
import { colorOnStdout } from '../../src/cli/table.js';
import { renderFields, renderTable } from '../../src/common/text-table.js';
import { toCliError } from '../../src/cli/session.js';
import { parseTime } from '../../src/cli/time-spec.js';
import type { ConnectionSettings } from '../../src/client/settings.js';
import {
  AuthenticationError,
  KafkaResponseError,
  TimeoutError,
  TopicNotFoundError,
  UnreachableError,
  WireError,
} from '../../src/client/wire/errors.js';

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
    const lines = renderTable(
      ['NAME', 'COUNT', 'NOTE'],
      [
        ['a', 1, null],
        ['longer', 1234, 'x'],
      ],
    );
    expect(lines).toEqual(['NAME    COUNT  NOTE', 'a           1  -', 'longer   1234  x']);
  });
  it('colour (bold headers) only when asked, and never breaks alignment', () => {
    const lines = renderTable(['A', 'B'], [['x', 'y']], { color: true });
    expect(lines[0]).toContain('\x1b[1m');
    expect(lines[0].replace(/\x1b\[[0-9;]*m/g, '')).toBe('A  B');
    expect(
      renderFields([
        ['topic', 'orders'],
        ['records', 7],
      ]),
    ).toEqual(['topic    orders', 'records  7']);
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
    await expect(
      confirm(io, 'delete topic orders?', { yes: false, action: 'delete topic orders', input: input('yes') }),
    ).resolves.toBeUndefined();
    expect(io.err()).toContain('delete topic orders? [y/N]');
  });
  it('stops (exit 1) on anything else, or end of input', async () => {
    await expect(
      confirm(fakeIo(true), 'q?', { yes: false, action: 'delete topic orders', input: input('n') }),
    ).rejects.toMatchObject({ exitCode: 1, message: 'not confirmed: did not delete topic orders' });
    await expect(
      confirm(fakeIo(true), 'q?', { yes: false, action: 'delete topic orders', input: input(null) }),
    ).rejects.toMatchObject({ exitCode: 1 });
  });
  it('--yes needs no terminal; without a terminal and --yes it is a usage error', async () => {
    await expect(confirm(fakeIo(false), 'q?', { yes: true, action: 'x' })).resolves.toBeUndefined();
    const notTty = Object.assign(new PassThrough(), { isTTY: false });
    await expect(
      confirm(fakeIo(true), 'q?', { yes: false, action: 'delete group g', input: notTty }),
    ).rejects.toMatchObject({ exitCode: 2 });
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

describe('client errors as one line and an exit code', () => {
  const settings: ConnectionSettings = {
    brokers: ['k1:9092'],
    clientId: 'evt',
    timeoutMs: 10_000,
    source: 'profile prod',
    sasl: { mechanism: 'plain', username: 'ops', password: 'pw' },
  };
  const line = (err: Error) => {
    const e = toCliError(err, settings) as Error & { exitCode?: number };
    return [e.exitCode, e.message];
  };

  it('an unreachable cluster is exit 3, naming the brokers, where they were configured, the time limit and the reason', () => {
    expect(line(new UnreachableError(['k1:9092'], 'connection refused', 10_000))).toEqual([
      3,
      'cannot reach the cluster at k1:9092 (from profile prod) within 10s: connection refused',
    ]);
    // a broker the cluster advertised, not one the user gave
    expect(line(new UnreachableError(['k2:9092'], 'host not found', 10_000))).toEqual([
      3,
      'cannot reach broker k2:9092 of the cluster at k1:9092 (from profile prod) within 10s: host not found',
    ]);
    expect(line(new TimeoutError('Metadata request', 'k1:9092', 10_000))).toEqual([
      3,
      'Metadata request to broker k1:9092 got no answer within 10s',
    ]);
  });

  it('failed authentication is exit 1, naming the mechanism and the user, never the password', () => {
    const [code, message] = line(
      new AuthenticationError('SASL PLAIN authentication as ops failed: bad password', 'bad password'),
    );
    expect([code, message]).toEqual([
      1,
      'authentication to k1:9092 (from profile prod) failed (SASL PLAIN as ops): bad password',
    ]);
    expect(message).not.toContain('pw');
  });

  it('not found is 4, unusable settings 2, a refusal or a Kafka error 1; other errors pass through', () => {
    expect(line(new TopicNotFoundError('orders'))).toEqual([4, 'topic orders not found']);
    expect(line(new WireError('cannot read the TLS CA file /x.pem: no such file', 'config'))).toEqual([
      2,
      'cannot read the TLS CA file /x.pem: no such file',
    ]);
    expect(line(new WireError('group g has 1 active member', 'refused'))).toEqual([1, 'group g has 1 active member']);
    expect(line(new KafkaResponseError(37, 'adding partitions to orders', 'Topic already has 3 partitions.'))).toEqual([
      1,
      'adding partitions to orders: INVALID_PARTITIONS (Topic already has 3 partitions.)',
    ]);
    const bug = new TypeError('x is undefined');
    expect(toCliError(bug, settings)).toBe(bug);
  });
});
