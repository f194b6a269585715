// A producer on the wire client, built for throughput: records are appended to an open batch per partition,
// a batch is sent once it is full or has lingered, each broker gets several Produce requests in flight (one
// batch per partition per request), and a record is reported delivered only once the broker acknowledged it
// (with acks=0 there is nothing to wait for: offsets are then -1).
//
// Idempotent by default (InitProducerId, a sequence per partition), so that retries neither duplicate nor
// reorder: when a batch must be retried, it and every later batch of its partition already in flight are
// sent again in sequence order (the broker answers the ones it already has with their original offsets);
// when the broker rejects a batch for good (too large, invalid), the sequences of the partition's later
// batches are moved down so that they still follow on. Without idempotence, a retry may duplicate.

import { ErrorCode } from '../../protocol/error-codes.js';
import type { EncodableRequest } from '../../protocol/message-types.js';
import { INIT_PRODUCER_ID, PRODUCE } from '../../protocol/messages/index.js';
import { BASE_SEQUENCE, BATCH_HEADER_SIZE, CRC, CRC_START } from '../../protocol/records/batch-layout.js';
import { crc32c } from '../../common/crc32c.js';
import type { OutgoingRecord } from '../records.js';
import { BatchBuilder, NO_PRODUCER, compressBatch, type CompressionName } from './batch-encoder.js';
import { BufferPool } from './buffer-pool.js';
import type { RecordHeader } from '../records.js';
import type { Cluster, TopicMeta } from './cluster.js';
import type { Connection } from './connection.js';
import { sleep } from '../../common/time.js';
import { KafkaResponseError, PartitionNotFoundError, WireError, isRetriable, needsMetadataRefresh } from './errors.js';
import { NullKeyPartitioner, partitionForKey, type NullKeyStrategy } from './partitioner.js';

export type Acks = -1 | 0 | 1;

export interface ProducerOptions {
  /** -1 (all in-sync replicas, the default), 1 (the leader), 0 (no answer at all) */
  acks?: Acks;
  /** default true; needs acks -1 */
  idempotent?: boolean;
  compression?: CompressionName;
  /** how long a batch that is not full may wait for more records (default 5 ms) */
  lingerMs?: number;
  /** a batch is sent once its records reach this many bytes (default 1,000,000: under Kafka's max.message.bytes) */
  batchBytes?: number;
  /** Produce requests in flight per broker (default 5, the most idempotence allows) */
  maxInFlight?: number;
  /** write() asks the caller to wait while this many bytes are not yet acknowledged (default 64 MiB) */
  maxBufferedBytes?: number;
  /** a record that cannot be delivered within this time fails (default 120 s) */
  deliveryTimeoutMs?: number;
  /** records without key and partition: sticky (default) or round-robin */
  partitioner?: NullKeyStrategy;
  /** ask the broker to create unknown topics (it decides; default true) */
  autoCreateTopics?: boolean;
  /** the Produce request's timeout (default the cluster's timeout) */
  requestTimeoutMs?: number;
}

export interface Delivery {
  topic: string;
  partition: number;
  /** -1 with acks=0, or when the broker answered a retry as a duplicate without the offset */
  offset: number;
}

export type DeliveryCallback = (err: Error | null, delivery: Delivery | null) => void;

export interface PartitionStats {
  topic: string;
  partition: number;
  count: number;
  /** lowest and highest acknowledged offset (-1 when unknown, acks=0) */
  firstOffset: number;
  lastOffset: number;
}

const INT32_MAX = 0x7fffffff;
const NO_HEADERS: RecordHeader[] = [];
// sequences wrap to 0 after 2^31-1, as Kafka's DefaultRecordBatch.incrementSequence has it
const incrementSequence = (seq: number, n: number) => (seq > INT32_MAX - n ? n - (INT32_MAX - seq) - 1 : seq + n);
const decrementSequence = (seq: number, n: number) => (seq - n < 0 ? seq - n + INT32_MAX + 1 : seq - n);

