// Reading partitions directly, without a consumer group: long-polled Fetch requests to each partition's
// leader, from a given offset to an optional end (exclusive), yielding the records of each partition in
// order. Nothing is committed and no group is joined, so nothing is left behind on the cluster.
//
// The fetch loop only reads batch headers (to know where to fetch next) and queues the raw bytes; records
// are decoded when the consumer takes a chunk, so the next fetch is already on the wire while the consumer
// decodes and prints. The queue is bounded in bytes, and a consumer that merges partitions can pause the ones
// it has enough of.

import type { EncodableRequest } from '../../protocol/message-types.js';
import { FETCH, type FetchResponse } from '../../protocol/messages/index.js';
import { ErrorCode, KafkaError } from '../../protocol/error-codes.js';
import {
  ATTRIBUTES,
  BATCH_LENGTH,
  LAST_OFFSET_DELTA,
  LOG_OVERHEAD,
  MAGIC,
  compressionOf,
  isControlBatch,
  readInt64,
} from '../../protocol/records/batch-layout.js';
import { canDecodeRecords, decodeBatchInto, type RecordMatch } from '../../protocol/records/decode.js';
import type { ConsumedRecord } from '../records.js';
import { isolationLevel, type Cluster } from './cluster.js';
import { dropAbortedBatches, type AbortedTransaction } from '../../protocol/records/transactions.js';
import { sleep } from '../../common/time.js';
import {
  KafkaResponseError,
  OffsetOutOfRangeError,
  TopicNotFoundError,
  WireError,
  isRetriable,
  needsMetadataRefresh,
} from './errors.js';

export interface ReadRange {
  topic: string;
  partition: number;
  /** the first offset to read */
  from: number;
  /** stop before this offset; absent: keep following the partition */
  until?: number;
}

export interface ReadChunk {
  topic: string;
  partition: number;
  /** in offset order; may be empty (a done marker, or a fetch of only control records) */
  records: ConsumedRecord[];
  /** the partition reached `until`: no more chunks will come for it */
  done: boolean;
  /** the next offset the reader will fetch for this partition */
  position: number;
  /** the partition's high watermark at this fetch */
  highWatermark: number;
}

export interface SkippedBatch {
  topic: string;
  partition: number;
  offset: number;
  lastOffset: number;
  reason: string;
}

export interface ReaderOptions {
  /** how long a fetch waits at the broker for new records (default 500 ms) */
  maxWaitMs?: number;
  /** bytes per fetch answer (default 64 MiB) and per partition in it (default 1 MiB, as Kafka's consumers) */
  maxBytes?: number;
  partitionMaxBytes?: number;
  /** raw bytes fetched ahead of the consumer (default 32 MiB) */
  maxQueuedBytes?: number;
  /**
   * Batches whose records cannot be decoded (an unknown codec, a codec library that did not load, message
   * formats before v2) are reported here
   * and skipped; without it the reader fails on them.
   */
  onSkippedBatch?: (skipped: SkippedBatch) => void;
  /** only the records of a partition that match are handed out (the rest is walked over, not decoded) */
  matchFor?: (topic: string, partition: number) => RecordMatch | undefined;
}

class PartitionCursor {
  leader = -1;
  paused = false;
  done = false;
  highWatermark = -1;
  maxBytes: number;
  constructor(
    readonly topic: string,
    readonly partition: number,
    public position: number,
    readonly until: number | undefined,
    maxBytes: number,
    readonly match: RecordMatch | undefined,
  ) {
    this.maxBytes = maxBytes;
  }
}

interface QueuedChunk {
  cursor: PartitionCursor;
  /** the position the fetch started at: records below it are skipped */
  from: number;
  records: Buffer | null;
  /** how far into `records` the consumer has decoded (chunks are handed out a few thousand records at a time) */
  decoded: number;
  done: boolean;
  position: number;
  highWatermark: number;
}

let readerIds = 0;
const CHUNK_RECORDS = 4096;

