// The registry of served APIs: keys, version ranges against Kafka's own definitions, and the shape of every
// field description.

import { describe, expect, it } from 'vitest';
import { API_SPECS, specFor } from '../../src/protocol/messages/index.js';
import { inVersions, type Field } from '../../src/protocol/schema.js';

/** apiKey -> [name, Kafka's validVersions max (all start at 0), Kafka's flexibleVersions], from the *Request.json files */
const KAFKA: Record<number, [string, number, string]> = {
  0: ['Produce', 11, '9+'],
  1: ['Fetch', 17, '12+'],
  2: ['ListOffsets', 10, '6+'],
  3: ['Metadata', 12, '9+'],
  8: ['OffsetCommit', 9, '8+'],
  9: ['OffsetFetch', 9, '6+'],
  10: ['FindCoordinator', 6, '3+'],
  11: ['JoinGroup', 9, '6+'],
  12: ['Heartbeat', 4, '4+'],
  13: ['LeaveGroup', 5, '4+'],
  14: ['SyncGroup', 5, '4+'],
  15: ['DescribeGroups', 5, '5+'],
  16: ['ListGroups', 5, '3+'],
  18: ['ApiVersions', 4, '3+'],
  19: ['CreateTopics', 7, '5+'],
  20: ['DeleteTopics', 6, '4+'],
  21: ['DeleteRecords', 2, '2+'],
  22: ['InitProducerId', 5, '2+'],
  24: ['AddPartitionsToTxn', 5, '3+'],
  25: ['AddOffsetsToTxn', 4, '3+'],
  26: ['EndTxn', 5, '3+'],
  28: ['TxnOffsetCommit', 4, '3+'],
  32: ['DescribeConfigs', 4, '4+'],
  33: ['AlterConfigs', 2, '2+'],
  37: ['CreatePartitions', 3, '2+'],
  42: ['DeleteGroups', 2, '2+'],
  47: ['OffsetDelete', 0, 'none'],
  65: ['DescribeTransactions', 0, '0+'],
  66: ['ListTransactions', 1, '0+'],
};

/** the ranges this broker serves */
const SERVED: Record<number, [number, number]> = {
  0: [0, 7],
  1: [0, 11],
  2: [0, 3],
  3: [0, 6],
  8: [0, 7],
  9: [1, 8],
  10: [0, 2],
  11: [0, 5],
  12: [0, 3],
  13: [0, 3],
  14: [0, 3],
  15: [0, 5],
  16: [0, 5],
  18: [0, 3],
  19: [0, 4],
  20: [0, 3],
  21: [0, 1],
  22: [0, 1],
  24: [0, 3],
  25: [0, 3],
  26: [0, 3],
  28: [0, 3],
  32: [0, 2],
  33: [0, 1],
  37: [0, 1],
  42: [0, 1],
  47: [0, 0],
  65: [0, 0],
  66: [0, 1],
};

const RANGE = /^(none|\d+\+|\d+|\d+-\d+)$/;
const SCALARS = new Set([
  'int8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'float64',
  'bool',
  'string',
  'bytes',
  'records',
  'uuid',
]);

function checkFields(fields: Field[], where: string, maxVersion: number): void {
  const names = new Set<string>();
  const tags = new Set<number>();
  for (const f of fields) {
    const at = `${where}.${f.name}`;
    expect(f.name, at).toMatch(/^[a-z][A-Za-z0-9]*$/);
    expect(names.has(f.name), `${at} duplicated`).toBe(false);
    names.add(f.name);
    expect(f.versions, at).toMatch(RANGE);
    // every described field exists in some version we could serve (fields of higher versions are omitted)
    const first = Number(/^\d+/.exec(f.versions)![0]);
    expect(first, `${at} starts above the max served version`).toBeLessThanOrEqual(maxVersion);
    if (f.nullableVersions !== undefined) {
      expect(f.nullableVersions, at).toMatch(RANGE);
      expect(
        f.type === 'string' || f.type === 'bytes' || f.type === 'records' || f.type.startsWith('[]'),
        `${at} nullable type`,
      ).toBe(true);
    }
    if (f.tag !== undefined || f.taggedVersions !== undefined) {
      expect(f.tag, at).toBeTypeOf('number');
      expect(f.taggedVersions, at).toMatch(RANGE);
      expect(tags.has(f.tag!), `${at} tag reused`).toBe(false);
      tags.add(f.tag!);
    }
    if (f.type === '[]' || f.type === '{}') {
      expect(f.fields?.length, `${at} needs fields`).toBeGreaterThan(0);
      checkFields(f.fields!, at, maxVersion);
    } else {
      expect(f.fields, `${at} scalar with fields`).toBeUndefined();
      const scalar = f.type.startsWith('[]') ? f.type.slice(2) : f.type;
      expect(SCALARS.has(scalar), `${at} type ${f.type}`).toBe(true);
    }
  }
}

describe('API_SPECS', () => {
  it('has unique keys, sorted by apiKey, exactly the served set', () => {
    const keys = API_SPECS.map((s) => s.apiKey);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toEqual([...keys].sort((a, b) => a - b));
    expect(keys).toEqual(Object.keys(SERVED).map(Number));
  });

  it("serves the agreed ranges, inside Kafka's valid versions, with Kafka's names and flexible versions", () => {
    for (const spec of API_SPECS) {
      const [name, kafkaMax, flexible] = KAFKA[spec.apiKey];
      expect(spec.name).toBe(name);
      expect([spec.minVersion, spec.maxVersion], spec.name).toEqual(SERVED[spec.apiKey]);
      expect(spec.minVersion).toBeGreaterThanOrEqual(0);
      expect(spec.minVersion).toBeLessThanOrEqual(spec.maxVersion);
      expect(spec.maxVersion).toBeLessThanOrEqual(kafkaMax);
      expect(spec.flexibleVersions, spec.name).toBe(flexible);
    }
  });

  it('serves flexible versions only where the group and transaction tools need them, and ApiVersions v3', () => {
    const flexible: string[] = [];
    for (const s of API_SPECS)
      for (let v = s.minVersion; v <= s.maxVersion; v++)
        if (inVersions(s.flexibleVersions, v)) flexible.push(`${s.name} v${v}`);
    expect(flexible).toEqual([
      'OffsetFetch v6',
      'OffsetFetch v7',
      'OffsetFetch v8',
      'DescribeGroups v5',
      'ListGroups v3',
      'ListGroups v4',
      'ListGroups v5',
      'ApiVersions v3',
      'AddPartitionsToTxn v3',
      'AddOffsetsToTxn v3',
      'EndTxn v3',
      'TxnOffsetCommit v3',
      'DescribeTransactions v0',
      'ListTransactions v0',
      'ListTransactions v1',
    ]);
  });

  it('describes every field well-formed', () => {
    for (const spec of API_SPECS) {
      checkFields(spec.request, `${spec.name}Request`, spec.maxVersion);
      checkFields(spec.response, `${spec.name}Response`, spec.maxVersion);
    }
  });

  it('specFor finds each spec by key and nothing else', () => {
    for (const spec of API_SPECS) expect(specFor(spec.apiKey)).toBe(spec);
    for (const k of [-1, 4, 5, 17, 23, 48, 1000]) expect(specFor(k)).toBeUndefined();
  });
});
