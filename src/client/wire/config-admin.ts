// A topic's configs on the wire client: every entry with where its value comes from (DescribeConfigs),
// changing some overrides and leaving the others (IncrementalAlterConfigs, Kafka 2.3+), and replacing all the
// topic's overrides (AlterConfigs, for clusters without the incremental API). Kafka's AdminClient sends them
// to any broker for a topic resource (the broker forwards a change where it has to), and so does evt.

import { ErrorCode } from '../../protocol/error-codes.js';
import {
  ALTER_CONFIGS,
  DESCRIBE_CONFIGS,
  INCREMENTAL_ALTER_CONFIGS,
  type DescribeConfigsResponse,
} from '../../protocol/messages/index.js';
import { notFound, type ConfigEntry } from '../admin.js';
import { anyBroker } from './admin-routing.js';
import type { Cluster } from './cluster.js';
import { KafkaResponseError, WireError } from './errors.js';

/** Kafka's ConfigResource.Type of a topic. */
const TOPIC_RESOURCE = 2;

/** Kafka's ConfigSource (DescribeConfigs v1+), as evt names it. */
const CONFIG_SOURCES: Record<number, string> = {
  0: 'unknown',
  1: 'topic',
  2: 'broker (dynamic)',
  3: 'broker default (dynamic)',
  4: 'broker',
  5: 'default',
  6: 'broker logger',
};
const TOPIC_CONFIG = 1;
const DEFAULT_CONFIG = 5;

/** An entry of a DescribeConfigs answer: v0 says only whether it is a default, v1+ where the value comes from. */
function configEntry(e: DescribeConfigsResponse['results'][number]['configs'][number]): ConfigEntry {
  const source = e.configSource;
  const hasSource = source > 0;
  const readOnly = !!e.readOnly;
  const isDefault = hasSource ? source === DEFAULT_CONFIG : !!e.isDefault;
  return {
    name: e.name,
    value: e.value ?? null,
    isDefault,
    isOverride: hasSource ? source === TOPIC_CONFIG : !isDefault && !readOnly,
    readOnly,
    sensitive: !!e.isSensitive,
    source: hasSource ? (CONFIG_SOURCES[source] ?? String(source)) : isDefault ? 'default' : 'topic',
  };
}

/** The one resource of an answer about one topic, with its error code as an exception. */
function topicResult<R extends { resourceName: string; errorCode: number; errorMessage: string | null }>(
  answer: readonly R[],
  topic: string,
  what: string,
): R {
  const result = answer.find((r) => r.resourceName === topic) ?? answer[0];
  if (!result) throw new WireError(`${what}: the answer does not mention topic ${topic}`, 'protocol');
  if (result.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) throw notFound('topic', [topic]);
  if (result.errorCode !== 0) throw new KafkaResponseError(result.errorCode, what, result.errorMessage);
  return result;
}

/** Every config of the topic, sorted by name. */
export async function topicConfigs(cluster: Cluster, topic: string): Promise<ConfigEntry[]> {
  const conn = await anyBroker(cluster);
  const answer = await conn.request(DESCRIBE_CONFIGS, {
    resources: [{ resourceType: TOPIC_RESOURCE, resourceName: topic, configurationKeys: null }],
    includeSynonyms: false,
  });
  const result = topicResult(answer.results, topic, `reading the configs of ${topic}`);
  return result.configs.map(configEntry).sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Sets the topic's overrides to exactly `configs` (AlterConfigs replaces the whole set). An invalid name or
 * value is a KafkaResponseError with code INVALID_CONFIG; `validateOnly` checks without changing anything.
 */
export async function replaceTopicConfigs(
  cluster: Cluster,
  topic: string,
  configs: Record<string, string>,
  options: { validateOnly?: boolean } = {},
): Promise<void> {
  const conn = await anyBroker(cluster);
  const answer = await conn.request(ALTER_CONFIGS, {
    resources: [
      {
        resourceType: TOPIC_RESOURCE,
        resourceName: topic,
        configs: Object.entries(configs).map(([name, value]) => ({ name, value })),
      },
    ],
    validateOnly: !!options.validateOnly,
  });
  topicResult(answer.responses, topic, `changing the configs of ${topic}`);
}

/** Kafka's AlterConfigOp.OpType */
const SET = 0;
const DELETE = 1;

/**
 * Sets and deletes overrides of the topic, keeping the others, with IncrementalAlterConfigs; false (nothing
 * sent) when the cluster does not serve it, so that the caller falls back to AlterConfigs. An invalid name or
 * value is a KafkaResponseError with code INVALID_CONFIG and the broker's message naming it.
 */
export async function alterTopicConfigs(
  cluster: Cluster,
  topic: string,
  set: Record<string, string>,
  remove: readonly string[],
  options: { validateOnly?: boolean } = {},
): Promise<boolean> {
  const conn = await anyBroker(cluster);
  if (!conn.supports(INCREMENTAL_ALTER_CONFIGS)) return false;
  const configs = [
    ...Object.entries(set).map(([name, value]) => ({ name, configOperation: SET, value })),
    ...remove.map((name) => ({ name, configOperation: DELETE, value: null })),
  ];
  const answer = await conn.request(INCREMENTAL_ALTER_CONFIGS, {
    resources: [{ resourceType: TOPIC_RESOURCE, resourceName: topic, configs }],
    validateOnly: !!options.validateOnly,
  });
  topicResult(answer.responses, topic, `changing the configs of ${topic}`);
  return true;
}

/**
 * The largest record batch the topic accepts: its max.message.bytes (the broker's message.max.bytes unless
 * the topic overrides it), or null when the cluster does not say (no DescribeConfigs rights, or no
 * DescribeConfigs at all): the broker then still refuses what is too large, only later.
 */
export async function topicMaxMessageBytes(cluster: Cluster, topic: string): Promise<number | null> {
  const conn = await anyBroker(cluster);
  // librdkafka's mock cluster serves no DescribeConfigs: it does not say either
  if (!conn.supports(DESCRIBE_CONFIGS)) return null;
  const answer = await conn.request(DESCRIBE_CONFIGS, {
    resources: [{ resourceType: TOPIC_RESOURCE, resourceName: topic, configurationKeys: ['max.message.bytes'] }],
    includeSynonyms: false,
  });
  const result = answer.results.find((r) => r.resourceName === topic);
  if (!result || result.errorCode !== 0) return null;
  const value = Number(result.configs.find((c) => c.name === 'max.message.bytes')?.value);
  return Number.isInteger(value) && value > 0 ? value : null;
}
