// Manual replica assignments in CreateTopics and CreatePartitions (kafkajs' replicaAssignment and
// assignments), checked as Kafka's controller checks them: unknown brokers, a broker twice, inconsistent
// replica counts, gaps in the partition numbers and a count that does not match are
// INVALID_REPLICA_ASSIGNMENT, and nothing is created.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Admin } from 'kafkajs';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { startBrokerWithClients, type BrokerWithClients } from '../../helpers/broker.js';
import { RawClient } from '../../helpers/raw-client.js';

let bed: BrokerWithClients;
let admin: Admin;
let raw: RawClient;

beforeAll(async () => {
  bed = await startBrokerWithClients({ inMemory: true });
  admin = bed.admin;
  raw = await RawClient.connect(bed.broker.port);
});
afterAll(async () => {
  raw?.close();
  await bed?.close();
});

async function createWith(assignments: { partitionIndex: number; brokerIds: number[] }[], numPartitions = -1) {
  const answer = await raw.request(19, 4, {
    topics: [{ name: 'assigned', numPartitions, replicationFactor: -1, assignments, configs: [] }],
    timeoutMs: 1000,
    validateOnly: false,
  });
  return { code: answer.topics[0].errorCode, message: answer.topics[0].errorMessage };
}

async function growWith(count: number, assignments: { brokerIds: number[] }[] | null) {
  const answer = await raw.request(37, 1, {
    topics: [{ name: 'grown', count, assignments }],
    timeoutMs: 1000,
    validateOnly: false,
  });
  return { code: answer.results[0].errorCode, message: answer.results[0].errorMessage };
}

const refused = (message: string) => ({ code: ErrorCode.INVALID_REPLICA_ASSIGNMENT, message });

describe('CreateTopics', () => {
  it('refuses assignments Kafka refuses, creating nothing', async () => {
    expect(await createWith([{ partitionIndex: 0, brokerIds: [2] }])).toEqual(
      refused('The manual partition assignment includes broker 2, but no such broker is registered.'),
    );
    expect(await createWith([{ partitionIndex: 0, brokerIds: [1, 1] }])).toEqual(
      refused('The manual partition assignment includes the broker 1 more than once.'),
    );
    expect(await createWith([{ partitionIndex: 0, brokerIds: [] }])).toEqual(
      refused('The manual partition assignment includes an empty replica list.'),
    );
    expect(
      await createWith([
        { partitionIndex: 0, brokerIds: [1] },
        { partitionIndex: 0, brokerIds: [1] },
      ]),
    ).toEqual(refused('Found multiple manual partition assignments for partition 0'));
    expect(
      await createWith([
        { partitionIndex: 0, brokerIds: [1] },
        { partitionIndex: 2, brokerIds: [1] },
      ]),
    ).toEqual(refused('partitions should be a consecutive 0-based integer sequence'));
    expect(await createWith([{ partitionIndex: 0, brokerIds: [1] }], 1)).toEqual({
      code: ErrorCode.INVALID_REQUEST,
      message: 'A manual partition assignment was specified, but numPartitions was not set to -1.',
    });
    expect(await admin.listTopics()).not.toContain('assigned');
  });

  it('creates the topic from a valid assignment (kafkajs replicaAssignment), one partition per entry', async () => {
    await expect(
      admin.createTopics({ topics: [{ topic: 'bad-kjs', replicaAssignment: [{ partition: 0, replicas: [1, 3] }] }] }),
    ).rejects.toMatchObject({ errors: [expect.objectContaining({ type: 'INVALID_REPLICA_ASSIGNMENT' })] });
    expect(
      await admin.createTopics({
        topics: [
          {
            topic: 'good-kjs',
            replicaAssignment: [
              { partition: 1, replicas: [1] },
              { partition: 0, replicas: [1] },
            ],
          },
        ],
      }),
    ).toBe(true);
    const md = await admin.fetchTopicMetadata({ topics: ['good-kjs'] });
    expect(md.topics[0].partitions).toHaveLength(2);
    expect(await admin.listTopics()).not.toContain('bad-kjs');
  });
});

describe('CreatePartitions', () => {
  it('checks the assignments of the new partitions against the brokers and the existing replica count', async () => {
    await admin.createTopics({ topics: [{ topic: 'grown', numPartitions: 1 }] });
    expect(await growWith(3, [{ brokerIds: [1] }])).toEqual(
      refused('Attempted to add 2 additional partition(s), but only 1 assignment(s) were specified.'),
    );
    expect(await growWith(2, [{ brokerIds: [5] }])).toEqual(
      refused('The manual partition assignment includes broker 5, but no such broker is registered.'),
    );
    expect(await growWith(2, [{ brokerIds: [1, 1] }])).toEqual(
      refused('The manual partition assignment includes the broker 1 more than once.'),
    );
    await expect(
      admin.createPartitions({ topicPartitions: [{ topic: 'grown', count: 2, assignments: [[4]] }] }),
    ).rejects.toThrow();
    let md = await admin.fetchTopicMetadata({ topics: ['grown'] });
    expect(md.topics[0].partitions).toHaveLength(1);

    expect(await growWith(3, [{ brokerIds: [1] }, { brokerIds: [1] }])).toEqual({ code: 0, message: null });
    await admin.createPartitions({ topicPartitions: [{ topic: 'grown', count: 4, assignments: [[1]] }] });
    await admin.createPartitions({ topicPartitions: [{ topic: 'grown', count: 5 }] });
    md = await admin.fetchTopicMetadata({ topics: ['grown'] });
    expect(md.topics[0].partitions).toHaveLength(5);
  });
});
