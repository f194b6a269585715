// Byte fixtures that pin the message descriptions to Kafka's wire grammar. Expected bytes are built by hand
// (test/protocol/wire.ts, plain Buffer writes), never with the codec under test.

import { describe, expect, it } from 'vitest';
import { Writer } from '../../src/protocol/primitives.js';
import { encodeStruct, ZERO_UUID } from '../../src/protocol/schema.js';
import {
  API_VERSIONS,
  CREATE_TOPICS,
  DESCRIBE_CONFIGS,
  FETCH,
  JOIN_GROUP,
  LIST_GROUPS,
  LIST_OFFSETS,
  METADATA,
  OFFSET_COMMIT,
  OFFSET_FETCH,
  PRODUCE,
} from '../../src/protocol/messages/index.js';
import { decodeBody, encodeBody } from './codec.js';
import { NO_TAGS, arr, bool, bytes, carr, cat, cstr, i16, i32, i64, i8, str, tagged, uvarint } from './wire.js';

/** A stand-in for a record batch: the codec must carry it untouched. */
const RECORDS = Buffer.from('000000000000000000000031ffffffff02c0ffee00', 'hex');

describe('wire helpers (sanity: the fixtures themselves)', () => {
  it('build the textbook encodings', () => {
    expect(str('ab').toString('hex')).toBe('00026162');
    expect(str(null).toString('hex')).toBe('ffff');
    expect(cstr('ab').toString('hex')).toBe('036162');
    expect(cstr(null).toString('hex')).toBe('00');
    expect(uvarint(300).toString('hex')).toBe('ac02');
    expect(carr(2).toString('hex')).toBe('03');
    expect(bytes(null).toString('hex')).toBe('ffffffff');
  });
});

describe('ApiVersions (18)', () => {
  it('request v0 is an empty body', () => {
    expect(encodeBody(API_VERSIONS, 'request', 0, {}).length).toBe(0);
    // fields of later versions are not written
    expect(encodeBody(API_VERSIONS, 'request', 0, { clientSoftwareName: 'x', clientSoftwareVersion: 'y' }).length).toBe(
      0,
    );
    expect(decodeBody(API_VERSIONS, 'request', 0, Buffer.alloc(0))).toEqual({
      clientSoftwareName: '',
      clientSoftwareVersion: '',
    });
  });

  it('request v3: compact strings and a tagged-field section', () => {
    const expected = cat(cstr('kafkajs'), cstr('2.2.4'), NO_TAGS);
    expect(expected.toString('hex')).toBe('086b61666b616a7306322e322e3400');
    const obj = { clientSoftwareName: 'kafkajs', clientSoftwareVersion: '2.2.4' };
    expect(encodeBody(API_VERSIONS, 'request', 3, obj)).toEqual(expected);
    expect(decodeBody(API_VERSIONS, 'request', 3, expected)).toEqual(obj);
  });

  it('request v3 skips unknown tagged fields', () => {
    const wire = cat(cstr('librdkafka'), cstr('2.0.2'), uvarint(1), tagged(7, Buffer.from([1, 2, 3])));
    expect(decodeBody(API_VERSIONS, 'request', 3, wire)).toEqual({
      clientSoftwareName: 'librdkafka',
      clientSoftwareVersion: '2.0.2',
    });
  });

  const apiKeys = [
    { apiKey: 0, minVersion: 3, maxVersion: 7 },
    { apiKey: 18, minVersion: 0, maxVersion: 3 },
  ];

  it('response v0: error code and an int32-counted array, no throttle time', () => {
    const expected = cat(i16(0), arr(2), i16(0), i16(3), i16(7), i16(18), i16(0), i16(3));
    expect(encodeBody(API_VERSIONS, 'response', 0, { errorCode: 0, apiKeys, throttleTimeMs: 99 })).toEqual(expected);
    const decoded = decodeBody(API_VERSIONS, 'response', 0, expected);
    expect(decoded.errorCode).toBe(0);
    expect(decoded.apiKeys).toEqual(apiKeys);
  });

  it('response v1: throttle time after the array', () => {
    const expected = cat(i16(35), arr(0), i32(12));
    expect(encodeBody(API_VERSIONS, 'response', 1, { errorCode: 35, apiKeys: [], throttleTimeMs: 12 })).toEqual(
      expected,
    );
  });

  it('response v3 body: compact array, per-entry tagged sections, body tagged section', () => {
    const expected = cat(
      i16(0),
      carr(2),
      i16(0),
      i16(3),
      i16(7),
      NO_TAGS,
      i16(18),
      i16(0),
      i16(3),
      NO_TAGS,
      i32(0),
      NO_TAGS,
    );
    expect(encodeBody(API_VERSIONS, 'response', 3, { errorCode: 0, apiKeys, throttleTimeMs: 0 })).toEqual(expected);
    expect(decodeBody(API_VERSIONS, 'response', 3, expected)).toEqual({
      errorCode: 0,
      apiKeys,
      throttleTimeMs: 0,
      // absent tagged fields take Kafka's defaults
      supportedFeatures: [],
      finalizedFeaturesEpoch: -1,
      finalizedFeatures: [],
      zkMigrationReady: false,
    });
  });

  it('response v3 body with tagged fields, written in tag order', () => {
    const obj = {
      errorCode: 0,
      apiKeys: [],
      throttleTimeMs: 0,
      zkMigrationReady: true,
      finalizedFeaturesEpoch: 5,
      supportedFeatures: [{ name: 'metadata.version', minVersion: 1, maxVersion: 20 }],
    };
    const expected = cat(
      i16(0),
      carr(0),
      i32(0),
      uvarint(3),
      tagged(0, cat(carr(1), cstr('metadata.version'), i16(1), i16(20), NO_TAGS)),
      tagged(1, i64(5)),
      tagged(3, bool(true)),
    );
    expect(encodeBody(API_VERSIONS, 'response', 3, obj)).toEqual(expected);
    expect(decodeBody(API_VERSIONS, 'response', 3, expected)).toEqual({ ...obj, finalizedFeatures: [] });
  });
});

