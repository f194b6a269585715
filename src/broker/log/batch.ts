// RecordBatch v2 on the produce path: split a partition's `records` into batches, validate a client batch
// the way Kafka's LogValidator does, fix up its max timestamp, and patch the offsets assigned on append.
//
// Nothing here decodes record keys, values or headers: the only per-record work is the walk over each
// (decompressed) record's length and timestamp/offset deltas that the max-timestamp fix-up needs (kafkajs
// computes maxTimestamp with a lexicographic sort, and a wrong max timestamp corrupts time lookups and
// time-based retention). Batches are appended verbatim after in-place patching.

import { crc32c } from '@node-rs/crc32';
import { ErrorCode, KafkaError } from '../../protocol/error-codes.js';
import {
  ATTRIBUTES,
  BASE_OFFSET,
  BATCH_HEADER_SIZE,
  BATCH_LENGTH,
  CONTROL_MASK,
  CRC,
  CRC_START,
  CURRENT_MAGIC,
  Compression,
  LOG_OVERHEAD,
  MAX_TIMESTAMP,
  PARTITION_LEADER_EPOCH,
  TIMESTAMP_TYPE_MASK,
  compressionOf,
  readBatchHeader,
  writeInt64,
  type BatchHeader,
} from '../../protocol/records/batch-layout.js';
import { firstRecordWithoutKey, maxRecordTimestamp, recordsPayload } from '../../protocol/records/decode.js';

export * from '../../protocol/records/batch-layout.js';
export {
  canDecodeRecords,
  decodeRecords,
  iterateRecords,
  recordsPayload,
  type LogRecord,
  type RecordHeader,
} from '../../protocol/records/decode.js';

export type TimestampType = 'CreateTime' | 'LogAppendTime';

function fail(code: number, message: string): never {
  throw new KafkaError(code, message);
}

/** CRC-32C of attributes..end, as stored in the header. */
export function computeBatchCrc(batch: Buffer): number {
  return crc32c(batch.subarray(CRC_START));
}

export function batchCrcMatches(batch: Buffer): boolean {
  return computeBatchCrc(batch) === batch.readUInt32BE(CRC);
}

/**
 * Splits a record set into its whole batches (slices, no copy). A truncated batch or bytes that cannot be
 * a batch are CORRUPT_MESSAGE. Used on produce input, where every byte must belong to a whole batch.
 */
export function splitBatches(records: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let pos = 0;
  while (pos < records.length) {
    if (records.length - pos < BATCH_HEADER_SIZE) {
      fail(ErrorCode.CORRUPT_MESSAGE, `${records.length - pos} trailing bytes after the last record batch`);
    }
    const size = records.readInt32BE(pos + BATCH_LENGTH) + LOG_OVERHEAD;
    if (size < BATCH_HEADER_SIZE || pos + size > records.length) {
      fail(
        ErrorCode.CORRUPT_MESSAGE,
        `record batch at byte ${pos} declares ${size} bytes, ${records.length - pos} present`,
      );
    }
    out.push(records.subarray(pos, pos + size));
    pos += size;
  }
  return out;
}

/**
 * The one batch of a produce request's partition data. Kafka requires exactly one batch per partition for
 * magic 2 ("Compressed outer record has more than one batch"): more than one is INVALID_RECORD, trailing
 * garbage CORRUPT_MESSAGE.
 */
export function singleBatch(records: Buffer): Buffer {
  const batches = splitBatches(records);
  if (batches.length === 0) fail(ErrorCode.INVALID_RECORD, 'the produce request holds no record batch');
  if (batches.length > 1)
    fail(
      ErrorCode.INVALID_RECORD,
      `the produce request holds ${batches.length} record batches for one partition, expected 1`,
    );
  return batches[0];
}

export interface ClientBatchLimits {
  /** the topic's max.message.bytes: the largest batch accepted */
  maxMessageBytes: number;
}

export interface ValidatedBatch {
  header: BatchHeader;
  /** the largest record timestamp (the records of every codec are read) */
  recordsMaxTimestamp: number;
}

/**
 * Checks a batch as it came from a client (Kafka's LogValidator plus the CRC check it relies on), without
 * changing it. Throws a KafkaError carrying the code the produce response should answer.
 */
