// Every key of the dashboard, in one table: the help screen and the footer are drawn from it, so they cannot
// drift from what the keys do (app.tsx dispatches on the same `action` names).

export type Action =
  | 'next-panel'
  | 'previous-panel'
  | 'down'
  | 'up'
  | 'top'
  | 'bottom'
  | 'open'
  | 'trace'
  | 'back'
  | 'filter'
  | 'pause'
  | 'help'
  | 'quit';

export interface KeyBinding {
  keys: string;
  action: Action;
  what: string;
  /** shown in the one-line footer */
  footer?: string;
}

export const KEYS: readonly KeyBinding[] = [
  { keys: 'tab / → / l', action: 'next-panel', what: 'focus the next panel', footer: 'tab panel' },
  { keys: 'shift-tab / ← / h', action: 'previous-panel', what: 'focus the previous panel' },
  { keys: 'j / ↓', action: 'down', what: 'select the next row (scroll a trace down)', footer: 'j/k move' },
  { keys: 'k / ↑', action: 'up', what: 'select the previous row (scroll a trace up)' },
  { keys: 'g', action: 'top', what: 'first row (top of a trace)' },
  { keys: 'G', action: 'bottom', what: 'last row (the newest event in the feed)' },
  {
    keys: 'enter',
    action: 'open',
    what: 'drill down: trace the selected entity, partitions of a group or topic',
    footer: 'enter open',
  },
  { keys: 't', action: 'trace', what: 'trace the selected entity (or the oldest stuck one)', footer: 't trace' },
  { keys: 'esc', action: 'back', what: 'close the trace, details or help; clear the filter' },
  {
    keys: '/',
    action: 'filter',
    what: 'filter entities, events, groups and topics (enter keeps it, esc clears it)',
    footer: '/ filter',
  },
  { keys: 'p', action: 'pause', what: 'pause or resume the event feed', footer: 'p pause' },
  { keys: '?', action: 'help', what: 'this help', footer: '? help' },
  { keys: 'q / ctrl-c', action: 'quit', what: 'quit', footer: 'q quit' },
];

/** What ink reports for a key press (the subset the dashboard reads). */
export interface KeyPress {
  tab?: boolean;
  shift?: boolean;
  ctrl?: boolean;
  upArrow?: boolean;
  downArrow?: boolean;
  leftArrow?: boolean;
  rightArrow?: boolean;
  return?: boolean;
  escape?: boolean;
}

/** The action of a key press outside the filter prompt, or null for keys the dashboard does not use. */
export function actionOf(input: string, key: KeyPress): Action | null {
  if (key.ctrl && input === 'c') return 'quit';
  if (key.tab) return key.shift ? 'previous-panel' : 'next-panel';
  if (key.rightArrow) return 'next-panel';
  if (key.leftArrow) return 'previous-panel';
  if (key.downArrow) return 'down';
  if (key.upArrow) return 'up';
  if (key.return) return 'open';
  if (key.escape) return 'back';
  const byChar: Record<string, Action> = {
    l: 'next-panel',
    h: 'previous-panel',
    j: 'down',
    k: 'up',
    g: 'top',
    G: 'bottom',
    t: 'trace',
    '/': 'filter',
    p: 'pause',
    '?': 'help',
    q: 'quit',
  };
  return byChar[input] ?? null;
}
