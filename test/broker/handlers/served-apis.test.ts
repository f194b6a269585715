// The APIs ApiVersions advertises are exactly the ones with a handler, and every advertised range serves
// what the three client families need (kafka-protocol-notes.md §1).

import { expect, it } from 'vitest';
import { HANDLERS } from '../../../src/broker/handlers/index.js';
import { API_SPECS } from '../../../src/protocol/messages/index.js';

it('advertises exactly the APIs that have handlers', () => {
  expect([...HANDLERS.keys()].sort((a, b) => a - b)).toEqual(API_SPECS.map((s) => s.apiKey));
});

it('advertises ranges that kafkajs, librdkafka 2.0.2 and kafka-python 2.0.2 can all use', () => {
  const range = (key: number) => {
    const s = API_SPECS.find((x) => x.apiKey === key)!;
    return [s.minVersion, s.maxVersion];
  };
  // librdkafka gates consumer groups on these containing version 0
  for (const key of [10, 11, 12, 13, 14]) expect(range(key)[0]).toBe(0);
  // librdkafka: OffsetFetch and ListOffsets must contain 1; Produce 3 and Fetch 4 for record batch v2, and
  // Produce and Fetch 2 to compress (gzip, snappy, lz4); with api.version.request=false (and older clients)
  // Produce and Fetch from v0
  expect(range(9)[0]).toBeLessThanOrEqual(1);
  expect(range(2)[0]).toBeLessThanOrEqual(1);
  expect(range(0)[0]).toBe(0);
  expect(range(1)[0]).toBe(0);
  // kafka-python sends Metadata v0/v1, JoinGroup v2, OffsetCommit v2, OffsetFetch v1 whatever we advertise
  expect(range(3)[0]).toBe(0);
  expect(range(8)[0]).toBeLessThanOrEqual(2);
  // @platformatic/kafka 1.x implements only Kafka 3.5+ versions (its lowest, per API) and picks the highest
  // advertised one it implements; Fetch v12 it writes wrongly (a topic id as the name), so it needs v13
  const platformaticMin: Record<number, number> = {
    0: 7,
    1: 13,
    2: 5,
    3: 9,
    8: 8,
    9: 8,
    10: 4,
    11: 6,
    12: 4,
    13: 4,
    14: 4,
    18: 3,
    19: 7,
    20: 6,
    21: 2,
    22: 3,
    33: 2,
    42: 2,
  };
  for (const [key, min] of Object.entries(platformaticMin))
    expect(range(Number(key))[1], key).toBeGreaterThanOrEqual(min);
  // kafkajs uses up to these; a lower max is fine, a missing key is a hard error
  const kafkajsKeys = [0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 19, 20, 21, 22, 32, 33, 37, 42];
  for (const key of kafkajsKeys) expect(HANDLERS.has(key)).toBe(true);
});