export class PartitionReader implements AsyncIterable<ReadChunk> {
  private readonly cursors: PartitionCursor[];
  private readonly byKey = new Map<string, PartitionCursor>();
  private readonly queue: QueuedChunk[] = [];
  private queuedBytes = 0;
  private loops = new Map<number, Promise<void>>();
  private error: Error | null = null;
  private closed = false;
  private started = false;
  private consumerWake: (() => void) | null = null;
  private loopWakes = new Set<() => void>();
  private readonly lane = `fetch-${++readerIds}`;
  private readonly maxWaitMs: number;
  private readonly maxBytes: number;
  private readonly maxQueuedBytes: number;

  constructor(
    private readonly cluster: Cluster,
    ranges: ReadRange[],
    private readonly options: ReaderOptions = {},
  ) {
    this.maxWaitMs = options.maxWaitMs ?? 500;
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.maxQueuedBytes = options.maxQueuedBytes ?? 32 * 1024 * 1024;
    const partitionMaxBytes = options.partitionMaxBytes ?? 1024 * 1024;
    this.cursors = ranges.map(
      (r) =>
        new PartitionCursor(
          r.topic,
          r.partition,
          r.from,
          r.until,
          partitionMaxBytes,
          options.matchFor?.(r.topic, r.partition),
        ),
    );
    for (const c of this.cursors) {
      const key = `${c.topic}\u0000${c.partition}`;
      if (this.byKey.has(key)) throw new WireError(`${c.topic}-${c.partition} is listed twice`, 'config');
      this.byKey.set(key, c);
    }
  }

  /** Stops fetching a partition until resumed (what is already queued still comes). */
  pause(topic: string, partition: number): void {
    const c = this.byKey.get(`${topic}\u0000${partition}`);
    if (c) c.paused = true;
  }

  resume(topic: string, partition: number): void {
    const c = this.byKey.get(`${topic}\u0000${partition}`);
    if (c && c.paused) {
      c.paused = false;
      this.wakeLoops();
    }
  }

  /** Where each partition stands: the next offset to read (after what has been handed out or queued). */
  positions(): { topic: string; partition: number; position: number; done: boolean }[] {
    return this.cursors.map((c) => ({ topic: c.topic, partition: c.partition, position: c.position, done: c.done }));
  }

  async *[Symbol.asyncIterator](): AsyncIterator<ReadChunk> {
    try {
      for (;;) {
        const chunk = await this.next();
        if (!chunk) return;
        yield chunk;
      }
    } finally {
      this.close();
    }
  }

