// The dashboard: the panels laid out for the terminal's size, the focus and selection, the filter, the paused
// feed, and drill-downs (a trace, a group's or a topic's partitions). Data comes only from the source's
// snapshots; the one request the app makes of it is a trace.

import { Box, useInput } from 'ink';
import { useEffect, useReducer, useRef, useState, type ReactNode } from 'react';
import { clockTime } from '../common/clock.js';
import { LineView, Panel } from './components/panel.js';
import type { Line } from './lines.js';
import { useSnapshot, useTerminalSize } from './hooks.js';
import { actionOf, type Action, type KeyPress } from './keys.js';
import { layoutFor, type Layout, type PanelNeeds } from './layout.js';
import { groupLines, topicLines } from './panels/details.js';
import { feedLines, feedNeed } from './panels/feed.js';
import { feedRows, serviceRows, stuckRows, topicRows } from './panels/rows.js';
import { servicesLines, servicesNeed } from './panels/services.js';
import { footerLine, helpLines, statusLine } from './panels/status.js';
import { topicsLines, topicsNeed } from './panels/topics.js';
import { traceLines, type TraceState } from './panels/trace.js';
import { flowLines, flowNeed } from './panels/flow.js';
import type { DashboardSource, FeedEvent, Snapshot } from './source.js';

export type PanelId = 'flow' | 'services' | 'topics' | 'feed';

/** The panels of a snapshot: the flow's only when there is a flow. */
function panelsOf(s: Snapshot | null): PanelId[] {
  return s && !s.flow ? ['services', 'topics', 'feed'] : ['flow', 'services', 'topics', 'feed'];
}

export type Drill = (
  { kind: 'trace'; id: string; request: number } | { kind: 'group'; group: string } | { kind: 'topic'; name: string }
) & { from: PanelId };

interface Ui {
  focus: PanelId | 'drill';
  /** the lower panel of the compact layout when the focus is on the flow */
  lower: PanelId;
  /** selected row per panel; the feed's counts back from the newest event */
  selected: Record<PanelId, number>;
  filter: string;
  /** the filter being typed, or null */
  editing: string | null;
  /** the feed as it was when paused, or null */
  paused: FeedEvent[] | null;
  help: boolean;
  drill: Drill | null;
  scroll: number;
  message: string | null;
}

const INITIAL: Ui = {
  focus: 'flow',
  lower: 'services',
  selected: { flow: 0, services: 0, topics: 0, feed: 0 },
  filter: '',
  editing: null,
  paused: null,
  help: false,
  drill: null,
  scroll: 0,
  message: null,
};

export interface AppProps {
  source: DashboardSource;
  /** q (`quit`) or Ctrl-C (`interrupt`, a key: the terminal is raw) */
  onQuit: (how: 'quit' | 'interrupt') => void;
  /** a fixed size instead of the terminal's (tests) */
  size?: { columns: number; rows: number };
}

