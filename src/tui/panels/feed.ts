// The live event feed: the newest events at the bottom, like a tail.

import type { Line } from '../lines.js';
import { clockTime } from '../../common/clock.js';
import { columnWidths, naturalWidth, rowLine, type Column } from '../columns.js';
import type { FeedEvent } from '../source.js';
import { listLines } from './list.js';

const dead = (e: FeedEvent) => e.eventType.startsWith('dead letter');

// time, topic, entity (else key), event type; then the detail and the producer, as far as the panel reaches
const COLS: readonly Column[] = [
  { header: 'TIME' },
  { header: 'TOPIC', max: 40, min: 8, giveWay: 1 },
  { header: 'ID', max: 40, min: 8 },
  { header: 'EVENT', max: 40, min: 8 },
];
/** the time with milliseconds, or without when the row would not fit otherwise */
const time = (e: FeedEvent, ms: boolean) => (ms ? clockTime(e.at) : clockTime(e.at, false));
const cellsOf = (e: FeedEvent, ms = true): string[] => [time(e, ms), e.topic, e.entityId ?? e.key ?? '-', e.eventType];
const trailOf = (e: FeedEvent): string => (e.detail ? ` ${e.detail}` : '') + (e.producer ? `  by ${e.producer}` : '');

/** The width the feed needs to show its columns whole, and the details up to a point. */
export function feedNeed(rows: readonly FeedEvent[]): number {
  const trail = Math.min(30, Math.max(0, ...rows.map((e) => trailOf(e).length)));
  return (
    naturalWidth(
      COLS,
      rows.map((e) => cellsOf(e)),
    ) + trail
  );
}

/** `selected` is highlighted; without one the newest events show. */
export function feedLines(
  rows: readonly FeedEvent[],
  o: { width: number; height: number; selected: number | null; empty: string },
): Line[] {
  // the seconds are enough when the milliseconds would cost a column its room
  const ms =
    naturalWidth(
      COLS,
      rows.map((e) => cellsOf(e)),
    ) <= o.width;
  const w = columnWidths(
    COLS,
    rows.map((e) => cellsOf(e, ms)),
    o.width,
  );
  return listLines({
    rows,
    height: o.height,
    selected: o.selected,
    anchor: o.selected ?? rows.length - 1,
    empty: o.empty,
    row: (e) => [
      ...rowLine(cellsOf(e, ms), COLS, w, (i) =>
        i === 0 ? { dim: true } : i === 3 ? { color: dead(e) ? 'red' : undefined, bold: true } : undefined,
      ),
      { text: e.detail ? ` ${e.detail}` : '', dim: !dead(e) },
      { text: e.producer ? `  by ${e.producer}` : '', dim: true },
    ],
  });
}
