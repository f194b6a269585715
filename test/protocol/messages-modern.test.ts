// Byte fixtures for the Kafka 3.5+ versions evt broker serves (flexible encodings, topic ids, batched
// coordinator keys), which @platformatic/kafka speaks exclusively. Expected bytes are built by hand
// (test/protocol/wire.ts), never with the codec under test; each fixture is encoded and decoded both ways.

import { describe, expect, it } from 'vitest';
import {
  CREATE_TOPICS,
  DELETE_TOPICS,
  FETCH,
  FIND_COORDINATOR,
  INIT_PRODUCER_ID,
  JOIN_GROUP,
  LEAVE_GROUP,
  LIST_OFFSETS,
  METADATA,
  PRODUCE,
  SYNC_GROUP,
} from '../../src/protocol/messages/index.js';
import { ZERO_UUID, type ApiSpec, type Struct } from '../../src/protocol/schema.js';
import { decodeBody, encodeBody, type Kind } from './codec.js';
import { NO_TAGS, bool, carr, cat, cbytes, cstr, i16, i32, i64, i8, tagged, uuid, uvarint } from './wire.js';

const ORDERS_ID = uuid('5f3a9c0e1b2d4e6f8a7b9c0d1e2f3a4b');
const RECORDS = Buffer.from('000000000000000000000031ffffffff02c0ffee00', 'hex');
const INT32_MIN = -2147483648;

/** The object encodes to exactly these bytes, and the bytes decode back to the object. */
function bothWays(spec: ApiSpec, kind: Kind, version: number, obj: Struct, wire: Buffer): void {
  expect(encodeBody(spec, kind, version, obj)).toEqual(wire);
  expect(decodeBody(spec, kind, version, wire)).toEqual(obj);
}

describe('Metadata (3) v10-v12', () => {
  it('request v12: topics by id with a nullable name; no cluster authorized operations', () => {
    const obj = {
      topics: [
        { topicId: ZERO_UUID, name: 'orders' },
        { topicId: ORDERS_ID, name: null },
      ],
      allowAutoTopicCreation: true,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: true,
    };
    const wire = cat(
      carr(2),
      ZERO_UUID,
      cstr('orders'),
      NO_TAGS,
      ORDERS_ID,
      cstr(null),
      NO_TAGS,
      bool(true),
      bool(true),
      NO_TAGS,
    );
    bothWays(METADATA, 'request', 12, obj, wire);
  });

  it('request v10 still carries includeClusterAuthorizedOperations (8-10)', () => {
    const wire = cat(carr(1), ZERO_UUID, cstr('a'), NO_TAGS, bool(false), bool(true), bool(false), NO_TAGS);
    expect(decodeBody(METADATA, 'request', 10, wire)).toEqual({
      topics: [{ topicId: ZERO_UUID, name: 'a' }],
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: true,
      includeTopicAuthorizedOperations: false,
    });
  });

  const answer = {
    throttleTimeMs: 0,
    brokers: [{ nodeId: 1, host: 'localhost', port: 9092, rack: null }],
    clusterId: 'evt',
    controllerId: 1,
    topics: [
      {
        errorCode: 0,
        name: 'orders',
        topicId: ORDERS_ID,
        isInternal: false,
        partitions: [
          {
            errorCode: 0,
            partitionIndex: 0,
            leaderId: 1,
            leaderEpoch: -1,
            replicaNodes: [1],
            isrNodes: [1],
            offlineReplicas: [],
          },
        ],
        topicAuthorizedOperations: INT32_MIN,
      },
    ],
    clusterAuthorizedOperations: INT32_MIN,
  };
  const brokersAndTopic = [
    i32(0),
    carr(1),
    i32(1),
    cstr('localhost'),
    i32(9092),
    cstr(null),
    NO_TAGS,
    cstr('evt'),
    i32(1),
    carr(1),
    i16(0),
    cstr('orders'),
    ORDERS_ID,
    bool(false),
    carr(1),
    i16(0),
    i32(0),
    i32(1),
    i32(-1),
    carr(1),
    i32(1),
    carr(1),
    i32(1),
    carr(0),
    NO_TAGS,
    i32(INT32_MIN),
    NO_TAGS,
  ];

  it('response v12: topic id after the name, leader epoch, authorized operations per topic only', () => {
    const wire = cat(...brokersAndTopic, NO_TAGS);
    bothWays(METADATA, 'response', 12, answer, wire);
  });

  it('response v10 adds the cluster authorized operations; v12 lets a topic have no name', () => {
    const wire = cat(...brokersAndTopic, i32(INT32_MIN), NO_TAGS);
    expect(encodeBody(METADATA, 'response', 10, answer)).toEqual(wire);
    const nameless = { ...answer, topics: [{ ...answer.topics[0], errorCode: 100, name: null, partitions: [] }] };
    const decoded = decodeBody(METADATA, 'response', 12, encodeBody(METADATA, 'response', 12, nameless));
    expect(decoded.topics[0].name).toBeNull();
    expect(decoded.topics[0].errorCode).toBe(100);
  });
});

