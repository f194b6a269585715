// The flow panel: the flow's entities by state and outcome reason, throughput, end-to-end latency, and the
// entities that are not final after the deadline with the answer each waits for.

import type { Line } from '../lines.js';
import { compact, shortDuration, sparkline } from '../format.js';
import type { FlowStatus, Snapshot } from '../source.js';
import { listLines } from './list.js';
import { stuckRows } from './rows.js';

/** A state's colour: final states with a reason (rejected, failed) red, other final states green. */
function stateColor(w: FlowStatus, state: { state: string; final: boolean }): string | undefined {
  if (!state.final) return undefined;
  return w.reasons[state.state] ? 'red' : 'green';
}

const label = (s: string) => s.toLowerCase().replace(/_/g, '-');

export function flowLines(s: Snapshot, o: { width: number; height: number; selected: number | null; filter: string }): Line[] {
  const w = s.flow;
  if (!w) return [[{ text: 'no flow: give --flow FILE (or write one with evt flow infer) to see entities by state and the stuck ones', dim: true }]];
  const states: Line = [];
  for (const st of w.states) {
    // a narrow panel leaves out the states no entity is in (the final ones always show)
    if (st.count === 0 && (!st.final || o.width < 60) && (o.width < 100 || w.states.length > 8)) continue;
    states.push({ text: `${label(st.state)} ` }, { text: compact(st.count), bold: true, color: stateColor(w, st) }, { text: '  ' });
  }
  const reasonParts = Object.entries(w.reasons).flatMap(([state, byReason]) =>
    Object.entries(byReason)
      .filter(([, n]) => n > 0)
      .map(([r, n]) => [state, r, n] as const),
  );
  const reasons: Line = reasonParts.length
    ? reasonParts.flatMap(([state, r, n], i) => [
        ...(i === 0 || reasonParts[i - 1][0] !== state ? [{ text: `${label(state)} `, dim: true }] : []),
        { text: `${r.toLowerCase().replace(/_/g, ' ')} ` },
        { text: compact(n), color: 'red' },
        { text: '  ' },
      ])
    : [{ text: 'no outcome with a reason yet', dim: true }];
  const now = w.settledPerSecond.length ? w.settledPerSecond[w.settledPerSecond.length - 1] : 0;
  const latency = w.latency ? `e2e p50 ${shortDuration(w.latency.p50)} p95 ${shortDuration(w.latency.p95)} p99 ${shortDuration(w.latency.p99)}` : 'e2e -';
  const sparkWidth = Math.max(8, Math.min(30, o.width - 40));
  const rate: Line = [{ text: 'settled/s ' }, { text: sparkline(w.settledPerSecond, sparkWidth), color: 'cyan' }, { text: ` ${compact(now).padStart(5)}  ` }, { text: latency }];
  const rows = stuckRows(s, o.filter);
  const plural = `${w.entity}s`;
  const head: Line = w.stuckTotal
    ? [{ text: `stuck ${w.stuckTotal}`, color: 'yellow', bold: true }, { text: ` not final after ${shortDuration(w.stuckAfterMs)}${o.filter ? `, ${rows.length} match the filter` : ''}`, dim: true }]
    : [{ text: `stuck none`, color: 'green' }, { text: ` (no ${w.entity} waits longer than ${shortDuration(w.stuckAfterMs)})`, dim: true }];
  const fixed = [states, reasons, rate];
  if (!w.stuckTotal) return [...fixed, head];
  const idWidth = Math.min(40, Math.max(8, ...rows.map((r) => r.id.length)));
  const stateWidth = Math.min(20, Math.max(5, ...rows.map((r) => r.state.length)));
  return [
    ...fixed,
    ...listLines({
      header: head,
      rows,
      height: o.height - fixed.length,
      selected: o.selected,
      empty: `  no stuck ${w.entity} matches the filter (of ${w.stuckTotal} ${plural})`,
      row: (r) => [{ text: `${r.id.padEnd(idWidth)} ` }, { text: r.state.padEnd(stateWidth), color: 'yellow' }, { text: ` ${shortDuration(r.ageMs).padStart(6)}  ` }, { text: r.waitingFor, dim: true }],
    }),
  ];
}