class Batch {
  /** the records as they are appended; null once the batch is closed */
  builder: BatchBuilder | null;
  /** the whole buffer the batch is written in, when it came from the pool (given back once delivered) */
  pooled: Buffer | null;
  /** Produce requests that carried the batch: one that went more than once may still be in an old socket */
  sends = 0;
  callbacks: (DeliveryCallback | undefined)[] = [];
  hasCallbacks = false;
  count = 0;
  bytes = 0;
  /** key, value and header bytes of the records (for reports) */
  payloadBytes = 0;
  baseSequence = -1;
  encoded: Buffer | null = null;
  /** bumped on every send: an answer to an older send is stale and ignored */
  attempt = 0;
  /** closing order, for batches without sequences */
  order = 0;
  constructor(
    readonly part: PartitionState,
    readonly createdAt: number,
    buf: Buffer,
  ) {
    this.builder = new BatchBuilder(buf);
    this.pooled = buf;
  }
}

class PartitionState {
  open: Batch | null = null;
  /** closed batches waiting to be sent, in sequence order */
  queue: Batch[] = [];
  /** sent and not yet answered, in sequence order */
  inflight: Batch[] = [];
  nextSequence = 0;
  retryAt = 0;
  retries = 0;
  failed: Error | null = null;
  stats: PartitionStats;
  constructor(
    readonly topic: TopicState,
    readonly partition: number,
    public leader: number,
  ) {
    this.stats = { topic: topic.name, partition, count: 0, firstOffset: -1, lastOffset: -1 };
  }
  get idle(): boolean {
    return this.open === null && this.queue.length === 0 && this.inflight.length === 0;
  }
}

class TopicState {
  meta: TopicMeta | null = null;
  partitions: PartitionState[] = [];
  waiting: { record: OutgoingRecord; cb: DeliveryCallback | undefined; size: number; payload: number }[] = [];
  loading: Promise<TopicMeta> | null = null;
  refreshing = false;
  error: Error | null = null;
  /** the most a batch of this topic may hold (estimated bytes), below the topic's max.message.bytes */
  batchCap = Infinity;
  constructor(readonly name: string) {}
}

interface NodeState {
  id: number;
  conn: Connection | null;
  connecting: boolean;
  inflight: number;
  retryAt: number;
  lastError: Error | null;
}

