// Drill-downs of a group (lag per partition) and of a topic (offsets per partition).

import type { Line } from '../lines.js';
import type { ServiceRow, TopicRow } from '../source.js';
import { cells, type Col } from './list.js';

const GROUP_COLS: Col[] = [[26], [5, 'right'], [10, 'right'], [10, 'right'], [8, 'right']];
const TOPIC_COLS: Col[] = [[9, 'right'], [12, 'right'], [12, 'right'], [10, 'right']];

export function groupLines(r: ServiceRow | undefined): Line[] {
  if (!r) return [[{ text: 'the group is gone from the snapshot', dim: true }]];
  return [
    [{ text: `${r.group}: ${r.state}, ${r.members} member${r.members === 1 ? '' : 's'}, lag ${r.lag ?? '?'}, ${r.dlq} dead letters`, bold: true }],
    [{ text: cells(['TOPIC', 'PART', 'COMMITTED', 'END', 'LAG'], GROUP_COLS), dim: true }],
    ...r.partitions.map((p): Line => [{ text: cells([p.topic, p.partition, p.committed ?? '-', p.end, p.lag ?? '-'], GROUP_COLS), color: p.lag ? 'yellow' : undefined }]),
  ];
}

export function topicLines(t: TopicRow | undefined): Line[] {
  if (!t) return [[{ text: 'the topic is gone from the snapshot', dim: true }]];
  return [
    [{ text: `${t.name}: ${t.partitions} partitions, ${t.records} records, ${t.perSecond.toFixed(1)} records/s, last ${t.lastEventType ?? '-'}`, bold: true }],
    [{ text: cells(['PARTITION', 'START', 'END', 'RECORDS'], TOPIC_COLS), dim: true }],
    ...t.offsets.map((p): Line => [{ text: cells([p.partition, p.start, p.end, p.end - p.start], TOPIC_COLS) }]),
  ];
}
