// A scrolling list inside a panel: a header line, then the rows around the selection, the selected one
// highlighted when its panel has the focus.

import { windowStart, type Line } from '../lines.js';

/**
 * `selected` is highlighted (null: the panel is not focused, nothing is); the window follows `anchor`,
 * which defaults to the selection, else the first row.
 */
export function listLines<T>(o: {
  header?: Line;
  rows: readonly T[];
  height: number;
  selected: number | null;
  anchor?: number;
  empty: string;
  row: (item: T) => Line;
}): Line[] {
  const lines: Line[] = o.header ? [o.header] : [];
  const room = o.height - lines.length;
  if (o.rows.length === 0) return [...lines, [{ text: o.empty, dim: true }]];
  const start = windowStart(o.rows.length, o.anchor ?? o.selected ?? 0, room);
  for (let i = start; i < Math.min(o.rows.length, start + room); i++) {
    const line = o.row(o.rows[i]);
    lines.push(i === o.selected ? line.map((seg) => ({ ...seg, inverse: true })) : line);
  }
  return lines;
}

/** A column: its width, and whether its cells are right-aligned (numbers). */
export type Col = readonly [width: number, align?: 'right'];

/** Cells cut or padded to their columns, one space between. */
export function cells(values: readonly (string | number)[], cols: readonly Col[]): string {
  return values
    .map((v, i) => {
      const [w, align] = cols[i];
      const text = String(v);
      const cut = text.length > w ? text.slice(0, Math.max(0, w - 1)) + '…' : text;
      return align === 'right' ? cut.padStart(w) : cut.padEnd(w);
    })
    .join(' ');
}
