// A topic's compression.type applied on append, as Kafka's LogValidator does: `producer` stores each batch in
// the codec its producer chose; a named codec (`uncompressed`, gzip, snappy, lz4, zstd) stores every batch in
// that codec, recompressing the ones that come in another. The records section is the same bytes whatever
// the codec, so recompressing is decompress, compress, and a new header length, attributes and CRC: offsets,
// timestamps, the producer id, epoch and sequence, and the transactional flag stay as they were.

import {
  ATTRIBUTES,
  BATCH_HEADER_SIZE,
  BATCH_LENGTH,
  COMPRESSION_MASK,
  CRC,
  LOG_OVERHEAD,
  batchCrcMatches,
  compressionOf,
  computeBatchCrc,
  recordsPayload,
  splitBatches,
} from './batch.js';
import { compress, compressionId, type CompressionName } from '../../protocol/records/compression.js';

/** The codec a compression.type stores batches in; undefined for `producer` (keep each batch's own). */
const TOPIC_CODECS: Record<string, CompressionName> = {
  uncompressed: 'none',
  gzip: 'gzip',
  snappy: 'snappy',
  lz4: 'lz4',
  zstd: 'zstd',
};

/**
 * The produced record set in the topic's codec. A set that is not one sound batch (a bad length or CRC) is
 * returned as it is, for the log's validation to refuse with the right error: a recompressed batch gets a
 * fresh CRC, which must never vouch for bytes that arrived damaged.
 */
export async function toTopicCodec(records: Buffer, compressionType: string): Promise<Buffer> {
  const codec = TOPIC_CODECS[compressionType];
  if (codec === undefined) return records;
  const target = compressionId(codec);
  let batch: Buffer;
  try {
    const batches = splitBatches(records);
    if (batches.length !== 1 || !batchCrcMatches(batches[0])) return records;
    batch = batches[0];
  } catch {
    return records;
  }
  const attributes = batch.readInt16BE(ATTRIBUTES);
  if (compressionOf(attributes) === target) return records;
  const payload = recordsPayload(batch, attributes);
  const packed = codec === 'none' ? payload : await compress(codec, payload);
  const out = Buffer.allocUnsafe(BATCH_HEADER_SIZE + packed.length);
  batch.copy(out, 0, 0, BATCH_HEADER_SIZE);
  packed.copy(out, BATCH_HEADER_SIZE);
  out.writeInt32BE(out.length - LOG_OVERHEAD, BATCH_LENGTH);
  out.writeInt16BE((attributes & ~COMPRESSION_MASK) | target, ATTRIBUTES);
  out.writeUInt32BE(computeBatchCrc(out) >>> 0, CRC);
  return out;
}