describe('Metadata (3)', () => {
  it('request v0: a plain (non-nullable) array of topics', () => {
    const expected = cat(arr(1), str('orders'));
    expect(encodeBody(METADATA, 'request', 0, { topics: [{ name: 'orders' }] })).toEqual(expected);
    expect(decodeBody(METADATA, 'request', 0, expected)).toEqual({
      topics: [{ topicId: ZERO_UUID, name: 'orders' }],
      allowAutoTopicCreation: true,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
    // v0 cannot express null: "all topics" is the empty array
    expect(encodeBody(METADATA, 'request', 0, { topics: null })).toEqual(arr(0));
    expect(() => decodeBody(METADATA, 'request', 0, i32(-1))).toThrow();
  });

  it('request v1: a null array means all topics, an empty one none', () => {
    expect(encodeBody(METADATA, 'request', 1, { topics: null })).toEqual(i32(-1));
    expect(decodeBody(METADATA, 'request', 1, i32(-1)).topics).toBeNull();
    expect(encodeBody(METADATA, 'request', 1, { topics: [] })).toEqual(arr(0));
    expect(decodeBody(METADATA, 'request', 1, arr(0)).topics).toEqual([]);
    const two = cat(arr(2), str('a'), str('b'));
    expect(decodeBody(METADATA, 'request', 1, two).topics).toEqual([
      { topicId: ZERO_UUID, name: 'a' },
      { topicId: ZERO_UUID, name: 'b' },
    ]);
  });

  it('request v4 adds allowAutoTopicCreation (default true)', () => {
    expect(encodeBody(METADATA, 'request', 4, { topics: null, allowAutoTopicCreation: false })).toEqual(
      cat(i32(-1), bool(false)),
    );
    expect(encodeBody(METADATA, 'request', 4, { topics: null })).toEqual(cat(i32(-1), bool(true)));
  });

  it('response v1: rack, controllerId, isInternal; no clusterId or throttle time', () => {
    const obj = {
      throttleTimeMs: 7, // v3+
      brokers: [{ nodeId: 1, host: 'localhost', port: 9092, rack: null }],
      clusterId: 'ignored-in-v1', // v2+
      controllerId: 1,
      topics: [
        {
          errorCode: 0,
          name: 'orders',
          topicId: ZERO_UUID, // v10+
          isInternal: false,
          partitions: [
            { errorCode: 0, partitionIndex: 0, leaderId: 1, replicaNodes: [1], isrNodes: [1], offlineReplicas: [1] },
          ],
        },
      ],
    };
    const expected = cat(
      arr(1),
      i32(1),
      str('localhost'),
      i32(9092),
      str(null),
      i32(1),
      arr(1),
      i16(0),
      str('orders'),
      bool(false),
      arr(1),
      i16(0),
      i32(0),
      i32(1),
      arr(1),
      i32(1),
      arr(1),
      i32(1),
    );
    expect(encodeBody(METADATA, 'response', 1, obj)).toEqual(expected);
    const decoded = decodeBody(METADATA, 'response', 1, expected);
    expect(decoded.brokers).toEqual([{ nodeId: 1, host: 'localhost', port: 9092, rack: null }]);
    expect(decoded.controllerId).toBe(1);
    expect(decoded.clusterId).toBeNull();
    expect(decoded.topics[0].name).toBe('orders');
    expect(decoded.topics[0].partitions[0]).toEqual({
      errorCode: 0,
      partitionIndex: 0,
      leaderId: 1,
      leaderEpoch: -1,
      replicaNodes: [1],
      isrNodes: [1],
      offlineReplicas: [],
    });
  });

  it('response v0 has none of the v1 fields; v5 adds offlineReplicas, v3 throttle first', () => {
    const v0 = cat(arr(1), i32(1), str('h'), i32(9092), arr(0));
    expect(
      encodeBody(METADATA, 'response', 0, {
        brokers: [{ nodeId: 1, host: 'h', port: 9092, rack: 'r' }],
        controllerId: 1,
        topics: [],
      }),
    ).toEqual(v0);
    const v5 = cat(
      i32(0),
      arr(0),
      str('cluster'),
      i32(1),
      arr(1),
      i16(0),
      str('t'),
      bool(true),
      arr(1),
      i16(0),
      i32(2),
      i32(1),
      arr(0),
      arr(0),
      arr(1),
      i32(1),
    );
    const obj5 = {
      throttleTimeMs: 0,
      brokers: [],
      clusterId: 'cluster',
      controllerId: 1,
      topics: [
        {
          errorCode: 0,
          name: 't',
          topicId: ZERO_UUID,
          isInternal: true,
          partitions: [
            {
              errorCode: 0,
              partitionIndex: 2,
              leaderId: 1,
              leaderEpoch: -1,
              replicaNodes: [],
              isrNodes: [],
              offlineReplicas: [1],
            },
          ],
          topicAuthorizedOperations: -2147483648,
        },
      ],
    };
    expect(encodeBody(METADATA, 'response', 5, obj5)).toEqual(v5);
    expect(decodeBody(METADATA, 'response', 5, v5)).toEqual({ ...obj5, clusterAuthorizedOperations: -2147483648 });
  });
});

describe('Produce (0)', () => {
  it('request v3 with a small records payload', () => {
    const obj = {
      transactionalId: null,
      acks: -1,
      timeoutMs: 30000,
      topicData: [{ name: 'orders', partitionData: [{ index: 0, records: RECORDS }] }],
    };
    const expected = cat(str(null), i16(-1), i32(30000), arr(1), str('orders'), arr(1), i32(0), bytes(RECORDS));
    expect(encodeBody(PRODUCE, 'request', 3, obj)).toEqual(expected);
    const decoded = decodeBody(PRODUCE, 'request', 3, expected);
    expect(decoded).toEqual(obj);
    const rec: Buffer = decoded.topicData[0].partitionData[0].records;
    expect(Buffer.isBuffer(rec)).toBe(true);
    expect(rec.equals(RECORDS)).toBe(true);
    // an omitted transactionalId is Kafka's default, null
    const { transactionalId: _omit, ...rest } = obj;
    expect(encodeBody(PRODUCE, 'request', 3, rest)).toEqual(expected);
    // a transactional producer
    const txn = cat(str('tx-1'), i16(1), i32(5), arr(0));
    expect(decodeBody(PRODUCE, 'request', 3, txn)).toEqual({
      transactionalId: 'tx-1',
      acks: 1,
      timeoutMs: 5,
      topicData: [],
    });
  });

  it('request v3: a null records field decodes as null', () => {
    const wire = cat(str(null), i16(1), i32(1), arr(1), str('t'), arr(1), i32(2), bytes(null));
    expect(decodeBody(PRODUCE, 'request', 3, wire).topicData[0].partitionData[0]).toEqual({ index: 2, records: null });
  });

  it('large records are written by reference (zero copy)', () => {
    const big = Buffer.alloc(64 * 1024, 7);
    const w = new Writer();
    encodeStruct(
      w,
      PRODUCE.request,
      { acks: 1, timeoutMs: 1, topicData: [{ name: 't', partitionData: [{ index: 0, records: big }] }] },
      3,
      false,
    );
    expect(w.toChunks().some((c) => c === big)).toBe(true);
    expect(w.length).toBe(2 + 2 + 4 + 4 + 3 + 4 + 4 + 4 + big.length);
  });

  it('response v2 adds logAppendTimeMs, v5 logStartOffset (both default -1), throttle time last', () => {
    const part = { index: 1, errorCode: 0, baseOffset: 100 };
    const obj = { responses: [{ name: 'orders', partitionResponses: [part] }], throttleTimeMs: 0 };
    expect(encodeBody(PRODUCE, 'response', 3, obj)).toEqual(
      cat(arr(1), str('orders'), arr(1), i32(1), i16(0), i64(100), i64(-1), i32(0)),
    );
    expect(encodeBody(PRODUCE, 'response', 7, obj)).toEqual(
      cat(arr(1), str('orders'), arr(1), i32(1), i16(0), i64(100), i64(-1), i64(-1), i32(0)),
    );
    const full = {
      responses: [{ name: 'o', partitionResponses: [{ ...part, logAppendTimeMs: 1700000000000, logStartOffset: 5 }] }],
      throttleTimeMs: 3,
    };
    const wire = cat(arr(1), str('o'), arr(1), i32(1), i16(0), i64(100), i64(1700000000000), i64(5), i32(3));
    expect(encodeBody(PRODUCE, 'response', 5, full)).toEqual(wire);
    const v8Defaults = { recordErrors: [], errorMessage: null };
    expect(decodeBody(PRODUCE, 'response', 5, wire)).toEqual({
      ...full,
      responses: [{ name: 'o', partitionResponses: [{ ...full.responses[0].partitionResponses[0], ...v8Defaults }] }],
    });
  });
});

describe('Fetch (1)', () => {
  it('request v4: isolation level, no log start offset or session fields', () => {
    const obj = {
      replicaId: -1,
      maxWaitMs: 500,
      minBytes: 1,
      maxBytes: 52428800,
      isolationLevel: 1,
      topics: [{ topic: 'orders', partitions: [{ partition: 0, fetchOffset: 42, partitionMaxBytes: 1048576 }] }],
    };
    const wire = cat(
      i32(-1),
      i32(500),
      i32(1),
      i32(52428800),
      i8(1),
      arr(1),
      str('orders'),
      arr(1),
      i32(0),
      i64(42),
      i32(1048576),
    );
    expect(encodeBody(FETCH, 'request', 4, obj)).toEqual(wire);
    const decoded = decodeBody(FETCH, 'request', 4, wire);
    expect(decoded.topics).toEqual([
      {
        topic: 'orders',
        partitions: [
          {
            partition: 0,
            currentLeaderEpoch: -1,
            fetchOffset: 42,
            lastFetchedEpoch: -1,
            logStartOffset: -1,
            partitionMaxBytes: 1048576,
          },
        ],
        topicId: ZERO_UUID,
      },
    ]);
    expect(decoded.sessionEpoch).toBe(-1);
    expect(decoded.forgottenTopicsData).toEqual([]);
    expect(decoded.rackId).toBe('');
  });

  it('request v11: sessions, leader epoch, forgotten topics, rack id', () => {
    const wire = cat(
      i32(-1),
      i32(500),
      i32(1),
      i32(0x7fffffff),
      i8(0),
      i32(0),
      i32(-1),
      arr(1),
      str('orders'),
      arr(1),
      i32(3),
      i32(7),
      i64(42),
      i64(-1),
      i32(1048576),
      arr(1),
      str('old'),
      arr(2),
      i32(0),
      i32(1),
      str('rack-a'),
    );
    const decoded = decodeBody(FETCH, 'request', 11, wire);
    expect(decoded).toEqual({
      clusterId: null,
      replicaId: -1,
      maxWaitMs: 500,
      minBytes: 1,
      maxBytes: 0x7fffffff,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic: 'orders',
          topicId: ZERO_UUID,
          partitions: [
            {
              partition: 3,
              currentLeaderEpoch: 7,
              fetchOffset: 42,
              lastFetchedEpoch: -1,
              logStartOffset: -1,
              partitionMaxBytes: 1048576,
            },
          ],
        },
      ],
      forgottenTopicsData: [{ topic: 'old', topicId: ZERO_UUID, partitions: [0, 1] }],
      rackId: 'rack-a',
    });
    expect(encodeBody(FETCH, 'request', 11, decoded)).toEqual(wire);
  });

  it('response v4 for one partition with records', () => {
    const obj = {
      throttleTimeMs: 0,
      responses: [
        {
          topic: 'orders',
          partitions: [
            {
              partitionIndex: 0,
              errorCode: 0,
              highWatermark: 42,
              lastStableOffset: 42,
              abortedTransactions: [],
              records: RECORDS,
            },
          ],
        },
      ],
    };
    const expected = cat(
      i32(0),
      arr(1),
      str('orders'),
      arr(1),
      i32(0),
      i16(0),
      i64(42),
      i64(42),
      arr(0),
      bytes(RECORDS),
    );
    expect(encodeBody(FETCH, 'response', 4, obj)).toEqual(expected);
    const decoded = decodeBody(FETCH, 'response', 4, expected);
    const p = decoded.responses[0].partitions[0];
    expect(decoded.responses[0].topic).toBe('orders');
    expect(p.highWatermark).toBe(42);
    expect(p.lastStableOffset).toBe(42);
    expect(p.abortedTransactions).toEqual([]);
    expect((p.records as Buffer).equals(RECORDS)).toBe(true);
    // abortedTransactions is nullable
    const withNull = cat(
      i32(0),
      arr(1),
      str('orders'),
      arr(1),
      i32(0),
      i16(0),
      i64(42),
      i64(42),
      i32(-1),
      bytes(RECORDS),
    );
    expect(decodeBody(FETCH, 'response', 4, withNull).responses[0].partitions[0].abortedTransactions).toBeNull();
    const nullObj = {
      ...obj,
      responses: [{ topic: 'orders', partitions: [{ ...obj.responses[0].partitions[0], abortedTransactions: null }] }],
    };
    expect(encodeBody(FETCH, 'response', 4, nullObj)).toEqual(withNull);
  });

  it('response v11 for one partition with records', () => {
    const obj = {
      throttleTimeMs: 0,
      errorCode: 0,
      sessionId: 0,
      responses: [
        {
          topic: 'orders',
          partitions: [
            {
              partitionIndex: 0,
              errorCode: 0,
              highWatermark: 42,
              lastStableOffset: 40,
              logStartOffset: 0,
              abortedTransactions: [{ producerId: 7, firstOffset: 40 }],
              preferredReadReplica: -1,
              records: RECORDS,
            },
          ],
        },
      ],
    };
    const expected = cat(
      i32(0),
      i16(0),
      i32(0),
      arr(1),
      str('orders'),
      arr(1),
      i32(0),
      i16(0),
      i64(42),
      i64(40),
      i64(0),
      arr(1),
      i64(7),
      i64(40),
      i32(-1),
      bytes(RECORDS),
    );
    expect(
      encodeBody(FETCH, 'response', 11, { ...obj, responses: [{ ...obj.responses[0], topicId: ZERO_UUID }] }),
    ).toEqual(expected);
    // the tagged fields of v12+ take their defaults
    const tagDefaults = {
      divergingEpoch: {},
      currentLeader: {},
      snapshotId: {},
    };
    expect(decodeBody(FETCH, 'response', 11, expected)).toEqual({
      ...obj,
      responses: [
        {
          ...obj.responses[0],
          topicId: ZERO_UUID,
          partitions: [{ ...obj.responses[0].partitions[0], ...tagDefaults }],
        },
      ],
    });
  });

  it("response v11: omitted fields take Kafka's defaults (-1), null records are sent as empty", () => {
    const obj = {
      responses: [{ topic: 't', partitions: [{ partitionIndex: 2, errorCode: 1, highWatermark: 9, records: null }] }],
    };
    const expected = cat(
      i32(0),
      i16(0),
      i32(0),
      arr(1),
      str('t'),
      arr(1),
      i32(2),
      i16(1),
      i64(9),
      i64(-1),
      i64(-1),
      arr(0),
      i32(-1),
      i32(0),
    );
    expect(encodeBody(FETCH, 'response', 11, obj)).toEqual(expected);
  });
});

