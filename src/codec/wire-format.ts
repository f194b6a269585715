// Confluent's wire format for registry-encoded payloads: a magic byte 0, the schema id as a 4-byte big-endian
// integer, then the body: Avro binary, JSON text (JSON Schema), or for Protobuf the message-index array
// followed by the message.
//
// The message-index array says which message of the schema's file the body is: the path from the file's
// top-level messages down through nested ones ([1, 0]: the first message nested in the second top-level one).
// Confluent's spec (and its Java, Go and .NET serializers, and confluent-kafka-python from 1.8) write it as
// zigzag varints: the count, then each index; [0], the first top-level message, is the single byte 0. Python's
// 1.7 and older (Debian's) write plain unsigned varints instead (its "deprecated format"): the same byte 0 for
// [0], different bytes for any other path. evt writes the spec's form and reads both (protobuf-codec.ts picks
// the reading that names a message of the file).

export const MAGIC_BYTE = 0;
export const HEADER_SIZE = 5;

/** The payload: header + body. */
export function frame(schemaId: number, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(HEADER_SIZE + body.length);
  out[0] = MAGIC_BYTE;
  out.writeUInt32BE(schemaId >>> 0, 1);
  body.copy(out, HEADER_SIZE);
  return out;
}

/** The schema id of a payload in the wire format, or null when it is not (no magic byte, too short). */
export function schemaIdOf(payload: Buffer | null): number | null {
  if (payload === null || payload.length < HEADER_SIZE || payload[0] !== MAGIC_BYTE) return null;
  return payload.readUInt32BE(1);
}

/** The body after the header. */
export function bodyOf(payload: Buffer): Buffer {
  return payload.subarray(HEADER_SIZE);
}

function pushVarint(out: number[], value: number): void {
  let v = value >>> 0;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
}

const zigzag = (n: number): number => ((n << 1) ^ (n >> 31)) >>> 0;
const unzigzag = (n: number): number => (n >>> 1) ^ -(n & 1);

/** The message-index array as the spec writes it (zigzag varints; [0] as the single byte 0). */
export function encodeMessageIndexes(path: readonly number[]): Buffer {
  if (path.length === 1 && path[0] === 0) return Buffer.from([0]);
  const out: number[] = [];
  pushVarint(out, zigzag(path.length));
  for (const i of path) pushVarint(out, zigzag(i));
  return Buffer.from(out);
}

/** A reading of a message-index array: the path and where the message starts. */
export interface MessageIndexes {
  path: number[];
  /** the offset in the body where the message starts */
  end: number;
}

/**
 * The message-index array at the start of a Protobuf body, read as `encoding` says: null when the bytes are
 * not one (truncated, negative, absurdly long). A count of 0 means [0], the first message.
 */
export function decodeMessageIndexes(body: Buffer, encoding: 'zigzag' | 'unsigned'): MessageIndexes | null {
  let at = 0;
  const next = (): number | null => {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (at >= body.length) return null;
      const b = body[at++];
      value |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return encoding === 'zigzag' ? unzigzag(value >>> 0) : value >>> 0;
    }
    return null;
  };
  const count = next();
  // no schema nests messages hundreds deep; a larger count is another reading's bytes
  if (count === null || count < 0 || count > 100) return null;
  if (count === 0) return { path: [0], end: at };
  const path: number[] = [];
  for (let i = 0; i < count; i++) {
    const index = next();
    if (index === null || index < 0) return null;
    path.push(index);
  }
  return { path, end: at };
}
