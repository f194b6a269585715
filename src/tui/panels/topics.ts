// The topics panel: partitions, records, the append rate and its trend, the last event type seen.

import type { Line } from '../lines.js';
import { columnWidths, headerCells, naturalWidth, rowLine, type Column } from '../columns.js';
import { compact, sparkline } from '../format.js';
import type { Snapshot, TopicRow } from '../source.js';
import { listLines } from './list.js';
import { topicRows } from './rows.js';

const COLS: readonly Column[] = [
  { header: 'TOPIC', max: 48, min: 10 },
  { header: ['PARTS', 'PRT'], align: 'right' },
  { header: ['RECORDS', 'RECS'], align: 'right' },
  { header: 'REC/S', align: 'right' },
  { header: 'TREND', flex: true, optional: true, max: 60 },
  // the event type is the last column: the first to give way after the trend
  { header: ['LAST EVENT', 'LAST'], max: 40, min: 8, giveWay: 1 },
];
const TREND = 4;

const cellsOf = (t: TopicRow): string[] => [
  t.name,
  String(t.partitions),
  compact(t.records),
  compact(Math.round(t.perSecond)),
  '',
  t.lastEventType ?? '-',
];

/** The width the panel needs to show every cell whole (`least`: without the trend). */
export function topicsNeed(s: Snapshot, least = false): number {
  return naturalWidth(COLS, s.topics.map(cellsOf), least);
}

export function topicsLines(
  s: Snapshot,
  o: { width: number; height: number; selected: number | null; filter: string },
): Line[] {
  const w = columnWidths(COLS, s.topics.map(cellsOf), o.width);
  return listLines({
    header: [{ text: headerCells(COLS, w), dim: true }],
    rows: topicRows(s, o.filter),
    height: o.height,
    selected: o.selected,
    empty: o.filter ? 'no topic matches the filter' : 'no topics',
    row: (t) => {
      const values = cellsOf(t);
      values[TREND] = sparkline(t.rateHistory, w[TREND]);
      return rowLine(values, COLS, w, (i) =>
        i === TREND ? { color: 'cyan' } : i === 5 ? { dim: !t.lastEventType } : undefined,
      );
    },
  });
}
