// Positions in a partition as users write them: `--from beginning|end|<offset>|@<time>` and
// `--until end|<offset>|@<time>`, where a time is epoch milliseconds, ISO-8601, or relative to now (-15m);
// and the clock time evt prints in timelines and feeds.

import { DURATION_UNITS } from '../common/time.js';
import { usageError } from './errors.js';

export type Position =
  { kind: 'beginning' } | { kind: 'end' } | { kind: 'offset'; offset: number } | { kind: 'time'; ms: number };

/** epoch ms ("1700000000000"), ISO-8601 ("2026-11-22T10:00:00Z", "2026-11-22"), or relative ("-15m", "-2h", "-1d", "now") */
export function parseTime(text: string, now = Date.now(), option = 'time'): number {
  const t = text.trim();
  if (t === 'now') return now;
  const rel = /^-(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/.exec(t);
  if (rel) return Math.round(now - Number(rel[1]) * DURATION_UNITS[rel[2]]);
  if (/^\d{10,}$/.test(t)) return Number(t);
  if (/^\d{4}-\d{2}-\d{2}/.test(t)) {
    const ms = Date.parse(t);
    if (!Number.isNaN(ms)) return ms;
  }
  throw usageError(
    `${option}: "${text}" is not a time (use epoch ms, ISO-8601 like 2026-11-22T10:00:00Z, or relative like -15m, -2h, -1d)`,
  );
}

function parsePosition(text: string, option: string, now: number, allowBeginning: boolean): Position {
  const t = text.trim();
  if (t === 'end') return { kind: 'end' };
  if (allowBeginning && (t === 'beginning' || t === 'start')) return { kind: 'beginning' };
  if (t.startsWith('@')) return { kind: 'time', ms: parseTime(t.slice(1), now, option) };
  if (/^\d+$/.test(t)) return { kind: 'offset', offset: Number(t) };
  const choices = allowBeginning ? 'beginning, end, an offset, or @<time>' : 'end, an offset, or @<time>';
  throw usageError(
    `${option}: "${text}" is not a position (use ${choices}; times: @1700000000000, @2026-11-22T10:00Z, @-15m)`,
  );
}

export function parseFrom(text: string, now = Date.now()): Position {
  return parsePosition(text, '--from', now, true);
}

export function parseUntil(text: string, now = Date.now()): Position {
  return parsePosition(text, '--until', now, false);
}

function positionText(p: Position, text: string): string {
  return p.kind === 'time' ? `${text} (${new Date(p.ms).toISOString()})` : text;
}

/**
 * A --from that is not before --until (which is exclusive) leaves nothing to read: a usage error, not an
 * empty answer. Only positions of one kind compare (offsets with offsets, times with times).
 */
export function checkRange(from: Position | undefined, until: Position | undefined, texts: [string, string]): void {
  if (!from || !until) return;
  const after =
    (from.kind === 'offset' && until.kind === 'offset' && from.offset >= until.offset) ||
    (from.kind === 'time' && until.kind === 'time' && from.ms >= until.ms);
  if (after)
    throw usageError(
      `--from ${positionText(from, texts[0])} is not before --until ${positionText(until, texts[1])} (--until is exclusive): nothing to read`,
    );
}
