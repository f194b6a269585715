// The workflow panel: orders by state and rejection reason, throughput, end-to-end latency, and the orders
// that are not final after the deadline with the step each waits for.

import type { Line } from '../lines.js';
import { compact, shortDuration, sparkline } from '../format.js';
import type { Snapshot } from '../source.js';
import { listLines } from './list.js';
import { stuckRows } from './rows.js';

/** The order of the states in the panel: the way through the workflow, then the ends. */
const STATE_ORDER = ['REQUESTED', 'PLACED', 'CONFIRMED', 'SHIPPED', 'CANCEL_PENDING', 'COMPLETED', 'REJECTED', 'CANCELLED'];
const STATE_COLOR: Record<string, string> = { COMPLETED: 'green', REJECTED: 'red', CANCELLED: 'yellow' };

export function workflowLines(s: Snapshot, o: { width: number; height: number; selected: number | null; filter: string }): Line[] {
  const w = s.workflow;
  const states: Line = [];
  for (const state of STATE_ORDER) {
    const n = w.byState[state] ?? 0;
    // a narrow panel leaves out the states no order is in (the ends always show)
    if (n === 0 && (state === 'REQUESTED' || state === 'CANCEL_PENDING' || (o.width < 100 && !STATE_COLOR[state]))) continue;
    states.push({ text: `${state.toLowerCase().replace('_', '-')} ` }, { text: compact(n), bold: true, color: STATE_COLOR[state] }, { text: '  ' });
  }
  const reasons = Object.entries(w.rejected).filter(([, n]) => n > 0);
  const rejected: Line = reasons.length
    ? [{ text: 'rejected ', dim: true }, ...reasons.flatMap(([r, n]) => [{ text: `${r.toLowerCase().replace(/_/g, ' ')} ` }, { text: compact(n), color: 'red' }, { text: '  ' }])]
    : [{ text: 'rejected none', dim: true }];
  const now = w.settledPerSecond.length ? w.settledPerSecond[w.settledPerSecond.length - 1] : 0;
  const latency = w.latency ? `e2e p50 ${shortDuration(w.latency.p50)} p95 ${shortDuration(w.latency.p95)} p99 ${shortDuration(w.latency.p99)}` : 'e2e -';
  const sparkWidth = Math.max(8, Math.min(30, o.width - 40));
  const rate: Line = [{ text: 'settled/s ' }, { text: sparkline(w.settledPerSecond, sparkWidth), color: 'cyan' }, { text: ` ${compact(now).padStart(5)}  ` }, { text: latency }];
  const rows = stuckRows(s, o.filter);
  const head: Line = w.stuckTotal
    ? [{ text: `stuck ${w.stuckTotal}`, color: 'yellow', bold: true }, { text: ` not final after ${shortDuration(w.stuckAfterMs)}${o.filter ? `, ${rows.length} match the filter` : ''}`, dim: true }]
    : [{ text: `stuck none`, color: 'green' }, { text: ` (no order waits longer than ${shortDuration(w.stuckAfterMs)})`, dim: true }];
  const fixed = [states, rejected, rate];
  if (!w.stuckTotal) return [...fixed, head];
  return [
    ...fixed,
    ...listLines({
      header: head,
      rows,
      height: o.height - fixed.length,
      selected: o.selected,
      empty: '  no stuck order matches the filter',
      row: (r) => [{ text: `${r.orderId} ` }, { text: r.state.padEnd(9), color: 'yellow' }, { text: ` ${shortDuration(r.ageMs).padStart(6)}  ` }, { text: r.waitingFor, dim: true }],
    }),
  ];
}
