// A worker thread of parallel.ts: decodes fetched record sets and formats their records (filters applied)
// into bytes, so that the main thread only fetches, merges and writes.
//
// In:  { id, topic, partition, data (whole batches), from, until }
// Out: { id, decoded, count, timestamps, ends, bytes, skipped } (record i's text is bytes[ends[i-1], ends[i]))
//      or { id, error }

import { parentPort, workerData } from 'node:worker_threads';
import type { ConsumedRecord } from '../../client/records.js';
import { decodeRecordSet, type SkippedBatch } from '../../client/wire/reader.js';
import { createValueCodec } from '../../codec/create-codec.js';
import { schemaIdOf } from '../../codec/wire-format.js';
import { buildFilter } from '../record-filter.js';
import { LineFormatter, type ByteTarget } from './line-format.js';
import type { WorkerSetup } from './parallel.js';

interface Job {
  id: number;
  topic: string;
  partition: number;
  data: Uint8Array;
  from: number;
  until: number;
}

class Growing implements ByteTarget {
  buf = Buffer.allocUnsafeSlow(1 << 20);
  pos = 0;
  reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
}

const setup = workerData as WorkerSetup;
const codec = await createValueCodec(setup.valueFormat, { schemaFile: setup.schemaFile, message: setup.message });
const formatter = new LineFormatter(setup.mode, codec, buildFilter(setup.filter));
let toldWire = false;

parentPort!.on('message', (job: Job) => {
  try {
    const data = Buffer.from(job.data.buffer, job.data.byteOffset, job.data.byteLength);
    const records: ConsumedRecord[] = [];
    const skipped: SkippedBatch[] = [];
    decodeRecordSet(data, 0, job.topic, job.partition, job.from, job.until, records, Infinity, (s) => skipped.push(s));
    const out = new Growing();
    const timestamps = new Float64Array(records.length);
    const ends = new Int32Array(records.length);
    let count = 0;
    // the schema id of the first printed value in the registry wire format, told once (no registry here)
    let wire: number | undefined;
    for (const r of records) {
      if (!formatter.write(r, out)) continue;
      if (!toldWire && wire === undefined) wire = schemaIdOf(r.value) ?? undefined;
      timestamps[count] = r.timestamp;
      ends[count] = out.pos;
      count++;
    }
    const bytes = new Uint8Array(out.buf.buffer, out.buf.byteOffset, out.pos);
    if (wire !== undefined) toldWire = true;
    parentPort!.postMessage(
      { id: job.id, decoded: records.length, count, timestamps, ends, bytes, skipped, wire, topic: job.topic },
      [timestamps.buffer, ends.buffer, out.buf.buffer],
    );
  } catch (err) {
    parentPort!.postMessage({ id: job.id, error: (err as Error).message ?? String(err) });
  }
});
