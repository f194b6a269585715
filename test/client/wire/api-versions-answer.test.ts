// Reading ApiVersions answers: a proper list, Kafka's UNSUPPORTED_VERSION answer (v0 layout, naming the
// ApiVersions range), librdkafka's mock cluster's answer (bytes as it sends them), and answers no layout reads.

import { describe, expect, it } from 'vitest';
import { readApiVersionsAnswer } from '../../../src/client/wire/api-versions-answer.js';
import { API_VERSIONS } from '../../../src/protocol/messages/index.js';
import { Writer } from '../../../src/protocol/primitives.js';
import { encodeMessage } from '../../../src/protocol/schema.js';

const hex = (s: string) => Buffer.from(s.replace(/\s/g, ''), 'hex');

function answer(version: number, errorCode: number, keys: [number, number, number][]): Buffer {
  const w = new Writer();
  const apiKeys = keys.map(([apiKey, minVersion, maxVersion]) => ({ apiKey, minVersion, maxVersion }));
  encodeMessage(w, API_VERSIONS, 'response', { errorCode, apiKeys, throttleTimeMs: 0 }, version);
  return w.toBuffer();
}

describe('readApiVersionsAnswer', () => {
  it('a proper answer gives the ranges', () => {
    const out = readApiVersionsAnswer(
      answer(3, 0, [
        [0, 3, 9],
        [18, 0, 3],
      ]),
      3,
    );
    expect(out).toEqual({
      kind: 'ranges',
      ranges: new Map([
        [0, { min: 3, max: 9 }],
        [18, { min: 0, max: 3 }],
      ]),
    });
  });

  it("Kafka's UNSUPPORTED_VERSION answer (v0 layout) leads to the highest version it names", () => {
    expect(readApiVersionsAnswer(answer(0, 35, [[18, 0, 2]]), 3)).toEqual({
      kind: 'retry',
      version: 2,
      reason: 'it speaks ApiVersions up to v2',
    });
  });

  it("librdkafka's mock answer to v3 (one-byte count, no tags) leads to v0", () => {
    // error 35, count 1 as a single byte, ApiVersions 0-2, throttle time: what the mock sends after the header
    const mock = hex('0023 01 0012 0000 0002 00000000');
    expect(readApiVersionsAnswer(mock, 3)).toMatchObject({ kind: 'retry', version: 0 });
  });

  it('an unreadable success answer leads to v0; at v0 it is a failure naming what was wrong', () => {
    const truncated = answer(3, 0, [[18, 0, 3]]).subarray(0, 5);
    expect(readApiVersionsAnswer(truncated, 3)).toMatchObject({ kind: 'retry', version: 0 });
    const bad = readApiVersionsAnswer(answer(0, 0, [[18, 0, 3]]).subarray(0, 5), 0);
    expect(bad.kind).toBe('failed');
    expect(bad.kind === 'failed' && bad.reason).toMatch(/^sent a malformed ApiVersions v0 answer: /);
  });

  it('UNSUPPORTED_VERSION to v0 and other errors are failures, never a loop', () => {
    expect(readApiVersionsAnswer(answer(0, 35, [[18, 0, 2]]), 0).kind).toBe('failed');
    // a range that is not lower than the version asked cannot help: v0 then
    expect(readApiVersionsAnswer(answer(0, 35, [[18, 0, 3]]), 2)).toMatchObject({ kind: 'retry', version: 0 });
    expect(readApiVersionsAnswer(answer(0, 58, []), 3)).toEqual({
      kind: 'failed',
      reason: 'refused ApiVersions with error 58',
    });
  });
});
