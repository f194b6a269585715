// Column widths for the dashboard's tables, from what the cells hold: each column as wide as its widest cell
// or header (up to a cap), a trend column (a sparkline, drawn to any width) taking the room left over, and,
// only when a row does not fit, the columns giving way in a set order down to a floor. A cell is cut (with
// an ellipsis) only when its column had to give way: never while the panel has room for it. Plain functions
// over strings (no ink), shared by the panels and the one-shot text snapshot.

export interface Column {
  /** the header, or headers from the longest to the shortest (a narrow column takes the longest that fits) */
  header: string | readonly string[];
  align?: 'right';
  /** the widest it grows for its content (default: no cap) */
  max?: number;
  /** the narrowest it gives way to (default: its shortest header) */
  min?: number;
  /**
   * Drawn to any width (a sparkline): sized from the room left, between `min` and `max`; when even `min` does
   * not fit, the column is left out (width 0, no header).
   */
  flex?: boolean;
  /** a flex column the panel can do without: left out of what the panel needs at least (naturalWidth) */
  optional?: boolean;
  /** which columns give way first when a row is too wide: higher first (default 0); among equals, the widest */
  giveWay?: number;
}

import type { Line, Seg } from './lines.js';

const headersOf = (c: Column): readonly string[] => (typeof c.header === 'string' ? [c.header] : c.header);
const minOf = (c: Column): number => c.min ?? Math.min(...headersOf(c).map((h) => h.length));

/**
 * Widths for `cols` given the cells of every row (`rows[r][c]`; a flex column's cells are ignored) in
 * `width` columns, one space between columns. A flex column that gets 0 is left out.
 */
export function columnWidths(cols: readonly Column[], rows: readonly (readonly string[])[], width: number): number[] {
  const widths = naturalWidths(cols, rows);
  const total = () => widths.reduce((n, w, i) => n + w + (i > 0 && w > 0 ? 1 : 0), 0);
  let over = total() - width;
  // a header longer than its cells gives way first, to a shorter header: nothing is cut
  const content = naturalWidths(cols, rows, true);
  for (const [i, c] of cols.entries()) {
    if (over <= 0 || c.flex) continue;
    const give = Math.min(over, widths[i] - content[i]);
    widths[i] -= give;
    over -= give;
  }
  if (over > 0) {
    // flex columns first: a trend is the least to lose; left out when below its floor
    for (const [i, c] of cols.entries())
      if (c.flex && over > 0) {
        widths[i] = 0;
        over = total() - width;
      }
    const levels = [...new Set(cols.map((c) => c.giveWay ?? 0))].sort((a, b) => b - a);
    for (const level of levels) {
      while (over > 0) {
        let widest = -1;
        for (const [i, c] of cols.entries()) {
          if (c.flex || (c.giveWay ?? 0) !== level || widths[i] <= minOf(c)) continue;
          if (widest < 0 || widths[i] > widths[widest]) widest = i;
        }
        if (widest < 0) break;
        widths[widest]--;
        over--;
      }
    }
  }
  // room left: the flex columns grow into it, up to their caps
  let room = width - total();
  const flex = cols.map((c, i) => (c.flex ? i : -1)).filter((i) => i >= 0);
  for (const i of flex) {
    const c = cols[i];
    const floor = minOf(c);
    if (widths[i] === 0) {
      // a column left out comes back when its floor and a space fit
      if (room < floor + 1) continue;
      widths[i] = floor;
      room -= floor + 1;
    }
    const grow = Math.max(0, Math.min((c.max ?? Infinity) - widths[i], Math.floor(room / flex.length)));
    widths[i] += grow;
    room -= grow;
  }
  return widths;
}

/**
 * Each column as wide as its content and longest header (up to its cap; `short`: its shortest header);
 * flex columns at their floor.
 */
function naturalWidths(cols: readonly Column[], rows: readonly (readonly string[])[], short = false): number[] {
  return cols.map((c, i) => {
    if (c.flex) return minOf(c);
    const headers = headersOf(c);
    let w = short ? Math.min(...headers.map((h) => h.length)) : headers[0].length;
    for (const row of rows) w = Math.max(w, (row[i] ?? '').length);
    return Math.max(short ? 0 : minOf(c), Math.min(w, c.max ?? Infinity));
  });
}

/**
 * What a panel needs to show every cell whole: the columns as wide as their cells (or their shortest
 * header), flex columns at their floor (with `least`, the optional ones left out).
 */
export function naturalWidth(cols: readonly Column[], rows: readonly (readonly string[])[], least = false): number {
  const widths = naturalWidths(cols, rows, true).filter((_, i) => !(least && cols[i].optional));
  return widths.reduce((n, w) => n + w, 0) + widths.length - 1;
}

/** The header line: the longest header of each column that fits its width. */
export function headerCells(cols: readonly Column[], widths: readonly number[]): string {
  return joinCells(
    cols.map((c, i) => headersOf(c).find((h) => h.length <= widths[i]) ?? headersOf(c).at(-1)!),
    cols,
    widths,
  );
}

/** One row: each value cut (with an ellipsis) or padded to its column; columns of width 0 left out. */
export function joinCells(values: readonly string[], cols: readonly Column[], widths: readonly number[]): string {
  const out: string[] = [];
  for (const [i, w] of widths.entries()) if (w > 0) out.push(cell(values[i] ?? '', w, cols[i].align));
  return out.join(' ');
}

/** One row as styled segments: `style(i)` styles column i's cell (and the space before it). */
export function rowLine(
  values: readonly string[],
  cols: readonly Column[],
  widths: readonly number[],
  style: (i: number) => Omit<Seg, 'text'> | undefined = () => undefined,
): Line {
  const line: Line = [];
  for (const [i, w] of widths.entries()) {
    if (w <= 0) continue;
    line.push({ ...style(i), text: (line.length ? ' ' : '') + cell(values[i] ?? '', w, cols[i].align) });
  }
  return line;
}

/** A value cut (with an ellipsis) or padded to `width`. */
export function cell(text: string, width: number, align?: 'right'): string {
  if (width <= 0) return '';
  const cut = text.length > width ? (width === 1 ? '…' : text.slice(0, width - 1) + '…') : text;
  return align === 'right' ? cut.padStart(width) : cut.padEnd(width);
}

/**
 * Text wrapped at spaces to `width` columns, the spacing inside each line kept; the lines after the first
 * start with `indent`. A word longer than a line is cut.
 */
export function wrap(text: string, width: number, indent = ''): string[] {
  if (text.length <= width) return [text];
  const tokens = text.match(/\s*\S+/g) ?? [text];
  const lines: string[] = [];
  let line = '';
  for (const token of tokens) {
    if (line.trim() && line.length + token.length > width) {
      lines.push(line);
      line = indent + token.trimStart();
    } else line += token;
  }
  lines.push(line);
  return lines.map((l) => (l.length > width ? cell(l, width) : l.trimEnd()));
}
