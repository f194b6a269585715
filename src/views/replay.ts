// Replaying topics into a view, exactly once across crashes: records are read outside any consumer group,
// partition by partition from where the view's stored offsets say, decoded, applied, and each chunk is
// committed in ONE SQLite transaction together with the next offset of its partition. A crash (kill -9, power
// loss in WAL mode) at any moment leaves the rows and offsets of the last committed chunk, never rows without
// their offsets or offsets without their rows, so a resumed replay ends where a clean rebuild would.
//
// An event that cannot be decoded or applied goes to the view's errors table and the replay goes on, except
// when the view's code has applied nothing in this run and throws on every event of a batch: the code is
// broken rather than the events, so the replay commits that batch (its errors, the offsets after it) and
// stops with ViewCodeError instead of filling the errors table with the rest of the topics.

import type { Database } from 'better-sqlite3';
import { headersAsText, type ConsumedRecord } from '../client/records.js';
import { EARLIEST, LATEST, PartitionReader, type Cluster, type ReadChunk } from '../client/wire/index.js';
import type { DecodedValue, ValueCodec } from '../codec/value-codec.js';
import type { ViewDefinition, ViewEvent } from './definition.js';
import { dropView, ensureView, positions, storedTopics } from './store.js';
import { sleep } from '../common/time.js';
import { EvtError } from '../common/errors.js';

export type ReplayStart = { kind: 'beginning' } | { kind: 'time'; timestamp: number };

export interface ReplayOptions {
  db: Database;
  def: ViewDefinition;
  cluster: Cluster;
  /** how values are decoded (auto JSON/string, Avro through the registry) */
  codec: ValueCodec;
  /** where partitions without a stored offset start (default the beginning) */
  from?: ReplayStart;
  /** keep going after reaching the end */
  follow?: boolean;
  /** drop the view first and replay from the start */
  rebuild?: boolean;
  onProgress?(progress: ReplayProgress): void;
  progressEveryMs?: number;
  /** stop (Ctrl-C): the chunk in hand is committed, then the replay returns */
  signal?: AbortSignal;
}

export interface PartitionProgress {
  topic: string;
  partition: number;
  /** next offset the view will read */
  position: number;
  /** the high watermark seen last */
  end: number;
}

export interface ReplayProgress {
  events: number;
  errors: number;
  elapsedMs: number;
  eventsPerSecond: number;
  partitions: PartitionProgress[];
  /** events left to the ends seen, and how long they should take at the current rate (null when unknown) */
  remaining: number;
  etaMs: number | null;
  caughtUp: boolean;
}

export interface ReplaySummary extends ReplayProgress {
  view: string;
  rebuilt: boolean;
  /** partitions whose stored offset had been deleted by retention: they restarted at the log start */
  truncated: string[];
  /** the first event of this run that went to the errors table, or null */
  firstError: EventError | null;
}

/** An event that went to the errors table: where it is, and why (the error names no position: this does). */
export interface EventError {
  topic: string;
  partition: number;
  offset: number;
  error: string;
}

/** `topic-partition@offset: error`, the one place an error's position is written. */
export function describeEventError(e: EventError): string {
  return `${e.topic}-${e.partition}@${e.offset}: ${e.error}`;
}

/** Records per transaction at most, and how long gathered records wait for more before they are committed. */
const COMMIT_RECORDS = 50_000;
const COMMIT_WAIT_MS = 20;
const IDLE: unique symbol = Symbol('idle');

/**
 * The view's code threw on every event of a batch before applying any in this run: a broken view. The batch
 * was committed (its events in the errors table, the offsets after it), the replay stopped.
 */
export class ViewCodeError extends EvtError {
  constructor(
    readonly view: string,
    readonly first: EventError,
    /** the events of the batch the code threw on (all it was given) */
    readonly events: number,
  ) {
    super(`view ${view}: ${describeEventError(first)}`, 'failure');
    this.name = 'ViewCodeError';
  }
}

/** A definition with nothing to read: a topic it names does not exist. */
export class MissingTopicError extends Error {
  override name = 'MissingTopicError';
}

/**
 * A built-in view stored from other topics than its definition reads now (the workflow's views under another
 * prefix): replaying would fold a second set of topics into the same rows.
 */
export class ViewTopicsChangedError extends Error {
  override name = 'ViewTopicsChangedError';
  constructor(
    readonly view: string,
    readonly stored: readonly string[],
    readonly wanted: readonly string[],
  ) {
    super(`view ${view} was built from ${stored.join(', ')}, not ${wanted.join(', ')}`);
  }
}