describe('JoinGroup (11)', () => {
  const meta = cat(i16(0), arr(1), str('orders'), bytes(null));

  it('request v5: rebalance timeout and groupInstanceId', () => {
    const obj = {
      groupId: 'g1',
      sessionTimeoutMs: 30000,
      rebalanceTimeoutMs: 60000,
      memberId: '',
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: meta }],
    };
    const expected = cat(
      str('g1'),
      i32(30000),
      i32(60000),
      str(''),
      str(null),
      str('consumer'),
      arr(1),
      str('range'),
      bytes(meta),
    );
    expect(encodeBody(JOIN_GROUP, 'request', 5, obj)).toEqual(expected);
    expect(decodeBody(JOIN_GROUP, 'request', 5, expected)).toEqual({ ...obj, reason: null });
    const staticMember = cat(str('g1'), i32(30000), i32(60000), str('m-1'), str('instance-1'), str('consumer'), arr(0));
    expect(decodeBody(JOIN_GROUP, 'request', 5, staticMember).groupInstanceId).toBe('instance-1');
  });

  it('request v0 has no rebalanceTimeoutMs', () => {
    const wire = cat(str('g1'), i32(10000), str(''), str('consumer'), arr(1), str('range'), bytes(meta));
    const decoded = decodeBody(JOIN_GROUP, 'request', 0, wire);
    expect(decoded.sessionTimeoutMs).toBe(10000);
    expect(decoded.rebalanceTimeoutMs).toBe(-1);
    expect(decoded.protocols[0].name).toBe('range');
    expect((decoded.protocols[0].metadata as Buffer).equals(meta)).toBe(true);
  });

  it('response v5: members carry groupInstanceId', () => {
    const obj = {
      throttleTimeMs: 0,
      errorCode: 0,
      generationId: 1,
      protocolName: 'range',
      leader: 'm1',
      memberId: 'm1',
      members: [{ memberId: 'm1', groupInstanceId: null, metadata: meta }],
    };
    const expected = cat(
      i32(0),
      i16(0),
      i32(1),
      str('range'),
      str('m1'),
      str('m1'),
      arr(1),
      str('m1'),
      str(null),
      bytes(meta),
    );
    expect(encodeBody(JOIN_GROUP, 'response', 5, obj)).toEqual(expected);
    expect(decodeBody(JOIN_GROUP, 'response', 5, expected)).toEqual({
      ...obj,
      protocolType: null,
      skipAssignment: false,
    });
    // v1: no throttle time, no groupInstanceId
    expect(encodeBody(JOIN_GROUP, 'response', 1, obj)).toEqual(
      cat(i16(0), i32(1), str('range'), str('m1'), str('m1'), arr(1), str('m1'), bytes(meta)),
    );
  });
});