export function validateClientBatch(batch: Buffer, limits: ClientBatchLimits): ValidatedBatch {
  if (batch.length > limits.maxMessageBytes) {
    fail(
      ErrorCode.MESSAGE_TOO_LARGE,
      `record batch of ${batch.length} bytes exceeds max.message.bytes ${limits.maxMessageBytes}`,
    );
  }
  if (batch.length < BATCH_HEADER_SIZE)
    fail(ErrorCode.CORRUPT_MESSAGE, `record batch of ${batch.length} bytes is shorter than its header`);
  const h = readBatchHeader(batch);
  if (h.batchLength !== batch.length - LOG_OVERHEAD) {
    fail(
      ErrorCode.CORRUPT_MESSAGE,
      `batch length ${h.batchLength} does not match the ${batch.length - LOG_OVERHEAD} bytes received`,
    );
  }
  if (h.magic !== CURRENT_MAGIC)
    fail(ErrorCode.CORRUPT_MESSAGE, `unsupported record batch magic ${h.magic} (only v2 is accepted)`);
  const crc = computeBatchCrc(batch);
  if (crc !== h.crc) fail(ErrorCode.CORRUPT_MESSAGE, `record batch CRC mismatch (stored ${h.crc}, computed ${crc})`);
  if (h.baseOffset !== 0)
    fail(ErrorCode.INVALID_RECORD, `the base offset of a produced batch must be 0, got ${h.baseOffset}`);
  if ((h.attributes & CONTROL_MASK) !== 0) fail(ErrorCode.INVALID_RECORD, 'clients may not produce control batches');
  const codec = compressionOf(h.attributes);
  if (codec > Compression.ZSTD) fail(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, `unknown compression codec ${codec}`);
  if (h.recordsCount <= 0) fail(ErrorCode.INVALID_RECORD, `record count ${h.recordsCount} must be positive`);
  if (h.lastOffsetDelta !== h.recordsCount - 1) {
    fail(ErrorCode.INVALID_RECORD, `last offset delta ${h.lastOffsetDelta} does not match ${h.recordsCount} records`);
  }
  if (h.producerId >= 0 && h.baseSequence < 0)
    fail(ErrorCode.INVALID_RECORD, `producer id ${h.producerId} sent base sequence ${h.baseSequence}`);

  // Every codec is inflated to walk the records: a client's max timestamp is as wrong with any codec as
  // without (kafkajs computes it with a lexicographic sort), and the time index relies on it.
  const recordsMaxTimestamp = maxRecordTimestamp(recordsPayload(batch, h.attributes), h.recordsCount, h.baseTimestamp);
  return { header: h, recordsMaxTimestamp };
}

export interface FinalizeOptions {
  /** the topic's message.timestamp.type */
  timestampType?: TimestampType;
  now: number;
}

export interface FinalizedBatch {
  maxTimestamp: number;
  /** the broker time stamped on the batch with LogAppendTime, else -1 (the produce response field) */
  logAppendTime: number;
}

/**
 * Makes the stored max timestamp right, as Kafka does on append: CreateTime topics get the records' real
 * maximum, LogAppendTime topics the broker's clock (with the timestamp-type bit set, so that consumers read
 * it for every record). The CRC is recomputed only when the header changed. Mutates `batch` and
 * `validated.header`.
 */
export function finalizeClientBatch(
  batch: Buffer,
  validated: ValidatedBatch,
  options: FinalizeOptions,
): FinalizedBatch {
  const h = validated.header;
  let attributes: number;
  let maxTimestamp: number;
  let logAppendTime = -1;
  if (options.timestampType === 'LogAppendTime') {
    attributes = h.attributes | TIMESTAMP_TYPE_MASK;
    maxTimestamp = options.now;
    logAppendTime = options.now;
  } else {
    attributes = h.attributes & ~TIMESTAMP_TYPE_MASK;
    maxTimestamp = validated.recordsMaxTimestamp;
  }
  if (attributes !== h.attributes || maxTimestamp !== h.maxTimestamp) {
    batch.writeInt16BE(attributes, ATTRIBUTES);
    writeInt64(batch, MAX_TIMESTAMP, maxTimestamp);
    h.crc = computeBatchCrc(batch);
    batch.writeUInt32BE(h.crc, CRC);
    h.attributes = attributes;
    h.maxTimestamp = maxTimestamp;
  }
  return { maxTimestamp, logAppendTime };
}

/**
 * Assigns the batch its place in the log: base offset, and partition leader epoch 0 (this single broker's
 * only epoch). Both fields are outside the CRC, so the checksum stays valid.
 */
export function patchBaseOffset(batch: Buffer, baseOffset: number): void {
  writeInt64(batch, BASE_OFFSET, baseOffset);
  batch.writeInt32BE(0, PARTITION_LEADER_EPOCH);
}

/**
 * Compacted topics keep the latest record per key, so a record without one has no place in them: Kafka's
 * LogValidator refuses it (INVALID_RECORD), and so does this.
 */
export function checkRecordKeys(batch: Buffer, h: BatchHeader, topicPartition: string): void {
  const at = firstRecordWithoutKey(recordsPayload(batch, h.attributes), h.recordsCount);
  if (at >= 0)
    fail(
      ErrorCode.INVALID_RECORD,
      `Compacted topic cannot accept message without key in topic partition ${topicPartition} (record ${at} of the batch).`,
    );
}
