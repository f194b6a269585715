// `evt tail --group g`: consume as a member of a consumer group (kafkajs), print what passes the filters,
// and commit how far the group got. Where the group has no committed offset, it starts at --from (default
// the beginning). Without -f it stops once the partitions it was given are read up to where they ended when
// the tail started; it commits and leaves the group on the way out (Ctrl-C included).

import type { Consumer, IHeaders, KafkaMessage } from 'kafkajs';
import type { ConsumedRecord, RecordHeader } from '../../client/records.js';
import type { ConnectionSettings } from '../../client/settings.js';
import type { Cluster } from '../../client/wire/cluster.js';
import { resolvePositions, resolveTargets, resolveTopics } from './plan.js';
import type { RecordOutput } from './output.js';
import type { TailOptions } from './options.js';
import { finish, type Stopper } from './stopper.js';

const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;

function headersOf(h: IHeaders | undefined): RecordHeader[] {
  const out: RecordHeader[] = [];
  for (const [k, v] of Object.entries(h ?? {})) {
    for (const one of Array.isArray(v) ? v : [v]) {
      if (one === undefined) continue;
      out.push({ key: k, value: one === null ? null : Buffer.isBuffer(one) ? one : Buffer.from(String(one)) });
    }
  }
  return out;
}

function toRecord(topic: string, partition: number, m: KafkaMessage): ConsumedRecord {
  return {
    topic,
    partition,
    offset: Number(m.offset),
    timestamp: Number(m.timestamp),
    key: m.key ?? null,
    value: m.value ?? null,
    headers: headersOf(m.headers),
  };
}

export async function runGroupTail(
  o: TailOptions,
  session: { cluster: Cluster; settings: ConnectionSettings },
  out: RecordOutput,
  stopper: Stopper,
): Promise<void> {
  const groupId = o.group!;
  const { cluster, settings } = session;
  const topics = await resolveTopics(cluster, o.topics, o.pattern);
  const targets = await resolveTargets(cluster, topics, undefined);
  const ends = new Map(targets.map((t) => [key(t.topic, t.partition), t.latest]));
  const from = o.from ?? { kind: 'beginning' as const };
  const resetTo = await resolvePositions(cluster, targets, from);
  const resetOffsets = new Map(targets.map((t, i) => [key(t.topic, t.partition), resetTo.offsets[i]]));
  if (o.expect !== undefined) stopper.at(Date.now() + o.expectTimeoutMs, 'deadline');

  const { createKafka, toCliError } = await import('../../client/connect.js');
  const kafka = createKafka(settings);
  const positions = new Map<string, number>();
  const committedAtStart = new Map<string, number>();
  let consumer: Consumer | undefined;
  let matched = 0;
  let printed = 0;
  const limit = o.linesGiven ? o.lines : Infinity;
  let assigned: { topic: string; partition: number }[] | null = null;
  let finished!: () => void;
  const done = new Promise<void>((r) => (finished = r));
  let failure: Error | null = null;

  const position = (t: string, p: number) => positions.get(key(t, p)) ?? committedAtStart.get(key(t, p)) ?? resetOffsets.get(key(t, p)) ?? 0;
  const caughtUp = () => !o.follow && o.expect === undefined && assigned !== null && assigned.every((a) => position(a.topic, a.partition) >= (ends.get(key(a.topic, a.partition)) ?? 0));
  const enough = () => printed >= limit || (o.expect !== undefined && matched >= o.expect);

  try {
    const admin = kafka.admin();
    await admin.connect();
    try {
      for (const t of await admin.fetchOffsets({ groupId, topics })) {
        for (const p of t.partitions) if (Number(p.offset) >= 0) committedAtStart.set(key(t.topic, p.partition), Number(p.offset));
      }
    } finally {
      await admin.disconnect();
    }

    consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 500, allowAutoTopicCreation: false, retry: { retries: 3 } });
    const c = consumer;
    c.on(c.events.GROUP_JOIN, (e) => {
      assigned = Object.entries(e.payload.memberAssignment).flatMap(([topic, ps]) => (ps as number[]).map((partition) => ({ topic, partition })));
      // partitions the group never committed start at --from (kafkajs only knows beginning and end)
      for (const a of assigned) {
        const k = key(a.topic, a.partition);
        if (!committedAtStart.has(k) && from.kind !== 'beginning' && from.kind !== 'end') c.seek({ topic: a.topic, partition: a.partition, offset: String(resetOffsets.get(k) ?? 0) });
      }
      if (caughtUp()) finished();
    });
    c.on(c.events.CRASH, (e) => {
      failure = e.payload.error;
      finished();
    });
    await c.connect();
    await c.subscribe({ topics, fromBeginning: from.kind !== 'end' });
    await c.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        const records = batch.messages.map((m) => toRecord(batch.topic, batch.partition, m));
        if (o.codec.registry) await o.codec.registry.prepare(records);
        for (const [i, m] of batch.messages.entries()) {
          if (!isRunning() || isStale() || stopper.reason || enough()) break;
          const r = records[i];
          if (out.offer(r)) {
            matched++;
            printed++;
          }
          resolveOffset(m.offset);
          positions.set(key(batch.topic, batch.partition), r.offset + 1);
        }
        await out.flush();
        await heartbeat();
        if (enough() || caughtUp() || out.closed) finished();
      },
    });
    await stopper.race(done);
    if (failure) throw failure;
  } catch (err) {
    await shutdown(consumer, positions, committedAtStart).catch(() => {});
    throw toCliError(err, settings);
  }
  await shutdown(consumer, positions, committedAtStart);
  return finish(o, out, stopper, matched);
}

/** Commits where each partition got to (when it moved), then leaves the group. */
async function shutdown(consumer: Consumer | undefined, positions: Map<string, number>, committed: Map<string, number>): Promise<void> {
  if (!consumer) return;
  const offsets = [...positions]
    .filter(([k, offset]) => committed.get(k) !== offset)
    .map(([k, offset]) => {
      const [topic, partition] = k.split('\u0000');
      return { topic, partition: Number(partition), offset: String(offset) };
    });
  try {
    if (offsets.length > 0) await consumer.commitOffsets(offsets);
  } finally {
    await consumer.disconnect();
  }
}
