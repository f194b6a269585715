// Hostile input: garbage, truncated and oversized frames, unknown APIs and vanishing clients close only the
// offending connection; the broker keeps serving everyone else.

import net from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker/broker.js';
import { encodeRequest } from '../../src/protocol/frames.js';
import { specFor } from '../../src/protocol/messages/index.js';
import { kafkaFor, startTestBroker } from '../helpers/broker.js';

let broker: RunningBroker;
beforeAll(async () => {
  broker = await startTestBroker({ maxRequestBytes: 1024 * 1024 });
});
afterAll(async () => {
  await broker?.close();
});

/** A small deterministic PRNG, so a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function apiVersionsRequest(correlationId: number): Buffer {
  return encodeRequest(specFor(18)!, 0, { apiKey: 18, apiVersion: 0, correlationId, clientId: 'probe' }, {});
}

function hostileFrame(rand: () => number, i: number): Buffer {
  const int = (n: number) => Math.floor(rand() * n);
  const random = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
  const withSize = (body: Buffer) =>
    Buffer.concat([Buffer.from([0, 0, 0, 0].map((_, k) => (body.length >>> (24 - 8 * k)) & 255)), body]);
  const header = (apiKey: number, version: number) => {
    const h = Buffer.alloc(10);
    h.writeInt16BE(apiKey, 0);
    h.writeInt16BE(version, 2);
    h.writeInt32BE(i, 4);
    h.writeInt16BE(-1, 8);
    return h;
  };
  switch (i % 7) {
    case 0: // random bytes, random size prefix
      return random(1 + int(64));
    case 1: // a well-framed random body
      return withSize(random(int(200)));
    case 2: // an unknown API key
      return withSize(Buffer.concat([header(1000 + int(5000), 0), random(int(20))]));
    case 3: {
      // a known API with an unsupported version
      return withSize(Buffer.concat([header(3, 50 + int(100)), random(int(20))]));
    }
    case 4: {
      // a known API and version with a garbage body (random array lengths, strings...)
      const keys = [0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15, 16, 19, 20, 21, 22, 32, 33, 37, 42, 47];
      const key = keys[int(keys.length)];
      const spec = specFor(key)!;
      const version = spec.minVersion + int(spec.maxVersion - spec.minVersion + 1);
      return withSize(Buffer.concat([header(key, version), random(int(120))]));
    }
    case 5: {
      // a size beyond the limit
      const b = Buffer.alloc(8);
      b.writeInt32BE(0x7ffffff0 - int(1000), 0);
      return b;
    }
    default: // a negative size
      return Buffer.from([0xff, 0xff, 0xff, 0xf0 + int(16)]);
  }
}

function sendAndWaitClose(frame: Buffer, vanish: boolean): Promise<void> {
  return new Promise((resolve) => {
    const s = net.connect(broker.port, '127.0.0.1');
    const timer = setTimeout(() => s.destroy(), 2000);
    s.on('connect', () => {
      if (vanish) {
        s.write(frame.subarray(0, Math.max(1, frame.length >> 1)));
        s.destroy();
      } else s.write(frame);
    });
    s.on('data', () => {}); // a garbage frame can still parse as a valid request and get an answer
    s.on('error', () => {});
    s.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
    // some frames are well-formed but incomplete: the broker waits for the rest, so end our side
    s.on('connect', () => setTimeout(() => s.end(), 200));
  });
}

it('survives a few thousand malformed frames and then serves a normal client', async () => {
  const rand = rng(20261122);
  const frames = Array.from({ length: 3000 }, (_, i) => hostileFrame(rand, i));
  for (let i = 0; i < frames.length; i += 50) {
    await Promise.all(frames.slice(i, i + 50).map((f, k) => sendAndWaitClose(f, (i + k) % 11 === 0)));
  }
  // every hostile connection was closed, and a real client works
  const kafka = kafkaFor(broker);
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: 'after-the-storm', messages: [{ key: 'k', value: 'still here' }] });
  await producer.disconnect();
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets('after-the-storm');
  await admin.disconnect();
  expect(offsets.reduce((n, o) => n + Number(o.high), 0)).toBe(1);
});

it('closes only the offending connection: a client on another connection is answered in between', async () => {
  const good = net.connect(broker.port, '127.0.0.1');
  await new Promise((r) => good.once('connect', r));
  const bad = net.connect(broker.port, '127.0.0.1');
  await new Promise((r) => bad.once('connect', r));
  const badClosed = new Promise((r) => bad.once('close', r));
  bad.on('error', () => {});
  bad.write(Buffer.from([0, 0, 0, 12, 0x03, 0xe8, 0, 0, 0, 0, 0, 1, 0xff, 0xff, 0, 0])); // unknown API key 1000
  await badClosed;
  const answer = new Promise<Buffer>((resolve) => good.once('data', resolve));
  good.write(apiVersionsRequest(77));
  const res = await answer;
  expect(res.readInt32BE(4)).toBe(77); // correlation id
  expect(res.readInt16BE(8)).toBe(0); // error code
  good.destroy();
});

it('answers an ApiVersions request of an unknown version with error 35 and the supported ranges', async () => {
  const s = net.connect(broker.port, '127.0.0.1');
  await new Promise((r) => s.once('connect', r));
  const req = Buffer.alloc(14);
  req.writeInt32BE(10, 0);
  req.writeInt16BE(18, 4);
  req.writeInt16BE(99, 6);
  req.writeInt32BE(5, 8);
  req.writeInt16BE(-1, 12);
  const chunks: Buffer[] = [];
  const got = new Promise<Buffer>((resolve) =>
    s.on('data', (d) => {
      chunks.push(d);
      const all = Buffer.concat(chunks);
      if (all.length >= 4 && all.length >= 4 + all.readInt32BE(0)) resolve(all);
    }),
  );
  s.write(req);
  const res = await got;
  s.destroy();
  expect(res.readInt32BE(4)).toBe(5);
  expect(res.readInt16BE(8)).toBe(35);
  const count = res.readInt32BE(10);
  const keys = Array.from({ length: count }, (_, i) => res.readInt16BE(14 + i * 6));
  expect(keys).toEqual(expect.arrayContaining([0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 18]));
});
