// Thin helpers to run the generic codec on one ApiSpec body (request or response) at one version.

import { expect } from 'vitest';
import { Reader, Writer } from '../../src/protocol/primitives.js';
import { decodeStruct, encodeStruct, isFlexible, type ApiSpec, type Struct } from '../../src/protocol/schema.js';

export type Kind = 'request' | 'response';

export function encodeBody(spec: ApiSpec, kind: Kind, version: number, obj: Struct): Buffer {
  const w = new Writer();
  encodeStruct(w, spec[kind], obj, version, isFlexible(spec, version));
  return w.toBuffer();
}

/** Decodes and checks that exactly the whole buffer was consumed. */
export function decodeBody(spec: ApiSpec, kind: Kind, version: number, buf: Buffer): Struct {
  const r = new Reader(buf);
  const out = decodeStruct(r, spec[kind], version, isFlexible(spec, version));
  expect(r.remaining, `${spec.name} ${kind} v${version}: bytes left after decoding`).toBe(0);
  return out;
}
