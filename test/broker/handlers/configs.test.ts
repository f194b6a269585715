// Topic and broker configs on evt broker: every standard topic config of Kafka 3.9 created and described
// (kafkajs: createTopics with configEntries, describeConfigs with includeSynonyms), bad values refused with
// the config and the value named, IncrementalAlterConfigs (SET, DELETE, APPEND, SUBTRACT, validate_only) and
// DescribeConfigs v3-4 through evt's codec (kafkajs and Debian's confluent-kafka 1.7 have no incremental
// API), broker configs described read-only and refused on alter.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Admin } from 'kafkajs';
import type { RunningBroker } from '../../../src/broker/broker.js';
import { TOPIC_CONFIG_DEFS } from '../../../src/broker/log/topic-config-defs.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { startBrokerWithClients, type BrokerWithClients } from '../../helpers/broker.js';
import { RawClient } from '../../helpers/raw-client.js';

const TOPIC = 2;
const BROKER = 4;
const DYNAMIC_TOPIC_CONFIG = 1;
const STATIC_BROKER_CONFIG = 4;
const DEFAULT_CONFIG = 5;

/** A value other than the default for every standard config, and how the broker describes it back. */
const CUSTOM: Record<string, [given: string, described: string]> = {
  'cleanup.policy': ['compact, delete', 'compact,delete'],
  'compression.gzip.level': ['6', '6'],
  'compression.lz4.level': ['12', '12'],
  'compression.type': ['zstd', 'zstd'],
  'compression.zstd.level': ['-5', '-5'],
  'delete.retention.ms': ['3600000', '3600000'],
  'file.delete.delay.ms': ['1000', '1000'],
  'flush.messages': ['10000', '10000'],
  'flush.ms': ['1000', '1000'],
  'follower.replication.throttled.replicas': ['0:1,1:1', '0:1,1:1'],
  'index.interval.bytes': ['8192', '8192'],
  'leader.replication.throttled.replicas': ['*', '*'],
  'local.retention.bytes': ['1000000', '1000000'],
  'local.retention.ms': ['60000', '60000'],
  'max.compaction.lag.ms': ['86400000', '86400000'],
  'max.message.bytes': ['2097152', '2097152'],
  'message.downconversion.enable': ['FALSE', 'false'],
  'message.format.version': ['2.8', '2.8'],
  'message.timestamp.after.max.ms': ['3600000', '3600000'],
  'message.timestamp.before.max.ms': ['86400000', '86400000'],
  'message.timestamp.difference.max.ms': ['86400000', '86400000'],
  'message.timestamp.type': ['LogAppendTime', 'LogAppendTime'],
  'min.cleanable.dirty.ratio': ['0.10', '0.1'],
  'min.compaction.lag.ms': ['60000', '60000'],
  'min.insync.replicas': ['1', '1'],
  preallocate: ['true', 'true'],
  'remote.log.copy.disable': ['true', 'true'],
  'remote.log.delete.on.disable': ['true', 'true'],
  'remote.storage.enable': ['false', 'false'],
  'retention.bytes': ['-5', '-5'],
  'retention.ms': ['-1', '-1'],
  'segment.bytes': ['1048576', '1048576'],
  'segment.index.bytes': ['4096', '4096'],
  'segment.jitter.ms': ['1000', '1000'],
  'segment.ms': ['3600000', '3600000'],
  'unclean.leader.election.enable': ['true', 'true'],
};

let bed: BrokerWithClients;
let broker: RunningBroker;
let admin: Admin;
let raw: RawClient;

beforeAll(async () => {
  // the broker sets retention.ms (as `evt broker --retention 1h` does): a STATIC_BROKER_CONFIG
  bed = await startBrokerWithClients({ inMemory: true, retentionMs: 3_600_000 });
  ({ broker, admin } = bed);
  raw = await RawClient.connect(broker.port);
});
afterAll(async () => {
  raw?.close();
  await bed?.close();
});

async function describeTopic(name: string, includeSynonyms = true) {
  const res = await admin.describeConfigs({ resources: [{ type: TOPIC, name }], includeSynonyms });
  return Object.fromEntries(res.resources[0].configEntries.map((c) => [c.configName, c]));
}