export function App({ source, onQuit, size: fixedSize }: AppProps): ReactNode {
  const snapshot = useSnapshot(source);
  const size = useTerminalSize(fixedSize);
  const needs = useStickyNeeds(snapshot, size.columns);
  const layout = layoutFor(size.columns, size.rows, needs ?? undefined);
  // The key handler reads the state through refs: ink re-arms it only in React's passive-effect flush, so
  // a key pressed soon after a render can reach the previous render's handler.
  const state = useRef<Ui>(INITIAL);
  const [, redraw] = useReducer((n: number) => n + 1, 0);
  // without a flow there is no flow panel: the focus starts on the groups
  if (snapshot && !snapshot.flow && state.current.focus === 'flow')
    state.current = { ...state.current, focus: 'services', lower: 'topics' };
  const ui = state.current;
  const traces = useTraces(source, ui.drill);
  const feed = ui.paused ?? snapshot?.feed ?? [];
  const seen = useRef({ snapshot, feed, layout, onQuit });
  seen.current = { snapshot, feed, layout, onQuit };

  const onKey = (input: string, key: KeyPress & { backspace?: boolean; delete?: boolean; meta?: boolean }) => {
    const now = state.current;
    const { snapshot, feed, layout, onQuit } = seen.current;
    if (now.editing !== null) state.current = editFilter(now, input, key);
    else {
      const action = actionOf(input, key);
      if (action === 'quit') return onQuit(key.ctrl ? 'interrupt' : 'quit');
      if (!action) return;
      state.current = act(now, action, snapshot, feed, layout);
    }
    redraw();
  };
  useInput((input, key) => {
    // keys typed faster than a read (or sent together by tmux, or pasted) arrive as one string: one key each
    if (input.length > 1 && !input.includes('\x1b')) for (const ch of input) onKey(ch, keyOfChar(ch));
    else onKey(input, key);
  });

  const body = !snapshot ? (
    <Panel
      title="evt dashboard"
      width={layout.width}
      height={layout.body}
      focused={false}
      lines={[[{ text: 'waiting for the first snapshot of the cluster…', dim: true }]]}
    />
  ) : ui.help ? (
    <Panel
      title="help"
      note="esc or ? closes"
      width={layout.width}
      height={layout.body}
      focused
      lines={helpLines(snapshot)}
    />
  ) : (
    <Panels
      snapshot={snapshot}
      ui={ui}
      layout={layout}
      feed={feed}
      trace={ui.drill?.kind === 'trace' ? (traces.get(ui.drill.request) ?? { status: 'loading' }) : null}
    />
  );
  return (
    <Box flexDirection="column" width={layout.width} height={layout.height}>
      <LineView
        line={statusLine(snapshot, { width: layout.width, filter: ui.filter, paused: ui.paused !== null })}
        width={layout.width}
      />
      {body}
      <LineView line={footerLine({ editing: ui.editing, message: ui.message })} width={layout.width} />
    </Box>
  );
}

function Panels({
  snapshot,
  ui,
  layout,
  feed,
  trace,
}: {
  snapshot: Snapshot;
  ui: Ui;
  layout: Layout;
  feed: FeedEvent[];
  trace: TraceState | null;
}): ReactNode {
  const sel = (p: PanelId) => (ui.focus === p ? ui.selected[p] : null);
  const panel = (p: PanelId | 'drill', width: number, height: number): ReactNode => {
    const inner = { width: width - 2, height: height - 2, filter: ui.filter };
    const focused = ui.focus === p;
    switch (p) {
      case 'flow':
        return (
          <Panel
            key={p}
            title={`flow ${snapshot.flow?.name ?? ''}`}
            note={snapshot.flow ? `${snapshot.flow.entity}s since ${clockTime(snapshot.flow.since, false)}` : ''}
            width={width}
            height={height}
            focused={focused}
            lines={flowLines(snapshot, { ...inner, selected: sel(p) })}
          />
        );
      case 'services':
        return (
          <Panel
            key={p}
            title="services"
            note={`${snapshot.services.length} groups`}
            width={width}
            height={height}
            focused={focused}
            lines={servicesLines(snapshot, { ...inner, selected: sel(p) })}
          />
        );
      case 'topics':
        return (
          <Panel
            key={p}
            title="topics"
            note={`${snapshot.topics.length}`}
            width={width}
            height={height}
            focused={focused}
            lines={topicsLines(snapshot, { ...inner, selected: sel(p) })}
          />
        );
      case 'feed': {
        const rows = feedRows(feed, ui.filter);
        const selected =
          ui.focus === 'feed' ? rows.length - 1 - Math.min(ui.selected.feed, rows.length - 1) : rows.length - 1;
        const fresh = ui.paused ? newerThan(snapshot.feed, ui.paused) : 0;
        const note = ui.paused ? `paused, ${fresh} new` : `${rows.length}${ui.filter ? ' matching' : ''}`;
        return (
          <Panel
            key={p}
            title="events"
            note={note}
            width={width}
            height={height}
            focused={focused}
            lines={feedLines(rows, {
              ...inner,
              selected: ui.focus === 'feed' ? selected : null,
              empty: ui.filter ? 'no event matches the filter' : 'no events yet',
            })}
          />
        );
      }
      case 'drill':
        return (
          <DrillPanel
            key="drill"
            snapshot={snapshot}
            drill={ui.drill!}
            trace={trace}
            scroll={ui.scroll}
            width={width}
            height={height}
            focused={focused}
          />
        );
    }
  };
  const hasFlow = snapshot.flow !== null;
  if (layout.mode === 'wide') {
    const right = layout.width - layout.left;
    // without a flow, the topics take its place and the feed has the bottom row to itself
    return (
      <Box flexDirection="column">
        <Box flexDirection="row">
          {panel(hasFlow ? 'flow' : 'topics', layout.left, layout.top)}
          {panel('services', right, layout.top)}
        </Box>
        {ui.drill ? (
          panel('drill', layout.width, layout.bottom)
        ) : hasFlow ? (
          <Box flexDirection="row">
            {panel('topics', layout.bottomLeft, layout.bottom)}
            {panel('feed', layout.width - layout.bottomLeft, layout.bottom)}
          </Box>
        ) : (
          panel('feed', layout.width, layout.bottom)
        )}
      </Box>
    );
  }
  const top: PanelId = hasFlow ? 'flow' : 'services';
  const lower = lowerOf(ui, top);
  return (
    <Box flexDirection="column">
      {panel(top, layout.width, layout.top)}
      <LineView line={tabsLine(ui, lower, top)} width={layout.width} />
      {panel(lower, layout.width, layout.bottom)}
    </Box>
  );
}

