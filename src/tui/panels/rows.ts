// The rows each list panel shows once the filter is applied: the app selects among these, the panels draw
// them, so a selection index always means the same row to both.

import { matches } from '../format.js';
import type { FeedEvent, ServiceRow, Snapshot, StuckRow, TopicRow } from '../source.js';

export function stuckRows(s: Snapshot, filter: string): StuckRow[] {
  return (s.flow?.stuck ?? []).filter((o) => matches(filter, o.id, o.state, o.waitingFor));
}

export function serviceRows(s: Snapshot, filter: string): ServiceRow[] {
  return s.services.filter((r) => matches(filter, r.service, r.group, r.state));
}

export function topicRows(s: Snapshot, filter: string): TopicRow[] {
  return s.topics.filter((t) => matches(filter, t.name, t.lastEventType));
}

export function feedRows(feed: readonly FeedEvent[], filter: string): FeedEvent[] {
  return feed.filter((e) => matches(filter, e.topic, e.key, e.eventType, e.producer, e.entityId, e.detail));
}
