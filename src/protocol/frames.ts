// Request and response framing: the size prefix and the request/response headers.

import type { DecodedRequest, EncodableRequest, EncodableResponse } from './message-types.js';
import { Reader, Writer } from './primitives.js';
import { type ApiSpec, decodeMessage, encodeMessage, isFlexible } from './schema.js';

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

/** Reads header v1 (and v2's tagged fields for flexible requests); returns the reader positioned at the body. */
export function readRequestHeader(frame: Buffer): { header: RequestHeader; reader: Reader } {
  const r = new Reader(frame);
  const apiKey = r.int16();
  const apiVersion = r.int16();
  const correlationId = r.int32();
  const len = r.int16();
  const clientId = len < 0 ? null : r.bytes(len).toString('utf8');
  return { header: { apiKey, apiVersion, correlationId, clientId }, reader: r };
}

export function skipHeaderTags(r: Reader): void {
  const count = r.uvarint();
  for (let i = 0; i < count; i++) {
    r.uvarint();
    r.bytes(r.uvarint());
  }
}

/**
 * Bytes after a whole request body are ignored, as Kafka's request parser ignores them: librdkafka 2.0.2
 * ends its ListGroups v4 request with a second empty tag section (`01 00 00` for no states filter), and a
 * broker that refused it would cut librdkafka's ListConsumerGroups off. A body cut short still fails.
 */
export function decodeRequestBody<S extends ApiSpec>(spec: S, version: number, r: Reader): DecodedRequest<S> {
  if (isFlexible(spec, version)) skipHeaderTags(r);
  return decodeMessage(r, spec, 'request', version);
}

/**
 * Encodes a whole response frame (size prefix included) as chunks for a vectored socket write.
 * ApiVersions never carries response-header tags, even when flexible: clients parse its header as v0 so
 * that they can read an UNSUPPORTED_VERSION answer whatever version they asked for.
 */
export function encodeResponse<S extends ApiSpec>(
  spec: S,
  version: number,
  correlationId: number,
  body: EncodableResponse<S>,
): Buffer[] {
  const flexible = isFlexible(spec, version);
  const w = new Writer(512);
  w.int32(0); // size, patched below
  w.int32(correlationId);
  if (flexible && spec.apiKey !== 18) w.uvarint(0);
  encodeMessage(w, spec, 'response', body, version);
  const size = w.length - 4;
  const chunks = w.toChunks();
  chunks[0].writeInt32BE(size, 0);
  return chunks;
}

export function encodeRequest<S extends ApiSpec>(
  spec: S,
  version: number,
  header: RequestHeader,
  body: EncodableRequest<S>,
): Buffer {
  return Buffer.concat(encodeRequestFrame(spec, version, header, body));
}

/**
 * A whole request frame (size prefix, header v1 or v2, body) as chunks: record batches of 4 KiB and more stay
 * separate buffers, so that a Produce request is written without copying its batches.
 */
export function encodeRequestFrame<S extends ApiSpec>(
  spec: S,
  version: number,
  header: RequestHeader,
  body: EncodableRequest<S>,
): Buffer[] {
  const w = new Writer(256);
  w.int32(0);
  w.int16(header.apiKey).int16(version).int32(header.correlationId);
  if (header.clientId === null) w.int16(-1);
  else {
    const id = Buffer.from(header.clientId);
    w.int16(id.length).raw(id);
  }
  if (isFlexible(spec, version)) w.uvarint(0);
  encodeMessage(w, spec, 'request', body, version);
  const size = w.length - 4;
  const chunks = w.toChunks();
  chunks[0].writeInt32BE(size, 0);
  return chunks;
}
