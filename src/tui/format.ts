// Small text helpers of the dashboard: sparklines, compact numbers and durations, fitting text to a width.
// Plain functions over strings, shared by the components and the one-shot text snapshot.

const BARS = '▁▂▃▄▅▆▇█';

/** The last `width` values as bars scaled to their own maximum; a flat line of ▁ when all are 0. */
export function sparkline(values: readonly number[], width: number): string {
  if (width <= 0) return '';
  const shown = values.slice(-width);
  const max = Math.max(0, ...shown);
  const bars = shown.map((v) =>
    max <= 0 || v <= 0 ? BARS[0] : BARS[Math.min(BARS.length - 1, Math.round((v / max) * (BARS.length - 1)))],
  );
  return ' '.repeat(width - bars.length) + bars.join('');
}

/** 999, 1.2k, 45k, 1.3M: numbers that keep a column narrow. */
export function compact(n: number | null): string {
  if (n === null || !Number.isFinite(n)) return '-';
  const a = Math.abs(n);
  if (a < 1000) return Number.isInteger(n) ? String(n) : n.toFixed(a < 10 ? 1 : 0);
  if (a < 10_000) return `${(n / 1000).toFixed(1)}k`;
  if (a < 1_000_000) return `${Math.round(n / 1000)}k`;
  if (a < 10_000_000) return `${(n / 1_000_000).toFixed(1)}M`;
  return `${Math.round(n / 1_000_000)}M`;
}

/** Text cut to `width` columns with an ellipsis, or padded to it. */
export function fit(text: string, width: number): string {
  if (width <= 0) return '';
  if (text.length > width) return width === 1 ? '…' : text.slice(0, width - 1) + '…';
  return text.padEnd(width);
}

/** Does a filter (case-insensitive substring) match any of the fields? An empty filter matches all. */
export function matches(filter: string, ...fields: (string | null | undefined)[]): boolean {
  if (!filter) return true;
  const f = filter.toLowerCase();
  return fields.some((x) => x != null && x.toLowerCase().includes(f));
}
