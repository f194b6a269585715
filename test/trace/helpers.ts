// Helpers of the `evt trace` integration tests: the spawned CLI against a bed, and views of a trace's JSON.

import { expect } from 'vitest';
import type { TraceEvent } from '../../src/trace/timeline.js';
import type { TraceResult } from '../../src/trace/trace.js';
import type { StuckReport } from '../../src/trace/stuck.js';
import { runInProcess } from '../helpers/cli.js';
import type { EvtResult } from '../helpers/spawn.js';
import type { WorkflowBed } from '../workflow/helpers/cluster.js';

export type { TraceResult, StuckReport };

/** `evt --brokers .. --registry .. ...args`, run in `cwd` (a directory without a views database or config). */
export function evtOn(bed: WorkflowBed, cwd: string) {
  return (args: string[], timeoutMs = 30_000): Promise<EvtResult> =>
    runInProcess(['--brokers', bed.broker.bootstrap, '--registry', bed.broker.registryUrl!, ...args], {
      cwd,
      timeoutMs,
    });
}

/** `evt --json trace <id> ...extra`, expected to find the order (exit 0), parsed. */
export async function traceJson(
  evt: ReturnType<typeof evtOn>,
  orderId: string,
  ...extra: string[]
): Promise<TraceResult> {
  const r = await evt(['--json', 'trace', orderId, ...extra]);
  expect(r.code, `evt trace ${orderId} ${extra.join(' ')}: ${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout) as TraceResult;
}

export const types = (t: TraceResult): string[] => t.events.map((e) => e.eventType);

/** topic-partition@offset of every event, sorted (for comparing two traces' findings). */
export const positions = (t: TraceResult): string[] =>
  t.events.map((e) => `${e.topic}-${e.partition}@${e.offset}`).sort();

export function only(t: TraceResult, type: string): TraceEvent {
  const found = t.events.filter((e) => e.eventType === type && !e.deadLetter);
  expect(
    found.map((e) => e.eventType),
    `${t.id}: one ${type} in ${types(t).join(', ')}`,
  ).toEqual([type]);
  return found[0];
}

/** Event types of the order on one topic, in timeline order. */
export const onTopic = (t: TraceResult, topic: string): string[] =>
  t.events.filter((e) => e.topic === topic).map((e) => e.eventType);
