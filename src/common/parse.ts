// Parsers for option values (durations, sizes, integers) typed by a user: each fails with a usage error
// (an EvtError of kind usage: exit code 2 in the CLI) naming the option and showing a form that works.

import { EvtError } from './errors.js';
import { parseDurationText } from './time.js';

export const usageError = (message: string) => new EvtError(message, 'usage');

/** "500ms", "30s", "15m", "2h", "7d", "1w", or plain milliseconds; "-1" / "forever" means unlimited (-1). */
export function parseDuration(text: string, option = 'duration'): number {
  const t = text.trim();
  if (t === '-1' || t === 'forever' || t === 'infinite') return -1;
  const ms = parseDurationText(t);
  if (ms === null)
    throw usageError(`${option}: "${text}" is not a duration (use e.g. 500ms, 30s, 15m, 2h, 7d, or -1 for no limit)`);
  return ms;
}

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
};

/** "512", "64k", "100MB", "1GiB"; "-1" means unlimited. */
export function parseSize(text: string, option = 'size'): number {
  const t = text.trim().toLowerCase();
  if (t === '-1') return -1;
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/.exec(t);
  if (!m || SIZE_UNITS[m[2]] === undefined)
    throw usageError(`${option}: "${text}" is not a size (use e.g. 512, 64k, 100MB, 1GiB, or -1 for no limit)`);
  return Math.round(Number(m[1]) * SIZE_UNITS[m[2]]);
}

export function parseInteger(text: string, option: string, { min = -Infinity, max = Infinity } = {}): number {
  const n = Number(text);
  if (!/^-?\d+$/.test(text.trim()) || n < min || n > max) {
    const range =
      Number.isFinite(min) && Number.isFinite(max)
        ? ` from ${min} to ${max}`
        : Number.isFinite(min)
          ? ` >= ${min}`
          : '';
    throw usageError(`${option}: "${text}" is not a whole number${range}`);
  }
  return n;
}

export function parseChoice<T extends string>(text: string, option: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(text))
    throw usageError(`${option}: "${text}" is not one of ${choices.join(', ')}`);
  return text as T;
}
