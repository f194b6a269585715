// Drill-downs of a group (lag per partition) and of a topic (offsets per partition).

import type { Line } from '../lines.js';
import { columnWidths, headerCells, rowLine, wrap, type Column } from '../columns.js';
import type { ServiceRow, TopicRow } from '../source.js';

const GROUP_COLS: readonly Column[] = [
  { header: 'TOPIC', max: 60, min: 8 },
  { header: 'PART', align: 'right' },
  { header: 'COMMITTED', align: 'right' },
  { header: 'END', align: 'right' },
  { header: 'LAG', align: 'right' },
];
const TOPIC_COLS: readonly Column[] = [
  { header: 'PARTITION', align: 'right' },
  { header: 'START', align: 'right' },
  { header: 'END', align: 'right' },
  { header: 'RECORDS', align: 'right' },
];

/** `width`: the panel's inner width (the title line wraps, the table's columns size to it). */
export function groupLines(r: ServiceRow | undefined, width = 120): Line[] {
  if (!r) return [[{ text: 'the group is gone from the snapshot', dim: true }]];
  const cells = r.partitions.map((p) => [
    p.topic,
    String(p.partition),
    String(p.committed ?? '-'),
    String(p.end),
    String(p.lag ?? '-'),
  ]);
  const w = columnWidths(GROUP_COLS, cells, width);
  const title = `${r.group}: ${r.state}, ${r.members} member${r.members === 1 ? '' : 's'}, lag ${r.lag ?? '?'}, ${r.dlq} dead letters`;
  return [
    ...wrap(title, width, '  ').map((text): Line => [{ text, bold: true }]),
    [{ text: headerCells(GROUP_COLS, w), dim: true }],
    ...r.partitions.map((p, i): Line =>
      rowLine(cells[i], GROUP_COLS, w, () => ({ color: p.lag ? 'yellow' : undefined })),
    ),
  ];
}

export function topicLines(t: TopicRow | undefined, width = 120): Line[] {
  if (!t) return [[{ text: 'the topic is gone from the snapshot', dim: true }]];
  const cells = t.offsets.map((p) => [String(p.partition), String(p.start), String(p.end), String(p.end - p.start)]);
  const w = columnWidths(TOPIC_COLS, cells, width);
  const title = `${t.name}: ${t.partitions} partitions, ${t.records} records, ${t.perSecond.toFixed(1)} records/s, last ${t.lastEventType ?? '-'}`;
  return [
    ...wrap(title, width, '  ').map((text): Line => [{ text, bold: true }]),
    [{ text: headerCells(TOPIC_COLS, w), dim: true }],
    ...cells.map((c): Line => rowLine(c, TOPIC_COLS, w)),
  ];
}