/** The error code and message of one resource in an answer of evt's codec. */
async function alterOne(apiKey: number, version: number, resource: object, validateOnly = false) {
  const answer = await raw.request(apiKey, version, { resources: [resource], validateOnly });
  const r = answer.responses[0];
  return { code: r.errorCode as number, message: r.errorMessage as string | null };
}

const incremental = (name: string, configs: { name: string; configOperation: number; value: string | null }[]) =>
  alterOne(44, 1, { resourceType: TOPIC, resourceName: name, configs });

describe('topic configs', () => {
  it('lists every standard config (and only those) so that the test below covers them all', () => {
    expect(Object.keys(CUSTOM).sort()).toEqual(TOPIC_CONFIG_DEFS.map((d) => d.name).sort());
  });

  it('creates a topic with every standard config and describes each as a topic override, with its synonyms', async () => {
    await admin.createTopics({
      topics: [
        {
          topic: 'every-config',
          configEntries: Object.entries(CUSTOM).map(([name, [value]]) => ({ name, value })),
        },
      ],
    });
    const described = await describeTopic('every-config');
    expect(Object.keys(described).sort()).toEqual(Object.keys(CUSTOM).sort());
    for (const [name, [, value]] of Object.entries(CUSTOM)) {
      expect(described[name], name).toMatchObject({
        configValue: value,
        configSource: DYNAMIC_TOPIC_CONFIG,
        readOnly: false,
        isSensitive: false,
      });
      expect(described[name].configSynonyms[0], name).toEqual({
        configName: name,
        configValue: value,
        configSource: DYNAMIC_TOPIC_CONFIG,
      });
    }
    // the broker-level synonyms after the topic's: the broker's own setting, then Kafka's default
    expect(described['retention.ms'].configSynonyms).toEqual([
      { configName: 'retention.ms', configValue: '-1', configSource: DYNAMIC_TOPIC_CONFIG },
      { configName: 'log.retention.ms', configValue: '3600000', configSource: STATIC_BROKER_CONFIG },
      { configName: 'log.retention.ms', configValue: '604800000', configSource: DEFAULT_CONFIG },
    ]);
    expect(described['max.message.bytes'].configSynonyms[1]).toEqual({
      configName: 'message.max.bytes',
      configValue: '1048588',
      configSource: DEFAULT_CONFIG,
    });
  });

  it("describes a plain topic's configs with Kafka's defaults, the broker's where it sets one", async () => {
    await admin.createTopics({ topics: [{ topic: 'plain' }] });
    const described = await describeTopic('plain', false);
    for (const def of TOPIC_CONFIG_DEFS) {
      if (def.name === 'retention.ms') continue;
      expect(described[def.name], def.name).toMatchObject({ configValue: def.default, configSource: DEFAULT_CONFIG });
      // without include_synonyms, none
      expect(described[def.name].configSynonyms, def.name).toEqual([]);
    }
    expect(described['retention.ms']).toMatchObject({ configValue: '3600000', configSource: STATIC_BROKER_CONFIG });
    expect(described['compression.type'].configValue).toBe('producer');
    expect(described['segment.index.bytes'].configValue).toBe('10485760');
    expect(described['flush.messages'].configValue).toBe('9223372036854775807');
  });

  it('refuses bad values with INVALID_CONFIG naming the config and the value, as Kafka words it', async () => {
    const cases: [string, string, string][] = [
      ['segment.ms', '0', 'Invalid value 0 for configuration segment.ms: Value must be at least 1'],
      ['retention.ms', 'soon', 'Invalid value soon for configuration retention.ms: Not a number of type LONG'],
      [
        'segment.bytes',
        '3000000000',
        'Invalid value 3000000000 for configuration segment.bytes: Not a number of type INT',
      ],
      [
        'min.cleanable.dirty.ratio',
        '1.5',
        'Invalid value 1.5 for configuration min.cleanable.dirty.ratio: Value must be no more than 1',
      ],
      [
        'compression.type',
        'brotli',
        'Invalid value brotli for configuration compression.type: String must be one of: uncompressed, zstd, lz4, snappy, gzip, producer',
      ],
      [
        'cleanup.policy',
        'compact,forever',
        'Invalid value forever for configuration cleanup.policy: String must be one of: compact, delete',
      ],
      [
        'preallocate',
        'yes',
        'Invalid value yes for configuration preallocate: Expected value to be either true or false',
      ],
      [
        'message.timestamp.type',
        'createtime',
        'Invalid value createtime for configuration message.timestamp.type: String must be one of: CreateTime, LogAppendTime',
      ],
      [
        'compression.gzip.level',
        '0',
        'Invalid value 0 for configuration compression.gzip.level: Value must be between 1 and 9 or equal to -1',
      ],
      [
        'compression.zstd.level',
        '23',
        'Invalid value 23 for configuration compression.zstd.level: Value must be no more than 22',
      ],
      [
        'leader.replication.throttled.replicas',
        '0-1',
        "Invalid value [0-1] for configuration leader.replication.throttled.replicas: leader.replication.throttled.replicas must be the literal '*' or a list of replicas in the following format: [partitionId]:[brokerId],[partitionId]:[brokerId],...",
      ],
      [
        'remote.storage.enable',
        'true',
        'Invalid value true for configuration remote.storage.enable: Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage.',
      ],
      ['no.such.config', '1', 'Unknown topic config name: no.such.config'],
    ];
    for (const [name, value, message] of cases) {
      const answer = await raw.request(19, 4, {
        topics: [
          { name: 'refused', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [{ name, value }] },
        ],
        timeoutMs: 1000,
        validateOnly: false,
      });
      expect(answer.topics[0], name).toMatchObject({ errorCode: ErrorCode.INVALID_CONFIG, errorMessage: message });
    }
    // across configs, as Kafka's LogConfig.validateValues
    const conflict = await raw.request(19, 4, {
      topics: [
        {
          name: 'refused',
          numPartitions: 1,
          replicationFactor: 1,
          assignments: [],
          configs: [
            { name: 'min.compaction.lag.ms', value: '2000' },
            { name: 'max.compaction.lag.ms', value: '1000' },
          ],
        },
      ],
      timeoutMs: 1000,
      validateOnly: false,
    });
    expect(conflict.topics[0].errorMessage).toBe(
      'conflict topic config setting min.compaction.lag.ms (2000) > max.compaction.lag.ms (1000)',
    );
    await expect(
      admin.createTopics({ topics: [{ topic: 'refused', configEntries: [{ name: 'segment.ms', value: '0' }] }] }),
    ).rejects.toThrow();
    expect(await admin.listTopics()).not.toContain('refused');
  });

  it('AlterConfigs (v2, flexible) still replaces the whole set', async () => {
    await admin.createTopics({
      topics: [{ topic: 'replaced', configEntries: [{ name: 'retention.ms', value: '1000' }] }],
    });
    const r = await alterOne(33, 2, {
      resourceType: TOPIC,
      resourceName: 'replaced',
      configs: [{ name: 'segment.jitter.ms', value: '5' }],
    });
    expect(r).toEqual({ code: 0, message: null });
    const described = await describeTopic('replaced', false);
    expect(described['segment.jitter.ms']).toMatchObject({ configValue: '5', configSource: DYNAMIC_TOPIC_CONFIG });
    expect(described['retention.ms'].configSource).toBe(STATIC_BROKER_CONFIG);
  });
});

