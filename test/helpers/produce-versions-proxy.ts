// librdkafka 2.0.2 (kcat, confluent-kafka) enables gzip, snappy and lz4 only when the broker lists Produce v2,
// and evt broker lists Produce from v3 ("Broker does not support compression type snappy: not compressing
// batch"): it then sends those batches uncompressed. This proxy sits in front of the broker (which advertises
// the proxy's port, so that every connection goes through it) and lowers Produce's minimum version in the
// ApiVersions answers to 0; librdkafka then compresses and still produces with v7. Everything else is
// forwarded byte for byte, so the broker gets librdkafka's real compressed batches.

import net from 'node:net';
import { frames } from './proxy.js';

const API_VERSIONS = 18;
const PRODUCE = 0;

export interface ProduceVersionsProxy {
  port: number;
  close(): Promise<void>;
}

/** unsigned varint at `pos`: [value, next position] */
function uvarint(buf: Buffer, pos: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = buf[pos++];
    value |= (b & 0x7f) << shift;
    if (b < 0x80) return [value, pos];
    shift += 7;
  }
}

/** Rewrites Produce's min version in an ApiVersions response frame of `version`, in place. */
function lowerProduceMin(frame: Buffer, version: number): void {
  // size int32, correlation id int32 (ApiVersions answers always use response header v0), error code int16
  let pos = 10;
  let count: number;
  if (version >= 3) [count, pos] = uvarint(frame, pos);
  else {
    count = frame.readInt32BE(pos) + 1;
    pos += 4;
  }
  for (let i = 0; i < count - 1; i++) {
    if (frame.readInt16BE(pos) === PRODUCE) {
      frame.writeInt16BE(0, pos + 2);
      return;
    }
    pos += 6;
    if (version >= 3) pos = uvarint(frame, pos)[1]; // tagged fields: their count (0)
  }
}

export async function startProduceVersionsProxy(brokerPort: () => number): Promise<ProduceVersionsProxy> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(brokerPort(), '127.0.0.1');
    sockets.add(client).add(upstream);
    // correlation id -> ApiVersions request version, for the answers to rewrite
    const pending = new Map<number, number>();
    client.on(
      'data',
      frames((f) => {
        if (f.readInt16BE(4) === API_VERSIONS) pending.set(f.readInt32BE(8), f.readInt16BE(6));
        upstream.write(f);
      }),
    );
    upstream.on(
      'data',
      frames((f) => {
        const version = pending.get(f.readInt32BE(4));
        if (version !== undefined) {
          pending.delete(f.readInt32BE(4));
          lowerProduceMin(f, version);
        }
        client.write(f);
      }),
    );
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