  /** The next chunk, or null once every partition is done (or the reader was closed). */
  async next(): Promise<ReadChunk | null> {
    if (!this.started) await this.start();
    for (;;) {
      if (this.error) throw this.error;
      const q = this.queue[0];
      if (q) {
        const chunk = this.decode(q);
        if (q.records === null || q.decoded >= q.records.length) {
          this.queue.shift();
          this.queuedBytes -= q.records?.length ?? 0;
          this.wakeLoops();
        }
        return chunk;
      }
      if (this.closed || this.cursors.every((c) => c.done)) return null;
      await new Promise<void>((resolve) => (this.consumerWake = resolve));
      this.consumerWake = null;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.wakeLoops();
    this.consumerWake?.();
    this.cluster.closeLane(this.lane);
  }

  // ---------------------------------------------------------------------------------------------- fetching

  private async start(): Promise<void> {
    this.started = true;
    for (const topic of new Set(this.cursors.map((c) => c.topic))) {
      // the cached leaders will do: a fetch from a broker that is no longer the leader refreshes them
      const meta = await this.cluster.topic(topic, { refresh: false });
      for (const c of this.cursors) {
        if (c.topic !== topic) continue;
        const p = meta.partitions.find((x) => x.partition === c.partition);
        if (!p)
          throw new WireError(
            `partition ${c.partition} of ${topic} does not exist (it has ${meta.partitions.length})`,
            'not-found',
          );
        c.leader = p.leader;
      }
    }
    for (const c of this.cursors) {
      if (c.until !== undefined && c.position >= c.until) {
        c.done = true;
        this.queue.push({
          cursor: c,
          from: c.position,
          records: null,
          decoded: 0,
          done: true,
          position: c.position,
          highWatermark: -1,
        });
      }
    }
    this.spawnLoops();
  }

  private spawnLoops(): void {
    for (const c of this.cursors) {
      if (c.done || c.leader < 0 || this.loops.has(c.leader)) continue;
      const node = c.leader;
      const loop = this.fetchLoop(node).then(
        () => {
          this.loops.delete(node);
          this.consumerWake?.();
        },
        (err: Error) => {
          this.loops.delete(node);
          this.fail(err);
        },
      );
      this.loops.set(node, loop);
    }
  }

  private fail(err: Error): void {
    if (!this.error) this.error = err;
    this.closed = true;
    this.wakeLoops();
    this.consumerWake?.();
  }

  private wakeLoops(): void {
    const wakes = [...this.loopWakes];
    this.loopWakes.clear();
    for (const w of wakes) w();
  }

  private waitForWake(): Promise<void> {
    return new Promise((resolve) => this.loopWakes.add(resolve));
  }

  private async fetchLoop(node: number): Promise<void> {
    let failingSince = 0;
    while (!this.closed) {
      const mine = this.cursors.filter((c) => c.leader === node && !c.done);
      if (mine.length === 0) return;
      const active = mine.filter((c) => !c.paused);
      if (active.length === 0 || this.queuedBytes >= this.maxQueuedBytes) {
        await this.waitForWake();
        continue;
      }
      let answer: FetchResponse;
      try {
        const conn = await this.cluster.connection(node, this.lane);
        if (this.closed) return;
        answer = await conn.request(FETCH, this.fetchRequest(active), {
          timeoutMs: this.maxWaitMs + this.cluster.timeoutMs,
        });
        failingSince = 0;
      } catch (err) {
        if (this.closed) return;
        const retriable = err instanceof WireError && err.retriable && err.kind !== 'unreachable';
        if (!retriable) throw err;
        failingSince ||= Date.now();
        if (Date.now() - failingSince > this.cluster.timeoutMs) throw err;
        this.cluster.log(`fetch from broker ${node} failed, retrying: ${(err as Error).message}`);
        await sleep(200);
        continue;
      }
      if (this.closed) return;
      await this.onFetchAnswer(node, answer);
    }
  }

  private fetchRequest(active: PartitionCursor[]): EncodableRequest<typeof FETCH> {
    const topics = new Map<string, EncodableRequest<typeof FETCH>['topics'][number]['partitions']>();
    for (const c of active) {
      let list = topics.get(c.topic);
      if (!list) topics.set(c.topic, (list = []));
      list.push({
        partition: c.partition,
        currentLeaderEpoch: -1,
        fetchOffset: c.position,
        logStartOffset: -1,
        partitionMaxBytes: c.maxBytes,
      });
    }
    return {
      replicaId: -1,
      maxWaitMs: this.maxWaitMs,
      minBytes: 1,
      maxBytes: this.maxBytes,
      isolationLevel: isolationLevel(this.cluster.isolation),
      sessionId: 0,
      sessionEpoch: -1,
      topics: [...topics].map(([topic, partitions]) => ({ topic, partitions })),
      forgottenTopicsData: [],
      rackId: '',
    };
  }

  private async onFetchAnswer(node: number, answer: FetchResponse): Promise<void> {
    if (answer.errorCode && answer.errorCode !== 0) {
      if (!isRetriable(answer.errorCode)) throw new KafkaResponseError(answer.errorCode, `fetch from broker ${node}`);
      await sleep(100);
      return;
    }
    const moved = new Set<string>();
    for (const t of answer.responses) {
      for (const p of t.partitions) {
        const c = this.byKey.get(`${t.topic}\u0000${p.partitionIndex}`);
        if (!c || c.done || c.leader !== node) continue;
        const code = p.errorCode;
        if (code === ErrorCode.OFFSET_OUT_OF_RANGE)
          throw new OffsetOutOfRangeError(c.topic, c.partition, c.position, p.logStartOffset, p.highWatermark);
        if (code !== 0) {
          if (!isRetriable(code)) throw new KafkaResponseError(code, `fetch of ${c.topic}-${c.partition}`);
          if (needsMetadataRefresh(code)) moved.add(c.topic);
          continue;
        }
        c.highWatermark = p.highWatermark;
        // a broker that ignores read_committed sends no aborted list, and then there is nothing to drop
        const aborted = this.cluster.isolation === 'read_committed' ? (p.abortedTransactions ?? []) : [];
        this.advance(c, p.records, aborted);
      }
    }
    if (moved.size > 0) await this.refreshLeaders(moved);
    this.consumerWake?.();
  }

  /**
   * Walks the batch headers of a fetched record set, moves the cursor, and queues the bytes (without the
   * batches of `aborted` transactions).
   */
  private advance(c: PartitionCursor, records: Buffer | null, aborted: readonly AbortedTransaction[]): void {
    const from = c.position;
    let pos = 0;
    let next = c.position;
    if (records) {
      while (pos + 17 <= records.length) {
        const size = records.readInt32BE(pos + BATCH_LENGTH) + LOG_OVERHEAD;
        if (pos + size > records.length) break; // a partial batch at the end of the answer
        const magic = records.readInt8(pos + MAGIC);
        // v2 batches end at base + lastOffsetDelta; an old message set entry's offset is its (last) offset
        const last =
          magic >= 2 ? readInt64(records, pos) + records.readInt32BE(pos + LAST_OFFSET_DELTA) : readInt64(records, pos);
        if (last + 1 > next) next = last + 1;
        pos += size;
      }
      if (pos === 0 && records.length > 0) {
        // not even one whole batch fitted: ask for more next time
        c.maxBytes = Math.min(c.maxBytes * 2, this.maxBytes);
      }
    }
    c.position = next;
    const done = c.until !== undefined && c.position >= c.until;
    if (done) c.done = true;
    if (next === from && !done) return; // nothing new (a long poll that timed out)
    const kept = records && pos > 0 ? dropAbortedBatches(records.subarray(0, pos), aborted) : null;
    const bytes = kept && kept.length > 0 ? kept : null;
    this.queuedBytes += bytes?.length ?? 0;
    this.queue.push({
      cursor: c,
      from,
      records: bytes,
      decoded: 0,
      done,
      position: c.position,
      highWatermark: c.highWatermark,
    });
  }

  private async refreshLeaders(topics: Set<string>): Promise<void> {
    await sleep(100);
    for (const topic of topics) {
      let meta;
      try {
        meta = await this.cluster.topic(topic);
      } catch (err) {
        if (err instanceof TopicNotFoundError)
          throw new TopicNotFoundError(topic, ' (deleted while it was being read)');
        throw err;
      }
      for (const c of this.cursors) {
        if (c.topic !== topic) continue;
        const p = meta.partitions.find((x) => x.partition === c.partition);
        if (!p)
          throw new WireError(`partition ${c.partition} of ${topic} disappeared while it was being read`, 'not-found');
        c.leader = p.leader;
      }
    }
    this.spawnLoops();
  }

  // ---------------------------------------------------------------------------------------------- decoding

  /**
   * Decodes the next batches of a queued fetch, until a few thousand records are out (so that records are
   * short-lived: they die young, which keeps garbage collection cheap) or the fetch is used up.
   */
  private decode(q: QueuedChunk): ReadChunk {
    const c = q.cursor;
    const out: ConsumedRecord[] = [];
    const buf = q.records;
    let position = q.position;
    let done = q.done;
    if (buf) {
      const pos = decodeRecordSet(
        buf,
        q.decoded,
        c.topic,
        c.partition,
        q.from,
        c.until ?? Infinity,
        out,
        CHUNK_RECORDS,
        (s) => this.skip(s),
        c.match,
      );
      q.decoded = pos;
      if (pos < buf.length) {
        // more of this fetch to come: this chunk ends after its last batch
        done = false;
        position = readInt64(buf, pos);
      }
    }
    return { topic: c.topic, partition: c.partition, records: out, done, position, highWatermark: q.highWatermark };
  }

  /**
   * The next fetched record set as it came (whole batches, not decoded), for a consumer that decodes
   * elsewhere (decodeRecordSet, e.g. in a worker thread); null once every partition is done. Do not mix with
   * next().
   */
  async nextRaw(): Promise<RawChunk | null> {
    if (!this.started) await this.start();
    for (;;) {
      if (this.error) throw this.error;
      const q = this.queue.shift();
      if (q) {
        this.queuedBytes -= q.records?.length ?? 0;
        this.wakeLoops();
        const c = q.cursor;
        return {
          topic: c.topic,
          partition: c.partition,
          data: q.records,
          from: q.from,
          until: c.until ?? Infinity,
          done: q.done,
          position: q.position,
          highWatermark: q.highWatermark,
        };
      }
      if (this.closed || this.cursors.every((c) => c.done)) return null;
      await new Promise<void>((resolve) => (this.consumerWake = resolve));
      this.consumerWake = null;
    }
  }

  private skip(s: SkippedBatch): void {
    if (!this.options.onSkippedBatch)
      throw new WireError(`${s.topic}-${s.partition} at offset ${s.offset}: ${s.reason}`, 'unsupported');
    this.options.onSkippedBatch(s);
  }
}

/** A fetched record set of one partition, not decoded (see PartitionReader.nextRaw). */
export interface RawChunk {
  topic: string;
  partition: number;
  /** whole batches; null when the fetch brought none */
  data: Buffer | null;
  /** records below `from` and from `until` on are not wanted */
  from: number;
  until: number;
  done: boolean;
  position: number;
  highWatermark: number;
}

/**
 * Decodes the batches of a record set from byte `pos`, appending the records with offsets in [from, until)
 * to `out`, until at least `maxRecords` are out or the set is used up; returns where it stopped. Control
 * batches are skipped; batches that cannot be decoded (an unknown codec or one whose library did not load, message formats before v2) go to
 * `skip`; corrupt records throw.
 */
export function decodeRecordSet(
  buf: Buffer,
  pos: number,
  topic: string,
  partition: number,
  from: number,
  until: number,
  out: ConsumedRecord[],
  maxRecords: number,
  skip: (s: SkippedBatch) => void,
  match?: RecordMatch,
): number {
  while (pos < buf.length && out.length < maxRecords) {
    const size = buf.readInt32BE(pos + BATCH_LENGTH) + LOG_OVERHEAD;
    const batch = buf.subarray(pos, pos + size);
    pos += size;
    const magic = batch.readInt8(MAGIC);
    const base = readInt64(batch, 0);
    if (magic < 2) {
      if (base >= from)
        skip({
          topic,
          partition,
          offset: base,
          lastOffset: base,
          reason: `message format v${magic} (before Kafka 0.11) cannot be read`,
        });
      continue;
    }
    const attributes = batch.readInt16BE(ATTRIBUTES);
    const last = base + batch.readInt32BE(LAST_OFFSET_DELTA);
    if (last < from || base >= until || isControlBatch(attributes)) continue;
    if (!canDecodeRecords(attributes)) {
      skip({
        topic,
        partition,
        offset: base,
        lastOffset: last,
        reason: `records compressed with an unknown codec (${compressionOf(attributes)}) cannot be decoded by evt`,
      });
      continue;
    }
    try {
      decodeBatchInto(batch, topic, partition, from, until, out, match);
    } catch (err) {
      // a codec whose library did not load on this machine: the batch is skipped like an unknown codec
      if (err instanceof KafkaError && err.code === ErrorCode.UNSUPPORTED_COMPRESSION_TYPE) {
        skip({ topic, partition, offset: base, lastOffset: last, reason: `${err.message}: records not decoded` });
        continue;
      }
      const why = err instanceof KafkaError ? err.message : String(err);
      throw new WireError(`the records of ${topic}-${partition} at offset ${base} are corrupt: ${why}`, 'protocol');
    }
  }
  return pos;
}
