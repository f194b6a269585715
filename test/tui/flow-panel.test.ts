// The flow panel's details a user reads first: "since" is when the counted entities start (not a minute
// before the demo began), and the stuck list keeps its columns in line whatever states its rows are in,
// the bundled flow's CANCEL_PENDING and a foreign flow's longer names alike, from one frame to the next.

import { describe, expect, it } from 'vitest';
import { clockTime } from '../../src/common/clock.js';
import { TailAggregator } from '../../src/tui/live/aggregator.js';
import { flowLines } from '../../src/tui/panels/flow.js';
import type { FlowStatus, Snapshot, StuckRow } from '../../src/tui/source.js';
import { snapshotText } from '../../src/tui/text-snapshot.js';
import { workflowFlow } from '../../src/workflow/flow.js';
import { sceneSnapshot, tailEvent } from './scene.js';

const AT = Date.parse('2026-11-22T10:00:00Z');
const text = (s: Snapshot, width = 120) =>
  flowLines(s, { width, height: 100, selected: null, filter: '' }).map((l) => l.map((seg) => seg.text).join(''));

describe('since', () => {
  it('is the first entity seen when the window reaches back before it, and the window start until then', () => {
    const windowStart = AT - 60_000;
    const agg = new TailAggregator(workflowFlow(), windowStart);
    expect(agg.flowStatus(AT, 5_000)!.since).toBe(windowStart);
    // the demo starts 50 s into the minute the dashboard looks back over
    const first = AT - 10_000;
    agg.add(tailEvent('shop.basket.order-requests', 'o-1', 'OrderRequested', first));
    agg.add(tailEvent('shop.orders', 'o-1', 'OrderPlaced', first + 5));
    agg.add(tailEvent('shop.basket.order-requests', 'o-2', 'OrderRequested', first + 500));
    const w = agg.flowStatus(AT, 5_000)!;
    expect(w.since).toBe(first);
    const s = { ...sceneSnapshot(AT), flow: w };
    expect(snapshotText(s, { width: 120, events: 0 })).toContain(`flow shop (orders since ${clockTime(first, false)})`);
  });

  it('stays the window start when entities were there before it', () => {
    const windowStart = AT - 60_000;
    const agg = new TailAggregator(workflowFlow(), windowStart);
    // a record with an older timestamp appended inside the window: the window still bounds what is counted
    agg.add(tailEvent('shop.basket.order-requests', 'o-old', 'OrderRequested', windowStart - 5_000));
    expect(agg.flowStatus(AT, 5_000)!.since).toBe(windowStart);
  });
});

describe('the stuck list', () => {
  const row = (id: string, state: string, ageMs = 8_000): StuckRow => ({
    id,
    state,
    ageMs,
    waitingFor: 'inventory: StockReserved or StockReservationFailed',
  });
  const withStuck = (rows: StuckRow[], states?: FlowStatus['states']): Snapshot => {
    const s = sceneSnapshot(AT, { stuck: 0 });
    const flow = { ...s.flow!, stuck: rows, stuckTotal: rows.length, states: states ?? s.flow!.states };
    return { ...s, flow };
  };
  /** where each stuck row's age ends and its waiting-for starts: the same column on every row when aligned */
  const columnsOf = (lines: string[]) =>
    lines.filter((l) => l.startsWith('o-') || l.startsWith('p-')).map((l) => l.indexOf('inventory:'));

  it('keeps the columns in line when a CANCEL_PENDING order is among them, and from frame to frame', () => {
    const placed = columnsOf(text(withStuck([row('o-1', 'PLACED'), row('o-2', 'PLACED')])));
    const mixed = columnsOf(
      text(withStuck([row('o-1', 'PLACED'), row('o-2', 'CANCEL_PENDING'), row('o-3', 'PLACED', 12_000)])),
    );
    expect(placed).toHaveLength(2);
    expect(mixed).toHaveLength(3);
    expect(new Set([...placed, ...mixed]).size).toBe(1);
  });

  it('does the same for a foreign flow with longer state names', () => {
    const states = [
      { state: 'RECEIVED', count: 3, final: false },
      { state: 'AWAITING_CUSTOMS_CLEARANCE', count: 2, final: false },
      { state: 'DELIVERED', count: 9, final: true },
    ];
    const frames = [
      [row('p-1', 'RECEIVED'), row('p-2', 'RECEIVED')],
      [row('p-1', 'RECEIVED'), row('p-2', 'AWAITING_CUSTOMS_CLEARANCE'), row('p-3', 'RECEIVED')],
    ].map((rows) => text(withStuck(rows, states), 140));
    const columns = frames.flatMap(columnsOf);
    expect(columns).toHaveLength(5);
    expect(new Set(columns).size).toBe(1);
    // the long name whole, as the panel has room for it
    expect(frames[1].some((l) => l.includes('AWAITING_CUSTOMS_CLEARANCE'))).toBe(true);
  });
});