describe('OffsetFetch (9)', () => {
  it('response v5: leader epoch per partition, top-level error code after the topics', () => {
    const obj = {
      throttleTimeMs: 0,
      topics: [
        {
          name: 'orders',
          partitions: [
            { partitionIndex: 0, committedOffset: 17, committedLeaderEpoch: -1, metadata: '', errorCode: 0 },
            { partitionIndex: 1, committedOffset: -1, committedLeaderEpoch: 4, metadata: null, errorCode: 0 },
          ],
        },
      ],
      errorCode: 0,
      groups: [],
    };
    const expected = cat(
      i32(0),
      arr(1),
      str('orders'),
      arr(2),
      i32(0),
      i64(17),
      i32(-1),
      str(''),
      i16(0),
      i32(1),
      i64(-1),
      i32(4),
      str(null),
      i16(0),
      i16(0),
    );
    expect(encodeBody(OFFSET_FETCH, 'response', 5, obj)).toEqual(expected);
    expect(decodeBody(OFFSET_FETCH, 'response', 5, expected)).toEqual(obj);
  });

  it('response v1 has only the topics; v2 adds the trailing error code', () => {
    const topics = [
      { name: 't', partitions: [{ partitionIndex: 0, committedOffset: 3, metadata: 'm', errorCode: 0 }] },
    ];
    expect(encodeBody(OFFSET_FETCH, 'response', 1, { topics, errorCode: 16, throttleTimeMs: 1 })).toEqual(
      cat(arr(1), str('t'), arr(1), i32(0), i64(3), str('m'), i16(0)),
    );
    expect(encodeBody(OFFSET_FETCH, 'response', 2, { topics, errorCode: 16, throttleTimeMs: 1 })).toEqual(
      cat(arr(1), str('t'), arr(1), i32(0), i64(3), str('m'), i16(0), i16(16)),
    );
  });

  it('request: topics nullable from v2 (null = all topics)', () => {
    const absent = { groups: [], requireStable: false };
    expect(decodeBody(OFFSET_FETCH, 'request', 2, cat(str('g'), i32(-1)))).toEqual({
      groupId: 'g',
      topics: null,
      ...absent,
    });
    expect(() => decodeBody(OFFSET_FETCH, 'request', 1, cat(str('g'), i32(-1)))).toThrow();
    const wire = cat(str('g'), arr(1), str('orders'), arr(2), i32(0), i32(1));
    expect(decodeBody(OFFSET_FETCH, 'request', 1, wire)).toEqual({
      groupId: 'g',
      topics: [{ name: 'orders', partitionIndexes: [0, 1] }],
      ...absent,
    });
  });

  it('request v8: several groups, each with its topics or null (every topic), then requireStable', () => {
    const obj = {
      groupId: '',
      topics: [],
      groups: [
        { groupId: 'g1', topics: [{ name: 'orders', partitionIndexes: [0, 1] }] },
        { groupId: 'g2', topics: null },
      ],
      requireStable: true,
    };
    const expected = cat(
      carr(2),
      cstr('g1'),
      carr(1),
      cstr('orders'),
      carr(2),
      i32(0),
      i32(1),
      NO_TAGS,
      NO_TAGS,
      cstr('g2'),
      carr(null),
      NO_TAGS,
      bool(true),
      NO_TAGS,
    );
    expect(encodeBody(OFFSET_FETCH, 'request', 8, obj)).toEqual(expected);
    expect(decodeBody(OFFSET_FETCH, 'request', 8, expected)).toEqual(obj);
  });

  it('response v8: per group its topics and its own error code; no top-level topics or error code', () => {
    const obj = {
      throttleTimeMs: 0,
      topics: [],
      errorCode: 0,
      groups: [
        {
          groupId: 'g1',
          topics: [
            {
              name: 'orders',
              partitions: [
                { partitionIndex: 1, committedOffset: 42, committedLeaderEpoch: -1, metadata: 'm', errorCode: 0 },
              ],
            },
          ],
          errorCode: 0,
        },
        { groupId: 'g2', topics: [], errorCode: 16 },
      ],
    };
    const expected = cat(
      i32(0),
      carr(2),
      cstr('g1'),
      carr(1),
      cstr('orders'),
      carr(1),
      i32(1),
      i64(42),
      i32(-1),
      cstr('m'),
      i16(0),
      NO_TAGS,
      NO_TAGS,
      i16(0),
      NO_TAGS,
      cstr('g2'),
      carr(0),
      i16(16),
      NO_TAGS,
      NO_TAGS,
    );
    expect(encodeBody(OFFSET_FETCH, 'response', 8, obj)).toEqual(expected);
    expect(decodeBody(OFFSET_FETCH, 'response', 8, expected)).toEqual(obj);
  });
});

