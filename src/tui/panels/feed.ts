// The live event feed: the newest events at the bottom, like a tail.

import type { Line } from '../lines.js';
import { clockTime } from '../../cli/time-spec.js';
import type { FeedEvent } from '../source.js';
import { listLines } from './list.js';

const dead = (e: FeedEvent) => e.eventType.startsWith('dead letter');

/** `selected` is highlighted; without one the newest events show. */
export function feedLines(rows: readonly FeedEvent[], o: { width: number; height: number; selected: number | null; empty: string }): Line[] {
  const topic = o.width >= 90 ? 22 : 14;
  return listLines({
    rows,
    height: o.height,
    selected: o.selected,
    anchor: o.selected ?? rows.length - 1,
    empty: o.empty,
    row: (e) => [
      { text: `${clockTime(e.at)} `, dim: true },
      { text: `${e.topic.padEnd(topic).slice(0, topic)} ` },
      { text: `${(e.entityId ?? e.key ?? '-').padEnd(16)} ` },
      { text: e.eventType, color: dead(e) ? 'red' : undefined, bold: true },
      { text: e.detail ? ` ${e.detail}` : '', dim: !dead(e) },
      { text: e.producer ? `  by ${e.producer}` : '', dim: true },
    ],
  });
}
