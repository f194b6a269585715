// Transaction markers: the control batch a transaction coordinator writes to every partition of a
// transaction when it ends (KIP-98). Attributes: transactional (bit 4) and control (bit 5); the producer id and
// epoch of the transaction; base sequence -1 (markers are not part of the producer's sequence); one record
// whose key is Kafka's ControlRecordType (version int16 0, type int16: 0 ABORT, 1 COMMIT) and whose value is
// the EndTransactionMarker (version int16 0, coordinator epoch int32).

import { encodeBatch } from './batch-encoder.js';
import { ATTRIBUTES, CONTROL_MASK, CRC, CRC_START, TRANSACTIONAL_MASK } from './batch-layout.js';
import { crc32c } from '../../common/crc32c.js';
import { decodeRecords } from './decode.js';

export const ControlType = { ABORT: 0, COMMIT: 1 } as const;

export interface MarkerSpec {
  producerId: number;
  producerEpoch: number;
  commit: boolean;
  coordinatorEpoch: number;
  timestamp: number;
}

/** A control batch (base offset 0, to be patched on append) holding one COMMIT or ABORT marker. */
export function encodeMarkerBatch(m: MarkerSpec): Buffer {
  const key = Buffer.alloc(4);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(m.commit ? ControlType.COMMIT : ControlType.ABORT, 2);
  const value = Buffer.alloc(6);
  value.writeInt16BE(0, 0);
  value.writeInt32BE(m.coordinatorEpoch, 2);
  const batch = encodeBatch([{ key, value, headers: [], timestamp: m.timestamp }], 'none', {
    producerId: m.producerId,
    producerEpoch: m.producerEpoch,
    baseSequence: -1,
  });
  batch.writeInt16BE(batch.readInt16BE(ATTRIBUTES) | TRANSACTIONAL_MASK | CONTROL_MASK, ATTRIBUTES);
  batch.writeUInt32BE(crc32c(batch.subarray(CRC_START)) >>> 0, CRC);
  return batch;
}

/** The ControlRecordType of a control batch's record (0 ABORT, 1 COMMIT), or -1 when it has none readable. */
export function controlTypeOf(batch: Buffer): number {
  const key = decodeRecords(batch)[0]?.key;
  return key !== null && key !== undefined && key.length >= 4 ? key.readInt16BE(2) : -1;
}
