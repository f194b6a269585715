// Confluent's message-index array, pinned byte for byte: the spec's zigzag varints (what Java, Go, .NET and
// confluent-kafka-python from 1.8 write, and what evt writes), and the plain unsigned varints Debian's
// confluent-kafka-python 1.7 writes (its _encode_uvarints of _create_msg_index, bytes printed by it for
// test/fixtures/protobuf/order.proto), which evt reads too.

import { describe, expect, it } from 'vitest';
import { decodeMessageIndexes, encodeMessageIndexes, frame, schemaIdOf } from '../../src/codec/wire-format.js';

const hex = (b: Buffer) => b.toString('hex');

describe('message-index arrays', () => {
  it('writes the zigzag form, [0] as the single byte 0', () => {
    expect(hex(encodeMessageIndexes([0]))).toBe('00');
    expect(hex(encodeMessageIndexes([1]))).toBe('0202');
    expect(hex(encodeMessageIndexes([1, 0]))).toBe('040200');
    expect(hex(encodeMessageIndexes([0, 0]))).toBe('040000');
    expect(hex(encodeMessageIndexes([2, 70]))).toBe('04048c01');
  });

  it('reads back what it writes', () => {
    for (const path of [[0], [1], [1, 0], [0, 0], [2, 70], [3, 1, 4]]) {
      const bytes = Buffer.concat([encodeMessageIndexes(path), Buffer.from([0x0a, 0x01, 0x61])]);
      const read = decodeMessageIndexes(bytes, 'zigzag');
      expect(read?.path).toEqual(path);
      expect(bytes.subarray(read!.end)).toEqual(Buffer.from([0x0a, 0x01, 0x61]));
    }
  });

  // python 1.7: Order [0] -> 00, Shipment [1] -> 01 01, Order.Item [0, 0] -> 02 00 00, Shipment.Parcel [1, 0] -> 02 01 00
  it("reads confluent-kafka-python 1.7's unsigned form", () => {
    expect(decodeMessageIndexes(Buffer.from('00', 'hex'), 'unsigned')?.path).toEqual([0]);
    expect(decodeMessageIndexes(Buffer.from('0101', 'hex'), 'unsigned')?.path).toEqual([1]);
    expect(decodeMessageIndexes(Buffer.from('020000', 'hex'), 'unsigned')?.path).toEqual([0, 0]);
    expect(decodeMessageIndexes(Buffer.from('020100', 'hex'), 'unsigned')).toEqual({ path: [1, 0], end: 3 });
  });

  it('a reading that cannot be one is null: negative zigzag counts and indexes, truncation', () => {
    // 01 is a count of -1 in zigzag; 02 01 is a count of 1 then the index -1
    expect(decodeMessageIndexes(Buffer.from('0101', 'hex'), 'zigzag')).toBeNull();
    expect(decodeMessageIndexes(Buffer.from('020100', 'hex'), 'zigzag')).toBeNull();
    expect(decodeMessageIndexes(Buffer.from('04', 'hex'), 'zigzag')).toBeNull();
    expect(decodeMessageIndexes(Buffer.from('', 'hex'), 'unsigned')).toBeNull();
  });

  it('frames: magic byte 0 and the id, big-endian', () => {
    const p = frame(258, Buffer.from('00', 'hex'));
    expect(hex(p)).toBe('000000010200');
    expect(schemaIdOf(p)).toBe(258);
  });
});
