// Turning records into the bytes tail prints: the envelope (decoded with the value codec), the filters, and
// the output format (NDJSON, a template, or the human format), with the fast NDJSON path of fast-json.ts.
// Used on the main thread (output.ts) and in the formatting workers (format-worker.ts), so that both print
// the very same bytes.

import type { ConsumedRecord } from '../../client/records.js';
import type { DecodedValue, ValueCodec } from '../../codec/value-codec.js';
import { envelopeWith, toEnvelope, type RecordEnvelope } from '../../codec/envelope.js';
import { jsonVerdict, prettyCanonicalJson } from '../../codec/canonical-json.js';
import type { RecordPredicate } from '../record-filter.js';
import { formatHuman, formatJson } from '../record-format.js';
import { compileTemplate, templateParts, type DecodedEnvelope, type Part } from '../kcat-format.js';
import { FastJsonEncoder } from './fast-json.js';
import { schemaIdOf } from '../../codec/wire-format.js';

export type OutputMode = { kind: 'json' } | { kind: 'template'; template: string } | { kind: 'human'; color: boolean };

/** Where lines are written: `reserve(n)` makes room for n more bytes at `pos` (by flushing or growing). */
export interface ByteTarget {
  buf: Buffer;
  pos: number;
  reserve(n: number): void;
}

export interface Matched {
  record: ConsumedRecord;
  /** the printed text (without the separator); bytes with --format, which prints payloads as they are */
  line: string | Buffer;
}

/** What raw template pieces are given for the envelope they do not read (keys and values as their bytes). */
const NO_ENVELOPE = {} as DecodedEnvelope;

export class LineFormatter {
  private readonly format: (env: RecordEnvelope) => string;
  /** --format: kcat's template, which writes bytes */
  private readonly template: ((r: ConsumedRecord, env: DecodedEnvelope) => Buffer) | null;
  /** --format when nothing needs the envelope (no decoding codec, no filter): its pieces, copied as they are */
  private readonly rawParts: Part[] | null;
  private readonly fast: FastJsonEncoder | null;
  /** registry values (and other values as auto shows them) without filters: Avro written as JSON from its bytes */
  private readonly avroFast: boolean;
  private readonly avroJson: FastJsonEncoder | null;
  /** the human format of what auto shows as JSON, written from the payload without parsing it */
  private readonly humanFromBytes: boolean;
  private readonly color: boolean;
  private readonly json: boolean;
  private readonly human: boolean;

  constructor(
    mode: OutputMode,
    private readonly codec: ValueCodec,
    private readonly filter: RecordPredicate | undefined,
  ) {
    const decodesValues = codec.format === 'avro' || codec.registry !== undefined;
    this.template = mode.kind === 'template' ? compileTemplate(mode.template, decodesValues) : null;
    this.rawParts =
      mode.kind === 'template' && !decodesValues && filter === undefined ? templateParts(mode.template) : null;
    if (mode.kind !== 'human') this.format = formatJson;
    else {
      const color = mode.color;
      this.format = (env) => formatHuman(env, { color });
    }
    this.color = mode.kind === 'human' && mode.color;
    this.fast =
      mode.kind === 'json' && codec.format === 'auto' && filter === undefined && !codec.registry
        ? new FastJsonEncoder()
        : null;
    this.avroFast = codec.format === 'auto' && filter === undefined && !!codec.registry;
    this.avroJson = this.avroFast && mode.kind === 'json' ? new FastJsonEncoder() : null;
    this.json = mode.kind === 'json';
    this.human = mode.kind === 'human';
    this.humanFromBytes = this.human && codec.format === 'auto' && filter === undefined && !codec.registry;
  }

  /**
   * The envelope; with a schema registry, wire-format keys and values are decoded with their schema and the
   * ids added ("valueSchemaId"/"keySchemaId"; envelopes of other records are unchanged).
   */
  private envelope(record: ConsumedRecord, value?: DecodedValue): RecordEnvelope {
    const registry = this.codec.registry;
    if (!registry) return toEnvelope(record, this.codec);
    let decoded: DecodedValue | undefined = value;
    const env = (
      value
        ? envelopeWith(record, value)
        : toEnvelope(record, { ...this.codec, decode: (p) => (decoded = registry.decode(p)) })
    ) as RecordEnvelope & { valueSchemaId?: number; keySchemaId?: number };
    const key = registry.decode(record.key, true);
    if (key.schemaId !== undefined) {
      if (key.error) env.error = env.error ? `${env.error}; key: ${key.error}` : `key: ${key.error}`;
      else {
        env.key = (this.json || typeof key.value === 'string' ? key.value : JSON.stringify(key.value)) as string;
        delete env.keyEncoding;
        env.keySchemaId = key.schemaId;
      }
    }
    if (decoded?.schemaId !== undefined && !decoded.error) env.valueSchemaId = decoded.schemaId;
    return env;
  }

