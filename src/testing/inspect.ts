// Reading a test broker's state without a client: the records of a topic and a group's committed offsets,
// straight from the log and the offset store, so that a test can assert on what its service wrote.

import { batchSizeAt, isControlBatch, lastOffsetOf, readBatchHeader } from '../protocol/records/batch-layout.js';
import { decodeRecords } from '../protocol/records/decode.js';
import { EvtError } from '../common/errors.js';
import type { BrokerState } from '../broker/state.js';

/** A stored record, as `broker.records()` returns it. */
export interface StoredRecord {
  topic: string;
  partition: number;
  offset: number;
  /** epoch ms */
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | null>;
}

/** A committed offset, as `broker.committedOffsets()` returns it. */
export interface CommittedOffsetInfo {
  topic: string;
  partition: number;
  /** the next offset the group will read */
  offset: number;
  metadata: string;
}

const READ_CHUNK = 1024 * 1024;

/** Every record of `topic` (or of one partition), in partition then offset order; transaction markers left out. */
export function readRecords(state: BrokerState, topic: string, partition?: number): StoredRecord[] {
  const info = state.logs.topic(topic);
  if (!info) throw new EvtError(`records: no topic ${topic}`, 'not-found');
  if (partition !== undefined && (partition < 0 || partition >= info.partitions)) {
    throw new EvtError(`records: topic ${topic} has no partition ${partition}`, 'not-found');
  }
  const out: StoredRecord[] = [];
  const indexes = partition === undefined ? [...Array(info.partitions).keys()] : [partition];
  for (const p of indexes) {
    const log = state.logs.partition(topic, p)!;
    let offset = log.logStartOffset;
    while (offset < log.highWatermark) {
      const { records } = log.read(offset, READ_CHUNK);
      if (records.length === 0) break;
      for (let pos = 0; pos < records.length; pos += batchSizeAt(records, pos)) {
        const batch = records.subarray(pos, pos + batchSizeAt(records, pos));
        const header = readBatchHeader(batch);
        offset = lastOffsetOf(header) + 1;
        if (isControlBatch(header.attributes)) continue;
        for (const r of decodeRecords(batch)) {
          // copies: the decoded slices share the log's buffers
          out.push({
            topic,
            partition: p,
            offset: r.offset,
            timestamp: r.timestamp,
            key: r.key && Buffer.from(r.key),
            value: r.value && Buffer.from(r.value),
            headers: Object.fromEntries(r.headers.map((h) => [h.key, h.value && Buffer.from(h.value)])),
          });
        }
      }
    }
  }
  return out;
}

/** The offsets `group` has committed, by topic then partition; empty for a group that committed nothing. */
export function committedOffsets(state: BrokerState, group: string): CommittedOffsetInfo[] {
  return state.groups
    .committed(group)
    .flatMap(({ topic, partitions }) =>
      partitions.map(({ partition, value }) => ({ topic, partition, offset: value.offset, metadata: value.metadata })),
    )
    .sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
}