function DrillPanel({
  snapshot,
  drill,
  trace,
  scroll,
  width,
  height,
  focused,
}: {
  snapshot: Snapshot;
  drill: Drill;
  trace: TraceState | null;
  scroll: number;
  width: number;
  height: number;
  focused: boolean;
}): ReactNode {
  const lines: Line[] =
    drill.kind === 'trace'
      ? traceLines(trace ?? { status: 'loading' }, width - 2)
      : drill.kind === 'group'
        ? groupLines(
            snapshot.services.find((r) => r.group === drill.group),
            width - 2,
          )
        : topicLines(
            snapshot.topics.find((t) => t.name === drill.name),
            width - 2,
          );
  const title = drillName(drill);
  const start = Math.max(0, Math.min(scroll, lines.length - (height - 2)));
  const more =
    lines.length > height - 2
      ? `${start + 1}-${Math.min(lines.length, start + height - 2)} of ${lines.length}, j/k scroll`
      : '';
  return (
    <Panel
      title={title}
      note={`${more}${more ? ' · ' : ''}esc back`}
      width={width}
      height={height}
      focused={focused}
      lines={lines.slice(start)}
    />
  );
}

/** The lower panel of the compact layout, under `top`. */
function lowerOf(ui: Ui, top: PanelId): PanelId | 'drill' {
  if (ui.drill && (ui.focus === 'drill' || ui.focus === top)) return 'drill';
  const lower = ui.focus === top || ui.focus === 'drill' ? ui.lower : ui.focus;
  return lower === top ? 'topics' : lower;
}

function tabsLine(ui: Ui, lower: PanelId | 'drill', top: PanelId): Line {
  const tabs: (PanelId | 'drill')[] = [
    ...(['services', 'topics', 'feed'] as const).filter((t) => t !== top),
    ...(ui.drill ? ['drill' as const] : []),
  ];
  return tabs.flatMap((t) => [
    { text: ' ' },
    {
      text: ` ${t === 'drill' ? drillName(ui.drill!) : t === 'feed' ? 'events' : t} `,
      inverse: t === lower,
      bold: t === lower,
      color: t === lower ? 'cyan' : undefined,
    },
  ]);
}

function drillName(d: Drill): string {
  return d.kind === 'trace' ? `trace ${d.id}` : d.kind === 'group' ? `group ${d.group}` : `topic ${d.name}`;
}

/** Events of the feed that came after it was paused (the feed is in event-time order, so by sequence number). */
function newerThan(feed: readonly FeedEvent[], paused: readonly FeedEvent[]): number {
  const last = paused.reduce((max, e) => Math.max(max, e.seq), -1);
  return feed.filter((e) => e.seq > last).length;
}

