// `evt tail`: read partitions directly with the wire reader (no group joined, nothing committed) and print
// the records that pass the filters.
//
//   default        the last -n N records (10) before the end, in timestamp order, then exit
//   --from X       everything from X (to --until, default the end at start), merged in timestamp order
//   -f/--follow    after that, keep printing new records as they arrive (per partition order)
//   --expect N     wait (from --from, default the beginning) until N records matched: exit 0, or 5 when
//                  --timeout passes first
//   --group g      consume as a consumer group instead, committing offsets (group.ts)

import type { Cluster } from '../../client/wire/cluster.js';
import type { ReaderOptions, SkippedBatch } from '../../client/wire/reader.js';
import { printLine, type GlobalOptions, type Io } from '../io.js';
import { lastMatching } from './last-n.js';
import type { TailOptions } from './options.js';
import { finish, Stopper } from './stopper.js';
import { mergeByTimestamp } from './merge.js';
import { RecordOutput } from './output.js';
import { resolvePositions, resolveTargets, resolveTopics, type TailTarget } from './plan.js';
import { openSession, toCliError } from '../session.js';
import { ProgressLine, formatCount } from '../progress.js';

/** bounded reads of at least this many records are decoded and formatted on worker threads */
const PARALLEL_MIN_RECORDS = 50_000;

export async function runTail(o: TailOptions, io: Io, g: GlobalOptions): Promise<void> {
  const { cluster, settings } = await openSession(io, g);
  cluster.isolation = o.isolation;
  const stopper = new Stopper();
  void io.interrupted().then(() => stopper.stop('interrupted'));
  const out = new RecordOutput(io, o.output, o.codec, o.filter, o.wireNotice);
  io.stdout.on('error', () => stopper.stop('closed'));
  let progress: ProgressLine | undefined;
  try {
    if (o.group !== undefined) {
      const { runGroupTail } = await import('./group.js');
      await runGroupTail(
        o,
        { cluster, settings },
        out,
        stopper,
        g.verbose ? (line) => printLine(io.stderr, line) : undefined,
      );
      return;
    }
    const log = g.verbose ? (m: string) => printLine(io.stderr, `evt: ${m}`) : () => {};
    await readDirect(o, io, cluster, out, stopper, (p) => (progress = p), log);
  } catch (err) {
    throw toCliError(err, settings);
  } finally {
    progress?.stop();
    stopper.dispose();
    await out.flush().catch(() => {});
    cluster.close();
  }
}

