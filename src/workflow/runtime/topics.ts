// Creating the workflow's topics, and refusing to run on topics that would break it: every order topic must
// have the same partition count, because a worker owns "partition p" of all of them at once (an order's
// request, its events and the answers about it all land on the same partition number) and rebuilds its
// state from exactly those partitions.

import { EvtError } from '../../common/errors.js';
import type { AdminClient } from '../../client/admin.js';
import { ORDER_KEYED_TOPICS, TOPICS } from '../catalogue.js';
import type { WorkflowNames } from '../names.js';

export interface TopicLayout {
  /** partitions of every workflow topic */
  partitions: number;
  /** topics this call created */
  created: string[];
}

/** Every workflow and dead-letter topic under `names` (physical). */
export function workflowTopicNames(names: WorkflowNames): string[] {
  return [...names.topics, ...names.dlqs];
}

/**
 * Creates the missing workflow topics with `partitions` partitions (or, when some exist already, with
 * their count) and the configs the catalogue gives them (inventory.stock compacted), then checks that the order-keyed topics agree. Returns the count in use.
 */
export async function ensureWorkflowTopics(
  admin: AdminClient,
  names: WorkflowNames,
  partitions: number,
  replicationFactor = -1,
): Promise<TopicLayout> {
  const wanted = workflowTopicNames(names);
  const existing = new Set(await admin.listTopics());
  const present = wanted.filter((t) => existing.has(t));
  const counts = new Map<string, number>();
  for (const m of present.length ? await admin.topicMetadata(present) : []) counts.set(m.name, m.partitions.length);

  // an existing layout wins over the flag: adding topics with another count would split orders
  const orderTopics = ORDER_KEYED_TOPICS.map(names.topic);
  const known = orderTopics.map((t) => counts.get(t)).filter((n): n is number => n !== undefined);
  const count = known.length ? Math.max(...known) : partitions;

  const created: string[] = [];
  for (const name of wanted) {
    if (counts.has(name)) continue;
    // the topic may appear meanwhile (another worker starting): createTopic answers false then
    const logical = names.logical(name);
    const configs = logical ? TOPICS[logical].configs : undefined;
    const topic = { name, partitions: count, replicationFactor, ...(configs ? { configs: { ...configs } } : {}) };
    if (await admin.createTopic(topic)) created.push(name);
  }
  const after = new Map(counts);
  const fresh = created.length ? await admin.topicMetadata(created) : [];
  for (const m of fresh) after.set(m.name, m.partitions.length);

  const mismatched = orderTopics.filter((t) => after.has(t) && after.get(t) !== count);
  if (mismatched.length) {
    const list = orderTopics.map((t) => `${t}=${after.get(t) ?? '?'}`).join(', ');
    throw new EvtError(
      `the workflow's order topics must have equal partition counts (an order lands on the same partition number in each), but they have ${list}; ` +
        `give them equal counts (Kafka can add partitions, not remove them), or delete them (evt topics delete) and start again`,
    );
  }
  return { partitions: count, created };
}
