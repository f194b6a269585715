// The flow panel: the flow's entities by state and by the reason of their outcome, throughput, end-to-end
// latency, and the entities that are not final after the deadline with the answer each waits for. Without a
// flow there is no such panel (the app lays out the others).

import type { Line } from '../lines.js';
import { columnWidths, naturalWidth, rowLine, type Column } from '../columns.js';
import { formatDuration } from '../../common/time.js';
import { compact, sparkline } from '../format.js';
import type { FlowStatus, Snapshot, StuckRow } from '../source.js';
import { listLines } from './list.js';
import { stuckRows } from './rows.js';

// a stuck entity: its id, state and age, then what it waits for, as far as the panel reaches
const stuckCols = (w: FlowStatus): readonly Column[] => [
  { header: w.entity.toUpperCase(), max: 40, min: 8 },
  { header: 'STATE', max: 32, min: 6 },
  { header: 'AGE', align: 'right' },
];
const stuckCells = (r: StuckRow): string[] => [r.id, r.state, formatDuration(r.ageMs, 'narrow')];
/**
 * The cells the stuck columns are sized by: the rows', and every state the flow defines, so that the
 * columns stay put from one frame to the next whichever states the stuck entities are in (a CANCEL_PENDING
 * coming and going would otherwise shift what follows the state).
 */
const stuckSizing = (w: FlowStatus): string[][] => [
  ...w.stuck.map(stuckCells),
  ...w.states.filter((s) => !s.final).map((s) => ['', s.state, '']),
];
const SPARK = { min: 8, max: 30 };

/** A final state's colour: red when its outcome has a reason (rejected, failed), else green. */
function stateColor(w: FlowStatus, state: { state: string; final: boolean }): string | undefined {
  if (!state.final) return undefined;
  return w.reasons[state.state] ? 'red' : 'green';
}

const label = (s: string) => s.toLowerCase().replace(/_/g, '-');

/** The width the panel needs: its count lines and stuck entities whole (0 without a flow). */
export function flowNeed(s: Snapshot): number {
  const w = s.flow;
  if (!w) return 0;
  const stuck = w.stuck.length
    ? naturalWidth(stuckCols(w), stuckSizing(w)) + 2 + Math.max(...w.stuck.map((r) => r.waitingFor.length))
    : 0;
  const [rate, latency] = rateItems(w, SPARK.min);
  return Math.max(
    stuck,
    lineWidth(rate) + 2 + lineWidth(latency),
    itemsWidth(stateItems(w, true)),
    itemsWidth(reasonItems(w)),
  );
}

export function flowLines(
  s: Snapshot,
  o: { width: number; height: number; selected: number | null; filter: string },
): Line[] {
  const w = s.flow;
  if (!w)
    return [
      [
        {
          text: 'no flow: give --flow FILE (or write one with evt flow infer) to see entities by state and the stuck ones',
          dim: true,
        },
      ],
    ];
  // with rows to spare, a line that does not fit wraps between its items instead of being cut
  const wrapTo = o.height >= 10 ? 2 : 1;
  const states = wrapItems(stateItems(w, o.width >= 100), o.width, wrapTo);
  const reasons = wrapItems(reasonItems(w), o.width, wrapTo);
  const rate = rateLines(w, o.width, wrapTo);
  const rows = stuckRows(s, o.filter);
  const head: Line = w.stuckTotal
    ? [
        { text: `stuck ${w.stuckTotal}`, color: 'yellow', bold: true },
        {
          text: ` not final after ${formatDuration(w.stuckAfterMs, 'narrow')}${o.filter ? `, ${rows.length} match the filter` : ''}`,
          dim: true,
        },
      ]
    : [
        { text: `stuck none`, color: 'green' },
        { text: ` (no ${w.entity} waits longer than ${formatDuration(w.stuckAfterMs, 'narrow')})`, dim: true },
      ];
  const fixed = [...states, ...reasons, ...rate];
  if (!w.stuckTotal) return [...fixed, head];
  const cols = stuckCols(w);
  const widths = columnWidths(cols, stuckSizing(w), o.width);
  return [
    ...fixed,
    ...listLines({
      header: head,
      rows,
      height: o.height - fixed.length,
      selected: o.selected,
      empty: `  no stuck ${w.entity} matches the filter`,
      row: (r) => [
        ...rowLine(stuckCells(r), cols, widths, (i) => (i === 1 ? { color: 'yellow' } : undefined)),
        { text: `  ${r.waitingFor}`, dim: true },
      ],
    }),
  ];
}

/** "placed 8", "completed 321", ...: the states with entities in them (the final ones always; `all`: the empty others too). */
function stateItems(w: FlowStatus, all: boolean): Line[] {
  const items: Line[] = [];
  for (const st of w.states) {
    if (st.count === 0 && !st.final && !all) continue;
    items.push([{ text: `${label(st.state)} ` }, { text: compact(st.count), bold: true, color: stateColor(w, st) }]);
  }
  return items;
}

/** "rejected out of stock 9  payment declined 17", per final state with reasons. */
function reasonItems(w: FlowStatus): Line[] {
  const items: Line[] = [];
  for (const [state, byReason] of Object.entries(w.reasons)) {
    Object.entries(byReason)
      .filter(([, n]) => n > 0)
      .forEach(([r, n], i) =>
        items.push([
          ...(i === 0 ? [{ text: `${label(state)} `, dim: true }] : []),
          { text: `${r.toLowerCase().replace(/_/g, ' ')} ` },
          { text: compact(n), color: 'red' },
        ]),
      );
  }
  return items.length ? items : [[{ text: 'no outcome with a reason yet', dim: true }]];
}

function rateItems(w: FlowStatus, spark: number): [Line, Line] {
  const now = w.settledPerSecond.length ? w.settledPerSecond[w.settledPerSecond.length - 1] : 0;
  const latency = w.latency
    ? `e2e p50 ${formatDuration(w.latency.p50, 'narrow')} p95 ${formatDuration(w.latency.p95, 'narrow')} p99 ${formatDuration(w.latency.p99, 'narrow')}`
    : 'e2e -';
  return [
    [
      { text: 'settled/s ' },
      { text: sparkline(w.settledPerSecond, spark), color: 'cyan' },
      { text: ` ${compact(now).padStart(5)}` },
    ],
    [{ text: latency }],
  ];
}

/** The throughput and the latency: on one line, the sparkline as wide as the room allows; else on two. */
function rateLines(w: FlowStatus, width: number, lines: number): Line[] {
  const [rate, latency] = rateItems(w, 0);
  const oneLine = width - lineWidth(rate) - 2 - lineWidth(latency);
  if (oneLine >= SPARK.min || lines < 2) {
    const [r, l] = rateItems(w, Math.max(SPARK.min, Math.min(SPARK.max, oneLine)));
    return [[...r, { text: '  ' }, ...l]];
  }
  const [r, l] = rateItems(w, Math.max(SPARK.min, Math.min(SPARK.max, width - lineWidth(rate))));
  return [r, l];
}

const lineWidth = (line: Line) => line.reduce((n, seg) => n + seg.text.length, 0);
const itemsWidth = (items: Line[]) => items.reduce((n, item, i) => n + lineWidth(item) + (i ? 2 : 0), 0);

/** Items two spaces apart, on up to `lines` lines: an item that does not fit starts the next line (the last line is cut). */
function wrapItems(items: Line[], width: number, lines: number): Line[] {
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