async function readDirect(
  o: TailOptions,
  io: Io,
  cluster: Cluster,
  out: RecordOutput,
  stopper: Stopper,
  setProgress: (p: ProgressLine) => void,
  log: (message: string) => void,
): Promise<void> {
  const topics = await resolveTopics(cluster, o.topics, o.pattern);
  const targets = await resolveTargets(cluster, topics, o.partitions);
  const skipped = (s: SkippedBatch) =>
    printLine(io.stderr, `evt: skipped ${s.topic}-${s.partition} offsets ${s.offset}-${s.lastOffset}: ${s.reason}`);
  const readerOptions: ReaderOptions = { onSkippedBatch: skipped };
  const started = Date.now();
  if (o.expect !== undefined) stopper.at(started + o.expectTimeoutMs, 'deadline');

  const until = o.until ? await resolvePositions(cluster, targets, o.until) : { offsets: targets.map((t) => t.latest) };
  const ends = until.offsets;
  let matched = 0;
  let read = 0;
  const expected = o.expect;
  const reached = () => expected !== undefined && matched >= expected;

  // phase 1: what is there already
  if (o.from === undefined && expected === undefined) {
    const total = targets.reduce((n, t, i) => n + Math.min(o.lines, ends[i] - t.earliest), 0);
    setProgress(
      new ProgressLine(
        io,
        () =>
          `read ${formatCount(read)} records, looking for the last ${formatCount(o.lines)}${o.filter ? ' that match' : ''} (of ${formatCount(total)}+)`,
      ),
    );
    const spans = targets.map((t, i) => ({ topic: t.topic, partition: t.partition, start: t.earliest, end: ends[i] }));
    const last = await stopper.race(
      lastMatching(cluster, spans, o.lines, (r) => out.match(r), {
        prepare: o.codec.registry && ((rs) => o.codec.registry!.prepare(rs)),
        readerOptions,
        filtered: o.filter !== undefined,
        onRead: (n) => (read += n),
        stopped: () => stopper.reason !== null,
      }),
    );
    for (const m of last ?? []) out.print(m);
    await out.flush();
  } else {
    const from = o.from
      ? await resolvePositions(cluster, targets, o.from)
      : { offsets: targets.map((t) => t.earliest) };
    const limit = o.linesGiven ? o.lines : Infinity;
    const ranges = targets.map((t, i) => ({
      topic: t.topic,
      partition: t.partition,
      from: from.offsets[i],
      until: Math.max(from.offsets[i], ends[i]),
    }));
    const total = ranges.reduce((n, r) => n + (r.until - r.from), 0);
    setProgress(
      new ProgressLine(
        io,
        () =>
          `read ${formatCount(read)} of ${formatCount(total)} records (${Math.floor((100 * read) / Math.max(total, 1))}%)`,
      ),
    );
    const { PartitionReader } = await import('../../client/wire/reader.js');
    const reader = new PartitionReader(cluster, ranges, readerOptions);
    // registry lookups happen on this thread: no formatting workers then
    const pool = o.workers && !o.codec.registry && total >= PARALLEL_MIN_RECORDS ? await startPool(o, skipped) : null;
    if (pool) log(`decoding and formatting ${formatCount(total)} records on ${pool.size} worker threads`);
    try {
      let printed = 0;
      if (pool) {
        const want = Math.min(limit, expected !== undefined ? expected : Infinity);
        const { printMergedInParallel } = await import('./parallel.js');
        printed = await printMergedInParallel(reader, ranges, pool, out, stopper, {
          limit: want,
          onRead: (n) => (read += n),
        });
        matched += printed;
      } else {
        const merged = mergeByTimestamp(reader, ranges, { onRead: (n) => (read += n) });
        outer: for (;;) {
          const next = await stopper.race(merged.next());
          if (next === null || next.done) break;
          if (o.codec.registry) await o.codec.registry.prepare(next.value);
          for (const r of next.value) {
            if (!out.offer(r)) continue;
            matched++;
            if (++printed >= limit || reached()) break outer;
          }
          if (out.closed) break;
          await out.pace();
        }
      }
      if (printed >= limit) return finish(o, out, stopper, matched);
    } finally {
      reader.close();
      await pool?.close();
    }
    await out.flush();
  }
  if (reached() || out.closed) return finish(o, out, stopper, matched);

  // phase 2: follow what comes next
  if (stopper.reason === null && (o.follow || expected !== undefined)) {
    const followUntil = targets.map((_t, i) => {
      if (!o.until || o.until.kind === 'end') return o.until ? ends[i] : undefined;
      if (o.until.kind === 'offset') return Math.max(o.until.offset, ends[i]);
      return until.future?.[i] ? undefined : ends[i];
    });
    const ranges = targets
      .map((t, i) => ({ topic: t.topic, partition: t.partition, from: ends[i], until: followUntil[i] }))
      .filter((r) => r.until === undefined || r.until > r.from);
    const untilTime = until.future?.some((f) => f) ? until.time : undefined;
    if (untilTime !== undefined) stopper.at(untilTime, 'until-time');
    if (ranges.length > 0) {
      const { PartitionReader } = await import('../../client/wire/reader.js');
      const reader = new PartitionReader(cluster, ranges, { ...readerOptions, maxWaitMs: 500 });
      try {
        outer: for (;;) {
          const chunk = await stopper.race(reader.next());
          if (chunk === null) break;
          if (o.codec.registry) await o.codec.registry.prepare(chunk.records);
          for (const r of chunk.records) {
            if (untilTime !== undefined && r.timestamp >= untilTime) continue;
            if (!out.offer(r)) continue;
            matched++;
            if (reached()) break outer;
          }
          await out.flush();
          if (out.closed) break;
        }
      } finally {
        reader.close();
      }
    }
  }
  return finish(o, out, stopper, matched);
}

async function startPool(o: TailOptions, onSkipped: (s: SkippedBatch) => void) {
  const { FormatPool } = await import('./parallel.js');
  try {
    return FormatPool.start(
      { ...o.workers!, mode: o.output },
      onSkipped,
      o.wireNotice && ((topic, id) => o.wireNotice!.noRegistry(topic, id)),
    );
  } catch {
    return null;
  }
}

export type { TailTarget };
