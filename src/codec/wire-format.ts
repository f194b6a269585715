// Confluent's wire format for registry-encoded payloads: a magic byte 0, the schema id as a 4-byte big-endian
// integer, then the Avro binary encoding of the value.

export const MAGIC_BYTE = 0;
export const HEADER_SIZE = 5;

/** The payload: header + Avro body. */
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

/** The Avro body after the header. */
export function bodyOf(payload: Buffer): Buffer {
  return payload.subarray(HEADER_SIZE);
}