export async function replay(options: ReplayOptions): Promise<ReplaySummary> {
  const { db, def, cluster, codec } = options;
  const started = Date.now();
  if (options.rebuild) dropView(db, def);
  else if (def.source === 'built-in') {
    const stored = storedTopics(db, def.name);
    if (stored && [...stored].sort().join('\u0000') !== [...def.topics].sort().join('\u0000'))
      throw new ViewTopicsChangedError(def.name, stored, def.topics);
  }
  ensureView(db, def);
  const apply = def.prepare(db);

  const parts: { topic: string; partition: number }[] = [];
  for (const topic of def.topics) {
    let meta;
    try {
      meta = await cluster.topic(topic);
    } catch (err) {
      if ((err as { kind?: string }).kind === 'not-found')
        throw new MissingTopicError(`topic ${topic} (read by view ${def.name}) does not exist`);
      throw err;
    }
    for (const p of meta.partitions) parts.push({ topic, partition: p.partition });
  }
  const stored = new Map(positions(db, def.name).map((p) => [`${p.topic}:${p.partition}`, p.nextOffset]));
  const listed = await cluster.listOffsets(
    parts.flatMap((p) => [
      { ...p, timestamp: EARLIEST },
      { ...p, timestamp: LATEST },
    ]),
  );
  const fromTime =
    options.from?.kind === 'time'
      ? await cluster.listOffsets(
          parts.map((p) => ({ ...p, timestamp: (options.from as { timestamp: number }).timestamp })),
        )
      : null;

  const truncated: string[] = [];
  const progress = new Map<string, PartitionProgress>();
  const ranges = parts.map((p, i) => {
    const logStart = listed[2 * i].offset;
    const end = listed[2 * i + 1].offset;
    let from = stored.get(`${p.topic}:${p.partition}`);
    if (from === undefined) from = fromTime ? (fromTime[i].offset < 0 ? end : fromTime[i].offset) : logStart;
    else if (from < logStart) {
      truncated.push(`${p.topic}-${p.partition}`);
      from = logStart;
    }
    progress.set(`${p.topic}:${p.partition}`, { ...p, position: from, end });
    return { ...p, from, until: options.follow ? undefined : end };
  });

  const saveOffset = db.prepare(
    'INSERT INTO _evt_offsets VALUES (?, ?, ?, ?) ON CONFLICT(view, topic, partition) DO UPDATE SET next_offset = excluded.next_offset',
  );
  const saveError = db.prepare('INSERT OR REPLACE INTO _evt_errors VALUES (?, ?, ?, ?, ?, ?)');
  const count = db.prepare(
    'UPDATE _evt_views SET events = events + ?, errors = errors + ?, updated_at = ? WHERE name = ?',
  );
  let events = 0;
  let errors = 0;
  let applied = 0;
  let firstError: EventError | null = null;
  // Built-in views write each event with one statement, so a failing event leaves nothing behind; a view
  // file's code may write several rows before it throws, so its events run in a savepoint each.
  const guarded = def.source !== 'built-in';

  // One transaction for several chunks (up to COMMIT_RECORDS, or whatever arrived when the reader has to
  // wait): a commit has a fixed cost that dominates small batches. Each partition's offset is the position
  // after its last chunk in the transaction.
  const commit = db.transaction((chunks: ReadChunk[]) => {
    const batch: Batch = { applied: 0, failed: 0, codeFailed: 0, first: null, firstOfCode: null };
    const next = new Map<string, { topic: string; partition: number; position: number }>();
    for (const chunk of chunks) {
      for (const r of chunk.records) {
        const outcome = applyRecord(r, codec, apply, guarded ? db : null);
        if (outcome === null) batch.applied++;
        else {
          batch.failed++;
          const e = { topic: r.topic, partition: r.partition, offset: r.offset, error: outcome.error };
          batch.first ??= e;
          if (outcome.code) {
            batch.codeFailed++;
            batch.firstOfCode ??= e;
          }
          saveError.run(def.name, r.topic, r.partition, r.offset, outcome.error, Date.now());
        }
      }
      next.set(`${chunk.topic}:${chunk.partition}`, chunk);
    }
    apply.flush?.();
    for (const c of next.values()) saveOffset.run(def.name, c.topic, c.partition, c.position);
    count.run(batch.applied + batch.failed, batch.failed, Date.now(), def.name);
    return batch;
  }) as (chunks: ReadChunk[]) => Batch;

  const snapshot = (): ReplayProgress => {
    const elapsedMs = Date.now() - started;
    const eventsPerSecond = elapsedMs > 0 ? (events * 1000) / elapsedMs : 0;
    const list = [...progress.values()];
    const remaining = list.reduce((sum, p) => sum + Math.max(0, p.end - p.position), 0);
    return {
      events,
      errors,
      elapsedMs,
      eventsPerSecond,
      partitions: list,
      remaining,
      etaMs: eventsPerSecond > 0 ? (remaining * 1000) / eventsPerSecond : null,
      caughtUp: remaining === 0,
    };
  };
  const timer = options.onProgress
    ? setInterval(() => options.onProgress!(snapshot()), options.progressEveryMs ?? 1000)
    : null;

  const active = ranges.filter((r) => r.until === undefined || r.until > r.from);
  const reader = active.length ? new PartitionReader(cluster, active, { maxWaitMs: 500 }) : null;
  const stop = () => reader?.close();
  options.signal?.addEventListener('abort', stop, { once: true });
  try {
    let pending: ReadChunk[] = [];
    let pendingRecords = 0;
    const commitPending = () => {
      if (pending.length === 0) return;
      const batch = commit(pending);
      events += batch.applied + batch.failed;
      errors += batch.failed;
      applied += batch.applied;
      firstError ??= batch.first;
      for (const c of pending) progress.get(`${c.topic}:${c.partition}`)!.position = c.position;
      pending = [];
      pendingRecords = 0;
      // undecodable events say nothing about the code; every event the code was given, and nothing applied yet, do
      if (applied === 0 && batch.firstOfCode) throw new ViewCodeError(def.name, batch.firstOfCode, batch.codeFailed);
    };
    let next = reader?.next();
    while (reader && next && !options.signal?.aborted) {
      // commit what is gathered rather than wait with it: a live view stays current
      const chunk = pending.length
        ? await Promise.race([next, sleep(COMMIT_WAIT_MS).then((): typeof IDLE => IDLE)])
        : await next;
      if (chunk === IDLE) {
        commitPending();
        continue;
      }
      if (!chunk) break;
      next = reader.next();
      const p = progress.get(`${chunk.topic}:${chunk.partition}`)!;
      p.end = Math.max(p.end, chunk.highWatermark);
      if (chunk.records.length === 0 && chunk.position === p.position) continue;
      if (codec.registry) await codec.registry.prepare(chunk.records);
      pending.push(chunk);
      pendingRecords += chunk.records.length;
      if (pendingRecords >= COMMIT_RECORDS) commitPending();
    }
    commitPending();
  } catch (err) {
    if (!options.signal?.aborted || err instanceof ViewCodeError) throw err;
  } finally {
    options.signal?.removeEventListener('abort', stop);
    reader?.close();
    if (timer) clearInterval(timer);
  }
  return { ...snapshot(), view: def.name, rebuilt: !!options.rebuild, truncated, firstError };
}

