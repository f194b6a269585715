// The tail behind the dashboard's feed and flow numbers: topics read without a group from the start of the
// window (the offsets for a timestamp), following or up to given ends. With a flow, its topics and their
// dead-letter topics, each record read for what the flow needs (its entity id and type; the value only when
// the flow keeps them there, or for the reason of a final event). Without a flow, every topic from a little
// before its end, for the feed: types and dead letters by the conventions. Topics created later are added
// when a poll lists them, with a reader of their own.

import type { ConsumedRecord } from '../../client/records.js';
import { OffsetOutOfRangeError, PartitionReader, type Cluster, type ReadRange } from '../../client/wire/index.js';
import type { ValueCodec } from '../../codec/value-codec.js';
import { schemaIdOf } from '../../codec/wire-format.js';
import { conventionalType, deadLetterOf, firstHeader, PRODUCER_HEADERS } from '../../flow/conventions.js';
import { FlowFacts, structuredValue } from '../../flow/entity.js';
import { valuesAt, asText } from '../../flow/json-path.js';
import type { Flow } from '../../flow/model.js';
import type { TailAggregator, TailEvent } from './aggregator.js';
import { oneLine } from './poller.js';

export interface TailOptions {
  cluster: Cluster;
  codec: ValueCodec;
  aggregator: TailAggregator;
  /** the topics the tail reads */
  isTailed(topic: string): boolean;
  /** epoch ms the window starts at */
  startAt: number;
  /** at most this many records back from each partition's end (null: the whole window) */
  maxBack: number | null;
  /** keep reading new records (else stop at the ends given to `cover`) */
  follow: boolean;
}

interface RunningReader {
  reader: PartitionReader;
  topics: string[];
  done: Promise<void>;
}

/** Values larger than this are not decoded for a type field alone: the feed does not need them. */
const SNIFF_BYTES = 64 * 1024;

export class Tail {
  /** topics a reader reads */
  private readonly covered = new Set<string>();
  /** `topic:partition` -> next offset to apply, so a reader started again after a failure does not count twice */
  private readonly positions = new Map<string, number>();
  private readonly readers = new Set<RunningReader>();
  private readonly facts: FlowFacts | null;
  private closed = false;
  /** why a reader failed last (its topics are read again from the next `cover`), null once one starts fine */
  error: string | null = null;

  constructor(private readonly o: TailOptions) {
    this.facts = o.aggregator.flow ? new FlowFacts(o.aggregator.flow) : null;
  }

  /**
   * Starts a reader for the tailed topics among `partitions` that no reader reads yet. `end` is the high
   * watermark the poll saw: where a one-shot read stops, and where a live one starts when the window has no
   * record.
   */
  async cover(partitions: readonly { topic: string; partition: number; end: number }[]): Promise<void> {
    const wanted = partitions.filter((p) => this.o.isTailed(p.topic) && !this.covered.has(p.topic));
    if (wanted.length === 0 || this.closed) return;
    const fresh = wanted.filter((p) => !this.positions.has(key(p)));
    const found = fresh.length
      ? await this.o.cluster.listOffsets(
          fresh.map((p) => ({ topic: p.topic, partition: p.partition, timestamp: this.o.startAt })),
        )
      : [];
    const byTime = new Map(found.map((f) => [key(f), f.offset]));
    const ranges: ReadRange[] = wanted.map((p) => {
      // -1: no record at or after the window's start, so nothing before the current end belongs to it
      const at = this.positions.get(key(p)) ?? byTime.get(key(p)) ?? -1;
      let from = at >= 0 ? at : p.end;
      if (this.o.maxBack !== null && !this.positions.has(key(p))) from = Math.max(from, p.end - this.o.maxBack);
      return this.o.follow
        ? { topic: p.topic, partition: p.partition, from }
        : { topic: p.topic, partition: p.partition, from, until: p.end };
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
        if (this.o.codec.registry) await this.o.codec.registry.prepare(chunk.records);
        if (this.closed) return;
        for (const r of chunk.records) this.o.aggregator.add(this.eventOf(r));
      }
      this.positions.set(key(chunk), chunk.position);
    }
  }

  /** What the dashboard takes of a record: by the flow when there is one, else by the conventions. */
  eventOf(r: ConsumedRecord): TailEvent {
    const codec = this.o.codec;
    let decoded: { v: unknown } | null = null;
    const value = () =>
      (decoded ??= {
        v: r.value && r.value.length <= SNIFF_BYTES ? structuredValue(codec.decode(r.value).value) : undefined,
      }).v;
    const schemaName = () => {
      const id = schemaIdOf(r.value);
      return id === null ? null : (codec.registry?.schemaName(id) ?? null);
    };
    const flow: Flow | null = this.o.aggregator.flow;
    const facts =
      this.facts?.of({ topic: r.topic, key: r.key, headers: r.headers, value, schemaName, rawValue: r.value }) ?? null;
    const origin = facts ? facts.deadLetter : r.headers.length ? deadLetterOf(r.headers) : null;
    const eventType =
      facts?.type ??
      conventionalType({
        topic: origin?.topic ?? r.topic,
        headers: r.headers,
        get value() {
          return value();
        },
        schemaName: schemaName(),
      }).type;
    const reasonPath = flow?.reasons[eventType];
    const reason = reasonPath && !origin ? valuesAt(value(), reasonPath)[0] : undefined;
    return {
      topic: r.topic,
      partition: r.partition,
      offset: r.offset,
      timestamp: r.timestamp,
      key: r.key === null ? null : r.key.toString('utf8'),
      eventType,
      producer: firstHeader(r.headers, PRODUCER_HEADERS)?.value ?? null,
      entityId: facts?.id ?? null,
      deadLetter: origin ? { by: origin.by, error: origin.error || origin.exception || 'no message' } : null,
      reason: reason === undefined || reason === null ? null : asText(reason),
    };
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

const key = (p: { topic: string; partition: number }) => `${p.topic}:${p.partition}`;
