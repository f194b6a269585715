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

type Paint = (text: string) => string;
interface Palette {
  dim: Paint;
  cyan: Paint;
  yellow: Paint;
  magenta: Paint;
  red: Paint;
}
// Node's own styleText rather than chalk: chalk finds out at load what the terminal supports, which loads
// node:tty (3 ms of `evt tail` start-up even when the output is a pipe); the caller has decided on colour
// already (validateStream: false, or Node 22 would decide again from process.stdout)
const paint =
  (style: 'dim' | 'cyan' | 'yellow' | 'magenta' | 'red'): Paint =>
  (text) =>
    styleText(style, text, { validateStream: false });
const COLOURED: Palette = {
  dim: paint('dim'),
  cyan: paint('cyan'),
  yellow: paint('yellow'),
  magenta: paint('magenta'),
  red: paint('red'),
};
const same: Paint = (text) => text;
const PLAIN: Palette = { dim: same, cyan: same, yellow: same, magenta: same, red: same };

/**
 * `2026-11-22T10:00:00.123Z orders/2@41 key=order-7 [evt-event-type=OrderPlaced]` then the value, indented;
 * `body`: the value's text already indented (the caller wrote it from the payload's bytes).
 */
export function formatHuman(env: RecordEnvelope, options: HumanFormatOptions, body?: string): string {
  const c = options.color ? COLOURED : PLAIN;
  const time =
    Number.isFinite(env.timestamp) && env.timestamp >= 0
      ? new Date(env.timestamp).toISOString()
      : String(env.timestamp);
  let head = `${c.dim(time)} ${c.cyan(`${env.topic}/${env.partition}@${env.offset}`)}`;
  if (env.key !== null) head += ` ${c.yellow(`key=${env.key}`)}`;
  const headers = headersAsText(env);
  if (headers) head += ` ${c.magenta(`[${headers}]`)}`;
  if (env.error) head += ` ${c.red(`(decode error: ${env.error})`)}`;
  return `${head}\n${body ?? `  ${valueAsText(env, true).replaceAll('\n', '\n  ')}`}`;
}
