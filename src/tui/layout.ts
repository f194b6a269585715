// Where the panels go for a terminal size. Wide terminals show every panel at once in two rows of two; at
// 80x24 and other small sizes the workflow stays on top and one of services, topics, feed or a drill-down
// fills the rest (tab switches). The frame is one row shorter than the terminal: a frame of the full
// height makes ink clear the whole screen on every update, which flickers.

export interface Layout {
  mode: 'wide' | 'compact';
  width: number;
  height: number;
  /** rows between the status bar and the footer (and the tab line in compact mode) */
  body: number;
  /** height of the top row (wide) or of the workflow panel (compact) */
  top: number;
  /** height of the bottom row (wide) or of the lower panel (compact) */
  bottom: number;
  /** width of the left column (wide) */
  left: number;
}

export const MIN_COLUMNS = 60;
export const MIN_ROWS = 16;

export function layoutFor(columns: number, rows: number): Layout {
  const width = Math.max(MIN_COLUMNS, columns);
  const height = Math.max(MIN_ROWS, rows) - 1;
  if (columns >= 110 && rows >= 30) {
    const body = height - 2;
    const top = Math.max(10, Math.floor(body * 0.45));
    return { mode: 'wide', width, height, body, top, bottom: body - top, left: Math.floor(width / 2) };
  }
  const body = height - 3;
  const top = body >= 26 ? 11 : body >= 18 ? 9 : 7;
  return { mode: 'compact', width, height, body, top, bottom: body - top, left: width };
}