describe('Fetch (1) v12-v13', () => {
  const partition = {
    partition: 0,
    currentLeaderEpoch: -1,
    fetchOffset: 42,
    lastFetchedEpoch: -1,
    logStartOffset: -1,
    partitionMaxBytes: 1048576,
  };
  const partitionWire = [i32(0), i32(-1), i64(42), i32(-1), i64(-1), i32(1048576), NO_TAGS];
  const head = [i32(-1), i32(500), i32(1), i32(52428800), i8(0), i32(0), i32(-1)];

  it('request v13: topics and forgotten topics by id, the last fetched epoch, a tagged cluster id', () => {
    const obj = {
      clusterId: 'evt',
      replicaId: -1,
      maxWaitMs: 500,
      minBytes: 1,
      maxBytes: 52428800,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [{ topic: '', topicId: ORDERS_ID, partitions: [partition] }],
      forgottenTopicsData: [{ topic: '', topicId: ORDERS_ID, partitions: [1] }],
      rackId: '',
    };
    const wire = cat(
      ...head,
      carr(1),
      ORDERS_ID,
      carr(1),
      ...partitionWire,
      NO_TAGS,
      carr(1),
      ORDERS_ID,
      carr(1),
      i32(1),
      NO_TAGS,
      cstr(''),
      uvarint(1),
      tagged(0, cstr('evt')),
    );
    bothWays(FETCH, 'request', 13, obj, wire);
  });

  it('request v12: topics by name, compact', () => {
    const wire = cat(...head, carr(1), cstr('orders'), carr(1), ...partitionWire, NO_TAGS, carr(0), cstr(''), NO_TAGS);
    const decoded = decodeBody(FETCH, 'request', 12, wire);
    expect(decoded.topics).toEqual([{ topic: 'orders', topicId: ZERO_UUID, partitions: [partition] }]);
    expect(decoded.clusterId).toBeNull();
    expect(encodeBody(FETCH, 'request', 12, decoded)).toEqual(wire);
  });

  it('response v13: the topic id instead of the name, compact records, tagged epochs', () => {
    const obj = {
      throttleTimeMs: 0,
      errorCode: 0,
      sessionId: 0,
      responses: [
        {
          topic: '',
          topicId: ORDERS_ID,
          partitions: [
            {
              partitionIndex: 0,
              errorCode: 0,
              highWatermark: 43,
              lastStableOffset: 43,
              logStartOffset: 0,
              divergingEpoch: { epoch: 3, endOffset: 40 },
              currentLeader: {},
              snapshotId: {},
              abortedTransactions: null,
              preferredReadReplica: -1,
              records: RECORDS,
            },
          ],
        },
      ],
    };
    const wire = cat(
      i32(0),
      i16(0),
      i32(0),
      carr(1),
      ORDERS_ID,
      carr(1),
      i32(0),
      i16(0),
      i64(43),
      i64(43),
      i64(0),
      carr(null),
      i32(-1),
      cbytes(RECORDS),
      uvarint(3),
      tagged(0, cat(i32(3), i64(40), NO_TAGS)),
      tagged(1, cat(i32(-1), i32(-1), NO_TAGS)),
      tagged(2, cat(i64(-1), i32(-1), NO_TAGS)),
      NO_TAGS,
      NO_TAGS,
    );
    expect(encodeBody(FETCH, 'response', 13, obj)).toEqual(wire);
    const decoded = decodeBody(FETCH, 'response', 13, wire);
    expect(decoded.responses[0].topicId).toEqual(ORDERS_ID);
    expect(decoded.responses[0].partitions[0].divergingEpoch).toEqual({ epoch: 3, endOffset: 40 });
    expect(decoded.responses[0].partitions[0].currentLeader).toEqual({ leaderId: -1, leaderEpoch: -1 });
    expect((decoded.responses[0].partitions[0].records as Buffer).equals(RECORDS)).toBe(true);
    // absent tagged fields are not written: what evt broker answers (it keeps no epochs)
    const { divergingEpoch: _d, currentLeader: _c, snapshotId: _s, ...untagged } = obj.responses[0].partitions[0];
    const bare = encodeBody(FETCH, 'response', 13, {
      ...obj,
      responses: [{ ...obj.responses[0], partitions: [untagged] }],
    });
    const tail = cat(cbytes(RECORDS), NO_TAGS, NO_TAGS, NO_TAGS);
    expect(bare.subarray(bare.length - tail.length)).toEqual(tail);
  });
});

