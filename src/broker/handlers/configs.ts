// DescribeConfigs and AlterConfigs for topics (resource type 2) and this broker (resource type 4).

import { ErrorCode } from '../../protocol/error-codes.js';
import type { EncodableResponse } from '../../protocol/message-types.js';
import { ALTER_CONFIGS, DESCRIBE_CONFIGS, type DescribeConfigsRequest } from '../../protocol/messages/index.js';
import type { BrokerState } from '../state.js';
import type { Handler } from './context.js';
import { errorCodeOf, errorMessageOf } from './errors.js';

const TOPIC = 2;
const BROKER = 4;
// DescribeConfigs config sources (v1+), also in CreateTopics v5+ answers
const SOURCE_DYNAMIC_TOPIC = 1;
const SOURCE_STATIC_BROKER = 4;
const SOURCE_DEFAULT = 5;

/** Where a topic config's value comes from: the topic's own override, or the broker's default. */
export function topicConfigSource(isDefault: boolean): number {
  return isDefault ? SOURCE_DEFAULT : SOURCE_DYNAMIC_TOPIC;
}

export interface ConfigEntry {
  name: string;
  value: string | null;
  isDefault: boolean;
  readOnly: boolean;
  isSensitive: boolean;
}

function brokerConfigs(state: BrokerState): ConfigEntry[] {
  const entry = (name: string, value: string): ConfigEntry => ({
    name,
    value,
    isDefault: false,
    readOnly: true,
    isSensitive: false,
  });
  return [
    entry('broker.id', String(state.nodeId)),
    entry('advertised.listeners', `PLAINTEXT://${state.advertisedHost}:${state.advertisedPort}`),
    entry('auto.create.topics.enable', String(state.autoCreateTopics)),
    entry('num.partitions', String(state.defaultPartitions)),
    entry('default.replication.factor', '1'),
    entry('offsets.topic.replication.factor', '1'),
  ];
}

type DescribedResource = EncodableResponse<typeof DESCRIBE_CONFIGS>['results'][number];

function describeResource(
  state: BrokerState,
  resource: DescribeConfigsRequest['resources'][number],
  version: number,
): DescribedResource {
  const base = { resourceType: resource.resourceType, resourceName: resource.resourceName };
  let entries: ConfigEntry[];
  try {
    if (resource.resourceType === TOPIC) entries = state.logs.describeConfigs(resource.resourceName);
    else if (resource.resourceType === BROKER) entries = brokerConfigs(state);
    else
      return {
        ...base,
        errorCode: ErrorCode.INVALID_REQUEST,
        errorMessage: `unsupported resource type ${resource.resourceType}`,
        configs: [],
      };
  } catch (err) {
    return { ...base, errorCode: errorCodeOf(err), errorMessage: errorMessageOf(err), configs: [] };
  }
  const keys = resource.configurationKeys;
  if (keys) entries = entries.filter((e) => keys.includes(e.name));
  const configs = entries.map((e) => {
    const source =
      resource.resourceType === TOPIC || e.isDefault ? topicConfigSource(e.isDefault) : SOURCE_STATIC_BROKER;
    return {
      name: e.name,
      value: e.isSensitive ? null : e.value,
      readOnly: e.readOnly,
      isDefault: e.isDefault,
      configSource: source,
      isSensitive: e.isSensitive,
      synonyms: version >= 1 ? [{ name: e.name, value: e.value, source }] : [],
    };
  });
  return { ...base, errorCode: 0, errorMessage: null, configs };
}

export const describeConfigs: Handler<typeof DESCRIBE_CONFIGS> = (ctx, req) => ({
  throttleTimeMs: 0,
  results: req.resources.map((r) => describeResource(ctx.broker, r, ctx.apiVersion)),
});

export const alterConfigs: Handler<typeof ALTER_CONFIGS> = (ctx, req) => ({
  throttleTimeMs: 0,
  responses: req.resources.map((r) => {
    const base = { resourceType: r.resourceType, resourceName: r.resourceName };
    if (r.resourceType !== TOPIC) {
      return {
        ...base,
        errorCode: ErrorCode.INVALID_REQUEST,
        errorMessage: 'only topic configs can be altered on this broker',
      };
    }
    const entries: Record<string, string | null> = {};
    for (const c of r.configs) entries[c.name] = c.value;
    try {
      ctx.broker.logs.alterConfigs(r.resourceName, entries, { validateOnly: req.validateOnly });
      return { ...base, errorCode: 0, errorMessage: null };
    } catch (err) {
      return { ...base, errorCode: errorCodeOf(err), errorMessage: errorMessageOf(err) };
    }
  }),
});
