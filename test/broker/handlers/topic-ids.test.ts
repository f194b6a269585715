// Topic ids on the wire, asked with evt's own codec (test/helpers/raw-client.ts): Metadata v10+ answers them
// and v12 takes them instead of names, Fetch v13 and DeleteTopics v6 name topics by id, CreateTopics v7 answers
// the new topic's id, and an id stays the topic's across a broker restart (it is kept in topics.json).

import { afterEach, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../../src/broker/broker.js';
import { encodeBatch } from '../../../src/protocol/records/batch-encoder.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { ZERO_UUID, type Struct } from '../../../src/protocol/schema.js';
import { startTestBroker, tempDir } from '../../helpers/broker.js';
import { RawClient } from '../../helpers/raw-client.js';

let broker: RunningBroker | undefined;
let raw: RawClient | undefined;

afterEach(async () => {
  raw?.close();
  raw = undefined;
  await broker?.close();
  broker = undefined;
});

async function connect(options: Parameters<typeof startTestBroker>[0] = { inMemory: true }): Promise<RawClient> {
  broker = await startTestBroker(options);
  raw = await RawClient.connect(broker.port);
  return raw;
}

const metadata = (client: RawClient, version: number, topics: Array<{ name: string | null; topicId?: Buffer }>) =>
  client.request(3, version, { topics, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });

function fetchById(client: RawClient, topicId: Buffer): Promise<Struct> {
  return client.request(1, 13, {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [{ topicId, partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] }],
    forgottenTopicsData: [],
    rackId: '',
  });
}

const hex = (b: Buffer) => b.toString('hex');

