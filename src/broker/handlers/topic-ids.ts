// Topic ids on the wire: requests of newer versions (Metadata v10+, Fetch v13+) name topics by the 16-byte id
// that topics.json keeps for each topic (see ../log/log-manager.ts), answers carry it back.

import type { TopicInfo } from '../log/index.js';
import { topicIdBytes } from '../log/index.js';
import { ZERO_UUID } from '../../protocol/schema.js';
import type { BrokerState } from '../state.js';

/** The topic a wire topic id names, if any (the zero id names none). */
export function topicById(state: BrokerState, topicId: Buffer): Readonly<TopicInfo> | undefined {
  if (topicId.equals(ZERO_UUID)) return undefined;
  const hex = topicId.toString('hex');
  return state.logs.topics().find((t) => t.topicId === hex);
}

/** A topic's id as the uuid field carries it; the zero id for a topic that does not exist. */
export function wireTopicId(state: BrokerState, name: string): Buffer {
  const topic = state.logs.topic(name);
  return topic ? topicIdBytes(topic.topicId) : ZERO_UUID;
}

/**
 * The topic a request names, by name or (when it carries none: Fetch v13+, Metadata v12) by id; undefined when
 * the id is unknown. A decoded request holds the empty name in versions without names, the zero id without ids.
 */
export function topicNameOf(state: BrokerState, name: string | null, topicId: Buffer): string | undefined {
  return name ? name : topicById(state, topicId)?.name;
}
