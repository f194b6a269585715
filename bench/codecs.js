#!/usr/bin/env node
// bench/codecs: decode rate (MB/s of uncompressed records out) of each Kafka compression codec's library,
// next to gzip through node:zlib measured in the same run on the same payloads. Two data shapes: JSON
// order events (what evt's workflow writes) and random-ish binary (bytes drawn from a small alphabet, so
// that every codec finds something to compress but not much). Also the alternatives considered, when they
// are installed (`npm install --no-save lz4js snappyjs @hpcc-js/wasm-zstd`), so that the choice can be
// re-checked.
//
//   node bench/codecs.js [--size 1048576] [--seconds 1] [--json]

import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import zlib from 'node:zlib';

const require = createRequire(import.meta.url);
const { values: args } = parseArgs({
  options: {
    size: { type: 'string', default: String(1 << 20) },
    seconds: { type: 'string', default: '1' },
    json: { type: 'boolean', default: false },
  },
});
const SIZE = Number(args.size);
const SECONDS = Number(args.seconds);
const log = (m) => process.stderr.write(`bench: ${m}\n`);

function jsonPayload(size) {
  const parts = [];
  let n = 0;
  for (let i = 0; n < size; i++) {
    const line = JSON.stringify({
      type: 'OrderPlaced',
      orderId: `o-${i}`,
      customerId: `c-${i % 977}`,
      total: (i * 37) % 1000,
      lines: [{ sku: `SKU-${i % 113}`, qty: 1 + (i % 3) }],
      at: new Date(1_700_000_000_000 + i * 1000).toISOString(),
    });
    parts.push(line);
    n += line.length + 1;
  }
  return Buffer.from(parts.join('\n')).subarray(0, size);
}

function binaryPayload(size) {
  const b = Buffer.allocUnsafe(size);
  let x = 0x12345678;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = (x >>> 0) % 48; // 48 symbols: compressible to ~70%, not to nothing
  }
  return b;
}

function optional(name) {
  try {
    return require(name);
  } catch {
    return null;
  }
}

/** [label, library, compress(buf) => Buffer, decompress(buf) => Buffer] */
async function candidates() {
  const rows = [];
  rows.push(['gzip', 'node:zlib (reference)', (b) => zlib.gzipSync(b), (b) => zlib.gunzipSync(b)]);
  const snappy = optional('snappy');
  if (snappy) rows.push(['snappy', 'snappy (napi-rs)', (b) => snappy.compressSync(b), (b) => snappy.uncompressSync(b)]);
  const snappyjs = optional('snappyjs');
  if (snappyjs)
    rows.push([
      'snappy',
      'snappyjs (pure JS)',
      (b) => Buffer.from(snappyjs.compress(b)),
      (b) => snappyjs.uncompress(b),
    ]);
  const lz4 = optional('lz4-napi');
  if (lz4) rows.push(['lz4', 'lz4-napi (frame)', (b) => lz4.compressFrameSync(b), (b) => lz4.decompressFrameSync(b)]);
  const lz4js = optional('lz4js');
  if (lz4js) rows.push(['lz4', 'lz4js (pure JS)', (b) => Buffer.from(lz4js.compress(b)), (b) => lz4js.decompress(b)]);
  if (typeof zlib.zstdDecompressSync === 'function')
    rows.push(['zstd', 'node:zlib', (b) => zlib.zstdCompressSync(b), (b) => zlib.zstdDecompressSync(b)]);
  const fzstd = optional('fzstd');
  const zstdCompress = typeof zlib.zstdCompressSync === 'function' ? (b) => zlib.zstdCompressSync(b) : null;
  let hpcc = null;
  try {
    const { Zstd } = await import('@hpcc-js/wasm-zstd');
    hpcc = await Zstd.load();
  } catch {
    /* not installed */
  }
  if (hpcc) rows.push(['zstd', '@hpcc-js/wasm-zstd (wasm)', (b) => hpcc.compress(b, 3), (b) => hpcc.decompress(b)]);
  const wasm = optional('@bokuweb/zstd-wasm');
  if (wasm) {
    await wasm.init();
    rows.push(['zstd', '@bokuweb/zstd-wasm (wasm)', (b) => wasm.compress(b, 3), (b) => wasm.decompress(b)]);
  }
  const anyZstd = zstdCompress ?? (wasm ? (b) => wasm.compress(b, 3) : hpcc ? (b) => hpcc.compress(b, 3) : null);
  if (fzstd && anyZstd) rows.push(['zstd', 'fzstd (pure JS, decode only)', anyZstd, (b) => fzstd.decompress(b)]);
  for (const name of ['snappy', 'lz4-napi', 'snappyjs', 'lz4js', 'fzstd', '@bokuweb/zstd-wasm', '@hpcc-js/wasm-zstd']) {
    if (!optional(name) && !(name === '@hpcc-js/wasm-zstd' && hpcc)) log(`${name}: not installed, skipped`);
  }
  return rows;
}

function decodeRate(decompress, packed, size) {
  for (let i = 0; i < 3; i++) decompress(packed); // warm up
  let n = 0;
  const start = process.hrtime.bigint();
  let secs = 0;
  while (secs < SECONDS) {
    decompress(packed);
    n++;
    secs = Number(process.hrtime.bigint() - start) / 1e9;
  }
  return (size * n) / 1e6 / secs;
}

const shapes = { json: jsonPayload(SIZE), binary: binaryPayload(SIZE) };
const results = [];
for (const [codec, library, compress, decompress] of await candidates()) {
  for (const [shape, payload] of Object.entries(shapes)) {
    const packed = Buffer.from(compress(payload));
    const back = Buffer.from(decompress(packed));
    if (!back.equals(payload)) throw new Error(`${library} does not round-trip the ${shape} payload`);
    results.push({
      codec,
      library,
      shape,
      ratio: +(packed.length / payload.length).toFixed(3),
      decodeMBps: +decodeRate(decompress, packed, payload.length).toFixed(0),
    });
  }
}
if (args.json) process.stdout.write(JSON.stringify({ node: process.version, size: SIZE, results }) + '\n');
else {
  console.log(`node ${process.version}, ${SIZE} bytes per payload, decode MB/s (uncompressed bytes out)`);
  console.log(`${'codec'.padEnd(7)}${'library'.padEnd(32)}${'json'.padStart(16)}${'binary'.padStart(16)}`);
  const libs = [...new Set(results.map((r) => `${r.codec}\u0000${r.library}`))];
  for (const k of libs) {
    const [codec, library] = k.split('\u0000');
    const cell = (shape) => {
      const r = results.find((x) => x.codec === codec && x.library === library && x.shape === shape);
      return `${r.decodeMBps} (${Math.round(r.ratio * 100)}%)`.padStart(16);
    };
    console.log(`${codec.padEnd(7)}${library.padEnd(32)}${cell('json')}${cell('binary')}`);
  }
  console.log('(in brackets: compressed size as a share of the original)');
}