/**
 * What the panels need (PanelNeeds), never shrinking while the width stays: a row's split follows the widest
 * content seen, so that it does not shift back and forth as event types and states come and go.
 */
function useStickyNeeds(snapshot: Snapshot | null, columns: number): PanelNeeds | null {
  const kept = useRef<{ columns: number; needs: PanelNeeds } | null>(null);
  if (!snapshot) return kept.current?.needs ?? null;
  const now: PanelNeeds = {
    flow: flowNeed(snapshot),
    services: servicesNeed(snapshot),
    topics: topicsNeed(snapshot),
    topicsLeast: topicsNeed(snapshot, true),
    feed: feedNeed(snapshot.feed),
  };
  const before = kept.current?.columns === columns ? kept.current.needs : null;
  const needs = before
    ? (Object.fromEntries(
        (Object.entries(now) as [keyof PanelNeeds, number][]).map(([k, v]) => [k, Math.max(v, before[k])]),
      ) as unknown as PanelNeeds)
    : now;
  kept.current = { columns, needs };
  return needs;
}

/** The panels tab moves through: with a drill-down open, the top panels and the drill-down. */
function focusOrder(ui: Ui, layout: Layout, s: Snapshot): (PanelId | 'drill')[] {
  const panels = panelsOf(s);
  if (!ui.drill) return panels;
  return layout.mode === 'wide' ? [...panels.slice(0, 2), 'drill'] : [...panels, 'drill'];
}

function rowCount(p: PanelId, s: Snapshot, feed: readonly FeedEvent[], filter: string): number {
  if (p === 'flow') return stuckRows(s, filter).length;
  if (p === 'services') return serviceRows(s, filter).length;
  if (p === 'topics') return topicRows(s, filter).length;
  return feedRows(feed, filter).length;
}

let traceRequests = 0;

/** The entity the selection points at: a stuck one, or the entity (else the key) of an event in the feed. */
function selectedEntity(ui: Ui, s: Snapshot, feed: readonly FeedEvent[]): string | null {
  if (ui.focus === 'feed') {
    const rows = feedRows(feed, ui.filter);
    const e = rows[rows.length - 1 - ui.selected.feed];
    return e?.entityId ?? e?.key ?? null;
  }
  if (ui.focus === 'flow') return stuckRows(s, ui.filter)[ui.selected.flow]?.id ?? null;
  return null;
}

