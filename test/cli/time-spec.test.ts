import { expect, it } from 'vitest';
import { CliError } from '../../src/cli/errors.js';
import { parseFrom, parseTime, parseUntil } from '../../src/cli/time-spec.js';

const NOW = Date.parse('2026-11-22T12:00:00Z');

it('parses epoch ms, ISO-8601 and relative times', () => {
  expect(parseTime('1700000000000', NOW)).toBe(1700000000000);
  expect(parseTime('2026-11-22T10:00:00Z', NOW)).toBe(Date.parse('2026-11-22T10:00:00Z'));
  expect(parseTime('2026-11-22', NOW)).toBe(Date.parse('2026-11-22'));
  expect(parseTime('-15m', NOW)).toBe(NOW - 15 * 60_000);
  expect(parseTime('-2h', NOW)).toBe(NOW - 2 * 3_600_000);
  expect(parseTime('-1d', NOW)).toBe(NOW - 86_400_000);
  expect(parseTime('-500ms', NOW)).toBe(NOW - 500);
  expect(parseTime('now', NOW)).toBe(NOW);
});

it('parses --from and --until positions', () => {
  expect(parseFrom('beginning', NOW)).toEqual({ kind: 'beginning' });
  expect(parseFrom('end', NOW)).toEqual({ kind: 'end' });
  expect(parseFrom('42', NOW)).toEqual({ kind: 'offset', offset: 42 });
  expect(parseFrom('@-15m', NOW)).toEqual({ kind: 'time', ms: NOW - 900_000 });
  expect(parseUntil('@2026-11-22T10:00:00Z', NOW)).toEqual({ kind: 'time', ms: Date.parse('2026-11-22T10:00:00Z') });
  expect(parseUntil('end', NOW)).toEqual({ kind: 'end' });
});

it('rejects what is not a position with a usage error naming the option', () => {
  const usage = (f: () => unknown) => {
    try {
      f();
    } catch (err) {
      return err;
    }
    throw new Error('no error');
  };
  const e1 = usage(() => parseFrom('yesterday')) as CliError;
  expect(e1).toBeInstanceOf(CliError);
  expect(e1.exitCode).toBe(2);
  expect(e1.message).toMatch(/^--from: "yesterday" is not a position/);
  expect((usage(() => parseUntil('beginning')) as CliError).message).toMatch(/^--until: "beginning"/);
  expect((usage(() => parseFrom('@soon')) as CliError).message).toMatch(/^--from: "soon" is not a time/);
  expect(() => parseFrom('-5')).toThrow(/not a position/);
});