describe('FindCoordinator (10) v4', () => {
  it('request: key type, then the batched keys; no single key', () => {
    const wire = cat(i8(0), carr(2), cstr('billing'), cstr('shipping'), NO_TAGS);
    const obj = { key: '', keyType: 0, coordinatorKeys: ['billing', 'shipping'] };
    bothWays(FIND_COORDINATOR, 'request', 4, obj, wire);
    // v3: the single key, compact, no batch
    expect(encodeBody(FIND_COORDINATOR, 'request', 3, { ...obj, key: 'billing' })).toEqual(
      cat(cstr('billing'), i8(0), NO_TAGS),
    );
  });

  it('response: throttle time and one coordinator per key, no top-level coordinator', () => {
    const coordinators = [{ key: 'billing', nodeId: 1, host: 'h', port: 9092, errorCode: 0, errorMessage: null }];
    const obj = { throttleTimeMs: 5, errorCode: 0, errorMessage: null, nodeId: 1, host: 'h', port: 9092, coordinators };
    const wire = cat(
      i32(5),
      carr(1),
      cstr('billing'),
      i32(1),
      cstr('h'),
      i32(9092),
      i16(0),
      cstr(null),
      NO_TAGS,
      NO_TAGS,
    );
    expect(encodeBody(FIND_COORDINATOR, 'response', 4, obj)).toEqual(wire);
    expect(decodeBody(FIND_COORDINATOR, 'response', 4, wire).coordinators).toEqual(coordinators);
  });
});

