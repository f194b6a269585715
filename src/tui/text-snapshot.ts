// One snapshot as plain text, for `evt dashboard` without a terminal (CI logs): the same panel contents as
// the screen, every row of them, one section per panel.

import type { Line } from './lines.js';
import { clockTime } from '../common/clock.js';
import { feedLines } from './panels/feed.js';
import { servicesLines } from './panels/services.js';
import { topicsLines } from './panels/topics.js';
import { flowLines } from './panels/flow.js';
import type { Snapshot } from './source.js';

const text = (line: Line) =>
  line
    .map((s) => s.text)
    .join('')
    .trimEnd();

export function snapshotText(s: Snapshot, o: { width: number; events: number }): string[] {
  const all = { width: o.width, height: 10_000, selected: null, filter: '' };
  // the addresses once: in parentheses only beside a name of another kind (a profile, "embedded")
  const brokers = s.cluster.brokers.join(',');
  const named = brokers === s.cluster.name ? brokers : `${s.cluster.name} (${brokers})`;
  const cluster = `${named}${s.cluster.reachable ? '' : `, unreachable: ${s.cluster.error}`}`;
  const sim = s.simulation
    ? `; simulation ${s.simulation.phase}, ${s.simulation.sent} sent${s.simulation.fault ? `, ${s.simulation.fault}` : ''}`
    : '';
  const events = s.feed.slice(-o.events);
  const flow = s.flow
    ? [
        `flow ${s.flow.name} (${s.flow.entity}s since ${clockTime(s.flow.since, false)})`,
        ...flowLines(s, all).map(text),
        '',
      ]
    : [];
  return [
    `evt dashboard: ${cluster} at ${new Date(s.at).toISOString()}${s.cluster.registry ? `; registry ${s.cluster.registry}` : ''}${sim}`,
    '',
    ...flow,
    'services',
    ...servicesLines(s, all).map(text),
    '',
    'topics',
    ...topicsLines(s, all).map(text),
    '',
    `events (the last ${events.length})`,
    ...feedLines(events, { ...all, empty: 'no events in the window' }).map(text),
  ];
}
