// Record batches v2 as old consumers read them (Fetch v0-v1: message v0, v2-v3: message v1), as Kafka's
// down-conversion (RecordsUtil.downConvert) writes them: batch by batch, each in its own codec (one wrapper per
// batch, or plain messages), the records before the fetch offset left out of plain batches, control batches
// dropped, headers lost. zstd has no place in these formats: such a batch is UNSUPPORTED_COMPRESSION_TYPE, as Kafka answers.

import { ErrorCode, KafkaError } from '../../protocol/error-codes.js';
import {
  ATTRIBUTES,
  Compression,
  MAX_TIMESTAMP,
  batchSizeAt,
  compressionOf,
  hasLogAppendTime,
  isControlBatch,
  readInt64,
} from '../../protocol/records/batch-layout.js';
import { decodeRecords } from '../../protocol/records/decode.js';
import { writeMessageSet, type LegacyMagic } from '../../protocol/records/legacy.js';

/** The message magic a Fetch version's answer carries. */
export function fetchMagic(fetchVersion: number): LegacyMagic | 2 {
  return fetchVersion <= 1 ? 0 : fetchVersion <= 3 ? 1 : 2;
}

/** `batches` (whole v2 batches as the log stores them) as a message set of `magic`, from `fetchOffset` on. */
export async function downConvert(batches: Buffer, magic: LegacyMagic, fetchOffset: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (let pos = 0; pos < batches.length;) {
    const batch = batches.subarray(pos, pos + batchSizeAt(batches, pos));
    pos += batch.length;
    const attributes = batch.readInt16BE(ATTRIBUTES);
    if (isControlBatch(attributes)) continue;
    const codec = compressionOf(attributes);
    if (codec > Compression.LZ4) {
      throw new KafkaError(
        ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
        `a zstd batch cannot be read in message format v${magic} (Fetch v10 and later read it)`,
      );
    }
    // Records before the fetch offset are dropped from plain batches only (some librdkafka versions need it);
    // a compressed one stays whole, as in Kafka, and its reader skips them.
    const all = decodeRecords(batch);
    const records = codec === Compression.NONE ? all.filter((r) => r.offset >= fetchOffset) : all;
    if (records.length === 0) continue;
    const logAppendTime = hasLogAppendTime(attributes) ? readInt64(batch, MAX_TIMESTAMP) : null;
    parts.push(await writeMessageSet(records, { magic, codec, logAppendTime }));
  }
  return parts.length === 1 ? parts[0] : Buffer.concat(parts);
}