describe('ListGroups (16)', () => {
  it('request v4 has the states filter, v5 the types filter too', () => {
    const v4 = cat(carr(2), cstr('Stable'), cstr('Empty'), NO_TAGS);
    expect(encodeBody(LIST_GROUPS, 'request', 4, { statesFilter: ['Stable', 'Empty'] })).toEqual(v4);
    expect(decodeBody(LIST_GROUPS, 'request', 4, v4)).toEqual({ statesFilter: ['Stable', 'Empty'], typesFilter: [] });
    const v5 = cat(carr(0), carr(1), cstr('classic'), NO_TAGS);
    expect(decodeBody(LIST_GROUPS, 'request', 5, v5)).toEqual({ statesFilter: [], typesFilter: ['classic'] });
    expect(encodeBody(LIST_GROUPS, 'request', 2, { statesFilter: ['Stable'] })).toEqual(Buffer.alloc(0));
  });

  it('response v4 lists each group with its state, v5 with its type', () => {
    const group = { groupId: 'billing', protocolType: 'consumer', groupState: 'Stable', groupType: 'classic' };
    const obj = { throttleTimeMs: 0, errorCode: 0, groups: [group] };
    const head = cat(i32(0), i16(0), carr(1), cstr('billing'), cstr('consumer'), cstr('Stable'));
    expect(encodeBody(LIST_GROUPS, 'response', 4, obj)).toEqual(cat(head, NO_TAGS, NO_TAGS));
    expect(encodeBody(LIST_GROUPS, 'response', 5, obj)).toEqual(cat(head, cstr('classic'), NO_TAGS, NO_TAGS));
    expect(decodeBody(LIST_GROUPS, 'response', 5, cat(head, cstr('classic'), NO_TAGS, NO_TAGS))).toEqual(obj);
    expect(encodeBody(LIST_GROUPS, 'response', 2, obj)).toEqual(
      cat(i32(0), i16(0), arr(1), str('billing'), str('consumer')),
    );
  });
});

