// IncrementalAlterConfigs on a topic's overrides (KIP-339, Kafka's ConfigAdminManager.prepareIncrementalConfigs):
// SET and DELETE one config each, leaving the others as they are; APPEND and SUBTRACT add items to or remove
// them from a LIST config, starting from its current value (the override, else the default).

import { ErrorCode, KafkaError } from '../../protocol/error-codes.js';
import { listItems, parseConfigValue } from './config-def.js';
import { TOPIC_CONFIG_BY_NAME } from './topic-config-defs.js';
import type { ConfigValues } from './topic-config.js';

/** Kafka's AlterConfigOp.OpType ids. */
export const ConfigOp = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;

export interface ConfigOperation {
  name: string;
  op: number;
  value: string | null;
}

const OP_NAMES = ['set', 'delete', 'append', 'subtract'];

function invalidRequest(message: string): never {
  throw new KafkaError(ErrorCode.INVALID_REQUEST, message);
}

/**
 * The overrides after `ops`: a config name -> new value, or null where the override is removed. Names and
 * values are checked afterwards, with the rest of the overrides (normalizeTopicConfigs). INVALID_REQUEST for
 * a name given twice or an unknown operation; INVALID_CONFIG for APPEND/SUBTRACT on a config that is not a
 * list.
 */
export function applyConfigOps(
  overrides: ConfigValues,
  brokerDefaults: ConfigValues,
  ops: readonly ConfigOperation[],
): Record<string, string | null> {
  const out: Record<string, string | null> = { ...overrides };
  const seen = new Set<string>();
  for (const { name, op, value } of ops) {
    if (seen.has(name)) invalidRequest(`Error due to duplicate config keys: ${name}`);
    seen.add(name);
    if (op === ConfigOp.DELETE) {
      out[name] = null;
      continue;
    }
    if (op !== ConfigOp.SET && op !== ConfigOp.APPEND && op !== ConfigOp.SUBTRACT)
      invalidRequest(`Unknown config operation ${op} for ${name}`);
    if (value === null) invalidRequest(`Null value not supported for : ${name}`);
    if (op === ConfigOp.SET) {
      out[name] = value;
      continue;
    }
    const def = TOPIC_CONFIG_BY_NAME.get(name);
    // an unknown name is refused with the rest by the caller's checks
    if (!def) {
      out[name] = value;
      continue;
    }
    if (def.type !== 'LIST')
      throw new KafkaError(
        ErrorCode.INVALID_CONFIG,
        `Config value ${OP_NAMES[op]} is not allowed for config key: ${name}`,
      );
    const current = listItems(overrides[name] ?? brokerDefaults[name] ?? def.default);
    const given = listItems(parseConfigValue('LIST', name, value));
    const next =
      op === ConfigOp.APPEND
        ? [...current, ...given.filter((v) => !current.includes(v))]
        : current.filter((v) => !given.includes(v));
    out[name] = next.join(',');
  }
  return out;
}