  /** The human format's schema note: "[schema 3 orders-value v2]". */
  private schemaNote(
    record: ConsumedRecord,
    env: RecordEnvelope & { valueSchemaId?: number; keySchemaId?: number },
  ): string {
    const registry = this.codec.registry!;
    const parts: string[] = [];
    if (env.keySchemaId !== undefined)
      parts.push(
        `[key schema ${[env.keySchemaId, registry.label(env.keySchemaId, record.topic, true)].filter(Boolean).join(' ')}]`,
      );
    if (env.valueSchemaId !== undefined)
      parts.push(
        `[schema ${[env.valueSchemaId, registry.label(env.valueSchemaId, record.topic, false)].filter(Boolean).join(' ')}]`,
      );
    return parts.join(' ');
  }

  private text(record: ConsumedRecord, env: RecordEnvelope): string | Buffer {
    if (this.template) return this.template(record, env);
    return this.withNote(record, env, this.format(env));
  }

  /** The human format's text with the schema note after its first line. */
  private withNote(record: ConsumedRecord, env: RecordEnvelope, text: string): string {
    if (!this.human || !this.codec.registry) return text;
    const note = this.schemaNote(record, env);
    if (!note) return text;
    const nl = text.indexOf('\n');
    return nl < 0 ? `${text} ${note}` : `${text.slice(0, nl)} ${note}${text.slice(nl)}`;
  }

  /** The record's text when it passes the filters, else null (for callers that keep records to print later). */
  match(record: ConsumedRecord): Matched | null {
    const envelope = this.envelope(record);
    if (this.filter && !this.filter(record, envelope.value)) return null;
    return { record, line: this.text(record, envelope) };
  }

  /** Writes a matched record's text and separator. */
  writeMatched(m: Matched, target: ByteTarget): void {
    this.writeText(m.line, target);
  }

  /** Writes the record when it passes the filters; true when it did. */
  write(record: ConsumedRecord, target: ByteTarget): boolean {
    if (this.rawParts) {
      for (const part of this.rawParts) {
        const bytes = part(record, NO_ENVELOPE);
        target.reserve(bytes.length);
        target.pos += bytes.copy(target.buf, target.pos);
      }
      return true;
    }
    if (this.fast) {
      target.reserve(FastJsonEncoder.room(record));
      const end = this.fast.write(record, target.buf, target.pos);
      if (end >= 0) {
        target.pos = end;
        return true;
      }
    }
    if (this.avroFast && this.writeAvro(record, target)) return true;
    const v = record.value;
    if (this.humanFromBytes && v !== null && jsonVerdict(v) === 'json') {
      // what auto decodes such bytes to is exactly what prettyCanonicalJson prints; the value is not needed
      const env = envelopeWith(record, { value: null });
      this.writeText(formatHuman(env, { color: this.color }, `  ${prettyCanonicalJson(v, 2)}`), target);
      return true;
    }
    const envelope = this.envelope(record);
    if (this.filter && !this.filter(record, envelope.value)) return false;
    this.writeText(this.text(record, envelope), target);
    return true;
  }

  /**
   * A registry value written from the JSON text of its Avro bytes (registry.jsonOf), with what the general
   * path would print around it; false when that path must take the record (a key in the wire format too, a
   * schema or payload the writer does not vouch for).
   */
  private writeAvro(record: ConsumedRecord, target: ByteTarget): boolean {
    const registry = this.codec.registry!;
    const id = schemaIdOf(record.value);
    if (id === null || schemaIdOf(record.key) !== null) return false;
    const json = registry.jsonOf(id, record.value!);
    if (json === null) return false;
    if (this.avroJson) {
      target.reserve(FastJsonEncoder.room(record) + json.length);
      const end = this.avroJson.writeWith(record, target.buf, target.pos, json, id);
      if (end < 0) return false;
      target.pos = end;
      return true;
    }
    // objects and arrays: %s prints their JSON, the human format pretty-prints it (a string prints as it is,
    // and null as nothing: the general path)
    if (json[0] !== 0x7b && json[0] !== 0x5b) return false;
    const env: DecodedEnvelope = this.envelope(record, { value: null, schemaId: id });
    if (this.template) {
      env.valueJson = json;
      this.writeText(this.template(record, env), target);
      return true;
    }
    const body = `  ${prettyCanonicalJson(json, 2)}`;
    this.writeText(this.withNote(record, env, formatHuman(env, { color: this.color }, body)), target);
    return true;
  }

  private writeText(text: string | Buffer, target: ByteTarget): void {
    if (typeof text !== 'string') {
      target.reserve(text.length);
      target.pos += text.copy(target.buf, target.pos);
      return;
    }
    // a newline after each record, except with --format, whose template says where lines end (as kcat's -f)
    const line = text + '\n';
    // a UTF-16 code unit takes at most 3 bytes in UTF-8
    target.reserve(line.length * 3);
    target.pos += target.buf.write(line, target.pos, 'utf8');
  }
}