describe('ListOffsets (2)', () => {
  it('request v1: no maxNumOffsets, no isolation level', () => {
    const obj = { replicaId: -1, topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, timestamp: -1 }] }] };
    const expected = cat(i32(-1), arr(1), str('orders'), arr(1), i32(0), i64(-1));
    expect(encodeBody(LIST_OFFSETS, 'request', 1, obj)).toEqual(expected);
    const decoded = decodeBody(LIST_OFFSETS, 'request', 1, expected);
    expect(decoded.replicaId).toBe(-1);
    expect(decoded.topics[0].name).toBe('orders');
    expect(decoded.topics[0].partitions[0].partitionIndex).toBe(0);
    expect(decoded.topics[0].partitions[0].timestamp).toBe(-1);
  });

  it('request v0 has maxNumOffsets (default 1), v2 adds isolationLevel', () => {
    const v0 = cat(i32(-1), arr(1), str('orders'), arr(1), i32(0), i64(-2), i32(1));
    expect(
      encodeBody(LIST_OFFSETS, 'request', 0, {
        replicaId: -1,
        topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, timestamp: -2 }] }],
      }),
    ).toEqual(v0);
    expect(decodeBody(LIST_OFFSETS, 'request', 0, v0).topics[0].partitions[0]).toEqual({
      partitionIndex: 0,
      currentLeaderEpoch: -1,
      timestamp: -2,
      maxNumOffsets: 1,
    });
    const v2 = cat(i32(-1), i8(1), arr(0));
    expect(decodeBody(LIST_OFFSETS, 'request', 2, v2)).toEqual({ replicaId: -1, isolationLevel: 1, topics: [] });
  });

  it('response v0 has oldStyleOffsets; v1 timestamp+offset; v2 throttle time', () => {
    const part = { partitionIndex: 0, errorCode: 0, oldStyleOffsets: [42], timestamp: -1, offset: 42 };
    const obj = { throttleTimeMs: 0, topics: [{ name: 'orders', partitions: [part] }] };
    const v0 = cat(arr(1), str('orders'), arr(1), i32(0), i16(0), arr(1), i64(42));
    expect(encodeBody(LIST_OFFSETS, 'response', 0, obj)).toEqual(v0);
    expect(decodeBody(LIST_OFFSETS, 'response', 0, v0).topics[0].partitions[0].oldStyleOffsets).toEqual([42]);
    expect(encodeBody(LIST_OFFSETS, 'response', 1, obj)).toEqual(
      cat(arr(1), str('orders'), arr(1), i32(0), i16(0), i64(-1), i64(42)),
    );
    expect(encodeBody(LIST_OFFSETS, 'response', 2, obj)).toEqual(
      cat(i32(0), arr(1), str('orders'), arr(1), i32(0), i16(0), i64(-1), i64(42)),
    );
  });
});

