// The services panel: one row per consumer group, the flow's first.

import type { Line } from '../lines.js';
import { columnWidths, headerCells, naturalWidth, rowLine, type Column } from '../columns.js';
import { compact, sparkline } from '../format.js';
import type { ServiceRow, Snapshot } from '../source.js';
import { listLines } from './list.js';
import { serviceRows } from './rows.js';

const COLS: readonly Column[] = [
  { header: 'GROUP', max: 40, min: 8 },
  { header: 'UP' },
  { header: 'STATE', max: 19, min: 6 },
  { header: 'MEM', align: 'right' },
  { header: 'LAG', align: 'right' },
  // the lag's trend is what shows a stopped service: wide enough for its header when there is room
  { header: ['LAG TREND', 'TREND'], flex: true, min: 9, max: 60 },
  { header: 'PROC/S', align: 'right' },
  { header: 'DLQ', align: 'right' },
];
const TREND = 5;

/** A rebalance in a word: its two phases pass in a second and would widen the column (the group's drill-down names them). */
const SHORT_STATE: Readonly<Record<string, string>> = {
  PreparingRebalance: 'Rebalancing',
  CompletingRebalance: 'Rebalancing',
};

const cellsOf = (r: ServiceRow): string[] => [
  r.service,
  r.up ? 'up' : 'DOWN',
  SHORT_STATE[r.state] ?? r.state,
  String(r.members),
  compact(r.lag),
  '',
  compact(Math.round(r.processedPerSecond)),
  compact(r.dlq),
];

/** The width the panel needs to show every cell whole. */
export function servicesNeed(s: Snapshot): number {
  return naturalWidth(COLS, s.services.map(cellsOf));
}

export function servicesLines(
  s: Snapshot,
  o: { width: number; height: number; selected: number | null; filter: string },
): Line[] {
  // widths from every group, not only those the filter leaves: the columns stay put while typing
  const w = columnWidths(COLS, s.services.map(cellsOf), o.width);
  return listLines({
    header: [{ text: headerCells(COLS, w), dim: true }],
    rows: serviceRows(s, o.filter),
    height: o.height,
    selected: o.selected,
    empty: o.filter ? 'no group matches the filter' : 'no consumer groups',
    row: (r) => {
      const values = cellsOf(r);
      values[TREND] = sparkline(r.lagHistory, w[TREND]);
      return rowLine(values, COLS, w, (i) =>
        i === 1
          ? { color: r.up ? 'green' : 'red', bold: !r.up }
          : i >= 2 && i <= 4
            ? { color: r.lag ? 'yellow' : undefined }
            : i === TREND
              ? { color: 'yellow' }
              : i === 7 && r.dlq
                ? { color: 'red' }
                : undefined,
      );
    },
  });
}
