// A bordered panel drawn line by line at an exact size: every row is cut or padded to the panel's width and
// the body to its height, so a panel can neither wrap nor push its neighbours, whatever the data.

import { Box, Text } from 'ink';
import type { ReactNode } from 'react';

/** A run of text with one style. */
export interface Seg {
  text: string;
  color?: string;
  bold?: boolean;
  dim?: boolean;
  inverse?: boolean;
}

export type Line = Seg[];

/** A line of one plain segment. */
export const plain = (text: string, style: Omit<Seg, 'text'> = {}): Line => [{ text, ...style }];

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

export function LineView({ line, width }: { line: Line; width: number }): ReactNode {
  return (
    <Text wrap="truncate-end">
      {fitLine(line, width).map((s, i) => (
        <Text key={i} color={s.color} bold={s.bold} dimColor={s.dim} inverse={s.inverse}>
          {s.text}
        </Text>
      ))}
    </Text>
  );
}

export interface PanelProps {
  title: string;
  /** right-aligned in the top border: a count, "paused", a hint */
  note?: string;
  width: number;
  height: number;
  focused: boolean;
  lines: Line[];
}

export function Panel({ title, note, width, height, focused, lines }: PanelProps): ReactNode {
  const inner = Math.max(0, width - 2);
  const border = focused ? 'cyan' : 'gray';
  const label = ` ${title} `;
  const tail = note ? ` ${note} ` : '';
  const fill = Math.max(0, inner - 1 - label.length - tail.length);
  const top = (label.length + tail.length + 1 > inner ? ('─' + label).slice(0, inner) : '─' + label + '─'.repeat(fill) + tail).padEnd(inner, '─');
  const body = Array.from({ length: Math.max(0, height - 2) }, (_, i) => lines[i] ?? []);
  return (
    <Box flexDirection="column" width={width} height={height} flexShrink={0}>
      <Text color={border} bold={focused} wrap="truncate-end">
        ╭{top}╮
      </Text>
      {body.map((line, i) => (
        <Text key={i} wrap="truncate-end">
          <Text color={border}>│</Text>
          <LineView line={line} width={inner} />
          <Text color={border}>│</Text>
        </Text>
      ))}
      <Text color={border} wrap="truncate-end">
        ╰{'─'.repeat(inner)}╯
      </Text>
    </Box>
  );
}

/** The first row to show so that `selected` stays in a window of `height` rows over `count` rows. */
export function windowStart(count: number, selected: number, height: number): number {
  if (count <= height) return 0;
  return Math.min(Math.max(0, selected - Math.floor(height / 2)), count - height);
}
