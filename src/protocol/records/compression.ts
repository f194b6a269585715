// The four codecs of Kafka's record batches, both ways: gzip (node:zlib), snappy (the `snappy` package,
// napi-rs, with Kafka's xerial framing), lz4 (`lz4-napi`, the LZ4 frame format Kafka uses) and zstd (node:zlib
// where Node has it, 22.15/23.8 on; else `fzstd` to decode and `@bokuweb/zstd-wasm` to encode). Every library
// is loaded when the first batch needs it, so that a command reading uncompressed topics pays nothing at start.
// The choice and the decode rates behind it: README (Compression) and bench/codecs.js.
//
// Decoding is synchronous (it runs inside the record walk of the reader, the broker's validation and the time
// index); encoding is asynchronous, so that the libraries that can compress off the event loop do.

import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { ErrorCode, KafkaError } from '../error-codes.js';
import { COMPRESSION_NAMES, Compression, type CompressionName } from './batch-layout.js';
import { frameSnappy, unframeSnappy, type SnappyBlocks } from './xerial-snappy.js';

export type { CompressionName };

/** Kafka's default zstd level (compression.zstd.level) */
const ZSTD_LEVEL = 3;

type SnappyModule = typeof import('snappy');
type Lz4Module = typeof import('lz4-napi');
type FzstdModule = typeof import('fzstd');
type ZstdWasmModule = typeof import('@bokuweb/zstd-wasm');

/** node:zlib's zstd, present from Node 22.15 / 23.8 (@types/node 20 does not declare it) */
interface ZlibZstd {
  zstdDecompressSync(data: Buffer): Buffer;
  zstdCompress(data: Buffer, options: object, callback: (err: Error | null, out: Buffer) => void): void;
  constants: { ZSTD_c_compressionLevel: number };
}
// Looked at on first use, not at import: the CLI's bundle loads node:zlib on first use (scripts/bundle.js), and
// `evt produce t v` compresses nothing.
const nodeZstdOf = (): ZlibZstd | null => {
  const maybeZstd = zlib as unknown as Partial<ZlibZstd>;
  return typeof maybeZstd.zstdDecompressSync === 'function' ? (maybeZstd as ZlibZstd) : null;
};

const require = createRequire(import.meta.url);
const loaded = new Map<string, unknown>();

/** A codec library, required on first use; a library that does not load makes its codec unsupported. */
function library<T>(pkg: string, codec: string): T {
  if (loaded.has(pkg)) return loaded.get(pkg) as T;
  let mod: T;
  try {
    mod = require(pkg) as T;
  } catch (err) {
    throw new KafkaError(
      ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
      `${codec} needs the npm package ${pkg}, which did not load: ${(err as Error).message.split('\n')[0]}`,
    );
  }
  loaded.set(pkg, mod);
  return mod;
}

function snappyBlocks(): SnappyBlocks {
  const snappy = library<SnappyModule>('snappy', 'snappy');
  return {
    compress: (block) => snappy.compressSync(block),
    uncompress: (block) => snappy.uncompressSync(block, { asBuffer: true }) as Buffer,
  };
}

const asBuffer = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

/** Inflates a batch's records section; throws UNSUPPORTED_COMPRESSION_TYPE or CORRUPT_MESSAGE. */
export function decompress(codec: number, data: Buffer): Buffer {
  let inflate: (d: Buffer) => Buffer;
  switch (codec) {
    case Compression.NONE:
      return data;
    case Compression.GZIP:
      inflate = (d) => zlib.gunzipSync(d);
      break;
    case Compression.SNAPPY: {
      const blocks = snappyBlocks();
      inflate = (d) => unframeSnappy(d, blocks);
      break;
    }
    case Compression.LZ4: {
      const lz4 = library<Lz4Module>('lz4-napi', 'lz4');
      inflate = (d) => lz4.decompressFrameSync(d);
      break;
    }
    case Compression.ZSTD: {
      const nodeZstd = nodeZstdOf();
      if (nodeZstd) inflate = (d) => nodeZstd.zstdDecompressSync(d);
      else {
        const fzstd = library<FzstdModule>('fzstd', 'zstd');
        inflate = (d) => asBuffer(fzstd.decompress(d));
      }
      break;
    }
    default:
      throw new KafkaError(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, `unknown compression codec ${codec}`);
  }
  try {
    return inflate(data);
  } catch (err) {
    throw new KafkaError(
      ErrorCode.CORRUPT_MESSAGE,
      `${COMPRESSION_NAMES[codec]} records do not decompress: ${(err as Error).message}`,
    );
  }
}

const gzipAsync = (data: Buffer): Promise<Buffer> => promisify(zlib.gzip)(data);
let zstdWasm: Promise<ZstdWasmModule> | null = null;

async function zstdCompress(data: Buffer): Promise<Buffer> {
  const nodeZstd = nodeZstdOf();
  if (nodeZstd) {
    const level = { [nodeZstd.constants.ZSTD_c_compressionLevel]: ZSTD_LEVEL };
    return new Promise((resolve, reject) =>
      nodeZstd.zstdCompress(data, { params: level }, (err, out) => (err ? reject(err) : resolve(out))),
    );
  }
  zstdWasm ??= (async () => {
    const wasm = library<ZstdWasmModule>('@bokuweb/zstd-wasm', 'zstd');
    await wasm.init();
    return wasm;
  })();
  return asBuffer((await zstdWasm).compress(data, ZSTD_LEVEL));
}

/** Compresses a batch's records section with a codec other than none (gzip and lz4 off the event loop). */
export async function compress(name: Exclude<CompressionName, 'none'>, data: Buffer): Promise<Buffer> {
  switch (name) {
    case 'gzip':
      return gzipAsync(data);
    case 'snappy':
      return frameSnappy(data, snappyBlocks());
    case 'lz4':
      return library<Lz4Module>('lz4-napi', 'lz4').compressFrame(data);
    case 'zstd':
      return zstdCompress(data);
  }
}

export function compressionId(name: CompressionName): number {
  return COMPRESSION_NAMES.indexOf(name);
}
