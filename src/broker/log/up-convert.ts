// Old producers' messages (v0, v1: Produce v0-v2) become one record batch v2 before they reach the log, as
// Kafka's LogValidator converts them: the records in order, with their keys, values and (v1) timestamps,
// compressed with the codec the producer used (compression.type=producer), no headers, no producer id.
// The log then validates and appends that batch like any other.

import { Compression, COMPRESSION_NAMES } from '../../protocol/records/batch-layout.js';
import { encodeBatchAsync } from '../../protocol/records/batch-encoder.js';
import { readMessageSet } from '../../protocol/records/legacy.js';

const NO_HEADERS: never[] = [];

/** The record batch v2 holding the records of a produced message set v0/v1. */
export async function messageSetToBatch(messageSet: Buffer): Promise<Buffer> {
  const set = readMessageSet(messageSet);
  const records = set.records.map((r) => ({ key: r.key, value: r.value, headers: NO_HEADERS, timestamp: r.timestamp }));
  return encodeBatchAsync(records, set.codec === Compression.NONE ? 'none' : COMPRESSION_NAMES[set.codec]);
}
