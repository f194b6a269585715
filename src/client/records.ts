// Records as evt's clients hand them around, independent of any Kafka client library.

import type { PartitionRecord, RecordHeader } from '../protocol/records/decode.js';

export type { RecordHeader };

/** A record read from a partition. */
export type ConsumedRecord = PartitionRecord;

/** A record to produce; partition and timestamp are chosen by the producer when absent. */
export interface OutgoingRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
  partition?: number;
  /** epoch ms; now when absent */
  timestamp?: number;
}

/** Headers as text (UTF-8; a null value as ""), the last one winning when a name repeats. */
export function headersAsText(headers: readonly RecordHeader[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of headers) out[h.key] = h.value === null ? '' : h.value.toString('utf8');
  return out;
}

/** One header's value as text, or undefined when the record has none by that name. */
export function headerText(headers: readonly RecordHeader[], name: string): string | undefined {
  for (const h of headers) if (h.key === name) return h.value === null ? '' : h.value.toString('utf8');
  return undefined;
}

/** Text headers as record headers. */
export function textHeaders(headers: Readonly<Record<string, string>>): RecordHeader[] {
  return Object.entries(headers).map(([key, value]) => ({ key, value: Buffer.from(value, 'utf8') }));
}
