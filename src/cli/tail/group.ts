// `evt tail --group g`: consume as a member of a consumer group (evt's group consumer), print what passes the
// filters, and commit how far the group got. Where the group has no committed offset, it starts at --from
// (default the beginning). Without -f it stops once the partitions it was given are read up to where they
// ended when the tail started; what it handled is committed as it goes, and it leaves the group on the way
// out (Ctrl-C included). Records it did not get to (after -n N, or after a stop) stay for the group.

import type { MessageBatch, TopicPartition } from '../../client/group-consumer.js';
import type { ConnectionSettings } from '../../client/settings.js';
import type { Cluster } from '../../client/wire/cluster.js';
import { createWireGroupConsumer } from '../../client/wire/group-consumer.js';
import { committedOffsets } from '../../client/wire/group-info.js';
import { resolvePositions, resolveTargets, resolveTopics } from './plan.js';
import type { RecordOutput } from './output.js';
import type { TailOptions } from './options.js';
import { finish, type Stopper } from './stopper.js';

const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;

export async function runGroupTail(
  o: TailOptions,
  session: { cluster: Cluster; settings: ConnectionSettings },
  out: RecordOutput,
  stopper: Stopper,
  /** prints the client's log lines (--verbose) */
  verboseLog?: (line: string) => void,
): Promise<void> {
  const groupId = o.group!;
  const { cluster, settings } = session;
  const topics = await resolveTopics(cluster, o.topics, o.pattern);
  const targets = await resolveTargets(cluster, topics, undefined);
  const ends = new Map(targets.map((t) => [key(t.topic, t.partition), t.latest]));
  const from = o.from ?? { kind: 'beginning' as const };
  const resetTo = await resolvePositions(cluster, targets, from);
  const resetOffsets = new Map(targets.map((t, i) => [key(t.topic, t.partition), resetTo.offsets[i]]));
  // committed offsets at start, keyed `${topic}:${partition}`: where the group resumes
  const committedAtStart = await committedOffsets(cluster, groupId, targets);
  if (o.expect !== undefined) stopper.at(Date.now() + o.expectTimeoutMs, 'deadline');

  /** per partition, the offset of the next record to handle */
  const positions = new Map<string, number>();
  let matched = 0;
  let printed = 0;
  const limit = o.linesGiven ? o.lines : Infinity;
  let assigned: TopicPartition[] | null = null;
  let finished!: () => void;
  const done = new Promise<void>((r) => (finished = r));
  let failure = null as Error | null; // set by onError: not narrowed to null here

  const position = (t: string, p: number) =>
    positions.get(key(t, p)) ?? committedAtStart.get(`${t}:${p}`) ?? resetOffsets.get(key(t, p)) ?? 0;
  const caughtUp = () =>
    !o.follow &&
    o.expect === undefined &&
    assigned !== null &&
    assigned.every((a) => position(a.topic, a.partition) >= (ends.get(key(a.topic, a.partition)) ?? 0));
  const enough = () => printed >= limit || (o.expect !== undefined && matched >= o.expect);
  const stopped = () => stopper.reason !== null || enough() || out.closed;

  /** Prints what passes the filters; when it has to stop part-way, the offset the group is to resume from. */
  const handle = async (batch: MessageBatch): Promise<number | undefined> => {
    const k = key(batch.topic, batch.partition);
    if (stopped()) return batch.records[0].offset;
    if (o.codec.registry) await o.codec.registry.prepare(batch.records);
    let stoppedAt: number | undefined;
    for (const r of batch.records) {
      if (stopped()) {
        stoppedAt = r.offset;
        break;
      }
      if (out.offer(r)) {
        matched++;
        printed++;
      }
      positions.set(k, r.offset + 1);
    }
    await out.flush();
    if (stopped() || caughtUp()) finished();
    return stoppedAt;
  };

  const consumer = createWireGroupConsumer(settings, {
    groupId,
    topics,
    // Kafka's RangeAssignor, as Java's and librdkafka's consumers offer it: `tail --group` can join their groups
    strategy: 'range',
    fromBeginning: from.kind !== 'end',
    startOffset: (topic, partition) => resetOffsets.get(key(topic, partition)),
    // one partition's batch at a time: the output stays in batches, as a single consumer reads them
    concurrency: 1,
    maxWaitMs: 500,
    isolation: o.isolation,
    client: { verbose: verboseLog !== undefined, log: verboseLog },
  });
  consumer.onAssignment((partitions) => {
    assigned = partitions;
    if (caughtUp()) finished();
  });
  consumer.onError((err) => {
    failure = err;
    finished();
  });
  try {
    await stopper.race(consumer.start(handle));
    await stopper.race(done);
    if (failure) throw failure;
  } finally {
    // finishes the batch in hand (and commits it), then leaves the group
    await consumer.stop();
  }
  return finish(o, out, stopper, matched);
}
