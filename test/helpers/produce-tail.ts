// Running the CLI with stdin, and reading topics back, for the produce/tail end-to-end tests.

import type { RunningBroker } from '../../src/broker/broker.js';
import type { ConsumedRecord } from '../../src/client/records.js';
import { Cluster } from '../../src/client/wire/cluster.js';
import { PartitionReader } from '../../src/client/wire/reader.js';
import { runInProcess } from './cli.js';
import { runEvt, startEvt, type EvtOptions, type EvtResult, type StartedEvt } from './spawn.js';

export type Run = EvtResult;
export type Started = StartedEvt;

/** Starts `evt ...args` as a process without colour (stdin from `input` when given, else closed). */
export function start(args: string[], opts: EvtOptions = {}): Started {
  return startEvt(args, { ...opts, env: { NO_COLOR: '1', ...opts.env } });
}

/** Runs `evt ...args` to completion in this process, without colour. */
export function evt(args: string[], opts: EvtOptions & { timeoutMs?: number } = {}): Promise<Run> {
  return runInProcess(args, { ...opts, env: { NO_COLOR: '1', ...opts.env } });
}

/** Runs `evt ...args` to completion as a process (bin/evt.js on the build), without colour. */
export function evtProcess(args: string[], opts: EvtOptions & { timeoutMs?: number } = {}): Promise<Run> {
  return runEvt(args, { ...opts, env: { NO_COLOR: '1', ...opts.env } });
}

/** Every record of a topic (read directly, no group), per partition in offset order. */
export async function readTopic(broker: RunningBroker, topic: string): Promise<ConsumedRecord[]> {
  const cluster = await Cluster.connect({
    brokers: [broker.bootstrap],
    clientId: 'test',
    timeoutMs: 5000,
    source: 'test',
  });
  try {
    const meta = await cluster.topic(topic);
    const ends = await cluster.listOffsets(
      meta.partitions.map((p) => ({ topic, partition: p.partition, timestamp: -1 })),
    );
    const reader = new PartitionReader(
      cluster,
      ends.map((e) => ({ topic, partition: e.partition, from: 0, until: e.offset })),
    );
    const out: ConsumedRecord[] = [];
    for await (const chunk of reader)
      out.push(
        ...chunk.records.map((r) => ({
          topic: r.topic,
          partition: r.partition,
          offset: r.offset,
          timestamp: r.timestamp,
          key: r.key && Buffer.from(r.key),
          value: r.value && Buffer.from(r.value),
          headers: r.headers,
        })),
      );
    return out.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
  } finally {
    cluster.close();
  }
}

export function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.length > 0);
}

export function json<T = Record<string, unknown>>(text: string): T[] {
  return lines(text).map((l) => JSON.parse(l) as T);
}
