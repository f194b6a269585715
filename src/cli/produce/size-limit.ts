// Records too large for the topic, refused before they are sent: the broker limits the size of a record
// batch (max.message.bytes), so a record that cannot fit in a batch of its own would only come back as
// MESSAGE_TOO_LARGE after the wait, without its size or the limit. The size counted is that of a batch
// holding the record alone, uncompressed (with compression the broker counts the compressed batch, which
// evt cannot know before compressing: no check then).

import type { RecordHeader } from '../../client/records.js';
import { uvarintSize } from '../../client/wire/batch-encoder.js';
import { BATCH_HEADER_SIZE } from '../../protocol/records/batch-layout.js';
import { InputError } from '../../codec/envelope.js';
import { formatCount } from '../progress.js';

export interface SizeLimit {
  topic: string;
  /** the topic's max.message.bytes */
  bytes: number;
}

/** A record that does not fit the topic's limit. */
export class TooLargeError extends InputError {
  constructor(
    readonly size: number,
    limit: SizeLimit,
  ) {
    super(
      `is ${formatCount(size)} bytes; topic ${limit.topic} accepts at most ${formatCount(limit.bytes)} (max.message.bytes)`,
    );
    this.name = 'TooLargeError';
  }
}

/** A length-prefixed field: a zig-zag varint length (-1 for null) and the bytes. */
function fieldSize(length: number | null): number {
  return length === null ? 1 : uvarintSize(length * 2) + length;
}

/** The bytes of a batch holding only this record (Kafka's DefaultRecord v2 in a v2 batch, uncompressed). */
export function singleRecordBatchSize(
  key: number | null,
  value: number | null,
  headers: readonly RecordHeader[],
): number {
  // attributes, timestamp delta 0, offset delta 0
  let body = 3 + fieldSize(key) + fieldSize(value) + uvarintSize(headers.length * 2);
  for (const h of headers)
    body += fieldSize(Buffer.byteLength(h.key)) + fieldSize(h.value === null ? null : h.value.length);
  return BATCH_HEADER_SIZE + uvarintSize(body * 2) + body;
}

/** Throws TooLargeError when the record cannot go in a batch of its own. */
export function checkSize(
  limit: SizeLimit,
  key: Buffer | null,
  value: Buffer | null,
  headers: readonly RecordHeader[],
): void {
  const size = singleRecordBatchSize(key?.length ?? null, value?.length ?? null, headers);
  if (size > limit.bytes) throw new TooLargeError(size, limit);
}

/** Key and value bytes (together) up to which a record with these headers fits for sure: no need to count. */
export function roomFor(limit: SizeLimit, headers: readonly RecordHeader[]): number {
  return limit.bytes - singleRecordBatchSize(0, 0, headers) - 20;
}
