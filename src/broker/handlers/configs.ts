// DescribeConfigs, AlterConfigs and IncrementalAlterConfigs for topics (resource type 2) and this broker
// (resource type 4, read-only). Each resource is answered on its own: one failing does not fail the others.

import { describeBrokerConfigs, refuseBrokerAlter } from '../broker-configs.js';
import { CONFIG_TYPE_IDS } from '../log/config-def.js';
import { ConfigSource, type ConfigEntry } from '../log/topic-config.js';
import { ErrorCode, KafkaError } from '../../protocol/error-codes.js';
import type { EncodableResponse } from '../../protocol/message-types.js';
import {
  ALTER_CONFIGS,
  DESCRIBE_CONFIGS,
  INCREMENTAL_ALTER_CONFIGS,
  type DescribeConfigsRequest,
} from '../../protocol/messages/index.js';
import type { BrokerState } from '../state.js';
import type { Handler } from './context.js';
import { errorCodeOf, errorMessageOf } from './errors.js';

/** Kafka's ConfigResource.Type */
const TOPIC = 2;
const BROKER = 4;

function unsupportedResource(type: number): never {
  throw new KafkaError(
    ErrorCode.INVALID_REQUEST,
    `Unsupported resource type ${type}: evt broker has topic and broker configs`,
  );
}

type DescribedResource = EncodableResponse<typeof DESCRIBE_CONFIGS>['results'][number];

function describedEntry(e: ConfigEntry, req: DescribeConfigsRequest) {
  return {
    name: e.name,
    value: e.isSensitive ? null : e.value,
    readOnly: e.readOnly,
    isDefault: e.source === ConfigSource.DEFAULT_CONFIG,
    configSource: e.source,
    isSensitive: e.isSensitive,
    synonyms: req.includeSynonyms ? e.synonyms.map((s) => ({ ...s, value: e.isSensitive ? null : s.value })) : [],
    configType: CONFIG_TYPE_IDS[e.type],
    documentation: req.includeDocumentation ? e.doc : null,
  };
}

function describeResource(
  state: BrokerState,
  resource: DescribeConfigsRequest['resources'][number],
  req: DescribeConfigsRequest,
): DescribedResource {
  const base = { resourceType: resource.resourceType, resourceName: resource.resourceName };
  try {
    let entries =
      resource.resourceType === TOPIC
        ? state.logs.describeConfigs(resource.resourceName)
        : resource.resourceType === BROKER
          ? describeBrokerConfigs(state, resource.resourceName)
          : unsupportedResource(resource.resourceType);
    const keys = resource.configurationKeys;
    if (keys) entries = entries.filter((e) => keys.includes(e.name));
    return { ...base, errorCode: 0, errorMessage: null, configs: entries.map((e) => describedEntry(e, req)) };
  } catch (err) {
    return { ...base, errorCode: errorCodeOf(err), errorMessage: errorMessageOf(err), configs: [] };
  }
}

export const describeConfigs: Handler<typeof DESCRIBE_CONFIGS> = (ctx, req) => ({
  throttleTimeMs: 0,
  results: req.resources.map((r) => describeResource(ctx.broker, r, req)),
});

/**
 * The answer for one altered resource: broker resources are refused (read-only), topics go to `change`,
 * which applies the configs named (or only checks them) and throws a KafkaError.
 */
function alterResult(
  state: BrokerState,
  r: { resourceType: number; resourceName: string; configs: readonly { name: string }[] },
  change: (topic: string) => void,
) {
  const base = { resourceType: r.resourceType, resourceName: r.resourceName };
  try {
    if (r.resourceType === BROKER)
      refuseBrokerAlter(
        state,
        r.resourceName,
        r.configs.map((c) => c.name),
      );
    if (r.resourceType !== TOPIC) unsupportedResource(r.resourceType);
    change(r.resourceName);
    return { ...base, errorCode: 0, errorMessage: null };
  } catch (err) {
    return { ...base, errorCode: errorCodeOf(err), errorMessage: errorMessageOf(err) };
  }
}

/** AlterConfigs: the configs given replace all the topic's overrides. */
export const alterConfigs: Handler<typeof ALTER_CONFIGS> = (ctx, req) => ({
  throttleTimeMs: 0,
  responses: req.resources.map((r) =>
    alterResult(ctx.broker, r, (topic) => {
      const entries: Record<string, string | null> = {};
      for (const c of r.configs) entries[c.name] = c.value;
      ctx.broker.logs.alterConfigs(topic, entries, { validateOnly: req.validateOnly });
    }),
  ),
});

/** IncrementalAlterConfigs: SET, DELETE, APPEND, SUBTRACT each config named; the others stay. */
export const incrementalAlterConfigs: Handler<typeof INCREMENTAL_ALTER_CONFIGS> = (ctx, req) => ({
  throttleTimeMs: 0,
  responses: req.resources.map((r) =>
    alterResult(ctx.broker, r, (topic) => {
      const ops = r.configs.map((c) => ({ name: c.name, op: c.configOperation, value: c.value }));
      ctx.broker.logs.incrementalAlterConfigs(topic, ops, { validateOnly: req.validateOnly });
    }),
  ),
});
