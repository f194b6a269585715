// The admin client on the wire client, against the real in-process broker seen through a proxy that makes it
// look like a cluster of two nodes (test/helpers/cluster-proxy.ts): each request goes where Kafka's
// AdminClient sends it (the controller, a partition's leader, a group's coordinator, every broker) and is sent
// again when the answer says the request went to the wrong node. Results are checked against what kafkajs sees
// on the broker itself.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Admin, Consumer, Producer } from 'kafkajs';
import type { RunningBroker } from '../../src/broker/broker.js';
import type { AdminClient } from '../../src/client/admin.js';
import { createAdminClient } from '../../src/client/wire/admin.js';
import { Cluster } from '../../src/client/wire/cluster.js';
import { WireError } from '../../src/client/wire/errors.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import type { Struct } from '../../src/protocol/schema.js';
import { kafkaFor, startBrokerWithClients, until, type BrokerWithClients } from '../helpers/broker.js';
import { startClusterProxy, type ClusterProxy } from '../helpers/cluster-proxy.js';

const CREATE_TOPICS = 19;
const DELETE_TOPICS = 20;
const CREATE_PARTITIONS = 37;
const LIST_OFFSETS = 2;
const DELETE_RECORDS = 21;
const OFFSET_COMMIT = 8;
const DESCRIBE_GROUPS = 15;
const LIST_GROUPS = 16;

let bed: BrokerWithClients;
let broker: RunningBroker;
let kafkajs: Admin;
let producer: Producer;
let proxy: ClusterProxy;
let cluster: Cluster;
let admin: AdminClient;

beforeAll(async () => {
  bed = await startBrokerWithClients({ inMemory: true, autoCreateTopics: false });
  ({ broker, admin: kafkajs, producer } = bed);
  proxy = await startClusterProxy(broker.port, 2);
  cluster = await Cluster.connect({
    brokers: [proxy.bootstrap],
    clientId: 'evt-admin-test',
    timeoutMs: 5000,
    source: 'test',
  });
  admin = createAdminClient(cluster);
});
afterEach(() => {
  proxy.controller = 1;
  proxy.coordinator = 1;
  proxy.leaderOf = (_topic, partition) => (partition % 2) + 1;
  proxy.requests.length = 0;
});
afterAll(async () => {
  cluster?.close();
  await proxy?.close();
  await bed?.close();
});

/** The partitions each request of an API asked about, with the node it went to. */
function partitionsAsked(apiKey: number): { node: number; partitions: number[] }[] {
  return proxy.requests
    .filter((r) => r.apiKey === apiKey)
    .map((r) => ({
      node: r.node,
      partitions: (r.body.topics as Struct[]).flatMap((t) =>
        (t.partitions as Struct[]).map((p) => p.partitionIndex as number),
      ),
    }));
}

async function refused(p: Promise<unknown>): Promise<WireError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WireError);
  return err as WireError;
}

describe('topics: the controller', () => {
  it('creation, new partitions and deletion go to the controller, and do what they say', async () => {
    proxy.controller = 2;
    expect(await admin.createTopic({ name: 'routed', partitions: 2, configs: { 'retention.ms': '3600000' } })).toBe(
      true,
    );
    expect(await admin.createTopic({ name: 'routed', partitions: 2 })).toBe(false);
    const [created] = (await kafkajs.fetchTopicMetadata({ topics: ['routed'] })).topics;
    expect(created.partitions).toHaveLength(2);
    const configs = await kafkajs.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: 'routed' }] });
    expect(configs.resources[0].configEntries.find((e) => e.configName === 'retention.ms')?.configValue).toBe(
      '3600000',
    );

    await admin.createPartitions('routed', 4);
    const [meta] = await admin.topicMetadata(['routed']);
    expect(meta.partitions.map((p) => [p.partition, p.leader])).toEqual([
      [0, 1],
      [1, 2],
      [2, 1],
      [3, 2],
    ]);

    await admin.deleteTopics(['routed']);
    expect(await kafkajs.listTopics()).not.toContain('routed');
    expect(proxy.nodesFor(CREATE_TOPICS)).toEqual([2, 2]);
    expect(proxy.nodesFor(CREATE_PARTITIONS)).toEqual([2]);
    expect(proxy.nodesFor(DELETE_TOPICS)).toEqual([2]);
  });

  it('NOT_CONTROLLER: the controller is looked up again and the request goes to the new one', async () => {
    proxy.intercept(1, CREATE_TOPICS, (req) => {
      proxy.controller = 2;
      return {
        throttleTimeMs: 0,
        topics: (req.topics as Struct[]).map((t) => ({
          name: t.name,
          errorCode: ErrorCode.NOT_CONTROLLER,
          errorMessage: 'not the controller',
        })),
      };
    });
    expect(await admin.createTopic({ name: 'moved', partitions: 1 })).toBe(true);
    expect(proxy.nodesFor(CREATE_TOPICS)).toEqual([1, 2]);
    expect(await kafkajs.listTopics()).toContain('moved');

    // a deletion the old controller turned away is sent again, to the new one, and only once done
    proxy.intercept(2, DELETE_TOPICS, (req) => {
      proxy.controller = 1;
      return {
        throttleTimeMs: 0,
        // v0-5 name the topics in topicNames, v6 in topics
        responses: [...(req.topicNames as string[]), ...(req.topics as Struct[]).map((t) => t.name as string)].map(
          (name) => ({ name, errorCode: ErrorCode.NOT_CONTROLLER }),
        ),
      };
    });
    await admin.deleteTopics(['moved']);
    expect(proxy.nodesFor(DELETE_TOPICS)).toEqual([2, 1]);
    expect(await kafkajs.listTopics()).not.toContain('moved');
  });

  it("the controller's refusals are one line naming the topic and the cluster's reason", async () => {
    await admin.createTopic({ name: 'three', partitions: 3 });
    const shrink = await refused(admin.createPartitions('three', 2));
    expect(shrink.message).toMatch(/^adding partitions to three: INVALID_PARTITIONS \(.+\)$/);
    const unknown = await refused(admin.deleteTopics(['ghost']));
    expect([unknown.kind, unknown.message]).toEqual(['not-found', 'topic "ghost" not found']);
  });
});

