// What a tail reads: the topics (named, or matching --pattern), their partitions (all, or --partition), the
// offsets they hold, and --from/--until turned into offsets per partition.

import type { Cluster } from '../../client/wire/cluster.js';
import { EARLIEST, LATEST } from '../../client/wire/cluster.js';
import { TopicNotFoundError, WireError } from '../../client/wire/errors.js';
import { CliError, ExitCode } from '../errors.js';
import type { Position } from '../time-spec.js';

export interface TailTarget {
  topic: string;
  partition: number;
  /** the log start offset and the high watermark when the tail started */
  earliest: number;
  latest: number;
}

export async function resolveTopics(
  cluster: Cluster,
  topics: string[],
  pattern: RegExp | undefined,
): Promise<string[]> {
  const out = new Set<string>(topics);
  if (pattern) {
    const all = await cluster.topicNames({
      internal: pattern.source.startsWith('__') || pattern.source.startsWith('^__'),
    });
    const matching = all.filter((t) => pattern.test(t));
    if (matching.length === 0 && topics.length === 0) {
      throw new CliError(
        `no topic matches --pattern ${pattern.source} (topics: ${all.length ? all.slice(0, 10).join(', ') + (all.length > 10 ? ', ...' : '') : 'none'})`,
        ExitCode.NOT_FOUND,
      );
    }
    for (const t of matching) out.add(t);
  }
  return [...out];
}

/** Every partition to read, with its offsets now. Throws TopicNotFoundError / a not-found WireError. */
export async function resolveTargets(
  cluster: Cluster,
  topics: string[],
  partitions: number[] | undefined,
): Promise<TailTarget[]> {
  const wanted: { topic: string; partition: number }[] = [];
  for (const topic of topics) {
    let meta;
    try {
      meta = await cluster.topic(topic);
    } catch (err) {
      if (err instanceof TopicNotFoundError) throw new TopicNotFoundError(topic, ' (see `evt topics list`)');
      throw err;
    }
    const count = meta.partitions.length;
    if (partitions) {
      const missing = partitions.filter((p) => p >= count);
      if (missing.length === partitions.length) {
        throw new WireError(
          `${topic} has no partition ${missing.join(', ')} (it has ${count}: 0-${count - 1})`,
          'not-found',
        );
      }
      for (const p of partitions) if (p < count) wanted.push({ topic, partition: p });
    } else {
      for (const p of meta.partitions) wanted.push({ topic, partition: p.partition });
    }
  }
  const offsets = await cluster.listOffsets(
    wanted.flatMap((w) => [
      { ...w, timestamp: EARLIEST },
      { ...w, timestamp: LATEST },
    ]),
  );
  return wanted.map((w, i) => ({ ...w, earliest: offsets[2 * i].offset, latest: offsets[2 * i + 1].offset }));
}

export interface ResolvedPositions {
  offsets: number[];
  /** a time after every record of these partitions (true per target): records at or after it may still come */
  future?: boolean[];
  time?: number;
}

/** --from / --until as an offset per target, within what each partition holds. */
export async function resolvePositions(
  cluster: Cluster,
  targets: TailTarget[],
  pos: Position,
): Promise<ResolvedPositions> {
  switch (pos.kind) {
    case 'beginning':
      return { offsets: targets.map((t) => t.earliest) };
    case 'end':
      return { offsets: targets.map((t) => t.latest) };
    case 'offset':
      return { offsets: targets.map((t) => Math.min(Math.max(pos.offset, t.earliest), t.latest)) };
    case 'time': {
      const found = await cluster.listOffsets(
        targets.map((t) => ({ topic: t.topic, partition: t.partition, timestamp: pos.ms })),
      );
      return {
        offsets: found.map((f, i) => (f.offset < 0 ? targets[i].latest : Math.max(f.offset, targets[i].earliest))),
        future: found.map((f) => f.offset < 0),
        time: pos.ms,
      };
    }
  }
}