export class WireProducer {
  private readonly acks: Acks;
  private readonly idempotent: boolean;
  private readonly compression: CompressionName;
  private readonly lingerMs: number;
  private readonly batchBytes: number;
  private readonly maxInFlight: number;
  private readonly maxBufferedBytes: number;
  private readonly deliveryTimeoutMs: number;
  private readonly requestTimeoutMs: number;
  private readonly autoCreate: boolean;
  private readonly nullKeys: NullKeyPartitioner;
  /** the buffers batches are written in */
  private readonly pool: BufferPool;
  private producerId = -1;
  private producerEpoch = -1;
  private topics = new Map<string, TopicState>();
  private nodes = new Map<number, NodeState>();
  private buffered = 0;
  private pendingRecords = 0;
  private closeCounter = 0;
  private flushing = 0;
  private drainScheduled = false;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;
  private capacityWaiters: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];
  private closed = false;
  /** records acknowledged (or written, with acks=0) and records failed, since the start */
  acknowledged = 0;
  failed = 0;
  /** key + value + header bytes of the acknowledged records */
  acknowledgedBytes = 0;
  /** the first delivery error, if any */
  firstError: Error | null = null;

  private constructor(
    readonly cluster: Cluster,
    options: ProducerOptions,
  ) {
    this.acks = options.acks ?? -1;
    this.idempotent = options.idempotent ?? this.acks === -1;
    if (this.idempotent && this.acks !== -1)
      throw new WireError('an idempotent producer needs acks=-1 (all)', 'config');
    this.compression = options.compression ?? 'none';
    this.lingerMs = options.lingerMs ?? 5;
    this.batchBytes = options.batchBytes ?? 1_000_000;
    this.maxInFlight = Math.max(1, Math.min(options.maxInFlight ?? 5, this.idempotent ? 5 : 100));
    this.maxBufferedBytes = options.maxBufferedBytes ?? 64 * 1024 * 1024;
    this.deliveryTimeoutMs = options.deliveryTimeoutMs ?? 120_000;
    this.requestTimeoutMs = options.requestTimeoutMs ?? cluster.timeoutMs;
    this.autoCreate = options.autoCreateTopics ?? true;
    this.nullKeys = new NullKeyPartitioner(options.partitioner ?? 'sticky');
    // room for a full batch, the header and what the per-record estimate of framing may miss (a larger batch
    // grows out of its buffer); as many kept idle as the unacknowledged bytes allowed may need
    const size = Math.min(this.batchBytes, 16 * 1024 * 1024) + BATCH_HEADER_SIZE + 16 * 1024;
    this.pool = new BufferPool(size, Math.ceil(this.maxBufferedBytes / size) + 4);
  }

  /** A producer on a connected cluster; an idempotent one first gets its producer id. */
  static async create(cluster: Cluster, options: ProducerOptions = {}): Promise<WireProducer> {
    const producer = new WireProducer(cluster, options);
    if (producer.idempotent) await producer.initProducerId();
    return producer;
  }

  get isIdempotent(): boolean {
    return this.idempotent;
  }

  /** Records handed to write() and not yet acknowledged or failed. */
  get pending(): number {
    return this.pendingRecords;
  }

  private async initProducerId(): Promise<void> {
    const deadline = Date.now() + this.cluster.timeoutMs;
    for (;;) {
      const nodeId = [...this.cluster.brokers.keys()][0];
      const conn = await this.cluster.connection(nodeId);
      const answer = await conn.request(INIT_PRODUCER_ID, { transactionalId: null, transactionTimeoutMs: 60_000 });
      if (answer.errorCode === 0) {
        this.producerId = answer.producerId;
        this.producerEpoch = answer.producerEpoch;
        return;
      }
      if (!isRetriable(answer.errorCode) || Date.now() > deadline) {
        const hint =
          answer.errorCode === ErrorCode.CLUSTER_AUTHORIZATION_FAILED
            ? ' (not allowed to be idempotent: try --no-idempotent)'
            : '';
        throw new KafkaResponseError(answer.errorCode, `getting an idempotent producer id${hint}`);
      }
      await sleep(100);
    }
  }

  /**
   * Looks up a topic (creating it when the broker auto-creates) before records are written to it, so that
   * an unknown topic fails here with TopicNotFoundError rather than per record.
   */
  async prepare(topic: string): Promise<TopicMeta> {
    const t = this.topicState(topic);
    if (t.meta) return t.meta;
    if (t.error) throw t.error;
    return t.loading!;
  }

  /**
   * Keeps this topic's batches under its `max.message.bytes`, which the broker applies to a whole batch: records
   * that fit one by one would otherwise be refused together (MESSAGE_TOO_LARGE) once batched. The cap leaves room
   * for the batch header and for what the per-record estimate of framing may miss; a record larger than the cap
   * still goes, alone in its batch.
   */
  limitBatches(topic: string, maxMessageBytes: number): void {
    this.topicState(topic).batchCap = Math.floor((maxMessageBytes - BATCH_HEADER_SIZE) * 0.9);
  }

  /** The partition count of a prepared topic. */
  partitionCount(topic: string): number | undefined {
    return this.topics.get(topic)?.meta?.partitions.length;
  }

  /**
   * Queues a record; `cb` is called once it is acknowledged or has failed. The key and value are copied
   * before this returns (the caller may reuse their memory). Returns false when the caller
   * should wait for `waitForCapacity()` before writing more (too many bytes unacknowledged).
   */
  write(topic: string, record: OutgoingRecord, cb?: DeliveryCallback): boolean {
    if (this.closed) throw new WireError('the producer is closed', 'closed');
    const t = this.topicState(topic);
    const headers = record.headers ?? NO_HEADERS;
    const value = record.value ?? null;
    const key = record.key ?? null;
    const payload = (key?.length ?? 0) + (value?.length ?? 0) + headersSize(headers);
    // the payload plus a record's framing (lengths, deltas, attributes)
    const size = payload + 12 + 4 * headers.length;
    this.pendingRecords++;
    this.buffered += size;
    if (t.meta)
      this.append(t, key, value, 0, value?.length ?? 0, headers, record.partition, record.timestamp, cb, size, payload);
    else if (t.error) this.rejectRecord(t.error, cb, size);
    // kept until the topic is known: copied, as the caller may reuse its buffers once write returns, and stamped
    // now, as a record appended at once is: its time is when it was written, not when the metadata came
    else
      t.waiting.push({
        record: { ...record, key: copyOf(key), value: copyOf(value), timestamp: record.timestamp ?? Date.now() },
        cb,
        size,
        payload,
      });
    return this.buffered < this.maxBufferedBytes;
  }

  /**
   * Queues a record whose value is bytes start..end of `buf` (no Buffer made for it: the fast path for values
   * read from a stream). `headers` may be shared between records; it is not changed. Returns as write().
   */
  writeSlice(
    topic: string,
    key: Buffer | null,
    buf: Buffer,
    start: number,
    end: number,
    headers: RecordHeader[],
    partition?: number,
  ): boolean {
    const t = this.topicState(topic);
    if (!t.meta) return this.write(topic, { key, value: buf.subarray(start, end), headers, partition });
    if (this.closed) throw new WireError('the producer is closed', 'closed');
    const payload = (key?.length ?? 0) + (end - start) + (headers.length ? headersSize(headers) : 0);
    const size = payload + 12 + 4 * headers.length;
    this.pendingRecords++;
    this.buffered += size;
    this.append(t, key, buf, start, end, headers, partition, undefined, undefined, size, payload);
    return this.buffered < this.maxBufferedBytes;
  }

  /** Queues a record and resolves when it is acknowledged. */
  send(topic: string, record: OutgoingRecord): Promise<Delivery> {
    return new Promise((resolve, reject) => {
      this.write(topic, record, (err, d) => (err ? reject(err) : resolve(d!)));
    });
  }

  /** Resolves once fewer bytes than maxBufferedBytes are unacknowledged. */
  waitForCapacity(): Promise<void> {
    if (this.buffered < this.maxBufferedBytes) return Promise.resolve();
    return new Promise((resolve) => this.capacityWaiters.push(resolve));
  }

  /** Sends everything queued now (no lingering) and resolves once every record is acknowledged or failed. */
  async flush(): Promise<void> {
    if (this.pendingRecords === 0) return;
    this.flushing++;
    try {
      const idle = new Promise<void>((resolve) => this.idleWaiters.push(resolve));
      this.scheduleDrain();
      await idle;
    } finally {
      this.flushing--;
    }
  }

  /** Per-partition counts and offset ranges of what was acknowledged. */
  partitionStats(): PartitionStats[] {
    const out: PartitionStats[] = [];
    for (const t of this.topics.values()) for (const p of t.partitions) if (p.stats.count > 0) out.push({ ...p.stats });
    return out;
  }

  /** Flushes, then stops. The cluster (and its connections) stays open: it belongs to the caller. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
  }

  // ---------------------------------------------------------------------------------------------- topics

  private topicState(name: string): TopicState {
    let t = this.topics.get(name);
    if (t) return t;
    t = new TopicState(name);
    this.topics.set(name, t);
    const state = t;
    state.loading = this.cluster.topic(name, { autoCreate: this.autoCreate });
    state.loading.then(
      (meta) => {
        state.meta = meta;
        state.partitions = meta.partitions.map((p) => new PartitionState(state, p.partition, p.leader));
        const waiting = state.waiting;
        state.waiting = [];
        for (const w of waiting) {
          const v = w.record.value ?? null;
          this.append(
            state,
            w.record.key ?? null,
            v,
            0,
            v?.length ?? 0,
            w.record.headers ?? NO_HEADERS,
            w.record.partition,
            w.record.timestamp,
            w.cb,
            w.size,
            w.payload,
          );
        }
        this.scheduleDrain();
      },
      (err: Error) => {
        state.error = err;
        const waiting = state.waiting;
        state.waiting = [];
        for (const w of waiting) this.rejectRecord(err, w.cb, w.size);
      },
    );
    return t;
  }

  private refreshLeaders(t: TopicState): void {
    if (t.refreshing) return;
    t.refreshing = true;
    this.cluster
      .topic(t.name, { autoCreate: false })
      .then(
        (meta) => {
          for (const p of t.partitions)
            p.leader = meta.partitions.find((m) => m.partition === p.partition)?.leader ?? -1;
        },
        (err: Error) => this.cluster.log(`metadata refresh of ${t.name} failed: ${err.message}`),
      )
      .finally(() => {
        t.refreshing = false;
        this.scheduleDrain();
      });
  }

  // ---------------------------------------------------------------------------------------------- batching

  private append(
    t: TopicState,
    key: Buffer | null,
    value: Buffer | null,
    start: number,
    end: number,
    headers: RecordHeader[],
    wanted: number | undefined,
    timestamp: number | undefined,
    cb: DeliveryCallback | undefined,
    size: number,
    payload: number,
  ): void {
    const count = t.partitions.length;
    let partition: number;
    if (wanted !== undefined && wanted !== null) {
      if (!Number.isInteger(wanted) || wanted < 0 || wanted >= count) {
        this.rejectRecord(new PartitionNotFoundError(t.name, wanted, count), cb, size);
        return;
      }
      partition = wanted;
    } else if (key !== null) {
      partition = partitionForKey(key, count);
    } else {
      partition = this.nullKeys.partition(t.name, count);
    }
    const ps = t.partitions[partition];
    if (ps.failed) {
      this.rejectRecord(ps.failed, cb, size);
      return;
    }
    let b = ps.open;
    const cap = Math.min(this.batchBytes, t.batchCap);
    if (b !== null && b.bytes + size > cap && b.count > 0) {
      this.closeBatch(ps);
      b = null;
    }
    const now = Date.now();
    if (b === null) {
      b = ps.open = new Batch(ps, now, this.pool.take());
      this.armTimer(now + this.lingerMs);
    }
    b.builder!.add(key, value, start, end, headers, timestamp ?? now);
    if (cb) {
      if (!b.hasCallbacks) b.callbacks = new Array<DeliveryCallback | undefined>(b.count);
      b.callbacks[b.count] = cb;
      b.hasCallbacks = true;
    }
    b.count++;
    b.bytes += size;
    b.payloadBytes += payload;
    if (b.bytes >= cap) {
      this.closeBatch(ps);
      this.scheduleDrain();
    }
  }

  /** Gives the batch's buffer back to the pool (once nothing refers to it any more). */
  private release(b: Batch): void {
    if (b.pooled) this.pool.give(b.pooled);
    b.pooled = null;
  }

  private rejectRecord(err: Error, cb: DeliveryCallback | undefined, size: number): void {
    this.buffered -= size;
    this.pendingRecords--;
    this.failed++;
    this.firstError ??= err;
    cb?.(err, null);
    this.afterProgress();
  }

  /** Closes the open batch of a partition: it gets its sequence and is encoded; the records are let go. */
  private closeBatch(ps: PartitionState): void {
    const b = ps.open;
    if (!b) return;
    ps.open = null;
    b.order = this.closeCounter++;
    if (this.idempotent) {
      b.baseSequence = ps.nextSequence;
      ps.nextSequence = incrementSequence(ps.nextSequence, b.count);
    }
    const identity = this.idempotent
      ? { producerId: this.producerId, producerEpoch: this.producerEpoch, baseSequence: b.baseSequence }
      : undefined;
    ps.queue.push(b);
    const builder = b.builder!;
    b.builder = null;
    if (builder.grown) {
      // the records moved to a larger buffer: the pool's is free again
      this.pool.give(b.pooled!);
      b.pooled = null;
    }
    if (this.compression === 'none') {
      b.encoded = builder.finish(identity);
    } else {
      compressBatch(builder, this.compression, identity ?? NO_PRODUCER).then(
        (buf) => {
          b.encoded = buf;
          // the records are in the compressed copy now
          this.release(b);
          // the sequence may have moved while compressing (an earlier batch failed for good)
          if (this.idempotent && b.baseSequence !== identity!.baseSequence) setSequence(b);
          this.scheduleDrain();
        },
        (err: Error) =>
          this.failBatch(b, new WireError(`compressing a batch failed: ${err.message}`, 'protocol'), false),
      );
    }
    this.nullKeys.batchClosed(ps.topic.name, ps.partition, ps.topic.partitions.length);
  }

  private armTimer(at: number): void {
    if (this.timer && this.timerAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.timerAt = Infinity;
        this.drain();
      },
      Math.max(0, at - Date.now()),
    );
  }

  private scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    setImmediate(() => {
      this.drainScheduled = false;
      this.drain();
    });
  }

  // ---------------------------------------------------------------------------------------------- sending

  private drain(): void {
    const now = Date.now();
    let nextWake = Infinity;
    const byNode = new Map<number, PartitionState[]>();
    for (const t of this.topics.values()) {
      for (const ps of t.partitions) {
        if (ps.queue.length === 0 && ps.open === null) continue;
        this.expire(ps, now);
        if (ps.retryAt > now) {
          nextWake = Math.min(nextWake, ps.retryAt);
          continue;
        }
        if (ps.queue.length === 0) {
          if (ps.open === null) continue;
          if (!this.flushing && now - ps.open.createdAt < this.lingerMs) {
            nextWake = Math.min(nextWake, ps.open.createdAt + this.lingerMs);
            continue;
          }
        }
        if (ps.leader < 0) {
          this.refreshLeaders(t);
          continue;
        }
        let list = byNode.get(ps.leader);
        if (!list) byNode.set(ps.leader, (list = []));
        list.push(ps);
      }
    }
    for (const [nodeId, parts] of byNode) nextWake = Math.min(nextWake, this.drainNode(nodeId, parts, now));
    if (nextWake < Infinity) this.armTimer(nextWake);
  }

  /** Fails the batches of a partition that waited longer than the delivery timeout. */
  private expire(ps: PartitionState, now: number): void {
    while (ps.queue.length > 0 && now - ps.queue[0].createdAt > this.deliveryTimeoutMs) {
      const b = ps.queue[0];
      const node = this.nodes.get(ps.leader);
      const why = node?.lastError ? `: ${node.lastError.message}` : '';
      this.failBatch(
        b,
        new WireError(
          `${b.count} record(s) for ${ps.topic.name}-${ps.partition} not delivered within ${this.deliveryTimeoutMs} ms${why}`,
          node?.lastError instanceof WireError ? node.lastError.kind : 'timeout',
          false,
        ),
        false,
      );
    }
  }

  private nodeState(id: number): NodeState {
    let n = this.nodes.get(id);
    if (!n) this.nodes.set(id, (n = { id, conn: null, connecting: false, inflight: 0, retryAt: 0, lastError: null }));
    return n;
  }

  /** Sends requests to one broker while it has room; returns when to look again (Infinity: on an event). */
  private drainNode(nodeId: number, parts: PartitionState[], now: number): number {
    const node = this.nodeState(nodeId);
    if (!node.conn || node.conn.isClosed) {
      node.conn = null;
      if (node.connecting) return Infinity;
      if (node.retryAt > now) return node.retryAt;
      node.connecting = true;
      this.cluster
        .connection(nodeId, 'produce')
        .then(
          (conn) => {
            node.conn = conn;
            node.lastError = null;
          },
          (err: Error) => {
            node.lastError = err;
            node.retryAt = Date.now() + 500;
            for (const t of new Set(parts.map((p) => p.topic))) this.refreshLeaders(t);
          },
        )
        .finally(() => {
          node.connecting = false;
          this.scheduleDrain();
        });
      return Infinity;
    }
    let start = 0;
    while (node.inflight < this.maxInFlight) {
      const batches: Batch[] = [];
      let bytes = 0;
      for (let i = 0; i < parts.length; i++) {
        const ps = parts[(start + i) % parts.length];
        if (
          ps.queue.length === 0 &&
          ps.open !== null &&
          (this.flushing > 0 || now - ps.open.createdAt >= this.lingerMs)
        )
          this.closeBatch(ps);
        const b = ps.queue[0];
        if (!b || !b.encoded) continue;
        if (bytes > 0 && bytes + b.encoded.length > 4 * this.batchBytes) continue;
        ps.queue.shift();
        batches.push(b);
        bytes += b.encoded.length;
      }
      if (batches.length === 0) break;
      start++;
      this.sendRequest(node, batches);
    }
    return Infinity;
  }

  private sendRequest(node: NodeState, batches: Batch[]): void {
    const conn = node.conn!;
    const attempts = batches.map((b) => {
      b.attempt++;
      b.sends++;
      insertInOrder(b.part.inflight, b);
      return b.attempt;
    });
    const byTopic = new Map<string, EncodableRequest<typeof PRODUCE>['topicData'][number]['partitionData']>();
    for (const b of batches) {
      let list = byTopic.get(b.part.topic.name);
      if (!list) byTopic.set(b.part.topic.name, (list = []));
      list.push({ index: b.part.partition, records: b.encoded });
    }
    const body = {
      transactionalId: null,
      acks: this.acks,
      timeoutMs: Math.min(this.requestTimeoutMs, 0x7fffffff),
      topicData: [...byTopic].map(([name, partitionData]) => ({ name, partitionData })),
    };
    node.inflight++;
    const done = () => {
      node.inflight--;
      this.scheduleDrain();
    };
    if (this.acks === 0) {
      conn.send(PRODUCE, body).then(
        () => {
          batches.forEach((b, i) => b.attempt === attempts[i] && this.completeBatch(b, -1));
          done();
        },
        (err: Error) => {
          batches.forEach((b, i) => b.attempt === attempts[i] && this.retryOrFail(b, err));
          done();
        },
      );
      return;
    }
    conn.request(PRODUCE, body, { timeoutMs: this.requestTimeoutMs + 5000 }).then(
      (answer) => {
        const seen = new Set<Batch>();
        for (const t of answer.responses) {
          for (const p of t.partitionResponses) {
            const i = batches.findIndex((b) => b.part.topic.name === t.name && b.part.partition === p.index);
            if (i < 0) continue;
            const b = batches[i];
            seen.add(b);
            if (b.attempt !== attempts[i]) continue;
            this.onPartitionAnswer(b, p.errorCode, p.baseOffset);
          }
        }
        batches.forEach((b, i) => {
          if (!seen.has(b) && b.attempt === attempts[i])
            this.retryOrFail(
              b,
              new WireError(`the broker did not answer for ${b.part.topic.name}-${b.part.partition}`, 'protocol', true),
            );
        });
        done();
      },
      (err: Error) => {
        batches.forEach((b, i) => b.attempt === attempts[i] && this.retryOrFail(b, err));
        done();
      },
    );
  }

  private onPartitionAnswer(b: Batch, code: number, baseOffset: number): void {
    const ps = b.part;
    if (code === ErrorCode.NONE) {
      this.completeBatch(b, baseOffset);
      return;
    }
    if (code === ErrorCode.DUPLICATE_SEQUENCE_NUMBER) {
      // already written by an earlier attempt whose answer was lost; the offset is not known
      this.completeBatch(b, -1);
      return;
    }
    const err = new KafkaResponseError(code, `producing ${b.count} record(s) to ${ps.topic.name}-${ps.partition}`);
    if (isRetriable(code)) {
      if (needsMetadataRefresh(code)) this.refreshLeaders(ps.topic);
      this.retryOrFail(b, err);
      return;
    }
    if (
      code === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER ||
      code === ErrorCode.INVALID_PRODUCER_EPOCH ||
      code === ErrorCode.UNKNOWN_PRODUCER_ID
    ) {
      // the broker and this producer disagree about the partition's sequence: nothing later can be written
      this.poisonPartition(ps, err);
      return;
    }
    // rejected for good and not written (too large, invalid record, not authorized)
    this.failBatch(b, err, true);
  }

  private retryOrFail(b: Batch, err: Error): void {
    const ps = b.part;
    const retriable = err instanceof WireError ? err.retriable : false;
    if (!retriable || Date.now() - b.createdAt > this.deliveryTimeoutMs) {
      const e = retriable
        ? new WireError(
            `${err.message} (gave up after ${this.deliveryTimeoutMs} ms)`,
            err instanceof WireError ? err.kind : 'timeout',
          )
        : err;
      if (this.idempotent) this.poisonPartition(ps, e);
      else this.failBatch(b, e, false);
      return;
    }
    this.cluster.log(`retrying ${b.count} record(s) for ${ps.topic.name}-${ps.partition}: ${err.message}`);
    // this batch, and with idempotence every later one in flight, go back to the front of the queue in order
    const back = this.idempotent ? ps.inflight.filter((x) => x === b || seqAfter(x, b)) : [b];
    for (const x of back) {
      x.attempt++;
      removeFrom(ps.inflight, x);
    }
    ps.queue = [...back, ...ps.queue].sort((x, y) => x.order - y.order);
    ps.retries++;
    ps.retryAt = Date.now() + Math.min(100 * 2 ** Math.min(ps.retries - 1, 4), 1000);
    this.armTimer(ps.retryAt);
  }

  private completeBatch(b: Batch, baseOffset: number): void {
    const ps = b.part;
    removeFrom(ps.inflight, b);
    ps.retries = 0;
    const s = ps.stats;
    s.count += b.count;
    if (baseOffset >= 0) {
      if (s.firstOffset < 0 || baseOffset < s.firstOffset) s.firstOffset = baseOffset;
      s.lastOffset = Math.max(s.lastOffset, baseOffset + b.count - 1);
    }
    this.acknowledged += b.count;
    this.acknowledgedBytes += b.payloadBytes;
    this.pendingRecords -= b.count;
    this.buffered -= b.bytes;
    // the answer came, so the one request that carried the batch was written out: its buffer is free
    if (b.sends === 1) this.release(b);
    b.encoded = null;
    if (b.hasCallbacks) {
      const topic = ps.topic.name;
      for (let i = 0; i < b.callbacks.length; i++)
        b.callbacks[i]?.(null, { topic, partition: ps.partition, offset: baseOffset >= 0 ? baseOffset + i : -1 });
    }
    this.afterProgress();
  }

  /**
   * Fails one batch. `notWritten`: the broker refused it, so with idempotence the partition's later batches
   * move down by its record count (and are sent again if they were in flight).
   */
  private failBatch(b: Batch, err: Error, notWritten: boolean): void {
    const ps = b.part;
    removeFrom(ps.inflight, b);
    removeFrom(ps.queue, b);
    if (this.idempotent && notWritten && b.baseSequence >= 0) {
      const later = [...ps.inflight, ...ps.queue].filter((x) => seqAfter(x, b));
      for (const x of later) {
        x.baseSequence = decrementSequence(x.baseSequence, b.count);
        if (x.encoded) setSequence(x);
        if (removeFrom(ps.inflight, x)) {
          x.attempt++;
          ps.queue.push(x);
        }
      }
      ps.queue.sort((x, y) => x.order - y.order);
      // (the open batch gets its sequence when it closes)
      ps.nextSequence = decrementSequence(ps.nextSequence, b.count);
    }
    this.failRecords(b, err);
  }

  /** Fails every batch of a partition and refuses its future records. */
  private poisonPartition(ps: PartitionState, err: Error): void {
    ps.failed = err;
    const all = [...ps.inflight, ...ps.queue];
    ps.inflight = [];
    ps.queue = [];
    if (ps.open) {
      all.push(ps.open);
      ps.open = null;
    }
    for (const b of all) {
      b.attempt++;
      this.failRecords(b, err);
    }
  }

  private failRecords(b: Batch, err: Error): void {
    this.failed += b.count;
    this.pendingRecords -= b.count;
    this.buffered -= b.bytes;
    this.firstError ??= err;
    b.encoded = null;
    if (b.hasCallbacks) for (const cb of b.callbacks) cb?.(err, null);
    this.afterProgress();
  }

  private afterProgress(): void {
    if (this.buffered < this.maxBufferedBytes && this.capacityWaiters.length > 0) {
      const waiters = this.capacityWaiters;
      this.capacityWaiters = [];
      for (const w of waiters) w();
    }
    if (this.pendingRecords === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }
}

const copyOf = (b: Buffer | null): Buffer | null => (b === null ? null : Buffer.from(b));

function headersSize(headers: RecordHeader[]): number {
  let n = 0;
  for (let i = 0; i < headers.length; i++) n += Buffer.byteLength(headers[i].key) + (headers[i].value?.length ?? 0);
  return n;
}

/** whether batch x comes after batch b in its partition's sequence */
function seqAfter(x: Batch, b: Batch): boolean {
  return x.order > b.order;
}

function insertInOrder(list: Batch[], b: Batch): void {
  let i = list.length;
  while (i > 0 && list[i - 1].order > b.order) i--;
  list.splice(i, 0, b);
}

function removeFrom(list: Batch[], b: Batch): boolean {
  const i = list.indexOf(b);
  if (i < 0) return false;
  list.splice(i, 1);
  return true;
}

/** Rewrites an encoded batch's base sequence (outside the compressed records, inside the CRC). */
function setSequence(b: Batch): void {
  const buf = b.encoded!;
  buf.writeInt32BE(b.baseSequence, BASE_SEQUENCE);
  buf.writeUInt32BE(crc32c(buf.subarray(CRC_START)) >>> 0, CRC);
}
