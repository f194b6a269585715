// Text with styles, as the panels build it: plain data that ink components draw on a screen and the
// one-shot snapshot prints as text (this module must not load ink).

/** A run of text with one style. */
export interface Seg {
  text: string;
  color?: string;
  bold?: boolean;
  dim?: boolean;
  inverse?: boolean;
}

export type Line = Seg[];

/** The segments cut to `width` columns (an ellipsis where cut) and padded with spaces to it. */
export function fitLine(line: Line, width: number): Line {
  const out: Line = [];
  let used = 0;
  for (const seg of line) {
    if (used >= width) break;
    const room = width - used;
    const text = seg.text.length > room ? (room > 1 ? seg.text.slice(0, room - 1) + '…' : '…') : seg.text;
    out.push({ ...seg, text });
    used += text.length;
  }
  if (used < width) out.push({ text: ' '.repeat(width - used) });
  return out;
}

/** The first row to show so that `selected` stays in a window of `height` rows over `count` rows. */
export function windowStart(count: number, selected: number, height: number): number {
  if (count <= height) return 0;
  return Math.min(Math.max(0, selected - Math.floor(height / 2)), count - height);
}
