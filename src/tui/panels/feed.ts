// The live event feed: the newest workflow events at the bottom, like a tail.

import type { Line } from '../lines.js';
import { clockTime } from '../../cli/time-spec.js';
import { workflowNames } from '../../workflow/names.js';
import type { FeedEvent } from '../source.js';
import { listLines } from './list.js';

// the workflow's topics and groups under the default prefix (shop.), until the dashboard reads them from a flow
const WORKFLOW = workflowNames();
const dead = (e: FeedEvent) => WORKFLOW.isDeadLetter(e.topic);
const TYPE_COLOR: Record<string, string> = { OrderRejected: 'red', OrderCompleted: 'green', OrderCancelled: 'yellow', 'dead letter': 'red' };

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
      { text: `${(e.orderId ?? e.key ?? '-').padEnd(16)} ` },
      { text: e.eventType, color: TYPE_COLOR[e.eventType] ?? (dead(e) ? 'red' : undefined), bold: true },
      { text: e.detail ? ` ${e.detail}` : '', dim: !dead(e) },
      { text: e.producer ? `  by ${e.producer}` : '', dim: true },
    ],
  });
}
