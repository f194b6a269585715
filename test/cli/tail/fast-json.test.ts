// The fast NDJSON path of `evt tail --json` prints exactly what the general path (toEnvelope + formatJson
// with the auto codec) prints, whenever it answers at all; and it answers for the common cases.

import { describe, expect, it } from 'vitest';
import type { ConsumedRecord } from '../../../src/client/records.js';
import { createValueCodec } from '../../../src/codec/create-codec.js';
import { toEnvelope } from '../../../src/codec/envelope.js';
import { formatJson } from '../../../src/cli/record-format.js';
import { fastJsonLine, isCanonicalJsonContainer, isProvablyNotCanonical } from '../../../src/cli/tail/fast-json.js';

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

const canonical = [
  '{}',
  '[]',
  '{"a":1}',
  '{"id":0,"order":"order-0","status":"CONFIRMED","total":0,"pad":"xxxx"}',
  '[1,-2,3.5,-0.25,0.000001,123456789012345,true,false,null,"s"]',
  '{"nested":{"deep":[{"x":[[]]}]},"e":""}',
  '{"esc":"quote \\" backslash \\\\ nl \\n tab \\t cr \\r bs \\b ff \\f ctl \\u0001 \\u001f"}',
  '{"ünï":"cödé ключ 😀","\u2028":"x"}',
  '{"__proto__":1}',
  '{"a1":1,"1a":2}',
];
const notCanonical = [
  '{ "a":1}',
  '{"a": 1}',
  '{"a":1} ',
  '{"a":1.0}',
  '{"a":1e3}',
  '{"a":1E3}',
  '{"a":-0}',
  '{"a":0.0000001}',
  '{"a":1234567890123456789}',
  '{"a":0.1000000000000000055511151231257827}',
  '{"a":"\\/"}',
  '{"a":"\\u0041"}',
  '{"a":"\\u000a"}',
  '{"a":"\\u001F"}',
  '{"a":1,"a":2}',
  '{"1":1,"b":2}',
  '{"b":1,"0":2}',
  '[01]',
  '{"a":tru}',
  '{"a":1',
  '["a\u0001"]',
  '{"a":1}{"b":2}',
];

// JSON as other writers write it (never canonical, shown as text by auto): Python's json.dumps (spaces, \u
// escapes of non-ASCII), its indent=2, Java's Jackson doubles (25.0, 1.0E10), an escaped slash (PHP)
const foreign = [
  '{"orderId": "o-1", "customer": {"name": "Zo\\u00eb M\\u00fcller"}, "lines": [{"sku": "s-1", "qty": 2, "price": 25.5}], "ok": true, "n": null}',
  '{\n  "a": [\n    1,\n    2\n  ],\n  "b": {\n    "c": "d"\n  }\n}',
  '{"price":25.0,"qty":1}',
  '{"big":1.0E10}',
  '{"amount":12.50}',
  '{"url":"http:\\/\\/x"}',
  '{"a":[1,\t2]}',
  '{"s":"\\u00e9t\\u00e9"}',
];
// what a scan must not call foreign: canonical JSON with look-alikes inside strings, or numbers that are fine
const lookAlikes = ['{"s":"a b\\n 25.0 1E3"}', '{"n":100,"m":0.5,"z":0}', '[10,20.5,0]', '{"u":"\\u0001\\ud83d"}'];

describe('isCanonicalJsonContainer', () => {
  it('accepts exactly what JSON.stringify(JSON.parse(text)) gives back unchanged (for these cases)', () => {
    for (const text of [...canonical, ...notCanonical]) {
      let roundTrips: boolean;
      try {
        roundTrips = JSON.stringify(JSON.parse(text)) === text;
      } catch {
        roundTrips = false;
      }
      const scanned = isCanonicalJsonContainer(Buffer.from(text));
      // the scan may be unsure (false) where a round trip would work, never the other way round
      if (scanned) expect(roundTrips, text).toBe(true);
      if (canonical.includes(text)) expect(scanned, text).toBe(true);
      if (notCanonical.includes(text)) expect(scanned, text).toBe(false);
    }
  });
});

describe('isProvablyNotCanonical', () => {
  it('is true only for bytes that cannot round-trip, and true for JSON as Python, Java and pretty printers write it', () => {
    for (const text of [...canonical, ...notCanonical, ...foreign, ...lookAlikes]) {
      let roundTrips: boolean;
      try {
        roundTrips = JSON.stringify(JSON.parse(text)) === text;
      } catch {
        roundTrips = false;
      }
      if (isProvablyNotCanonical(Buffer.from(text))) expect(roundTrips, text).toBe(false);
    }
    for (const text of foreign) expect(isProvablyNotCanonical(Buffer.from(text)), text).toBe(true);
    for (const text of [...canonical, ...lookAlikes])
      expect(isProvablyNotCanonical(Buffer.from(text)), text).toBe(false);
  });
});

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
