// Reading a broker's answer to ApiVersions, and what to ask next when the answer is not a usable list.
//
// Kafka answers an ApiVersions version it does not know with UNSUPPORTED_VERSION in the v0 layout, listing
// the ApiVersions range it speaks; not every broker does: librdkafka's mock cluster answers a v3 request
// with its own mix of layouts (a one-byte count and no tagged fields), which no description decodes. Like
// kafkajs and librdkafka, evt then falls back: to the highest version the error answer names, or, when the
// answer cannot be read, to v0, which every broker since Kafka 0.10 speaks and whose layout never changed.

import { ProtocolError, Reader } from '../../protocol/primitives.js';
import { API_VERSIONS } from '../../protocol/messages/index.js';
import { decodeMessage } from '../../protocol/schema.js';

const UNSUPPORTED_VERSION = 35;

export interface ApiRange {
  min: number;
  max: number;
}

export type ApiVersionsOutcome =
  | { kind: 'ranges'; ranges: Map<number, ApiRange> }
  /** ask again in `version` (always lower than the one just asked) */
  | { kind: 'retry'; version: number; reason: string }
  /** give up: the broker refused, or even v0 could not be read */
  | { kind: 'failed'; reason: string };

function decodeRanges(body: Buffer, version: number): Map<number, ApiRange> {
  const answer = decodeMessage(new Reader(body), API_VERSIONS, 'response', version);
  return new Map(answer.apiKeys.map((k) => [k.apiKey, { min: k.minVersion, max: k.maxVersion }]));
}

function tryDecode(body: Buffer, version: number): Map<number, ApiRange> | string {
  try {
    return decodeRanges(body, version);
  } catch (err) {
    if (err instanceof ProtocolError) return err.message;
    throw err;
  }
}

/** Reads the answer `body` (after the response header) to an ApiVersions request sent in `version`. */
export function readApiVersionsAnswer(body: Buffer, version: number): ApiVersionsOutcome {
  if (body.length < 2) return fallBack(version, `an answer of ${body.length} bytes`);
  const errorCode = body.readInt16BE(0);
  if (errorCode === UNSUPPORTED_VERSION) {
    const listed = tryDecode(body, 0);
    const own = typeof listed === 'string' ? undefined : listed.get(API_VERSIONS.apiKey);
    if (own && own.max >= 0 && own.max < version) {
      return { kind: 'retry', version: own.max, reason: `it speaks ApiVersions up to v${own.max}` };
    }
    return fallBack(version, `UNSUPPORTED_VERSION without a readable range`);
  }
  if (errorCode !== 0) return { kind: 'failed', reason: `refused ApiVersions with error ${errorCode}` };
  const ranges = tryDecode(body, version);
  if (typeof ranges !== 'string') return { kind: 'ranges', ranges };
  return fallBack(version, `a malformed ApiVersions v${version} answer: ${ranges}`);
}

function fallBack(version: number, what: string): ApiVersionsOutcome {
  if (version > 0) return { kind: 'retry', version: 0, reason: `it sent ${what}` };
  return { kind: 'failed', reason: `sent ${what}` };
}
