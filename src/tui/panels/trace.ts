// The trace panel: `evt trace` of one entity, the verdict first (what a small panel must show), then the
// timeline, scrolled with j/k. Long sentences (why an entity waits, a dead letter's error) wrap to the panel's
// width instead of being cut.

import { Chalk } from 'chalk';
import type { Line } from '../lines.js';
import { clockTime } from '../../common/clock.js';
import type { TraceResult } from '../../trace/trace.js';
import { changeTexts, timelineBlock, verdictLines } from '../../trace/render.js';
import { wrap } from '../columns.js';

/** Colour comes from the panel (ink), not from escape codes in the text. */
const noColor = new Chalk({ level: 0 });

export type TraceState =
  { status: 'loading' } | { status: 'error'; error: string } | { status: 'done'; result: TraceResult };

/** The indentation of a line's continuation: under its text, past the leading spaces (and at most half the width). */
const hanging = (text: string, width: number, extra: number) =>
  ' '.repeat(Math.min(Math.floor(width / 2), /^\s*/.exec(text)![0].length + extra));

/** Every line of the trace; the panel shows a window of them. */
export function traceLines(state: TraceState, width: number): Line[] {
  if (state.status === 'loading') return [[{ text: 'tracing: reading the topics…', dim: true }]];
  if (state.status === 'error')
    return wrap(`trace failed: ${state.error}`, width, '  ').map((text) => [{ text, color: 'red' }]);
  const r = state.result;
  if (!r.found)
    return [
      [
        {
          text: `not found in ${r.scan.recordsExamined} records (${r.scan.complete ? 'complete scan' : 'bounded scan'})`,
          color: 'red',
        },
      ],
    ];
  const verdictColor = r.verdict.status === 'final' ? 'green' : r.verdict.status === 'waiting' ? 'yellow' : undefined;
  const verdict = verdictLines(r, noColor).flatMap((text, i): Line[] =>
    wrap(text, width, hanging(text, width, 2)).map((part) => [
      { text: part, color: i === 0 ? verdictColor : text.includes('dead letter') ? 'red' : undefined, bold: i === 0 },
    ]),
  );
  const events = r.events.flatMap((e): Line[] => {
    if (width >= 100)
      return timelineBlock(e, noColor).flatMap((text, i) =>
        wrap(text, width, hanging(text, width, i === 0 ? 4 : 0)).map((part): Line => [{ text: part, dim: i > 0 }]),
      );
    // narrow: the time, delta, type and producer; the changes on a second line
    const head: Line = [
      { text: `${String(e.n).padStart(3)} ${clockTime(e.timestamp)} `, dim: true },
      { text: e.eventType.padEnd(22), bold: true, color: e.error || e.deadLetter ? 'red' : undefined },
      { text: ` ${e.producer ?? '?'}` },
    ];
    const notes = [
      ...changeTexts(e),
      ...(e.causedBy !== null ? [`caused by #${e.causedBy}`] : []),
      ...(e.deadLetter ? [`dead letter: ${e.deadLetter.error || e.deadLetter.exception || 'no message'}`] : []),
    ];
    return notes.length
      ? [head, ...wrap(`      ${notes.join('; ')}`, width, '      ').map((text): Line => [{ text, dim: true }])]
      : [head];
  });
  return [
    ...verdict,
    [],
    [
      {
        text: `${r.events.length} events from the ${r.source}, ${r.scan.recordsExamined} records scanned in ${r.scan.elapsedMs} ms`,
        dim: true,
      },
    ],
    ...events,
  ];
}