describe('group APIs, flexible versions', () => {
  it('JoinGroup v9 response: protocol type and name (nullable), skipAssignment after the leader', () => {
    const meta = Buffer.from([0, 1, 2]);
    const obj = {
      throttleTimeMs: 0,
      errorCode: 0,
      generationId: 3,
      protocolType: 'consumer',
      protocolName: 'range',
      leader: 'm-1',
      skipAssignment: false,
      memberId: 'm-1',
      members: [{ memberId: 'm-1', groupInstanceId: 'i-1', metadata: meta }],
    };
    const wire = cat(
      i32(0),
      i16(0),
      i32(3),
      cstr('consumer'),
      cstr('range'),
      cstr('m-1'),
      bool(false),
      cstr('m-1'),
      carr(1),
      cstr('m-1'),
      cstr('i-1'),
      cbytes(meta),
      NO_TAGS,
      NO_TAGS,
    );
    bothWays(JOIN_GROUP, 'response', 9, obj, wire);
    // an error answer names no protocol
    const error = decodeBody(
      JOIN_GROUP,
      'response',
      7,
      encodeBody(JOIN_GROUP, 'response', 7, { ...obj, protocolType: null, protocolName: null }),
    );
    expect([error.protocolType, error.protocolName]).toEqual([null, null]);
  });

  it('JoinGroup v8 request adds a reason at the end', () => {
    const wire = cat(
      cstr('g'),
      i32(10000),
      i32(30000),
      cstr(''),
      cstr(null),
      cstr('consumer'),
      carr(0),
      cstr('rebalance needed'),
      NO_TAGS,
    );
    expect(decodeBody(JOIN_GROUP, 'request', 8, wire).reason).toBe('rebalance needed');
  });

  it('SyncGroup v5: protocol type and name in the request and the answer', () => {
    const request = {
      groupId: 'g',
      generationId: 1,
      memberId: 'm-1',
      groupInstanceId: null,
      protocolType: 'consumer',
      protocolName: 'range',
      assignments: [{ memberId: 'm-1', assignment: Buffer.from([9]) }],
    };
    const requestWire = cat(
      cstr('g'),
      i32(1),
      cstr('m-1'),
      cstr(null),
      cstr('consumer'),
      cstr('range'),
      carr(1),
      cstr('m-1'),
      cbytes(Buffer.from([9])),
      NO_TAGS,
      NO_TAGS,
    );
    bothWays(SYNC_GROUP, 'request', 5, request, requestWire);
    const answer = {
      throttleTimeMs: 0,
      errorCode: 0,
      protocolType: 'consumer',
      protocolName: 'range',
      assignment: Buffer.from([9]),
    };
    const answerWire = cat(i32(0), i16(0), cstr('consumer'), cstr('range'), cbytes(Buffer.from([9])), NO_TAGS);
    bothWays(SYNC_GROUP, 'response', 5, answer, answerWire);
    // v4: flexible, no protocol fields
    expect(encodeBody(SYNC_GROUP, 'response', 4, answer)).toEqual(
      cat(i32(0), i16(0), cbytes(Buffer.from([9])), NO_TAGS),
    );
  });

  it('LeaveGroup v5: each member with a reason', () => {
    const wire = cat(cstr('g'), carr(1), cstr('m-1'), cstr(null), cstr('shutting down'), NO_TAGS, NO_TAGS);
    expect(decodeBody(LEAVE_GROUP, 'request', 5, wire)).toEqual({
      groupId: 'g',
      memberId: '',
      members: [{ memberId: 'm-1', groupInstanceId: null, reason: 'shutting down' }],
    });
  });
});

