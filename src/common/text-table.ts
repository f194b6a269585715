// Aligned text tables and label/value lists, as lines. Widths are computed on the plain text so that colour
// never breaks alignment; whether to colour is the caller's decision.

export type Align = 'left' | 'right';
export type Cell = string | number | boolean | null | undefined;

export interface TableOptions {
  /** per column; numbers are right-aligned by default */
  align?: Align[];
  /** bold header */
  color?: boolean;
  /** spaces between columns */
  gap?: number;
  /** printed for null/undefined cells */
  empty?: string;
  /** indent every line by this many spaces */
  indent?: number;
}

const BOLD = '\x1b[1m';
const RESET_BOLD = '\x1b[22m';
const DIM = '\x1b[2m';

export function cellText(cell: Cell, empty = '-'): string {
  if (cell === null || cell === undefined) return empty;
  return String(cell);
}

/** Display width: code points, ignoring ANSI escapes. */
function width(text: string): number {
  // eslint-disable-next-line no-control-regex
  return [...text.replace(/\x1b\[[0-9;]*m/g, '')].length;
}

function pad(text: string, w: number, align: Align): string {
  const fill = ' '.repeat(Math.max(0, w - width(text)));
  return align === 'right' ? fill + text : text + fill;
}

/** The table as lines (no trailing spaces), header first. */
export function renderTable(headers: string[], rows: Cell[][], options: TableOptions = {}): string[] {
  const gap = ' '.repeat(options.gap ?? 2);
  const indent = ' '.repeat(options.indent ?? 0);
  const empty = options.empty ?? '-';
  const cols = Math.max(headers.length, ...rows.map((r) => r.length));
  const align: Align[] = [];
  for (let c = 0; c < cols; c++) {
    const numeric =
      rows.length > 0 && rows.every((r) => r[c] === null || r[c] === undefined || typeof r[c] === 'number');
    align.push(options.align?.[c] ?? (numeric ? 'right' : 'left'));
  }
  const texts = rows.map((r) => Array.from({ length: cols }, (_, c) => cellText(r[c], empty)));
  const widths = Array.from({ length: cols }, (_, c) =>
    Math.max(width(headers[c] ?? ''), ...texts.map((t) => width(t[c]))),
  );
  const line = (cells: string[], style?: (s: string) => string) =>
    indent +
    cells
      .map((cell, c) => {
        const last = c === cols - 1;
        const padded = last && align[c] === 'left' ? cell : pad(cell, widths[c], align[c]);
        return style ? style(padded) : padded;
      })
      .join(gap)
      .trimEnd();
  const bold = options.color ? (s: string) => (s.trim() ? BOLD + s + RESET_BOLD : s) : undefined;
  return [
    line(
      Array.from({ length: cols }, (_, c) => headers[c] ?? ''),
      bold,
    ),
    ...texts.map((t) => line(t)),
  ];
}

/** Label/value pairs, one per line with the values aligned ("topic      orders"). */
export function renderFields(fields: [string, Cell][], options: { color?: boolean; indent?: number } = {}): string[] {
  const w = Math.max(0, ...fields.map(([k]) => width(k)));
  const indent = ' '.repeat(options.indent ?? 0);
  return fields.map(([k, v]) => {
    const label = pad(k, w, 'left');
    return `${indent}${options.color ? DIM + label + '\x1b[22m' : label}  ${cellText(v)}`.trimEnd();
  });
}