describe('Metadata v10+ topic ids', () => {
  it('answers the id topics.json keeps, and v12 finds a topic by id alone', async () => {
    const client = await connect();
    const created = broker!.state.logs.createTopic('orders', { numPartitions: 2 });
    const byName = await metadata(client, 12, [{ name: 'orders' }]);
    expect(byName.topics[0].errorCode).toBe(0);
    expect(hex(byName.topics[0].topicId)).toBe(created.topicId);
    expect(byName.topics[0].partitions.map((p: Struct) => [p.partitionIndex, p.leaderEpoch])).toEqual([
      [0, -1],
      [1, -1],
    ]);

    const byId = await metadata(client, 12, [{ name: null, topicId: byName.topics[0].topicId }]);
    expect(byId.topics.map((t: Struct) => [t.errorCode, t.name, hex(t.topicId)])).toEqual([
      [0, 'orders', created.topicId],
    ]);

    const unknown = await metadata(client, 12, [{ name: null, topicId: Buffer.alloc(16, 7) }]);
    expect(unknown.topics.map((t: Struct) => [t.errorCode, t.name, hex(t.topicId)])).toEqual([
      [ErrorCode.UNKNOWN_TOPIC_ID, null, hex(ZERO_UUID)],
    ]);
    // v10-11 have ids in answers but no nameless requests (Kafka refuses them)
    const v10 = await metadata(client, 10, [{ name: null, topicId: byName.topics[0].topicId }]);
    expect(v10.topics[0].errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });

  it('answers an unknown topic with the zero id, and no id below v10', async () => {
    const client = await connect();
    const answer = await metadata(client, 11, [{ name: 'nope' }]);
    expect(answer.topics.map((t: Struct) => [t.errorCode, t.name, hex(t.topicId)])).toEqual([
      [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'nope', hex(ZERO_UUID)],
    ]);
    broker!.state.logs.createTopic('orders');
    // v9 has no topic id field: the decoder gives the zero id
    expect(hex((await metadata(client, 9, [{ name: 'orders' }])).topics[0].topicId)).toBe(hex(ZERO_UUID));
  });
});

describe('Fetch v13 names topics by id', () => {
  it('reads the topic an id names, and answers UNKNOWN_TOPIC_ID for an id no topic has', async () => {
    const client = await connect();
    const { topicId } = broker!.state.logs.createTopic('orders');
    const batch = encodeBatch([{ key: Buffer.from('k'), value: Buffer.from('v'), headers: [], timestamp: 1 }]);
    broker!.state.logs.partition('orders', 0)!.append(batch);

    const answer = await fetchById(client, Buffer.from(topicId, 'hex'));
    const [topic] = answer.responses;
    expect(hex(topic.topicId)).toBe(topicId);
    expect(topic.partitions[0].errorCode).toBe(0);
    expect(topic.partitions[0].highWatermark).toBe(1);
    expect((topic.partitions[0].records as Buffer).equals(batch)).toBe(true);

    const unknown = await fetchById(client, Buffer.alloc(16, 9));
    expect(unknown.responses[0].partitions.map((p: Struct) => [p.errorCode, p.records?.length ?? 0])).toEqual([
      [ErrorCode.UNKNOWN_TOPIC_ID, 0],
    ]);
  });
});

describe('topic ids are stable', () => {
  it('CreateTopics v7 answers the id that Metadata and Fetch use, and it survives a restart', async () => {
    const dataDir = tempDir();
    let client = await connect({ dataDir });
    const created = await client.request(19, 7, {
      topics: [{ name: 'orders', numPartitions: 3, replicationFactor: -1, assignments: [], configs: [] }],
      timeoutMs: 1000,
      validateOnly: false,
    });
    const [topic] = created.topics;
    expect([topic.errorCode, topic.numPartitions, topic.replicationFactor]).toEqual([0, 3, 1]);
    expect(topic.configs.find((c: Struct) => c.name === 'retention.ms')).toMatchObject({ readOnly: false });
    const id = hex(topic.topicId);
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(id).not.toBe(hex(ZERO_UUID));
    expect(hex((await metadata(client, 12, [{ name: 'orders' }])).topics[0].topicId)).toBe(id);

    raw!.close();
    await broker!.close();
    client = await connect({ dataDir });
    expect(hex((await metadata(client, 12, [{ name: 'orders' }])).topics[0].topicId)).toBe(id);
    const fetched = await fetchById(client, Buffer.from(id, 'hex'));
    expect(fetched.responses[0].partitions[0].errorCode).toBe(0);
    // a second topic gets an id of its own
    broker!.state.logs.createTopic('payments');
    expect(hex((await metadata(client, 12, [{ name: 'payments' }])).topics[0].topicId)).not.toBe(id);
  });
});

describe('FindCoordinator v4', () => {
  it('answers one coordinator per key asked for', async () => {
    const client = await connect();
    const answer = await client.request(10, 4, { keyType: 0, coordinatorKeys: ['billing', 'shipping'] });
    expect(
      answer.coordinators.map((c: Struct) => [c.key, c.nodeId, c.host, c.port, c.errorCode, c.errorMessage]),
    ).toEqual([
      ['billing', broker!.state.nodeId, '127.0.0.1', broker!.port, 0, null],
      ['shipping', broker!.state.nodeId, '127.0.0.1', broker!.port, 0, null],
    ]);
  });
});

describe('DeleteTopics v6', () => {
  it('deletes a topic named by id, and answers UNKNOWN_TOPIC_ID for an id no topic has', async () => {
    const client = await connect();
    const { topicId } = broker!.state.logs.createTopic('orders');
    const answer = await client.request(20, 6, {
      topics: [
        { name: null, topicId: Buffer.from(topicId, 'hex') },
        { name: null, topicId: Buffer.alloc(16, 3) },
      ],
      timeoutMs: 1000,
    });
    expect(answer.responses.map((r: Struct) => [r.name, hex(r.topicId), r.errorCode])).toEqual([
      ['orders', topicId, 0],
      [null, hex(Buffer.alloc(16, 3)), ErrorCode.UNKNOWN_TOPIC_ID],
    ]);
    expect(broker!.state.logs.topic('orders')).toBeUndefined();
  });
});