describe("partitions: each one's leader", () => {
  beforeAll(async () => {
    await kafkajs.createTopics({ waitForLeaders: true, topics: [{ topic: 'led', numPartitions: 2 }] });
    await producer.send({
      topic: 'led',
      messages: [0, 1].flatMap((partition) =>
        Array.from({ length: 10 }, (_, i) => ({ partition, value: `${partition}-${i}` })),
      ),
    });
  });

  it('ListOffsets asks each partition of its leader', async () => {
    expect(await admin.topicOffsets('led')).toEqual([
      { partition: 0, low: 0, high: 10 },
      { partition: 1, low: 0, high: 10 },
    ]);
    const asked = partitionsAsked(LIST_OFFSETS);
    expect(asked.length).toBeGreaterThan(0);
    for (const { node, partitions } of asked)
      expect(
        partitions.every((p) => p % 2 === node - 1),
        `node ${node} asked for ${partitions.join(',')}`,
      ).toBe(true);
  });

  it('DeleteRecords goes to the leaders; NOT_LEADER_OR_FOLLOWER sends it again to the leader fresh metadata names', async () => {
    proxy.intercept(2, DELETE_RECORDS, (req) => {
      proxy.leaderOf = () => 1;
      return {
        throttleTimeMs: 0,
        topics: (req.topics as Struct[]).map((t) => ({
          name: t.name,
          partitions: (t.partitions as Struct[]).map((p) => ({
            partitionIndex: p.partitionIndex,
            lowWatermark: -1,
            errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER,
          })),
        })),
      };
    });
    expect(
      await admin.deleteRecords('led', [
        { partition: 0, offset: 4 },
        { partition: 1, offset: 6 },
      ]),
    ).toEqual([
      { partition: 0, low: 4 },
      { partition: 1, low: 6 },
    ]);
    const asked = partitionsAsked(DELETE_RECORDS);
    expect(asked.filter((a) => a.node === 2)).toEqual([{ node: 2, partitions: [1] }]);
    expect(asked.filter((a) => a.node === 1).map((a) => a.partitions)).toEqual(expect.arrayContaining([[0], [1]]));
    const offsets = await kafkajs.fetchTopicOffsets('led');
    expect(offsets.map((o) => [o.partition, o.low]).sort()).toEqual([
      [0, '4'],
      [1, '6'],
    ]);
  });
});