describe('IncrementalAlterConfigs', () => {
  it('SET and DELETE change the configs named and keep the others', async () => {
    await admin.createTopics({
      topics: [
        {
          topic: 'inc',
          configEntries: [
            { name: 'retention.ms', value: '1000' },
            { name: 'segment.ms', value: '2000' },
          ],
        },
      ],
    });
    expect(
      await incremental('inc', [
        { name: 'compression.type', configOperation: 0, value: 'lz4' },
        { name: 'retention.ms', configOperation: 1, value: null },
        // deleting what is not set is fine, as in Kafka
        { name: 'flush.ms', configOperation: 1, value: null },
      ]),
    ).toEqual({ code: 0, message: null });
    const d = await describeTopic('inc', false);
    expect(d['compression.type']).toMatchObject({ configValue: 'lz4', configSource: DYNAMIC_TOPIC_CONFIG });
    expect(d['segment.ms']).toMatchObject({ configValue: '2000', configSource: DYNAMIC_TOPIC_CONFIG });
    expect(d['retention.ms']).toMatchObject({ configValue: '3600000', configSource: STATIC_BROKER_CONFIG });
  });

  it('APPEND and SUBTRACT edit list configs from their current value (the default when not set)', async () => {
    await admin.createTopics({ topics: [{ topic: 'lists' }] });
    expect(await incremental('lists', [{ name: 'cleanup.policy', configOperation: 2, value: 'compact' }])).toEqual({
      code: 0,
      message: null,
    });
    expect((await describeTopic('lists', false))['cleanup.policy'].configValue).toBe('delete,compact');
    await incremental('lists', [{ name: 'cleanup.policy', configOperation: 3, value: 'delete' }]);
    expect((await describeTopic('lists', false))['cleanup.policy'].configValue).toBe('compact');
    await incremental('lists', [
      { name: 'leader.replication.throttled.replicas', configOperation: 2, value: '0:1,1:1' },
    ]);
    await incremental('lists', [
      { name: 'leader.replication.throttled.replicas', configOperation: 2, value: '1:1,2:1' },
    ]);
    await incremental('lists', [{ name: 'leader.replication.throttled.replicas', configOperation: 3, value: '0:1' }]);
    expect((await describeTopic('lists', false))['leader.replication.throttled.replicas'].configValue).toBe('1:1,2:1');
  });

  it('refuses APPEND to a config that is not a list, duplicates, bad values; validate_only changes nothing', async () => {
    await admin.createTopics({ topics: [{ topic: 'strict', configEntries: [{ name: 'segment.ms', value: '2000' }] }] });
    expect(await incremental('strict', [{ name: 'retention.ms', configOperation: 2, value: '5' }])).toEqual({
      code: ErrorCode.INVALID_CONFIG,
      message: 'Config value append is not allowed for config key: retention.ms',
    });
    expect(
      await incremental('strict', [
        { name: 'retention.ms', configOperation: 0, value: '5' },
        { name: 'retention.ms', configOperation: 1, value: null },
      ]),
    ).toMatchObject({ code: ErrorCode.INVALID_REQUEST });
    expect(
      await incremental('strict', [
        { name: 'retention.ms', configOperation: 0, value: '5' },
        { name: 'segment.ms', configOperation: 0, value: '-3' },
      ]),
    ).toEqual({
      code: ErrorCode.INVALID_CONFIG,
      message: 'Invalid value -3 for configuration segment.ms: Value must be at least 1',
    });
    const checked = await alterOne(
      44,
      0,
      {
        resourceType: TOPIC,
        resourceName: 'strict',
        configs: [{ name: 'retention.ms', configOperation: 0, value: '5' }],
      },
      true,
    );
    expect(checked).toEqual({ code: 0, message: null });
    const d = await describeTopic('strict', false);
    expect(d['retention.ms'].configSource).toBe(STATIC_BROKER_CONFIG);
    expect(d['segment.ms'].configValue).toBe('2000');
    expect(await incremental('ghost', [{ name: 'retention.ms', configOperation: 0, value: '5' }])).toMatchObject({
      code: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    });
  });
});

