// A TCP proxy that understands Kafka framing just enough to lose a response on purpose: it forwards the
// request to the broker, then cuts the connection instead of delivering the answer. This is how a client is
// made to retry a request the broker has already carried out.

import net from 'node:net';

export interface LossyProxy {
  port: number;
  /** cut the connection instead of delivering the next `n` responses to requests of this API key */
  dropResponses(apiKey: number, n: number): void;
  dropped: number;
  close(): Promise<void>;
}

/** Splits a byte stream into Kafka frames (size prefix included). */
export function frames(onFrame: (frame: Buffer) => void): (chunk: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0);
  return (chunk) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
      const size = pending.readInt32BE(0);
      onFrame(pending.subarray(0, 4 + size));
      pending = pending.subarray(4 + size);
    }
  };
}

export async function startLossyProxy(target: () => number): Promise<LossyProxy> {
  const toDrop = new Map<number, number>();
  const sockets = new Set<net.Socket>();
  const proxy: LossyProxy = {
    port: 0,
    dropped: 0,
    dropResponses(apiKey, n) {
      toDrop.set(apiKey, n);
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  const server = net.createServer((client) => {
    const upstream = net.connect(target(), '127.0.0.1');
    sockets.add(client).add(upstream);
    const apiKeyOf = new Map<number, number>();
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on(
      'data',
      frames((f) => {
        apiKeyOf.set(f.readInt32BE(8), f.readInt16BE(4));
        upstream.write(f);
      }),
    );
    upstream.on(
      'data',
      frames((f) => {
        const apiKey = apiKeyOf.get(f.readInt32BE(4));
        const left = apiKey === undefined ? 0 : (toDrop.get(apiKey) ?? 0);
        if (left > 0) {
          toDrop.set(apiKey!, left - 1);
          proxy.dropped++;
          closeBoth();
          return;
        }
        client.write(f);
      }),
    );
    client.on('close', closeBoth).on('error', closeBoth);
    upstream.on('close', closeBoth).on('error', closeBoth);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.port = (server.address() as net.AddressInfo).port;
  return proxy;
}