describe("groups: the group's coordinator", () => {
  beforeAll(async () => {
    await kafkajs.createTopics({ waitForLeaders: true, topics: [{ topic: 'grouped', numPartitions: 2 }] });
    await producer.send({
      topic: 'grouped',
      messages: [0, 1].flatMap((partition) => Array.from({ length: 5 }, (_, i) => ({ partition, value: `${i}` }))),
    });
  });

  it('COORDINATOR_LOAD_IN_PROGRESS and NOT_COORDINATOR are retried, the latter at the coordinator found again', async () => {
    proxy.coordinator = 2;
    proxy.intercept(2, OFFSET_COMMIT, (req) => ({
      throttleTimeMs: 0,
      topics: (req.topics as Struct[]).map((t) => ({
        name: t.name,
        partitions: (t.partitions as Struct[]).map((p) => ({
          partitionIndex: p.partitionIndex,
          errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
        })),
      })),
    }));
    await admin.commitOffsets('routed-group', [
      { topic: 'grouped', partition: 0, offset: 3 },
      { topic: 'grouped', partition: 1, offset: 1 },
    ]);
    expect(proxy.nodesFor(OFFSET_COMMIT)).toEqual([2, 2]);
    const [fetched] = await kafkajs.fetchOffsets({ groupId: 'routed-group', topics: ['grouped'] });
    expect(fetched.partitions.map((p) => [p.partition, p.offset]).sort()).toEqual([
      [0, '3'],
      [1, '1'],
    ]);
    expect(await admin.committedOffsets('routed-group')).toEqual([
      { topic: 'grouped', partition: 0, offset: 3 },
      { topic: 'grouped', partition: 1, offset: 1 },
    ]);

    proxy.intercept(2, DESCRIBE_GROUPS, (req) => {
      proxy.coordinator = 1;
      return {
        throttleTimeMs: 0,
        groups: (req.groups as string[]).map((groupId) => ({
          errorCode: ErrorCode.NOT_COORDINATOR,
          groupId,
          groupState: '',
          protocolType: '',
          protocolData: '',
          members: [],
          authorizedOperations: -2147483648,
        })),
      };
    });
    const [described] = await admin.describeGroups(['routed-group']);
    expect(described).toEqual({ groupId: 'routed-group', state: 'Empty', protocolType: '', protocol: '', members: [] });
    expect(proxy.nodesFor(DESCRIBE_GROUPS)).toEqual([2, 1]);
  });

  it('ListGroups asks every broker (each lists the groups it coordinates)', async () => {
    await admin.commitOffsets('listed-group', [{ topic: 'grouped', partition: 0, offset: 1 }]);
    proxy.requests.length = 0;
    expect((await admin.listGroups()).map((g) => g.groupId)).toEqual(
      expect.arrayContaining(['listed-group', 'routed-group']),
    );
    expect(proxy.nodesFor(LIST_GROUPS).sort()).toEqual([1, 2]);
  });

  describe('with a live member', () => {
    let consumer: Consumer;
    beforeAll(async () => {
      consumer = kafkaFor(broker).consumer({ groupId: 'busy', sessionTimeout: 6000, heartbeatInterval: 500 });
      await consumer.connect();
      await consumer.subscribe({ topic: 'grouped', fromBeginning: true });
      await consumer.run({ eachMessage: async () => {} });
      await until(
        async () => (await kafkajs.describeGroups(['busy'])).groups[0].state === 'Stable',
        20_000,
        'a stable group',
      );
    });
    afterAll(async () => {
      await consumer?.disconnect();
    });

    it('describes its members and what they were assigned', async () => {
      const [busy] = await admin.describeGroups(['busy']);
      expect(busy).toMatchObject({
        groupId: 'busy',
        state: 'Stable',
        protocolType: 'consumer',
        protocol: 'RoundRobinAssigner',
      });
      expect(busy.members).toEqual([
        expect.objectContaining({ clientId: 'evt-test', assignments: [{ topic: 'grouped', partitions: [0, 1] }] }),
      ]);
    });

    it('the coordinator refuses to take offsets from outside, or to forget the ones of a topic it consumes', async () => {
      const commit = await refused(admin.commitOffsets('busy', [{ topic: 'grouped', partition: 0, offset: 0 }]));
      expect([commit.kind, commit.message]).toEqual([
        'refused',
        'group busy became active while its offsets were being committed (UNKNOWN_MEMBER_ID); stop its consumers and try again',
      ]);
      const forget = await refused(admin.deleteCommittedOffsets('busy', [{ topic: 'grouped', partition: 0 }]));
      expect([forget.kind, forget.message]).toEqual([
        'refused',
        'group busy consumes grouped: its offsets there can only be deleted once its consumers stop',
      ]);
    });
  });

  it("forgets an inactive group's offsets of some partitions, and deletes groups", async () => {
    await admin.commitOffsets('forgetful', [
      { topic: 'grouped', partition: 0, offset: 2 },
      { topic: 'grouped', partition: 1, offset: 4 },
    ]);
    await admin.deleteCommittedOffsets('forgetful', [{ topic: 'grouped', partition: 0 }]);
    expect(await admin.committedOffsets('forgetful', ['grouped'])).toEqual([
      { topic: 'grouped', partition: 0, offset: null },
      { topic: 'grouped', partition: 1, offset: 4 },
    ]);
    const ghost = await refused(admin.deleteCommittedOffsets('ghost', [{ topic: 'grouped', partition: 0 }]));
    expect([ghost.kind, ghost.message]).toEqual(['not-found', 'group "ghost" not found']);

    expect(await admin.deleteGroups(['forgetful', 'ghost'])).toEqual([
      { groupId: 'forgetful' },
      { groupId: 'ghost', error: 'GROUP_ID_NOT_FOUND' },
    ]);
    expect((await kafkajs.listGroups()).groups.map((g) => g.groupId)).not.toContain('forgetful');
  });
});
