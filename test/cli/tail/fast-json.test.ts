// The fast NDJSON path of `evt tail --json` prints exactly what the general path (toEnvelope + formatJson
// with the auto codec) prints, whenever it answers at all; and it answers for the common cases.

import { describe, expect, it } from 'vitest';
import type { ConsumedRecord } from '../../../src/client/records.js';
import { createValueCodec } from '../../../src/codec/create-codec.js';
import { toEnvelope } from '../../../src/codec/envelope.js';
import { formatJson } from '../../../src/cli/record-format.js';
import { fastJsonLine } from '../../../src/cli/tail/fast-json.js';
import { canonical, foreign, lookAlikes, notCanonical } from '../../helpers/json-samples.js';

const auto = await createValueCodec('auto');
const general = (r: ConsumedRecord) => formatJson(toEnvelope(r, auto));

function record(value: Buffer | string | null, extra: Partial<ConsumedRecord> = {}): ConsumedRecord {
  return {
    topic: 'orders',
    partition: 2,
    offset: 41,
    timestamp: 1_700_000_000_123,
    key: null,
    headers: [],
    value: typeof value === 'string' ? Buffer.from(value) : value,
    ...extra,
  };
}

describe('fastJsonLine', () => {
  const cases: ConsumedRecord[] = [
    ...foreign.map((t) => record(t)),
    ...lookAlikes.map((t) => record(t)),
    ...canonical.map((t) => record(t)),
    ...notCanonical.map((t) => record(t)),
    record(null),
    record(''),
    record('plain text'),
    record('text with "quotes" and \\ and \t and ünïcödé'),
    record('{not json'),
    record('[1, 2]'),
    record(Buffer.from([0xef, 0xbb, 0xbf, 0x68, 0x69])), // a byte order mark
    record(Buffer.from([0, 1, 2, 255])),
    record(Buffer.from([0xc3, 0x28, 0x7b])),
    record(Buffer.from([0xef, 0xbb, 0xbf, 0xff])), // a byte order mark, then not UTF-8
    record('v', { key: Buffer.from('order-1') }),
    record('v', { key: Buffer.from('kéy "quoted"') }),
    record('v', { key: Buffer.from([0xff, 0xfe]) }),
    record('v', { key: Buffer.alloc(0) }),
    record('{"a":1}', {
      headers: [
        { key: 'evt-event-type', value: Buffer.from('OrderPlaced') },
        { key: 'n', value: null },
      ],
    }),
    record('{"a":1}', {
      headers: [
        { key: 'dup', value: Buffer.from('1') },
        { key: 'dup', value: Buffer.from('2') },
        { key: 'dup', value: null },
      ],
    }),
    record('{"a":1}', { headers: [{ key: 'bin', value: Buffer.from([0xff]) }] }),
    record('{"a":1}', {
      headers: [
        { key: '0', value: Buffer.from('x') },
        { key: 'b', value: Buffer.from('y') },
      ],
    }),
    record('x', { topic: 'tópico "q"', partition: 0, offset: 0, timestamp: -1 }),
    record('x', { offset: 9_007_199_254_740_000, timestamp: 0 }),
  ];

  it('prints what the general path prints, byte for byte', () => {
    let answered = 0;
    for (const r of cases) {
      const fast = fastJsonLine(r);
      if (fast === undefined) continue;
      answered++;
      expect(fast, general(r)).toBe(general(r));
    }
    expect(answered).toBeGreaterThan(canonical.length + 8);
  });

  it('answers for canonical JSON, text, null values, text keys and plain headers', () => {
    for (const r of [
      ...foreign.map((t) => record(t)),
      record(Buffer.from([0, 1, 2, 255])), // binary, as base64
      record(Buffer.from([0xc3, 0x28, 0x7b])), // invalid UTF-8
      record(canonical[3]),
      record('plain'),
      record(null),
      record('v', { key: Buffer.from('k') }),
      cases[cases.length - 6],
      cases[cases.length - 5],
    ]) {
      expect(fastJsonLine(r)).toBeDefined();
    }
  });

  it('agrees with the general path on many generated values', () => {
    const pieces = ['{"a":', '1', '-1.5', '"s"', '[', ']', ',', '}', 'true', 'null', '"ü"', '"\\n"', '0.1', '{}', ' '];
    let seed = 7;
    const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    for (let i = 0; i < 5000; i++) {
      let text = rand(2) ? '{"k":' : '[';
      for (let j = rand(6); j > 0; j--) text += pieces[rand(pieces.length)];
      text += text.startsWith('{') ? '}' : ']';
      const r = record(text);
      const fast = fastJsonLine(r);
      if (fast !== undefined) expect(fast, text).toBe(general(r));
    }
  });
});