describe('OffsetCommit (8) version quirks', () => {
  const part = {
    partitionIndex: 0,
    committedOffset: 10,
    committedLeaderEpoch: 3,
    commitTimestamp: 1700000000000,
    committedMetadata: 'meta',
  };
  const obj = {
    groupId: 'g',
    generationIdOrMemberEpoch: 3,
    memberId: 'm',
    groupInstanceId: null,
    retentionTimeMs: -1,
    topics: [{ name: 'orders', partitions: [part] }],
  };

  it('v0: group id and offsets only', () => {
    expect(encodeBody(OFFSET_COMMIT, 'request', 0, obj)).toEqual(
      cat(str('g'), arr(1), str('orders'), arr(1), i32(0), i64(10), str('meta')),
    );
  });
  it('v1: generation, member id and a per-partition commitTimestamp', () => {
    const wire = cat(
      str('g'),
      i32(3),
      str('m'),
      arr(1),
      str('orders'),
      arr(1),
      i32(0),
      i64(10),
      i64(1700000000000),
      str('meta'),
    );
    expect(encodeBody(OFFSET_COMMIT, 'request', 1, obj)).toEqual(wire);
    expect(decodeBody(OFFSET_COMMIT, 'request', 1, wire).topics[0].partitions[0].commitTimestamp).toBe(1700000000000);
  });
  it('v2-v4: retentionTimeMs, no commitTimestamp', () => {
    const wire = cat(str('g'), i32(3), str('m'), i64(-1), arr(1), str('orders'), arr(1), i32(0), i64(10), str('meta'));
    for (const v of [2, 3, 4]) expect(encodeBody(OFFSET_COMMIT, 'request', v, obj)).toEqual(wire);
    const decoded = decodeBody(OFFSET_COMMIT, 'request', 2, wire);
    expect(decoded.retentionTimeMs).toBe(-1);
    expect(decoded.topics[0].partitions[0].commitTimestamp).toBe(-1);
  });
  it('v5 drops retention; v6 adds committedLeaderEpoch; v7 groupInstanceId', () => {
    expect(encodeBody(OFFSET_COMMIT, 'request', 5, obj)).toEqual(
      cat(str('g'), i32(3), str('m'), arr(1), str('orders'), arr(1), i32(0), i64(10), str('meta')),
    );
    expect(encodeBody(OFFSET_COMMIT, 'request', 6, obj)).toEqual(
      cat(str('g'), i32(3), str('m'), arr(1), str('orders'), arr(1), i32(0), i64(10), i32(3), str('meta')),
    );
    const v7 = cat(
      str('g'),
      i32(3),
      str('m'),
      str(null),
      arr(1),
      str('orders'),
      arr(1),
      i32(0),
      i64(10),
      i32(3),
      str(null),
    );
    const decoded = decodeBody(OFFSET_COMMIT, 'request', 7, v7);
    expect(decoded.groupInstanceId).toBeNull();
    expect(decoded.topics[0].partitions[0].committedMetadata).toBeNull();
  });
  it('response: throttle time from v3', () => {
    const res = { throttleTimeMs: 0, topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, errorCode: 25 }] }] };
    expect(encodeBody(OFFSET_COMMIT, 'response', 2, res)).toEqual(cat(arr(1), str('orders'), arr(1), i32(0), i16(25)));
    expect(encodeBody(OFFSET_COMMIT, 'response', 3, res)).toEqual(
      cat(i32(0), arr(1), str('orders'), arr(1), i32(0), i16(25)),
    );
  });
});

