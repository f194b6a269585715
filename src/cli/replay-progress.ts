// The progress line of `evt replay`: rate, how far each partition is from the end seen, and an ETA.

import { formatDuration } from '../common/time.js';
import type { ReplayProgress } from '../views/replay.js';

export function formatProgress(view: string, p: ReplayProgress): string {
  const parts = p.partitions
    .filter((x) => x.end > x.position)
    .slice(0, 6)
    .map((x) => `${x.topic}-${x.partition} ${x.position}/${x.end}`);
  const more = p.partitions.filter((x) => x.end > x.position).length - parts.length;
  const eta = p.caughtUp ? 'caught up' : p.etaMs === null ? 'eta ?' : `eta ${formatDuration(p.etaMs, 'narrow')}`;
  return `evt replay ${view}: ${p.events} events (${Math.round(p.eventsPerSecond)}/s), ${p.errors} errors, ${p.remaining} to go, ${eta}${parts.length ? ` | ${parts.join(' ')}${more > 0 ? ` +${more}` : ''}` : ''}`;
}
