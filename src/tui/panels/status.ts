// The status bar (top line) and the key hints (bottom line).

import { fitLine, type Line } from '../lines.js';
import { clockTime } from '../../common/clock.js';
import { formatDuration } from '../../common/time.js';
import { KEYS } from '../keys.js';
import type { Snapshot } from '../source.js';

/** A part of the status bar; on a narrow terminal the parts with the highest `drop` give way first. */
type Part = Line[number] & { drop?: number };

export function statusLine(s: Snapshot | null, o: { width: number; filter: string; paused: boolean }): Line {
  const clock = s ? clockTime(s.at, false) : '';
  const parts: Part[] = [{ text: ' evt ', bold: true, inverse: true }];
  if (!s) return [...parts, { text: ' connecting…', dim: true }];
  const brokers = s.cluster.brokers.join(',');
  // what gives way first on a narrow terminal: the uptime, the simulation's counts, the brokers, the registry
  parts.push(
    s.cluster.reachable
      ? { text: ` ${s.cluster.name} ` }
      : { text: ` ${s.cluster.name} unreachable: ${s.cluster.error ?? '?'} `, color: 'red', bold: true },
    { text: brokers !== s.cluster.name ? `${brokers} ` : '', dim: true, drop: 3 },
    { text: s.cluster.registry ? `│ registry ${s.cluster.registry} ` : '', drop: 2 },
    { text: `│ up ${formatDuration(s.at - s.startedAt, 'narrow')} `, drop: 5 },
  );
  // what the user set comes before what the data says: a cut status bar still shows them
  if (o.paused) parts.push({ text: '│ PAUSED ', color: 'yellow', bold: true });
  if (o.filter) parts.push({ text: `│ filter: ${o.filter} `, color: 'cyan' });
  const sim = s.simulation;
  if (sim) {
    parts.push({ text: `│ sim ${sim.phase === 'sending' ? `${sim.rate}/s` : sim.phase}, ${sim.sent} sent `, drop: 4 });
    if (sim.fault)
      parts.push({
        text: `│ ${sim.fault} `,
        color: sim.down.length ? 'red' : 'yellow',
        bold: sim.down.length > 0,
        drop: 1,
      });
  }
  // the clock keeps the right end, one space from the rest; the parts of rank 1 and none are cut, not dropped
  const room = Math.max(0, o.width - clock.length - 2);
  let shown = parts;
  const dropped: Part[] = [];
  for (let rank = 5; rank >= 2 && width(shown) > room; rank--) {
    dropped.push(...shown.filter((p) => p.drop === rank && p.text));
    shown = shown.filter((p) => p.drop !== rank);
  }
  // a part dropped on the way may fit again once the later ones went: the most important first
  for (const part of dropped.reverse())
    if (width(shown) + part.text.length <= room) shown = parts.filter((p) => shown.includes(p) || p === part);
  const line = fitLine(
    shown.map(({ drop: _, ...seg }) => seg),
    room,
  );
  return [...line, { text: ' ' + clock + ' ', dim: true }];
}

const width = (parts: readonly Part[]) => parts.reduce((n, p) => n + p.text.length, 0);

export function footerLine(o: { editing: string | null; message: string | null }): Line {
  if (o.editing !== null)
    return [
      { text: ' filter: ', color: 'cyan' },
      { text: o.editing + '▏' },
      { text: '   enter keep · esc clear', dim: true },
    ];
  const hints = KEYS.filter((k) => k.footer)
    .map((k) => k.footer!)
    .join('  ');
  return o.message
    ? [
        { text: ` ${o.message} `, color: 'yellow' },
        { text: ' ' + hints, dim: true },
      ]
    : [{ text: ' ' + hints, dim: true }];
}

/** The keys, what the panels are, and (with a snapshot) the command to read the same cluster from another terminal. */
export function helpLines(s: Snapshot | null = null): Line[] {
  const width = Math.max(...KEYS.map((k) => k.keys.length));
  const elsewhere: Line[] = s
    ? [
        [],
        [
          { text: 'From another terminal: ', dim: true },
          {
            text: `evt --brokers ${s.cluster.brokers.join(',')}${s.cluster.registry ? ` --registry ${s.cluster.registry}` : ''} tail <topic> -f`,
            color: 'cyan',
          },
        ],
      ]
    : [];
  return [
    [{ text: 'Keys', bold: true }],
    [],
    ...KEYS.map((k): Line => [{ text: `  ${k.keys.padEnd(width)}  `, color: 'cyan' }, { text: k.what }]),
    [],
    [
      {
        text: 'Panels: the flow (entities by state, the stuck ones; with --flow), services (consumer groups), topics, event feed.',
        dim: true,
      },
    ],
    [{ text: 'A trace is what `evt trace <id>` prints; the feed and counts cover the tail window.', dim: true }],
    ...elsewhere,
  ];
}
