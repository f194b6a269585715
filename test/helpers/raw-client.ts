// A bare Kafka protocol client for tests that need exact control of one request: it encodes with the
// broker's own message descriptions and decodes the answer the same way.

import net from 'node:net';
import { splitBatches } from '../../src/broker/log/batch.js';
import { encodeRequest } from '../../src/protocol/frames.js';
import { specFor } from '../../src/protocol/messages/index.js';
import { Reader } from '../../src/protocol/primitives.js';
import { decodeStruct, isFlexible, type Struct } from '../../src/protocol/schema.js';

export class RawClient {
  private buffered = Buffer.alloc(0);
  private waiting: ((frame: Buffer) => void)[] = [];
  private correlationId = 0;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (d) => {
      this.buffered = Buffer.concat([this.buffered, d]);
      while (this.buffered.length >= 4 && this.buffered.length >= 4 + this.buffered.readInt32BE(0)) {
        const size = this.buffered.readInt32BE(0);
        const frame = this.buffered.subarray(4, 4 + size);
        this.buffered = this.buffered.subarray(4 + size);
        this.waiting.shift()?.(frame);
      }
    });
  }

  static async connect(port: number): Promise<RawClient> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return new RawClient(socket);
  }

  async request(apiKey: number, version: number, body: Struct): Promise<Struct> {
    const spec = specFor(apiKey)!;
    const correlationId = ++this.correlationId;
    const frame = new Promise<Buffer>((resolve) => this.waiting.push(resolve));
    this.socket.write(
      encodeRequest(spec, version, { apiKey, apiVersion: version, correlationId, clientId: 'raw' }, body),
    );
    const r = new Reader(await frame);
    if (r.int32() !== correlationId) throw new Error('correlation id mismatch');
    const flexible = isFlexible(spec, version);
    if (flexible && apiKey !== 18) r.uvarint(); // response header tags
    return decodeStruct(r, spec.response, version, flexible);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** The record set of a partition as the broker serves it (one raw Fetch from offset 0), split into batches. */
export async function rawBatches(port: number, topic: string, partition: number): Promise<Buffer[]> {
  const raw = await RawClient.connect(port);
  try {
    const answer = await raw.request(1, 11, {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 50 << 20,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [{ topic, partitions: [{ partition, fetchOffset: 0, partitionMaxBytes: 50 << 20 }] }],
      forgottenTopicsData: [],
      rackId: '',
    });
    const records = answer.responses[0].partitions[0].records as Buffer | null;
    return records ? splitBatches(records) : [];
  } finally {
    raw.close();
  }
}
