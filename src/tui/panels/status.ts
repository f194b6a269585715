// The status bar (top line) and the key hints (bottom line).

import { fitLine, type Line } from '../lines.js';
import { clockTime, shortDuration } from '../format.js';
import { KEYS } from '../keys.js';
import type { Snapshot } from '../source.js';

type Part = Line[number] & { optional?: boolean };

export function statusLine(s: Snapshot | null, o: { width: number; filter: string; paused: boolean }): Line {
  const clock = s ? clockTime(s.at, false) : '';
  const parts: Part[] = [{ text: ' evt ', bold: true, inverse: true }];
  if (!s) return [...parts, { text: ' connecting…', dim: true }];
  const brokers = s.cluster.brokers.join(',');
  parts.push(
    s.cluster.reachable ? { text: ` ${s.cluster.name} ` } : { text: ` ${s.cluster.name} unreachable: ${s.cluster.error ?? '?'} `, color: 'red', bold: true },
    { text: brokers !== s.cluster.name ? `${brokers} ` : '', dim: true, optional: true },
    { text: `│ up ${shortDuration(s.at - s.startedAt)} `, optional: true },
  );
  const sim = s.simulation;
  if (sim) {
    parts.push({ text: `│ sim ${sim.phase === 'sending' ? `${sim.rate}/s` : sim.phase}, ${sim.sent} sent ` });
    if (sim.fault) parts.push({ text: `│ ${sim.fault} `, color: sim.down.length ? 'red' : 'yellow', bold: sim.down.length > 0 });
  }
  if (o.filter) parts.push({ text: `│ filter: ${o.filter} `, color: 'cyan' });
  if (o.paused) parts.push({ text: '│ PAUSED ', color: 'yellow', bold: true });
  // on a narrow terminal the brokers and the uptime give way to the rest; the clock keeps the right end
  const room = Math.max(0, o.width - clock.length - 1);
  const length = (list: Part[]) => list.reduce((n, p) => n + p.text.length, 0);
  const shown = length(parts) > room ? parts.filter((p) => !p.optional) : parts;
  return [...fitLine(shown.map(({ optional: _, ...seg }) => seg), room), { text: clock + ' ', dim: true }];
}

export function footerLine(o: { editing: string | null; message: string | null }): Line {
  if (o.editing !== null) return [{ text: ' filter: ', color: 'cyan' }, { text: o.editing + '▏' }, { text: '   enter keep · esc clear', dim: true }];
  const hints = KEYS.filter((k) => k.footer).map((k) => k.footer!).join(' · ');
  return o.message ? [{ text: ` ${o.message} `, color: 'yellow' }, { text: ' ' + hints, dim: true }] : [{ text: ' ' + hints, dim: true }];
}

export function helpLines(): Line[] {
  const width = Math.max(...KEYS.map((k) => k.keys.length));
  return [
    [{ text: 'Keys', bold: true }],
    [],
    ...KEYS.map((k): Line => [{ text: `  ${k.keys.padEnd(width)}  `, color: 'cyan' }, { text: k.what }]),
    [],
    [{ text: 'Panels: workflow (stuck orders), services (consumer groups), topics, event feed.', dim: true }],
    [{ text: 'A trace is what `evt trace <order-id>` prints; the feed and counts cover the tail window.', dim: true }],
  ];
}