/** What one transaction did: events applied, events to the errors table (those the view's code threw on). */
interface Batch {
  applied: number;
  failed: number;
  codeFailed: number;
  first: EventError | null;
  firstOfCode: EventError | null;
}

/**
 * Applies one record; returns null, or why it went to the errors table (without its position, which the
 * table's columns hold) and whether the view's code threw (rather than the value not decoding).
 */
function applyRecord(
  r: ConsumedRecord,
  codec: ValueCodec,
  apply: (e: ViewEvent) => void,
  savepointDb: Database | null,
): { error: string; code: boolean } | null {
  const decoded = r.value === null ? { value: null } : codec.decode(r.value);
  if ('error' in decoded && decoded.error) return { error: `cannot decode the value: ${decoded.error}`, code: false };
  const event = new RecordEvent(r, decoded);
  try {
    if (savepointDb) savepointDb.transaction(() => apply(event))();
    else apply(event);
    return null;
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err), code: true };
  }
}

/**
 * The event a view sees. Its key and headers become text only when the view reads them: most read one
 * header or none, and decoding six strings per event was a good part of a replay's cost.
 */
class RecordEvent implements ViewEvent {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  private text: Record<string, string> | undefined;
  private keyText: string | null | undefined;

  readonly value: unknown;

  constructor(
    readonly raw: ConsumedRecord,
    readonly decoded: DecodedValue,
  ) {
    const record = raw;
    this.value = decoded.value;
    this.topic = record.topic;
    this.partition = record.partition;
    this.offset = record.offset;
    this.timestamp = record.timestamp;
  }

  get key(): string | null {
    if (this.keyText === undefined) this.keyText = this.raw.key === null ? null : this.raw.key.toString('utf8');
    return this.keyText;
  }

  get headers(): Record<string, string> {
    return (this.text ??= headersAsText(this.raw.headers));
  }

  /** a view file may log or store the whole event */
  toJSON(): ViewEvent {
    const { topic, partition, offset, timestamp, key, headers, value } = this;
    return { topic, partition, offset, timestamp, key, headers, value };
  }
}
