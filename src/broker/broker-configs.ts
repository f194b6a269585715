// The broker's own configs (resource type BROKER), under Kafka's names: what `evt broker` runs with, from its
// options, and the broker-level defaults of every topic config (log.retention.ms, message.max.bytes, ...).
// All read-only: evt broker takes its settings from its command line and has no dynamic broker configs.

import { ErrorCode, KafkaError } from '../protocol/error-codes.js';
import { ConfigSource, type ConfigEntry } from './log/topic-config.js';
import { TOPIC_CONFIG_DEFS } from './log/topic-config-defs.js';
import type { BrokerState } from './state.js';

/** Kafka's defaults of the broker configs below that evt broker may set otherwise. */
const KAFKA_DEFAULTS: Record<string, string> = {
  'auto.create.topics.enable': 'true',
  'num.partitions': '1',
};

function entry(name: string, value: string, kafkaDefault: string | undefined, doc: string): ConfigEntry {
  const source = value === kafkaDefault ? ConfigSource.DEFAULT_CONFIG : ConfigSource.STATIC_BROKER_CONFIG;
  return {
    name,
    value,
    source,
    readOnly: true,
    isSensitive: false,
    synonyms: [{ name, value, source }],
    type: /^\d+$/.test(value) ? 'INT' : value === 'true' || value === 'false' ? 'BOOLEAN' : 'STRING',
    doc,
  };
}

/**
 * The broker's configs when described by its id; "" (the cluster-wide dynamic defaults) has none.
 * INVALID_REQUEST for another broker id, as Kafka answers.
 */
export function describeBrokerConfigs(state: BrokerState, resourceName: string): ConfigEntry[] {
  checkBrokerResource(state, resourceName);
  if (resourceName === '') return [];
  const listener = `PLAINTEXT://${state.advertisedHost}:${state.advertisedPort}`;
  const own = [
    entry('broker.id', String(state.nodeId), undefined, 'the id of this broker'),
    entry('node.id', String(state.nodeId), undefined, 'the id of this node'),
    entry('advertised.listeners', listener, undefined, 'the address clients are told to connect to'),
    entry('log.dirs', state.logs.dataDir ?? '', undefined, 'the data directory (empty: in memory)'),
    entry(
      'auto.create.topics.enable',
      String(state.autoCreateTopics),
      KAFKA_DEFAULTS['auto.create.topics.enable'],
      'whether unknown topics are created on first use',
    ),
    entry(
      'num.partitions',
      String(state.defaultPartitions),
      KAFKA_DEFAULTS['num.partitions'],
      'partitions of auto-created topics',
    ),
    entry('default.replication.factor', '1', '1', 'the replication factor of auto-created topics'),
    entry('offsets.topic.replication.factor', '1', undefined, 'the replication factor of __consumer_offsets'),
    entry('transaction.state.log.replication.factor', '1', undefined, 'the replication factor of __transaction_state'),
  ];
  // the broker-level default of every topic config that has one
  const defaults = TOPIC_CONFIG_DEFS.filter((d) => d.brokerSynonym !== null).map((d) => {
    const set = state.logs.brokerDefaults[d.name];
    return { ...entry(d.brokerSynonym!, set ?? d.default, d.default, d.doc), type: d.type };
  });
  return [...own, ...defaults].sort((a, b) => a.name.localeCompare(b.name));
}

/** Altering a broker config: evt broker has no dynamic configs, so every change is refused with why. */
export function refuseBrokerAlter(state: BrokerState, resourceName: string, names: readonly string[]): never {
  checkBrokerResource(state, resourceName);
  throw new KafkaError(
    ErrorCode.INVALID_REQUEST,
    `Cannot update these configs dynamically: ${names.join(', ') || '(none)'}: evt broker's configs are read-only, set by its command-line options`,
  );
}

function checkBrokerResource(state: BrokerState, resourceName: string): void {
  if (resourceName !== '' && resourceName !== String(state.nodeId))
    throw new KafkaError(
      ErrorCode.INVALID_REQUEST,
      `Unexpected broker id, expected ${state.nodeId} or empty string, but received ${resourceName}`,
    );
}
