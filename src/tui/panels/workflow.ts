// The workflow panel: orders by state and rejection reason, throughput, end-to-end latency, and the orders
// that are not final after the deadline with the step each waits for.

import type { Line } from '../lines.js';
import { columnWidths, naturalWidth, rowLine, type Column } from '../columns.js';
import { compact, shortDuration, sparkline } from '../format.js';
import type { Snapshot, StuckRow } from '../source.js';
import { listLines } from './list.js';
import { stuckRows } from './rows.js';

/** The order of the states in the panel: the way through the workflow, then the ends. */
const STATE_ORDER = ['REQUESTED', 'PLACED', 'CONFIRMED', 'SHIPPED', 'CANCEL_PENDING', 'COMPLETED', 'REJECTED', 'CANCELLED'];
const STATE_COLOR: Record<string, string> = { COMPLETED: 'green', REJECTED: 'red', CANCELLED: 'yellow' };

// a stuck order: its id, state and age, then what it waits for, as far as the panel reaches
const STUCK_COLS: readonly Column[] = [{ header: 'ORDER', max: 40, min: 8 }, { header: 'STATE', max: 19, min: 6 }, { header: 'AGE', align: 'right' }];
const stuckCells = (r: StuckRow): string[] => [r.orderId, r.state, shortDuration(r.ageMs)];
const SPARK = { min: 8, max: 30 };

/** The width the panel needs: its count lines and stuck orders whole. */
export function workflowNeed(s: Snapshot): number {
  const w = s.workflow;
  const stuck = w.stuck.length ? naturalWidth(STUCK_COLS, w.stuck.map(stuckCells)) + 2 + Math.max(...w.stuck.map((r) => r.waitingFor.length)) : 0;
  const rate = lineWidth(rateItems(s, SPARK.min)[0]) + 2 + lineWidth(rateItems(s, SPARK.min)[1]);
  return Math.max(stuck, rate, flowWidth(stateItems(s, true)), flowWidth(rejectedItems(s)));
}

export function workflowLines(s: Snapshot, o: { width: number; height: number; selected: number | null; filter: string }): Line[] {
  const w = s.workflow;
  // with rows to spare, a line that does not fit wraps between its items instead of being cut
  const wrapTo = o.height >= 10 ? 2 : 1;
  const states = flow(stateItems(s, o.width >= 100), o.width, wrapTo);
  const rejected = flow(rejectedItems(s), o.width, wrapTo);
  const rate = rateLines(s, o.width, wrapTo);
  const rows = stuckRows(s, o.filter);
  const head: Line = w.stuckTotal
    ? [{ text: `stuck ${w.stuckTotal}`, color: 'yellow', bold: true }, { text: ` not final after ${shortDuration(w.stuckAfterMs)}${o.filter ? `, ${rows.length} match the filter` : ''}`, dim: true }]
    : [{ text: `stuck none`, color: 'green' }, { text: ` (no order waits longer than ${shortDuration(w.stuckAfterMs)})`, dim: true }];
  const fixed = [...states, ...rejected, ...rate];
  if (!w.stuckTotal) return [...fixed, head];
  const widths = columnWidths(STUCK_COLS, w.stuck.map(stuckCells), o.width);
  return [
    ...fixed,
    ...listLines({
      header: head,
      rows,
      height: o.height - fixed.length,
      selected: o.selected,
      empty: '  no stuck order matches the filter',
      row: (r) => [...rowLine(stuckCells(r), STUCK_COLS, widths, (i) => (i === 1 ? { color: 'yellow' } : undefined)), { text: `  ${r.waitingFor}`, dim: true }],
    }),
  ];
}

/** "placed 8", "completed 321", ...: the states with orders in them (the ends always; `all`: the empty middle ones too). */
function stateItems(s: Snapshot, all: boolean): Line[] {
  const items: Line[] = [];
  for (const state of STATE_ORDER) {
    const n = s.workflow.byState[state] ?? 0;
    if (n === 0 && (state === 'REQUESTED' || state === 'CANCEL_PENDING' || (!all && !STATE_COLOR[state]))) continue;
    items.push([{ text: `${state.toLowerCase().replace('_', '-')} ` }, { text: compact(n), bold: true, color: STATE_COLOR[state] }]);
  }
  return items;
}

function rejectedItems(s: Snapshot): Line[] {
  const reasons = Object.entries(s.workflow.rejected).filter(([, n]) => n > 0);
  if (!reasons.length) return [[{ text: 'rejected none', dim: true }]];
  return reasons.map(([r, n], i): Line => [...(i === 0 ? [{ text: 'rejected ', dim: true }] : []), { text: `${r.toLowerCase().replace(/_/g, ' ')} ` }, { text: compact(n), color: 'red' }]);
}

function rateItems(s: Snapshot, spark: number): [Line, Line] {
  const w = s.workflow;
  const now = w.settledPerSecond.length ? w.settledPerSecond[w.settledPerSecond.length - 1] : 0;
  const latency = w.latency ? `e2e p50 ${shortDuration(w.latency.p50)} p95 ${shortDuration(w.latency.p95)} p99 ${shortDuration(w.latency.p99)}` : 'e2e -';
  return [[{ text: 'settled/s ' }, { text: sparkline(w.settledPerSecond, spark), color: 'cyan' }, { text: ` ${compact(now).padStart(5)}` }], [{ text: latency }]];
}

/** The throughput and the latency: on one line, the sparkline as wide as the room allows; else on two. */
function rateLines(s: Snapshot, width: number, lines: number): Line[] {
  const [rate, latency] = rateItems(s, 0);
  const oneLine = width - lineWidth(rate) - 2 - lineWidth(latency);
  if (oneLine >= SPARK.min || lines < 2) {
    const [r, l] = rateItems(s, Math.max(SPARK.min, Math.min(SPARK.max, oneLine)));
    return [[...r, { text: '  ' }, ...l]];
  }
  const [r, l] = rateItems(s, Math.max(SPARK.min, Math.min(SPARK.max, width - lineWidth(rate))));
  return [r, l];
}

const lineWidth = (line: Line) => line.reduce((n, seg) => n + seg.text.length, 0);
const flowWidth = (items: Line[]) => items.reduce((n, item, i) => n + lineWidth(item) + (i ? 2 : 0), 0);

/** Items two spaces apart, on up to `lines` lines: an item that does not fit starts the next line (the last line is cut). */
function flow(items: Line[], width: number, lines: number): Line[] {
  const out: Line[] = [[]];
  let used = 0;
  for (const item of items) {
    const w = lineWidth(item);
    if (used > 0 && used + 2 + w > width && out.length < lines) {
      out.push([]);
      used = 0;
    }
    const line = out[out.length - 1];
    if (used > 0) line.push({ text: '  ' });
    line.push(...item);
    used += (used > 0 ? 2 : 0) + w;
  }
  return out;
}
