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
