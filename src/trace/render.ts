// A trace as text: the timeline (one block per event), a table (one line per event), or a Mermaid sequence
// diagram of the producers and the causal chain; then the verdict and what was scanned.

import { Chalk, type ChalkInstance } from 'chalk';
import { renderTable } from '../common/text-table.js';
import { clockTime } from '../common/clock.js';
import { formatDuration } from '../common/time.js';
import { asText } from '../flow/json-path.js';
import type { TraceEvent } from './timeline.js';
import type { TraceResult } from './trace.js';

export type TraceFormat = 'timeline' | 'table' | 'mermaid';

export function renderTrace(r: TraceResult, format: TraceFormat, color: boolean): string[] {
  const c = new Chalk({ level: color ? 1 : 0 });
  if (format === 'mermaid') return mermaid(r);
  const body = format === 'table' ? table(r.events) : r.events.flatMap((e) => timelineBlock(e, c));
  const flow = r.flow ? `flow ${r.flow}` : 'no flow: conventions only';
  return [
    `${r.entity} ${r.id}: ${r.events.length} event${r.events.length === 1 ? '' : 's'} (from the ${r.source}; ${flow})`,
    '',
    ...body,
    '',
    ...verdictLines(r, c),
    ...scanLines(r),
  ];
}

function delta(ms: number): string {
  // an effect stamped before its cause (another producer's clock) comes after it, with a negative delta
  return ms < 0 ? `-${formatDuration(-ms, 'spaced')}` : `+${formatDuration(ms, 'spaced')}`;
}

/** What changed in the event's watched fields: `status=PLACED`, `status PLACED→CONFIRMED`. */
export function changeTexts(e: TraceEvent): string[] {
  return Object.entries(e.changes).map(([f, [before, after]]) =>
    before === null ? `${f}=${asText(after)}` : `${f} ${asText(before)}→${asText(after)}`,
  );
}

function changesText(e: TraceEvent): string {
  return changeTexts(e).join(' ');
}

/** One line per event, then a second line of details when there are any. */
export function timelineBlock(e: TraceEvent, c: ChalkInstance): string[] {
  const where = `${e.topic}-${e.partition}@${e.offset}`;
  const head = `${String(e.n).padStart(3)}  ${clockTime(e.timestamp)}  ${delta(e.deltaMs).padStart(9)}  ${delta(e.sinceStartMs).padStart(9)}  ${c.bold(e.eventType.padEnd(22))} ${(e.producer ?? '?').padEnd(9)} ${c.dim(where)}`;
  const details: string[] = [];
  const changes = changesText(e);
  if (changes) details.push(changes);
  if (e.causedBy !== null) details.push(`caused by #${e.causedBy}`);
  else if (e.sameTraceAs !== null) details.push(`same trace as #${e.sameTraceAs}`);
  if (e.matchedBy.length && e.matchedBy[0] !== 'key') details.push(`id in ${e.matchedBy.join(', ')}`);
  if (e.error) details.push(c.red(`undecodable: ${e.error}`));
  if (e.deadLetter) details.push(c.red(`dead letter of ${deadLetterText(e.deadLetter)}`));
  return details.length ? [head, `${' '.repeat(49)}${details.join('; ')}`] : [head];
}

function deadLetterText(d: NonNullable<TraceEvent['deadLetter']>): string {
  const by = d.by ? ` from ${d.by}` : '';
  const why = d.error || d.exception || 'no message';
  return `${d.topic}-${d.partition ?? '?'}@${d.offset ?? '?'}${by}: ${why}${d.exception && d.error ? ` (${d.exception})` : ''}`;
}

function table(events: readonly TraceEvent[]): string[] {
  return renderTable(
    ['#', 'TIME', 'DELTA', 'SINCE START', 'TOPIC', 'PARTITION', 'OFFSET', 'EVENT', 'PRODUCER', 'CAUSED BY', 'CHANGES'],
    events.map((e) => [
      e.n,
      clockTime(e.timestamp),
      delta(e.deltaMs),
      delta(e.sinceStartMs),
      e.topic,
      e.partition,
      e.offset,
      e.eventType,
      e.producer,
      e.causedBy,
      changesText(e) || (e.error ? `undecodable: ${e.error}` : ''),
    ]),
  );
}

