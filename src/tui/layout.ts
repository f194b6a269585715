// Where the panels go for a terminal size. Wide terminals show every panel at once in two rows of two; at
// 80x24 and other small sizes the flow (or, without one, the services) stays on top and one of the other
// panels or a drill-down fills the rest (tab switches). The frame is one row shorter than the terminal: a frame of the full
// height makes ink clear the whole screen on every update, which flickers.
//
// In the wide layout each row is split by what its two panels need (the width of their columns, whole):
// when both fit, each gets its need and they share the rest; when one fits in half the width, it gets its
// need and the other the rest (the topics panel first does without its trend), or failing that, one that
// fits in 55% of it; else halves.

export interface Layout {
  mode: 'wide' | 'compact';
  width: number;
  height: number;
  /** rows between the status bar and the footer (and the tab line in compact mode) */
  body: number;
  /** height of the top row (wide) or of the top panel (compact) */
  top: number;
  /** height of the bottom row (wide) or of the lower panel (compact) */
  bottom: number;
  /** width of the left panel of the top row (wide; compact: the whole width) */
  left: number;
  /** width of the left panel of the bottom row (wide; compact: the whole width) */
  bottomLeft: number;
}

/** The inner widths (without borders) the panels need to show their columns whole. */
export interface PanelNeeds {
  /** the flow panel (0: no flow, the topics take its place in the top row and the feed has the bottom row) */
  flow: number;
  services: number;
  topics: number;
  /** the topics without their trend column */
  topicsLeast: number;
  feed: number;
}

export const MIN_COLUMNS = 60;
export const MIN_ROWS = 16;

export function layoutFor(columns: number, rows: number, needs?: PanelNeeds): Layout {
  const width = Math.max(MIN_COLUMNS, columns);
  const height = Math.max(MIN_ROWS, rows) - 1;
  if (columns >= 110 && rows >= 30) {
    const body = height - 2;
    const top = Math.max(10, Math.floor(body * 0.45));
    const half = Math.floor(width / 2);
    const left = !needs
      ? half
      : needs.flow
        ? split(width, needs.flow + 2, needs.services + 2)
        : split(width, needs.topics + 2, needs.services + 2, needs.topicsLeast + 2);
    const bottomLeft = needs ? split(width, needs.topics + 2, needs.feed + 2, needs.topicsLeast + 2) : half;
    return { mode: 'wide', width, height, body, top, bottom: body - top, left, bottomLeft };
  }
  const body = height - 3;
  const top = body >= 26 ? 11 : body >= 18 ? 9 : 7;
  return { mode: 'compact', width, height, body, top, bottom: body - top, left: width, bottomLeft: width };
}

/** The width of the left panel of a row of `width` columns whose panels need `a` (at least `aLeast`) and `b`. */
export function split(width: number, a: number, b: number, aLeast = a): number {
  // neither panel narrower than this, whatever the other needs
  const floor = Math.ceil(width * 0.3);
  const clamp = (left: number) => Math.max(floor, Math.min(width - floor, left));
  if (a + b <= width) return clamp(a + Math.floor((width - a - b) / 2));
  // one panel whole, the other cut: the one that fits in half the width, else in a little more than half
  for (const share of [0.5, 0.55]) {
    const most = Math.floor(width * share);
    if (b <= most) return clamp(width - b);
    if (a <= most) return clamp(a);
    if (aLeast <= most) return clamp(aLeast);
  }
  return Math.floor(width / 2);
}