describe('producer and offsets APIs, flexible versions', () => {
  it('Produce v9 response: record errors and an error message per partition', () => {
    const obj = {
      responses: [
        {
          name: 'orders',
          partitionResponses: [
            {
              index: 0,
              errorCode: 87,
              baseOffset: -1,
              logAppendTimeMs: -1,
              logStartOffset: 0,
              recordErrors: [{ batchIndex: 2, batchIndexErrorMessage: null }],
              errorMessage: 'bad record',
            },
          ],
        },
      ],
      throttleTimeMs: 0,
    };
    const wire = cat(
      carr(1),
      cstr('orders'),
      carr(1),
      i32(0),
      i16(87),
      i64(-1),
      i64(-1),
      i64(0),
      carr(1),
      i32(2),
      cstr(null),
      NO_TAGS,
      cstr('bad record'),
      NO_TAGS,
      NO_TAGS,
      i32(0),
      NO_TAGS,
    );
    bothWays(PRODUCE, 'response', 9, obj, wire);
  });

  it('ListOffsets v6 request: the current leader epoch per partition, compact', () => {
    const wire = cat(
      i32(-1),
      i8(0),
      carr(1),
      cstr('orders'),
      carr(1),
      i32(0),
      i32(-1),
      i64(-2),
      NO_TAGS,
      NO_TAGS,
      NO_TAGS,
    );
    expect(decodeBody(LIST_OFFSETS, 'request', 6, wire)).toEqual({
      replicaId: -1,
      isolationLevel: 0,
      topics: [
        {
          name: 'orders',
          partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -2, maxNumOffsets: 1 }],
        },
      ],
    });
  });

  it('InitProducerId v4 request: the producer id and epoch being re-initialized', () => {
    const wire = cat(cstr(null), i32(60000), i64(1000), i16(3), NO_TAGS);
    expect(decodeBody(INIT_PRODUCER_ID, 'request', 4, wire)).toEqual({
      transactionalId: null,
      transactionTimeoutMs: 60000,
      producerId: 1000,
      producerEpoch: 3,
    });
  });

  it('CreateTopics v7 response: the topic id, partitions, replication factor, configs, tagged config error', () => {
    const obj = {
      throttleTimeMs: 0,
      topics: [
        {
          name: 'orders',
          topicId: ORDERS_ID,
          errorCode: 0,
          errorMessage: null,
          topicConfigErrorCode: 0,
          numPartitions: 3,
          replicationFactor: 1,
          configs: [{ name: 'retention.ms', value: '604800000', readOnly: false, configSource: 5, isSensitive: false }],
        },
      ],
    };
    const config = cat(cstr('retention.ms'), cstr('604800000'), bool(false), i8(5), bool(false), NO_TAGS);
    const created = [i16(0), cstr(null), i32(3), i16(1), carr(1), config];
    const wire = cat(i32(0), carr(1), cstr('orders'), ORDERS_ID, ...created, uvarint(1), tagged(0, i16(0)), NO_TAGS);
    bothWays(CREATE_TOPICS, 'response', 7, obj, wire);
    // v5: the same without the topic id (and here without the tagged config error)
    const { topicConfigErrorCode: _t, ...untagged } = obj.topics[0];
    expect(encodeBody(CREATE_TOPICS, 'response', 5, { ...obj, topics: [untagged] })).toEqual(
      cat(i32(0), carr(1), cstr('orders'), ...created, NO_TAGS, NO_TAGS),
    );
  });
});

describe('DeleteTopics (20) v6', () => {
  it('request: topics by name or by id; answer: each with its id and an error message', () => {
    const request = {
      topics: [
        { name: 'orders', topicId: ZERO_UUID },
        { name: null, topicId: ORDERS_ID },
      ],
      topicNames: [],
      timeoutMs: 30000,
    };
    const requestWire = cat(
      carr(2),
      cstr('orders'),
      ZERO_UUID,
      NO_TAGS,
      cstr(null),
      ORDERS_ID,
      NO_TAGS,
      i32(30000),
      NO_TAGS,
    );
    bothWays(DELETE_TOPICS, 'request', 6, request, requestWire);
    // v5: the names alone
    expect(encodeBody(DELETE_TOPICS, 'request', 5, { ...request, topicNames: ['orders'] })).toEqual(
      cat(carr(1), cstr('orders'), i32(30000), NO_TAGS),
    );
    const answer = {
      throttleTimeMs: 0,
      responses: [{ name: null, topicId: ORDERS_ID, errorCode: 100, errorMessage: 'no such topic id' }],
    };
    const answerWire = cat(
      i32(0),
      carr(1),
      cstr(null),
      ORDERS_ID,
      i16(100),
      cstr('no such topic id'),
      NO_TAGS,
      NO_TAGS,
    );
    bothWays(DELETE_TOPICS, 'response', 6, answer, answerWire);
  });
});
