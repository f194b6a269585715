// Turning records into the bytes tail prints: the envelope (decoded with the value codec), the filters, and
// the output format (NDJSON, a template, or the human format), with the fast NDJSON path of fast-json.ts.
// Used on the main thread (output.ts) and in the formatting workers (format-worker.ts), so that both print
// the very same bytes.

import type { ConsumedRecord } from '../../client/records.js';
import type { ValueCodec } from '../../codec/value-codec.js';
import { toEnvelope, type RecordEnvelope } from '../envelope.js';
import type { RecordPredicate } from '../record-filter.js';
import { compileTemplate, formatHuman, formatJson } from '../record-format.js';
import { FastJsonEncoder } from './fast-json.js';

export type OutputMode = { kind: 'json' } | { kind: 'template'; template: string } | { kind: 'human'; color: boolean };

/** Where lines are written: `reserve(n)` makes room for n more bytes at `pos` (by flushing or growing). */
export interface ByteTarget {
  buf: Buffer;
  pos: number;
  reserve(n: number): void;
}

export interface Matched {
  record: ConsumedRecord;
  /** the printed text (without the separator) */
  line: string;
}

export class LineFormatter {
  private readonly format: (env: RecordEnvelope) => string;
  /** after each record: a newline, except with --format, whose template says where lines end (as kcat's -f) */
  private readonly separator: string;
  private readonly fast: FastJsonEncoder | null;

  constructor(
    mode: OutputMode,
    private readonly codec: ValueCodec,
    private readonly filter: RecordPredicate | undefined,
  ) {
    if (mode.kind === 'json') this.format = formatJson;
    else if (mode.kind === 'template') this.format = compileTemplate(mode.template);
    else {
      const color = mode.color;
      this.format = (env) => formatHuman(env, { color });
    }
    this.separator = mode.kind === 'template' ? '' : '\n';
    this.fast = mode.kind === 'json' && codec.format === 'auto' && filter === undefined ? new FastJsonEncoder() : null;
  }

  /** The record's text when it passes the filters, else null (for callers that keep records to print later). */
  match(record: ConsumedRecord): Matched | null {
    const envelope = toEnvelope(record, this.codec);
    if (this.filter && !this.filter(record, envelope.value)) return null;
    return { record, line: this.format(envelope) };
  }

  /** Writes a matched record's text and separator. */
  writeMatched(m: Matched, target: ByteTarget): void {
    this.writeText(m.line + this.separator, target);
  }

  /** Writes the record when it passes the filters; true when it did. */
  write(record: ConsumedRecord, target: ByteTarget): boolean {
    if (this.fast) {
      target.reserve(FastJsonEncoder.room(record));
      const end = this.fast.write(record, target.buf, target.pos);
      if (end >= 0) {
        target.pos = end;
        return true;
      }
    }
    const envelope = toEnvelope(record, this.codec);
    if (this.filter && !this.filter(record, envelope.value)) return false;
    this.writeText(this.format(envelope) + this.separator, target);
    return true;
  }

  private writeText(text: string, target: ByteTarget): void {
    // a UTF-16 code unit takes at most 3 bytes in UTF-8
    target.reserve(text.length * 3);
    target.pos += target.buf.write(text, target.pos, 'utf8');
  }
}
