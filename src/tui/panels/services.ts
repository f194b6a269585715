// The services panel: one row per consumer group, the flow's first.

import type { Line } from '../lines.js';
import { compact, sparkline } from '../format.js';
import type { Snapshot } from '../source.js';
import { cells, listLines, type Col } from './list.js';
import { serviceRows } from './rows.js';

export function servicesLines(s: Snapshot, o: { width: number; height: number; selected: number | null; filter: string }): Line[] {
  const cols: Col[] = [[o.width >= 90 ? 22 : 12], [4], [o.width >= 90 ? 18 : 11], [3, 'right'], [6, 'right']];
  const tail: Col[] = [[7, 'right'], [5, 'right']];
  const used = [...cols, ...tail].reduce((n, [w]) => n + w + 1, 0);
  const spark = Math.max(4, Math.min(40, o.width - used - 1));
  return listLines({
    header: [{ text: `${cells(['GROUP', 'UP', 'STATE', 'MEM', 'LAG'], cols)} ${'LAG TREND'.padEnd(spark)} ${cells(['PROC/S', 'DLQ'], tail)}`, dim: true }],
    rows: serviceRows(s, o.filter),
    height: o.height,
    selected: o.selected,
    empty: o.filter ? 'no group matches the filter' : 'no consumer groups',
    row: (r) => [
      { text: cells([r.service], [cols[0]]) + ' ' },
      { text: cells([r.up ? 'up' : 'DOWN'], [cols[1]]), color: r.up ? 'green' : 'red', bold: !r.up },
      { text: ' ' + cells([r.state, r.members, compact(r.lag)], cols.slice(2)) + ' ', color: r.lag ? 'yellow' : undefined },
      { text: sparkline(r.lagHistory, spark), color: 'yellow' },
      { text: ' ' + cells([compact(Math.round(r.processedPerSecond))], [tail[0]]) + ' ' },
      { text: cells([compact(r.dlq)], [tail[1]]), color: r.dlq ? 'red' : undefined },
    ],
  });
}