/** The state after a key's action. */
export function act(ui: Ui, action: Action, s: Snapshot | null, feed: readonly FeedEvent[], layout: Layout): Ui {
  const next: Ui = { ...ui, message: null };
  if (ui.help) return action === 'back' || action === 'help' ? { ...next, help: false } : next;
  if (!s) return action === 'help' ? { ...next, help: true } : next;
  const move = (by: number | 'top' | 'bottom'): Ui => {
    if (ui.focus === 'drill')
      return { ...next, scroll: by === 'top' ? 0 : by === 'bottom' ? 1e9 : Math.max(0, ui.scroll + by) };
    const p = ui.focus;
    const count = rowCount(p, s, feed, ui.filter);
    const current = ui.selected[p];
    // the feed's selection counts back from the newest event (at the bottom): "down" goes toward 0
    const value =
      p === 'feed'
        ? by === 'top'
          ? count - 1
          : by === 'bottom'
            ? 0
            : current - by
        : by === 'top'
          ? 0
          : by === 'bottom'
            ? count - 1
            : current + by;
    return { ...next, selected: { ...ui.selected, [p]: Math.max(0, Math.min(Math.max(0, count - 1), value)) } };
  };
  const openTrace = (id: string | null, from: PanelId): Ui =>
    id
      ? { ...next, drill: { kind: 'trace', id, request: ++traceRequests, from }, focus: 'drill', scroll: 0 }
      : {
          ...next,
          message: `select what to trace: ${s.flow ? `a stuck ${s.flow.entity} in the flow panel or ` : ''}an event in the feed`,
        };
  switch (action) {
    case 'next-panel':
    case 'previous-panel': {
      const order = focusOrder(ui, layout, s);
      const i = order.indexOf(ui.focus);
      const focus = order[(i + (action === 'next-panel' ? 1 : order.length - 1)) % order.length];
      return { ...next, focus, lower: focus !== 'flow' && focus !== 'drill' ? focus : ui.lower };
    }
    case 'down':
      return move(1);
    case 'up':
      return move(-1);
    case 'top':
      return move('top');
    case 'bottom':
      return move('bottom');
    case 'open':
      if (ui.focus === 'services') {
        const row = serviceRows(s, ui.filter)[ui.selected.services];
        return row
          ? { ...next, drill: { kind: 'group', group: row.group, from: 'services' }, focus: 'drill', scroll: 0 }
          : next;
      }
      if (ui.focus === 'topics') {
        const row = topicRows(s, ui.filter)[ui.selected.topics];
        return row
          ? { ...next, drill: { kind: 'topic', name: row.name, from: 'topics' }, focus: 'drill', scroll: 0 }
          : next;
      }
      if (ui.focus === 'drill') return next;
      return openTrace(selectedEntity(ui, s, feed), ui.focus);
    case 'trace': {
      const from = ui.focus === 'drill' ? (ui.drill?.from ?? panelsOf(s)[0]) : ui.focus;
      return openTrace(selectedEntity({ ...ui, focus: from }, s, feed) ?? stuckRows(s, ui.filter)[0]?.id ?? null, from);
    }
    case 'back':
      if (ui.drill) return { ...next, drill: null, focus: ui.drill.from, scroll: 0 };
      return ui.filter ? { ...next, filter: '' } : next;
    case 'filter':
      return { ...next, editing: ui.filter };
    case 'pause':
      return { ...next, paused: ui.paused ? null : s.feed.slice(), selected: { ...ui.selected, feed: 0 } };
    case 'help':
      return { ...next, help: true };
    case 'quit':
      return next;
  }
}

/** What ink would have reported for a character read on its own. */
function keyOfChar(ch: string): KeyPress & { backspace?: boolean } {
  if (ch === '\t') return { tab: true };
  if (ch === '\r' || ch === '\n') return { return: true };
  if (ch === '\x7f' || ch === '\b') return { backspace: true };
  return {};
}

/** Typing in the filter prompt: characters add, backspace removes, enter keeps it, esc clears it. */
function editFilter(
  ui: Ui,
  input: string,
  key: { return?: boolean; escape?: boolean; backspace?: boolean; delete?: boolean; ctrl?: boolean; meta?: boolean },
): Ui {
  const text = ui.editing ?? '';
  if (key.return)
    return {
      ...ui,
      editing: null,
      filter: text.trim(),
      selected: { ...ui.selected, flow: 0, services: 0, topics: 0, feed: 0 },
    };
  if (key.escape) return { ...ui, editing: null, filter: '' };
  if (key.backspace || key.delete) return { ...ui, editing: text.slice(0, -1) };
  if (key.ctrl || key.meta || !input) return ui;
  return { ...ui, editing: (text + input).replace(/[\r\n\t]/g, '') };
}

/** Runs the trace a drill-down asks for, once per request; older requests' answers are kept for esc/enter. */
function useTraces(source: DashboardSource, drill: Drill | null): Map<number, TraceState> {
  const [traces, setTraces] = useState<Map<number, TraceState>>(new Map());
  const started = useRef(new Set<number>());
  useEffect(() => {
    if (drill?.kind !== 'trace' || started.current.has(drill.request)) return;
    const { request, id } = drill;
    started.current.add(request);
    let live = true;
    const settle = (state: TraceState) => {
      // keep only the latest few answers: a long session must not hoard traces
      if (live) setTraces((prev) => new Map([...prev, [request, state] as const].slice(-4)));
    };
    source.trace(id).then(
      (result) => settle({ status: 'done', result }),
      (err: Error) => settle({ status: 'error', error: err.message.split('\n')[0] }),
    );
    return () => {
      live = false;
    };
  }, [source, drill]);
  return traces;
}
