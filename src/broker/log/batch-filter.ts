// Rewriting a stored batch with fewer records, as Kafka's MemoryRecords.filterTo does for the log cleaner:
// the batch keeps its base offset, its last offset delta (so that the producer's last sequence survives
// compaction), its producer fields and codec; only the kept records are in it, each with its own offset
// delta, so offsets never change and gaps appear. Kept records are copied byte for byte after their offset
// delta; only their length and timestamp delta are written again, and only when the base timestamp moves.
//
// The delete horizon (KIP-534): a batch whose tombstones survive a clean gets attribute bit 0x40 and the time
// after which they may go as its base timestamp (record timestamps are deltas from it, so readers still see
// each record's own time). The horizon is in the data itself: it survives restarts and needs no side file.

import {
  ATTRIBUTES,
  BASE_TIMESTAMP,
  BATCH_HEADER_SIZE,
  BATCH_LENGTH,
  COMPRESSION_NAMES,
  CRC,
  LOG_OVERHEAD,
  MAX_TIMESTAMP,
  RECORDS_COUNT,
  compressionOf,
  hasLogAppendTime,
  writeInt64,
  type BatchHeader,
} from '../../protocol/records/batch-layout.js';
import { uvarintSize, writeUvarint, zigzag } from '../../protocol/records/batch-encoder.js';
import { compress } from '../../protocol/records/compression.js';
import type { RecordSpan } from '../../protocol/records/decode.js';
import { computeBatchCrc } from './batch.js';

/** Kafka's DefaultRecordBatch.DELETE_HORIZON_FLAG_MASK: the base timestamp is the batch's delete horizon */
export const DELETE_HORIZON_MASK = 0x40;

/** The batch's delete horizon (epoch ms), or null when it has none. */
export function deleteHorizonOf(h: BatchHeader): number | null {
  return (h.attributes & DELETE_HORIZON_MASK) !== 0 ? h.baseTimestamp : null;
}

/**
 * The batch `h` (read from `original`, records payload `payload` decompressed) holding only the `kept` records,
 * with `deleteHorizon` set when given (else the original base timestamp and flag are kept).
 */
export async function rebuildBatch(
  original: Buffer,
  h: BatchHeader,
  payload: Buffer,
  kept: readonly RecordSpan[],
  deleteHorizon: number | null,
): Promise<Buffer> {
  const baseTimestamp = deleteHorizon ?? h.baseTimestamp;
  let size = 0;
  for (const r of kept) {
    const body = recordBodySize(r, h.baseTimestamp + r.timestampDelta - baseTimestamp);
    size += uvarintSize(zigzag(body)) + body;
  }
  let records: Buffer = Buffer.allocUnsafe(size);
  let pos = 0;
  let maxTimestamp = -1;
  for (const r of kept) {
    const timestamp = h.baseTimestamp + r.timestampDelta;
    if (timestamp > maxTimestamp) maxTimestamp = timestamp;
    const delta = timestamp - baseTimestamp;
    pos = writeUvarint(records, pos, zigzag(recordBodySize(r, delta)));
    records[pos++] = 0; // record attributes: unused in v2
    pos = writeUvarint(records, pos, zigzag(delta));
    pos = writeUvarint(records, pos, zigzag(r.offsetDelta));
    pos += payload.copy(records, pos, r.fieldsStart, r.end);
  }
  const codec = compressionOf(h.attributes);
  if (codec !== 0) records = await compress(COMPRESSION_NAMES[codec] as 'gzip', records);

  const batch = Buffer.allocUnsafe(BATCH_HEADER_SIZE + records.length);
  original.copy(batch, 0, 0, BATCH_HEADER_SIZE);
  records.copy(batch, BATCH_HEADER_SIZE);
  batch.writeInt32BE(batch.length - LOG_OVERHEAD, BATCH_LENGTH);
  const attributes = deleteHorizon === null ? h.attributes : h.attributes | DELETE_HORIZON_MASK;
  batch.writeInt16BE(attributes, ATTRIBUTES);
  writeInt64(batch, BASE_TIMESTAMP, baseTimestamp);
  // LogAppendTime batches carry the broker's time for every record: it stays; CreateTime: the kept records' max
  if (!hasLogAppendTime(h.attributes)) writeInt64(batch, MAX_TIMESTAMP, maxTimestamp);
  batch.writeInt32BE(kept.length, RECORDS_COUNT);
  batch.writeUInt32BE(computeBatchCrc(batch), CRC);
  return batch;
}

/** attributes + timestamp delta + offset delta + the fields copied as they are */
function recordBodySize(r: RecordSpan, timestampDelta: number): number {
  return 1 + uvarintSize(zigzag(timestampDelta)) + uvarintSize(zigzag(r.offsetDelta)) + (r.end - r.fieldsStart);
}