export function verdictLines(r: TraceResult, c: ChalkInstance): string[] {
  const v = r.verdict;
  const lines: string[] = [];
  if (v.status === 'final') lines.push(c.green(`verdict: ${v.summary}`));
  else if (v.status === 'waiting')
    lines.push(c.yellow(`verdict: ${v.state ?? 'not final'}, waiting for ${formatDuration(v.idleMs ?? 0, 'spaced')}`));
  else if (v.status === 'not-found') lines.push(c.red('verdict: not found'));
  else
    lines.push(
      `verdict: no flow says what should follow${v.newest ? `; the newest event is #${v.newest.n} ${v.newest.eventType} (${v.newest.topic}-${v.newest.partition}@${v.newest.offset}), ${formatDuration(v.idleMs ?? 0, 'spaced')} ago` : ''}`,
    );
  for (const w of v.waits)
    lines.push(
      `  ${w.followUp ? 'still owed' : 'waiting for'} ${w.expects.join(' or ')} from ${w.service}: ${w.detail}`,
    );
  if (v.newest) {
    if (v.newest.consumers.length === 0) lines.push(`  no consumer group has committed offsets on ${v.newest.topic}`);
    for (const p of v.newest.consumers) {
      const pos = p.committed === null ? 'nothing committed' : `committed ${p.committed}`;
      const members =
        p.members === null
          ? ''
          : p.members
            ? `, ${p.members} member${p.members === 1 ? '' : 's'}`
            : ', no member running';
      lines.push(
        p.consumed
          ? `  consumed by ${p.group} (${pos}${members})`
          : c.yellow(
              `  not consumed by ${p.group}: ${pos}, lag ${p.lag ?? '?'}${members}${p.state ? ` (${p.state})` : ''}`,
            ),
      );
    }
    if (v.status === 'unjudged')
      lines.push(
        c.dim('  give --flow FILE (or write one: evt flow infer --output flow.json) to know what should come next'),
      );
  }
  for (const d of v.deadLetters)
    lines.push(
      c.red(
        `  dead letter #${d.n}: ${d.origin} sent to ${d.dlq}${d.by ? ` by ${d.by}` : ''}: ${d.error || d.exception || 'no message'}`,
      ),
    );
  return lines;
}

export function scanLines(r: TraceResult): string[] {
  const s = r.scan;
  const lines = [
    `scanned ${s.recordsExamined} records in ${s.elapsedMs} ms, ${s.complete ? 'complete' : 'bounded by --since/--until (not complete)'}:`,
  ];
  for (const t of s.topics) {
    const parts = t.partitions.map((p) => `${p.partition}[${p.from}..${p.until})`).join(' ');
    lines.push(`  ${t.topic}: ${parts || 'nothing to read'}, ${t.why}`);
  }
  for (const n of s.notes) lines.push(`  note: ${n}`);
  return lines;
}

/** A Mermaid sequence diagram: each event an arrow from the producer of its cause to its own producer. */
function mermaid(r: TraceResult): string[] {
  const actors = [...new Set(r.events.map((e) => e.producer ?? e.topic))];
  const name = (a: string) => a.replace(/[^A-Za-z0-9_]/g, '_');
  const lines = ['sequenceDiagram', ...actors.map((a) => `  participant ${name(a)} as ${a}`)];
  const byN = new Map(r.events.map((e) => [e.n, e]));
  for (const e of r.events) {
    const from = e.producer ?? e.topic;
    const causeN = e.causedBy ?? e.sameTraceAs;
    const cause = causeN !== null ? byN.get(causeN) : undefined;
    const causeFrom = cause ? (cause.producer ?? cause.topic) : null;
    const label = `#${e.n} ${e.eventType} (${e.topic}-${e.partition}@${e.offset}) ${delta(e.sinceStartMs)}`;
    if (causeFrom && causeFrom !== from) lines.push(`  ${name(causeFrom)}->>${name(from)}: ${label}`);
    else lines.push(`  Note over ${name(from)}: ${label}`);
  }
  lines.push(`  Note over ${name(actors[0] ?? 'evt')}: verdict ${r.verdict.summary.replace(/[;#:]/g, ',')}`);
  return lines;
}
