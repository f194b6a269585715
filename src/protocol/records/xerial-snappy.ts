// Snappy as Kafka carries it. Java's producer writes xerial's stream framing (SnappyOutputStream): a 16-byte
// header (0x82 "SNAPPY" 0x00, version int32 1, compatible-version int32 1) then [int32 length, raw snappy
// block]* of at most 32 KiB of input each. librdkafka reads that framing and also plain (unframed) snappy,
// which other clients write; so does this. Only the framing lives here: the block codec is passed in, so
// that the native library stays loaded lazily by the caller.

const MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const HEADER_SIZE = 16;
/** SnappyOutputStream's default block size, which Kafka's Java producer uses */
const BLOCK_SIZE = 32 * 1024;

export interface SnappyBlocks {
  compress(block: Buffer): Buffer;
  uncompress(block: Buffer): Buffer;
}

export function isXerialFramed(data: Buffer): boolean {
  return data.length >= HEADER_SIZE && data.subarray(0, MAGIC.length).equals(MAGIC);
}

/** The payload of xerial-framed or plain snappy data; throws on a truncated frame. */
export function unframeSnappy(data: Buffer, blocks: SnappyBlocks): Buffer {
  if (!isXerialFramed(data)) return blocks.uncompress(data);
  const parts: Buffer[] = [];
  let pos = HEADER_SIZE;
  while (pos < data.length) {
    if (pos + 4 > data.length) throw new Error(`xerial snappy frame truncated at byte ${pos}`);
    const length = data.readInt32BE(pos);
    pos += 4;
    if (length < 0 || pos + length > data.length)
      throw new Error(`xerial snappy block at byte ${pos - 4} declares ${length} bytes, ${data.length - pos} present`);
    parts.push(blocks.uncompress(data.subarray(pos, pos + length)));
    pos += length;
  }
  return parts.length === 1 ? parts[0] : Buffer.concat(parts);
}

/** The payload in xerial framing, as Kafka's Java producer writes it. */
export function frameSnappy(payload: Buffer, blocks: SnappyBlocks): Buffer {
  const parts: Buffer[] = [];
  const header = Buffer.alloc(HEADER_SIZE);
  MAGIC.copy(header, 0);
  header.writeInt32BE(1, 8);
  header.writeInt32BE(1, 12);
  parts.push(header);
  for (let pos = 0; pos < payload.length; pos += BLOCK_SIZE) {
    const block = blocks.compress(payload.subarray(pos, pos + BLOCK_SIZE));
    const length = Buffer.allocUnsafe(4);
    length.writeInt32BE(block.length, 0);
    parts.push(length, block);
  }
  return Buffer.concat(parts);
}
