// The tail behind the dashboard's workflow numbers: the order-keyed workflow topics and the dead-letter
// topics read without a group from the start of the window (the offsets for a timestamp), following or up to
// given ends. Only headers, key and timestamp are looked at; the one value decoded is an OrderRejected's, for
// its reason (through the codec, schemas looked up first as the registry decoder needs). Topics created later
// are added when a poll lists them, with a reader of their own.

import { headerText, type ConsumedRecord } from '../../client/records.js';
import { OffsetOutOfRangeError, PartitionReader, type Cluster, type ReadRange } from '../../client/wire/index.js';
import type { ValueCodec } from '../../codec/value-codec.js';
import { DLQ_HEADERS, HEADERS } from '../../workflow/catalogue.js';
import { workflowNames } from '../../workflow/names.js';
import { isTailed, type TailEvent, type WorkflowAggregator } from './aggregator.js';
import { oneLine } from './poller.js';

export interface TailOptions {
  cluster: Cluster;
  codec: ValueCodec;
  aggregator: WorkflowAggregator;
  /** epoch ms the window starts at */
  startAt: number;
  /** keep reading new records (else stop at the ends given to `cover`) */
  follow: boolean;
}

interface RunningReader {
  reader: PartitionReader;
  topics: string[];
  done: Promise<void>;
}

export class Tail {
  /** topics a reader reads */
  private readonly covered = new Set<string>();
  /** `topic:partition` -> next offset to apply, so a reader started again after a failure does not count twice */
  private readonly positions = new Map<string, number>();
  private readonly readers = new Set<RunningReader>();
  private closed = false;
  /** why a reader failed last (its topics are read again from the next `cover`), null once one starts fine */
  error: string | null = null;

  constructor(private readonly o: TailOptions) {}

  /**
   * Starts a reader for the tailed topics among `partitions` that no reader reads yet. `end` is the high
   * watermark the poll saw: where a one-shot read stops, and where a live one starts when the window has no
   * record.
   */
  async cover(partitions: readonly { topic: string; partition: number; end: number }[]): Promise<void> {
    const wanted = partitions.filter((p) => isTailed(p.topic) && !this.covered.has(p.topic));
    if (wanted.length === 0 || this.closed) return;
    const fresh = wanted.filter((p) => !this.positions.has(key(p)));
    const found = fresh.length ? await this.o.cluster.listOffsets(fresh.map((p) => ({ topic: p.topic, partition: p.partition, timestamp: this.o.startAt }))) : [];
    const byTime = new Map(found.map((f) => [key(f), f.offset]));
    const ranges: ReadRange[] = wanted.map((p) => {
      // -1: no record at or after the window's start, so nothing before the current end belongs to it
      const at = this.positions.get(key(p)) ?? byTime.get(key(p)) ?? -1;
      const from = at >= 0 ? at : p.end;
      return this.o.follow ? { topic: p.topic, partition: p.partition, from } : { topic: p.topic, partition: p.partition, from, until: p.end };
    });
    if (this.closed) return;
    const topics = [...new Set(wanted.map((p) => p.topic))];
    for (const t of topics) this.covered.add(t);
    const todo = this.o.follow ? ranges : ranges.filter((r) => r.until! > r.from);
    if (todo.length === 0) return;
    const reader = new PartitionReader(this.o.cluster, todo, { maxWaitMs: this.o.follow ? 500 : 100 });
    const running: RunningReader = { reader, topics, done: Promise.resolve() };
    running.done = this.run(reader).then(
      () => {
        this.readers.delete(running);
      },
      (err: unknown) => {
        this.readers.delete(running);
        reader.close();
        if (this.closed) return;
        // read again from where this one got to at the next cover (from the window's start when the log
        // moved under it)
        for (const t of topics) this.covered.delete(t);
        if (err instanceof OffsetOutOfRangeError) for (const r of todo) this.positions.delete(key(r));
        this.error = oneLine(err);
      },
    );
    this.readers.add(running);
    this.error = null;
  }

  private async run(reader: PartitionReader): Promise<void> {
    for await (const chunk of reader) {
      if (this.closed) return;
      if (chunk.records.length) {
        const reasons = await rejectionReasons(chunk.records, this.o.codec);
        if (this.closed) return;
        for (const r of chunk.records) this.o.aggregator.add(tailEventOf(r, reasons.get(r) ?? null));
      }
      this.positions.set(key(chunk), chunk.position);
    }
  }

  /** Resolves when every reader has stopped (a one-shot read reached its ends). */
  async drained(): Promise<void> {
    while (this.readers.size) await Promise.all([...this.readers].map((r) => r.done));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const r of this.readers) r.reader.close();
    await Promise.all([...this.readers].map((r) => r.done));
  }
}

// the workflow's orders topic under the default prefix (shop.), until the dashboard reads it from a flow
const ORDERS = workflowNames().topic('orders');

/** The reasons of the OrderRejected records among `records`, by record (the only values decoded). */
async function rejectionReasons(records: readonly ConsumedRecord[], codec: ValueCodec): Promise<Map<ConsumedRecord, string>> {
  const out = new Map<ConsumedRecord, string>();
  const rejections = records.filter((r) => r.topic === ORDERS && headerText(r.headers, HEADERS.eventType) === 'OrderRejected');
  if (rejections.length === 0) return out;
  if (codec.registry) await codec.registry.prepare(rejections);
  for (const r of rejections) {
    try {
      const reason = (codec.decode(r.value).value as { reason?: unknown } | null)?.reason;
      if (typeof reason === 'string') out.set(r, reason);
    } catch {
      // an undecodable rejection counts under "unknown"
    }
  }
  return out;
}

export function tailEventOf(r: ConsumedRecord, reason: string | null): TailEvent {
  return {
    topic: r.topic,
    partition: r.partition,
    offset: r.offset,
    timestamp: r.timestamp,
    key: r.key === null ? null : r.key.toString('utf8'),
    eventType: headerText(r.headers, HEADERS.eventType) ?? null,
    producer: headerText(r.headers, HEADERS.producer) ?? null,
    correlationId: headerText(r.headers, HEADERS.correlationId) ?? null,
    dlqError: headerText(r.headers, DLQ_HEADERS.error) ?? null,
    reason,
  };
}

const key = (p: { topic: string; partition: number }) => `${p.topic}:${p.partition}`;