describe('DescribeConfigs v3-v4', () => {
  it('gives each config its type and, when asked, its documentation', async () => {
    await admin.createTopics({ topics: [{ topic: 'documented' }] });
    for (const version of [3, 4]) {
      const answer = await raw.request(32, version, {
        resources: [
          { resourceType: TOPIC, resourceName: 'documented', configurationKeys: ['segment.ms', 'cleanup.policy'] },
        ],
        includeSynonyms: false,
        includeDocumentation: true,
      });
      const configs = answer.results[0].configs;
      expect(configs.map((c: { name: string; configType: number }) => [c.name, c.configType])).toEqual([
        ['cleanup.policy', 7],
        ['segment.ms', 5],
      ]);
      expect(configs[1].documentation).toMatch(/segment rolls/);
    }
  });
});

describe('broker configs', () => {
  it("are described read-only under Kafka's names, with the broker's settings as static broker configs", async () => {
    const res = await admin.describeConfigs({ resources: [{ type: BROKER, name: '1' }], includeSynonyms: false });
    const byName = Object.fromEntries(res.resources[0].configEntries.map((c) => [c.configName, c]));
    expect(byName['log.retention.ms']).toMatchObject({
      configValue: '3600000',
      configSource: STATIC_BROKER_CONFIG,
      readOnly: true,
    });
    expect(byName['message.max.bytes']).toMatchObject({
      configValue: '1048588',
      configSource: DEFAULT_CONFIG,
      readOnly: true,
    });
    expect(byName['num.partitions']).toMatchObject({ configValue: '3', configSource: STATIC_BROKER_CONFIG });
    expect(byName['auto.create.topics.enable']).toMatchObject({ configValue: 'true', configSource: DEFAULT_CONFIG });
    expect(byName['broker.id'].configValue).toBe('1');
    expect(byName['advertised.listeners'].configValue).toBe(`PLAINTEXT://${broker.bootstrap}`);
    // the cluster-wide dynamic defaults: none
    const cluster = await raw.request(32, 1, {
      resources: [{ resourceType: BROKER, resourceName: '', configurationKeys: null }],
      includeSynonyms: false,
    });
    expect(cluster.results[0]).toMatchObject({ errorCode: 0, configs: [] });
  });

  it('refuse every change, with a message, in both alter APIs', async () => {
    const change = [{ name: 'log.retention.ms', value: '1000' }];
    const legacy = await alterOne(33, 1, { resourceType: BROKER, resourceName: '1', configs: change });
    expect(legacy).toEqual({
      code: ErrorCode.INVALID_REQUEST,
      message:
        "Cannot update these configs dynamically: log.retention.ms: evt broker's configs are read-only, set by its command-line options",
    });
    const inc = await alterOne(44, 1, {
      resourceType: BROKER,
      resourceName: '',
      configs: [{ name: 'log.retention.ms', configOperation: 0, value: '1000' }],
    });
    expect(inc.code).toBe(ErrorCode.INVALID_REQUEST);
    const other = await alterOne(33, 1, { resourceType: BROKER, resourceName: '7', configs: change });
    expect(other).toEqual({
      code: ErrorCode.INVALID_REQUEST,
      message: 'Unexpected broker id, expected 1 or empty string, but received 7',
    });
    await expect(
      admin.alterConfigs({ validateOnly: false, resources: [{ type: BROKER, name: '1', configEntries: change }] }),
    ).rejects.toThrow();
  });
});

describe('DescribeCluster', () => {
  it('v0 and v1 give the cluster id, the controller and this broker', async () => {
    const [host, port] = broker.bootstrap.split(':');
    for (const version of [0, 1]) {
      const answer = await raw.request(60, version, { includeClusterAuthorizedOperations: true, endpointType: 1 });
      expect(answer).toMatchObject({
        errorCode: 0,
        clusterId: broker.state.clusterId,
        controllerId: 1,
        brokers: [{ brokerId: 1, host, port: Number(port), rack: null }],
      });
      // no authorizer: every cluster operation (CREATE, ALTER, DESCRIBE, CLUSTER_ACTION, *_CONFIGS, IDEMPOTENT_WRITE)
      expect(answer.clusterAuthorizedOperations).toBe(0b1_1111_1010_0000);
    }
    const notAsked = await raw.request(60, 0, { includeClusterAuthorizedOperations: false });
    expect(notAsked.clusterAuthorizedOperations).toBe(-2147483648);
    const controllers = await raw.request(60, 1, { includeClusterAuthorizedOperations: false, endpointType: 2 });
    expect(controllers).toMatchObject({ errorCode: ErrorCode.MISMATCHED_ENDPOINT_TYPE, brokers: [] });
  });
});
