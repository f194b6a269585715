// Topic operations built on the AdminClient: summaries with record counts, full descriptions, and config
// changes that keep the overrides they do not touch.

import { ErrorCode } from '../protocol/error-codes.js';
import type { AdminClient, ConfigEntry, PartitionMetadata, PartitionOffsets } from './admin.js';
import { mapLimit } from './map-limit.js';
import { KafkaResponseError, WireError } from './wire/errors.js';

export interface TopicSummary {
  name: string;
  partitions: number;
  /** sum over partitions of high watermark - log start offset */
  records: number;
}

export interface PartitionDetail extends PartitionMetadata {
  low: number;
  high: number;
  records: number;
}

export interface TopicDetail {
  name: string;
  partitions: PartitionDetail[];
  records: number;
  /** the topic's overrides, or every config with `all` */
  configs: ConfigEntry[];
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/**
 * The topics a user works with: Kafka's internal ones (named `__...`, as the wire client's topicNames judges
 * them: __consumer_offsets, __transaction_state) left out, as kafkactl and rpk list them.
 */
export async function userTopics(admin: AdminClient): Promise<string[]> {
  return (await admin.listTopics()).filter((name) => !name.startsWith('__'));
}

/**
 * Every topic with its partition and record counts; internal topics (Kafka's, named `__...`, as the wire
 * client's topicNames judges them) only when asked, as kafkactl and rpk do.
 */
export async function listTopicSummaries(
  admin: AdminClient,
  { internal = false }: { internal?: boolean } = {},
): Promise<TopicSummary[]> {
  const names = internal ? await admin.listTopics() : await userTopics(admin);
  const meta = await admin.topicMetadata(names);
  const partitions = new Map(meta.map((t) => [t.name, t.partitions.length]));
  return mapLimit(names, 8, async (name) => {
    const offsets = await admin.topicOffsets(name);
    return {
      name,
      partitions: partitions.get(name) ?? offsets.length,
      records: sum(offsets.map((o) => Math.max(0, o.high - o.low))),
    };
  });
}

export async function describeTopic(
  admin: AdminClient,
  name: string,
  options: { allConfigs?: boolean } = {},
): Promise<TopicDetail> {
  const [meta] = await admin.topicMetadata([name]);
  const [offsets, configs] = await Promise.all([admin.topicOffsets(name), admin.topicConfigs(name)]);
  const byPartition = new Map<number, PartitionOffsets>(offsets.map((o) => [o.partition, o]));
  const partitions = meta.partitions.map((p) => {
    const o = byPartition.get(p.partition) ?? { low: 0, high: 0 };
    return { ...p, low: o.low, high: o.high, records: Math.max(0, o.high - o.low) };
  });
  return {
    name,
    partitions,
    records: sum(partitions.map((p) => p.records)),
    configs: options.allConfigs ? configs : configs.filter((c) => c.isOverride),
  };
}

export function overridesOf(configs: ConfigEntry[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of configs) if (c.isOverride && c.value !== null) out[c.name] = c.value;
  return out;
}

export interface ConfigChange {
  topic: string;
  before: Record<string, string>;
  after: Record<string, string>;
  /** names given to --delete that were not overridden */
  notSet: string[];
}

/**
 * Applies `set` and `remove` to the topic's overrides, keeping the ones not named: with
 * IncrementalAlterConfigs where the cluster serves it, else with AlterConfigs, which replaces the whole set,
 * so the current overrides are read first and merged.
 */
export async function changeTopicConfigs(
  admin: AdminClient,
  topic: string,
  set: Record<string, string>,
  remove: string[],
): Promise<ConfigChange> {
  await admin.topicMetadata([topic]);
  const current = await admin.topicConfigs(topic);
  const before = overridesOf(current);
  const overridden = new Set(current.filter((c) => c.isOverride).map((c) => c.name));
  const notSet = remove.filter((name) => !overridden.has(name));
  if (Object.keys(set).length === 0 && notSet.length === remove.length) return { topic, before, after: before, notSet };
  const deleted = remove.filter((name) => overridden.has(name));
  let incremental: boolean;
  try {
    incremental = await admin.alterTopicConfigs(topic, set, deleted);
  } catch (err) {
    throw rejected(topic, set, err);
  }
  if (!incremental) await replaceMerged(admin, topic, current, set, remove);
  // read back what the cluster now holds
  const now = overridesOf(await admin.topicConfigs(topic));
  return { topic, before, after: now, notSet };
}

/** AlterConfigs with the current overrides, `set` and `remove` applied. */
async function replaceMerged(
  admin: AdminClient,
  topic: string,
  current: ConfigEntry[],
  set: Record<string, string>,
  remove: string[],
): Promise<void> {
  const hidden = current.filter(
    (c) => c.isOverride && c.value === null && !(c.name in set) && !remove.includes(c.name),
  );
  if (hidden.length) {
    throw new WireError(
      `topic ${topic} overrides ${hidden.map((c) => c.name).join(', ')}, whose value the cluster does not reveal; changing other configs would reset it (set it again with --set)`,
      'refused',
    );
  }
  const before = overridesOf(current);
  const after = { ...before };
  for (const name of remove) delete after[name];
  Object.assign(after, set);
  try {
    await admin.replaceTopicConfigs(topic, after);
  } catch (err) {
    if (!(err instanceof KafkaResponseError) || err.code !== ErrorCode.INVALID_CONFIG) throw err;
    // the cluster may say only "invalid": find which of the new values it rejects, one at a time
    const bad: Record<string, string> = {};
    for (const [name, value] of Object.entries(set)) {
      try {
        await admin.replaceTopicConfigs(topic, { ...before, [name]: value }, { validateOnly: true });
      } catch {
        bad[name] = value;
      }
    }
    throw rejected(topic, Object.keys(bad).length ? bad : set, err);
  }
}

/** A change the cluster refused (INVALID_CONFIG), with the values and the cluster's own words; else `err`. */
function rejected(topic: string, set: Record<string, string>, err: unknown): unknown {
  if (!(err instanceof KafkaResponseError) || err.code !== ErrorCode.INVALID_CONFIG) return err;
  const which = Object.entries(set)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return new WireError(
    `topic ${topic}: the cluster rejects ${which || 'the change'} (${err.serverMessage || 'unknown config or invalid value'}); nothing was changed`,
    'refused',
  );
}
