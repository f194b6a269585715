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
  44: ['IncrementalAlterConfigs', 1, '1+'],
  47: ['OffsetDelete', 0, 'none'],
  60: ['DescribeCluster', 1, '0+'],
  65: ['DescribeTransactions', 0, '0+'],
  66: ['ListTransactions', 1, '0+'],
};

/** the ranges this broker serves */
const SERVED: Record<number, [number, number]> = {
  0: [0, 9],
  1: [0, 13],
  2: [0, 6],
  3: [0, 12],
  8: [0, 8],
  9: [1, 8],
  10: [0, 4],
  11: [0, 9],
  12: [0, 4],
  13: [0, 5],
  14: [0, 5],
  15: [0, 5],
  16: [0, 5],
  18: [0, 3],
  19: [0, 7],
  20: [0, 6],
  21: [0, 2],
  22: [0, 4],
  24: [0, 3],
  25: [0, 3],
  26: [0, 3],
  28: [0, 3],
  32: [0, 4],
  33: [0, 2],
  37: [0, 1],
  42: [0, 2],
  44: [0, 1],
  47: [0, 0],
  60: [0, 1],
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

  it('serves flexible versions where Kafka 3.5+ clients and the transaction tools need them (@platformatic/kafka speaks only those)', () => {
    const flexible: string[] = [];
    for (const s of API_SPECS)
      for (let v = s.minVersion; v <= s.maxVersion; v++)
        if (inVersions(s.flexibleVersions, v)) flexible.push(`${s.name} v${v}`);
    expect(flexible).toEqual([
      'Produce v9',
      'Fetch v12',
      'Fetch v13',
      'ListOffsets v6',
      'Metadata v9',
      'Metadata v10',
      'Metadata v11',
      'Metadata v12',
      'OffsetCommit v8',
      'OffsetFetch v6',
      'OffsetFetch v7',
      'OffsetFetch v8',
      'FindCoordinator v3',
      'FindCoordinator v4',
      'JoinGroup v6',
      'JoinGroup v7',
      'JoinGroup v8',
      'JoinGroup v9',
      'Heartbeat v4',
      'LeaveGroup v4',
      'LeaveGroup v5',
      'SyncGroup v4',
      'SyncGroup v5',
      'DescribeGroups v5',
      'ListGroups v3',
      'ListGroups v4',
      'ListGroups v5',
      'ApiVersions v3',
      'CreateTopics v5',
      'CreateTopics v6',
      'CreateTopics v7',
      'DeleteTopics v4',
      'DeleteTopics v5',
      'DeleteTopics v6',
      'DeleteRecords v2',
      'InitProducerId v2',
      'InitProducerId v3',
      'InitProducerId v4',
      'AddPartitionsToTxn v3',
      'AddOffsetsToTxn v3',
      'EndTxn v3',
      'TxnOffsetCommit v3',
      'DescribeConfigs v4',
      'AlterConfigs v2',
      'DeleteGroups v2',
      'IncrementalAlterConfigs v1',
      'DescribeCluster v0',
      'DescribeCluster v1',
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
