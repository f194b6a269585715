// A trace as text: the timeline (one block per event), a table (one line per event), or a Mermaid sequence
// diagram of the services and the causal chain; then the verdict and what was scanned.

import { Chalk, type ChalkInstance } from 'chalk';
import { renderTable } from '../cli/table.js';
import { clockTime } from '../cli/time-spec.js';
import type { TraceEvent } from './timeline.js';
import type { TraceResult } from './trace.js';
import { formatMs } from './verdict.js';

export type TraceFormat = 'timeline' | 'table' | 'mermaid';

export function renderTrace(r: TraceResult, format: TraceFormat, color: boolean): string[] {
  const c = new Chalk({ level: color ? 1 : 0 });
  if (format === 'mermaid') return mermaid(r);
  const body = format === 'table' ? table(r.events) : r.events.flatMap((e) => timelineBlock(e, c));
  return [`order ${r.orderId}: ${r.events.length} event${r.events.length === 1 ? '' : 's'} (from the ${r.source})`, '', ...body, '', ...verdictLines(r, c), ...scanLines(r)];
}

function delta(ms: number): string {
  // an effect stamped before its cause (another producer's clock) comes after it, with a negative delta
  return ms < 0 ? `-${formatMs(-ms)}` : `+${formatMs(ms)}`;
}

function changesText(e: TraceEvent): string {
  return Object.entries(e.changes)
    .map(([f, [before, after]]) => (before === null ? `${f}=${String(after)}` : `${f} ${String(before)}→${String(after)}`))
    .join(' ');
}

/** One line per event, then a second line of details when there are any. */
export function timelineBlock(e: TraceEvent, c: ChalkInstance): string[] {
  const where = `${e.topic}-${e.partition}@${e.offset}`;
  const head = `${String(e.n).padStart(3)}  ${clockTime(e.timestamp)}  ${delta(e.deltaMs).padStart(9)}  ${delta(e.sinceStartMs).padStart(9)}  ${c.bold(e.eventType.padEnd(22))} ${(e.producer ?? '?').padEnd(9)} ${c.dim(where)}`;
  const details: string[] = [];
  const changes = changesText(e);
  if (changes) details.push(changes);
  if (e.causedBy !== null) details.push(`caused by #${e.causedBy}`);
  if (e.error) details.push(c.red(`undecodable: ${e.error}`));
  if (e.deadLetter) details.push(c.red(`dead letter of ${e.deadLetter.topic}-${e.deadLetter.partition}@${e.deadLetter.offset} from ${e.deadLetter.service}: ${e.deadLetter.error}`));
  return details.length ? [head, `${' '.repeat(49)}${details.join('; ')}`] : [head];
}

function table(events: readonly TraceEvent[]): string[] {
  return renderTable(
    ['#', 'TIME', 'DELTA', 'SINCE START', 'TOPIC', 'PARTITION', 'OFFSET', 'EVENT', 'PRODUCER', 'CAUSED BY', 'CHANGES'],
    events.map((e) => [e.n, clockTime(e.timestamp), delta(e.deltaMs), delta(e.sinceStartMs), e.topic, e.partition, e.offset, e.eventType, e.producer, e.causedBy, changesText(e) || (e.error ? `undecodable: ${e.error}` : '')]),
  );
}

export function verdictLines(r: TraceResult, c: ChalkInstance): string[] {
  const v = r.verdict;
  const head = v.status === 'final' ? c.green(`verdict: ${v.summary}`) : v.status === 'waiting' ? c.yellow(`verdict: ${v.state ?? 'REQUESTED'}, waiting for ${formatMs(v.idleMs ?? 0)}`) : c.red('verdict: not found');
  const lines = [head];
  for (const w of v.waits) lines.push(`  ${w.followUp ? 'still owed' : 'waiting for'} ${w.expects.join(' or ')} from ${w.service}: ${w.detail}`);
  for (const d of v.deadLetters) lines.push(c.red(`  dead letter #${d.n}: ${d.origin} sent to ${d.dlq} by ${d.service}: ${d.error}`));
  return lines;
}

export function scanLines(r: TraceResult): string[] {
  const s = r.scan;
  const lines = [`scanned ${s.recordsExamined} records in ${s.elapsedMs} ms, ${s.complete ? 'complete' : 'bounded by --since/--until (not complete)'}:`];
  for (const t of s.topics) {
    const parts = t.partitions.map((p) => `${p.partition}[${p.from}..${p.until})`).join(' ');
    lines.push(`  ${t.topic}: ${parts || 'nothing to read'}, ${t.why}`);
  }
  for (const n of s.notes) lines.push(`  note: ${n}`);
  return lines;
}

const PARTICIPANTS = ['basket', 'orders', 'inventory', 'payments', 'fraud', 'shipping'];

/** A Mermaid sequence diagram: each event an arrow from its producer to the services its cause came from. */
function mermaid(r: TraceResult): string[] {
  const producers = new Set(r.events.map((e) => e.producer ?? 'unknown'));
  const actors = [...PARTICIPANTS.filter((p) => producers.has(p)), ...[...producers].filter((p) => !PARTICIPANTS.includes(p))];
  const lines = ['sequenceDiagram', ...actors.map((a) => `  participant ${a}`)];
  const byN = new Map(r.events.map((e) => [e.n, e]));
  for (const e of r.events) {
    const from = e.producer ?? 'unknown';
    const cause = e.causedBy !== null ? byN.get(e.causedBy) : undefined;
    const label = `#${e.n} ${e.eventType} (${e.topic}-${e.partition}@${e.offset}) ${delta(e.sinceStartMs)}`;
    if (cause && cause.producer && cause.producer !== from) lines.push(`  ${cause.producer}->>${from}: ${label}`);
    else lines.push(`  Note over ${from}: ${label}`);
  }
  lines.push(`  Note over ${actors[0] ?? 'orders'}: verdict: ${r.verdict.summary.replace(/[;#]/g, ',')}`);
  return lines;
}