describe('DescribeConfigs (32): v0 isDefault vs v1+ configSource and synonyms', () => {
  const config = {
    name: 'retention.ms',
    value: '604800000',
    readOnly: false,
    isDefault: true,
    configSource: 5,
    isSensitive: false,
    synonyms: [{ name: 'log.retention.ms', value: null, source: 5 }],
  };
  const res = {
    throttleTimeMs: 0,
    results: [{ errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 'orders', configs: [config] }],
  };
  const head = cat(
    i32(0),
    arr(1),
    i16(0),
    str(null),
    i8(2),
    str('orders'),
    arr(1),
    str('retention.ms'),
    str('604800000'),
    bool(false),
  );

  it('response v0', () => {
    const wire = cat(head, bool(true), bool(false));
    expect(encodeBody(DESCRIBE_CONFIGS, 'response', 0, res)).toEqual(wire);
    const c = decodeBody(DESCRIBE_CONFIGS, 'response', 0, wire).results[0].configs[0];
    expect(c.isDefault).toBe(true);
    expect(c.configSource).toBe(-1);
    expect(c.synonyms).toEqual([]);
  });
  it('response v1', () => {
    const wire = cat(head, i8(5), bool(false), arr(1), str('log.retention.ms'), str(null), i8(5));
    expect(encodeBody(DESCRIBE_CONFIGS, 'response', 1, res)).toEqual(wire);
    const c = decodeBody(DESCRIBE_CONFIGS, 'response', 1, wire).results[0].configs[0];
    expect(c.configSource).toBe(5);
    expect(c.synonyms).toEqual(config.synonyms);
  });
  it('request: configurationKeys nullable, includeSynonyms from v1', () => {
    expect(decodeBody(DESCRIBE_CONFIGS, 'request', 0, cat(arr(1), i8(2), str('orders'), i32(-1)))).toEqual({
      resources: [{ resourceType: 2, resourceName: 'orders', configurationKeys: null }],
      includeSynonyms: false,
      includeDocumentation: false,
    });
    const v1 = cat(arr(1), i8(4), str('0'), arr(1), str('num.partitions'), bool(true));
    expect(decodeBody(DESCRIBE_CONFIGS, 'request', 1, v1)).toEqual({
      resources: [{ resourceType: 4, resourceName: '0', configurationKeys: ['num.partitions'] }],
      includeSynonyms: true,
      includeDocumentation: false,
    });
    expect(decodeBody(DESCRIBE_CONFIGS, 'request', 3, cat(v1, bool(true))).includeDocumentation).toBe(true);
  });
  it('response v3: configType and documentation after the synonyms', () => {
    const documented = {
      ...res,
      results: [{ ...res.results[0], configs: [{ ...config, configType: 5, documentation: 'how long' }] }],
    };
    const wire = cat(
      head,
      i8(5),
      bool(false),
      arr(1),
      str('log.retention.ms'),
      str(null),
      i8(5),
      i8(5),
      str('how long'),
    );
    expect(encodeBody(DESCRIBE_CONFIGS, 'response', 3, documented)).toEqual(wire);
    expect(decodeBody(DESCRIBE_CONFIGS, 'response', 3, wire).results[0].configs[0]).toMatchObject({
      configType: 5,
      documentation: 'how long',
    });
  });
});

describe('CreateTopics (19) v0-v4', () => {
  it('request v0 (no validateOnly) and v1', () => {
    const obj = {
      topics: [
        {
          name: 't',
          numPartitions: 3,
          replicationFactor: 1,
          assignments: [],
          configs: [{ name: 'cleanup.policy', value: 'compact' }],
        },
      ],
      timeoutMs: 5000,
      validateOnly: true,
    };
    const body = cat(
      arr(1),
      str('t'),
      i32(3),
      i16(1),
      arr(0),
      arr(1),
      str('cleanup.policy'),
      str('compact'),
      i32(5000),
    );
    expect(encodeBody(CREATE_TOPICS, 'request', 0, obj)).toEqual(body);
    expect(encodeBody(CREATE_TOPICS, 'request', 1, obj)).toEqual(cat(body, bool(true)));
    expect(decodeBody(CREATE_TOPICS, 'request', 4, cat(body, bool(true)))).toEqual(obj);
    const assigned = cat(
      arr(1),
      str('t'),
      i32(-1),
      i16(-1),
      arr(1),
      i32(0),
      arr(1),
      i32(1),
      arr(0),
      i32(60000),
      bool(false),
    );
    expect(decodeBody(CREATE_TOPICS, 'request', 4, assigned).topics[0].assignments).toEqual([
      { partitionIndex: 0, brokerIds: [1] },
    ]);
  });
  it('response: errorMessage from v1, throttle time from v2', () => {
    const res = { throttleTimeMs: 0, topics: [{ name: 't', errorCode: 36, errorMessage: 'exists' }] };
    expect(encodeBody(CREATE_TOPICS, 'response', 0, res)).toEqual(cat(arr(1), str('t'), i16(36)));
    expect(encodeBody(CREATE_TOPICS, 'response', 1, res)).toEqual(cat(arr(1), str('t'), i16(36), str('exists')));
    expect(encodeBody(CREATE_TOPICS, 'response', 2, res)).toEqual(
      cat(i32(0), arr(1), str('t'), i16(36), str('exists')),
    );
    expect(encodeBody(CREATE_TOPICS, 'response', 4, { ...res, topics: [{ name: 't', errorCode: 0 }] })).toEqual(
      cat(i32(0), arr(1), str('t'), i16(0), str(null)),
    );
  });
});
