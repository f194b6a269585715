// How tail prints a record: NDJSON envelopes (--json) or a human format with colour on a terminal (kcat's
// --format templates: kcat-format.ts).

import { Chalk } from 'chalk';
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
  return Object.entries(env.headers)
    .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((one) => `${k}=${one ?? ''}`))
    .join(',');
}

export interface HumanFormatOptions {
  color: boolean;
}

/** `2026-11-22T10:00:00.123Z orders/2@41 key=order-7 [evt-event-type=OrderPlaced]` then the value, indented. */
export function formatHuman(env: RecordEnvelope, options: HumanFormatOptions): string {
  const c = new Chalk({ level: options.color ? 1 : 0 });
  const time =
    Number.isFinite(env.timestamp) && env.timestamp >= 0
      ? new Date(env.timestamp).toISOString()
      : String(env.timestamp);
  const head = [c.dim(time), c.cyan(`${env.topic}/${env.partition}@${env.offset}`)];
  if (env.key !== null) head.push(c.yellow(`key=${env.key}`));
  const headers = headersAsText(env);
  if (headers) head.push(c.magenta(`[${headers}]`));
  if (env.error) head.push(c.red(`(decode error: ${env.error})`));
  const body = valueAsText(env, true)
    .split('\n')
    .map((l) => '  ' + l)
    .join('\n');
  return `${head.join(' ')}\n${body}`;
}
