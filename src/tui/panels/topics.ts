// The topics panel: partitions, records, the append rate and its trend, the last event type seen.

import type { Line } from '../lines.js';
import { compact, sparkline } from '../format.js';
import type { Snapshot } from '../source.js';
import { cells, listLines, type Col } from './list.js';
import { topicRows } from './rows.js';

export function topicsLines(s: Snapshot, o: { width: number; height: number; selected: number | null; filter: string }): Line[] {
  const name = o.width >= 90 ? 26 : 20;
  const cols: Col[] = [[name], [3, 'right'], [7, 'right'], [6, 'right']];
  const used = cols.reduce((n, [w]) => n + w + 1, 0);
  const last = Math.max(8, Math.min(24, Math.floor((o.width - used) / 2)));
  const spark = Math.max(4, o.width - used - last - 1);
  return listLines({
    header: [{ text: `${cells(['TOPIC', 'PRT', 'RECORDS', 'REC/S'], cols)} ${'TREND'.padEnd(spark)} LAST EVENT`, dim: true }],
    rows: topicRows(s, o.filter),
    height: o.height,
    selected: o.selected,
    empty: o.filter ? 'no topic matches the filter' : 'no topics',
    row: (t) => [
      { text: cells([t.name, t.partitions, compact(t.records), compact(Math.round(t.perSecond))], cols) + ' ' },
      { text: sparkline(t.rateHistory, spark), color: 'cyan' },
      { text: ' ' + (t.lastEventType ?? '-'), dim: !t.lastEventType },
    ],
  });
}
