// How tail prints a record: NDJSON envelopes (--json) or a human format with colour on a terminal (kcat's
// --format templates: kcat-format.ts).

import { styleText } from 'node:util';
import type { RecordEnvelope } from '../codec/envelope.js';

export function formatJson(envelope: RecordEnvelope): string {
  return JSON.stringify(envelope);
}

function valueAsText(env: RecordEnvelope, pretty: boolean): string {
  if (env.value === null || env.value === undefined) return 'null';
  if (typeof env.value === 'string') return env.value;
  return pretty ? JSON.stringify(env.value, null, 2) : JSON.stringify(env.value);
}

function headersAsText(env: RecordEnvelope): string {
  let text = '';
  for (const k in env.headers) {
    const v = env.headers[k];
    for (const one of Array.isArray(v) ? v : [v]) text += `${text ? ',' : ''}${k}=${one ?? ''}`;
  }
  return text;
}

export interface HumanFormatOptions {
  color: boolean;
}

/** `text` in a style, or as it is when colour is off. */
type Paint = (style: 'dim' | 'cyan' | 'yellow' | 'magenta' | 'red', text: string) => string;
// Node's own styleText rather than chalk: chalk finds out at load what the terminal supports, which loads
// node:tty (3 ms of `evt tail` start-up even when the output is a pipe); the caller has decided on colour
// already (validateStream: false, or Node 22 would decide again from process.stdout)
const COLOURED: Paint = (style, text) => styleText(style, text, { validateStream: false });
const PLAIN: Paint = (_style, text) => text;

/**
 * `2026-11-22T10:00:00.123Z orders/2@41 key=order-7 [evt-event-type=OrderPlaced]` then the value, indented;
 * `body`: the value's text already indented (the caller wrote it from the payload's bytes).
 */
export function formatHuman(env: RecordEnvelope, options: HumanFormatOptions, body?: string): string {
  const paint = options.color ? COLOURED : PLAIN;
  const time =
    Number.isFinite(env.timestamp) && env.timestamp >= 0
      ? new Date(env.timestamp).toISOString()
      : String(env.timestamp);
  let head = `${paint('dim', time)} ${paint('cyan', `${env.topic}/${env.partition}@${env.offset}`)}`;
  if (env.key !== null) head += ` ${paint('yellow', `key=${env.key}`)}`;
  const headers = headersAsText(env);
  if (headers) head += ` ${paint('magenta', `[${headers}]`)}`;
  if (env.error) head += ` ${paint('red', `(decode error: ${env.error})`)}`;
  return `${head}\n${body ?? `  ${valueAsText(env, true).replaceAll('\n', '\n  ')}`}`;
}
