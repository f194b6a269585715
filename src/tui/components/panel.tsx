// A bordered panel drawn line by line at an exact size: every row is cut or padded to the panel's width and
// the body to its height, so a panel can neither wrap nor push its neighbours, whatever the data.

import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { fitLine, type Line } from '../lines.js';

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
  const top = (
    label.length + tail.length + 1 > inner ? ('─' + label).slice(0, inner) : '─' + label + '─'.repeat(fill) + tail
  ).padEnd(inner, '─');
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
