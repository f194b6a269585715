// A foreign event system for tests: the parcel-delivery system of parcel_system.py, run by confluent-kafka-python
// (librdkafka) against a broker, in the style of a Python team rather than evt's (CloudEvents headers and a W3C
// traceparent instead of evt-* headers, JSON from json.dumps, the parcel id in the key on some topics and
// nested in the value on others, a Spring-style dead-letter topic, a producer configured for gzip, librdkafka's own
// partitioner).
//
//   if (hasParcelSystem()) { const summary = await runParcelSystem(broker.bootstrap, { seed: 7 }); ... }
//
// Call hasParcelSystem() when the test file loads (it probes python synchronously). runParcelSystem spawns the
// script without blocking the event loop, so an in-process broker keeps serving it.

import { fileURLToPath } from 'node:url';
import { hasConfluentKafka, PYTHON, run } from '../helpers/interop.js';

export const PARCEL_SYSTEM_SCRIPT = fileURLToPath(new URL('./parcel_system.py', import.meta.url));

export interface ParcelSystemOptions {
  /** parcels to register (default 60, at least 5) */
  parcels?: number;
  /** picks parcel ids, recipients and scenarios (default 1) */
  seed?: number;
  /** topic name prefix (default `logistics.`); the topics must not exist yet */
  prefix?: string;
  /** partitions per topic (default 3) */
  partitions?: number;
  /** librdkafka partitioner of the producers (default librdkafka's `consistent_random`: CRC32, not murmur2) */
  partitioner?: string;
  /** kill the script after this long (default 90 s); each of its phases also gives up after 60 s */
  timeoutMs?: number;
}

/** Where a stuck parcel's last event is, and the group that has not consumed it. */
export interface StuckParcel {
  parcelId: string;
  topic: string;
  partition: number;
  offset: number;
  /** `courier-dispatch` for stuckAtRoute, `label-printer` for stuckAtRegistered */
  group: string;
}

export interface DeadLetteredParcel {
  parcelId: string;
  exceptionFqcn: string;
  exceptionMessage: string;
  /** the LabelPrinted record the router consumed; its copy is on the same partition of topics.deadLetter */
  originalTopic: string;
  originalPartition: number;
  originalOffset: number;
  originalTimestamp: number;
}

export interface ParcelSummary {
  system: 'parcel-delivery';
  seed: number;
  prefix: string;
  partitions: number;
  partitioner: string;
  /** how many parcels were registered */
  parcels: number;
  /** full topic names */
  topics: { parcels: string; labels: string; routes: string; deliveries: string; deadLetter: string };
  groups: { labelPrinter: string; router: string; courierDispatch: string; audit: string };
  /**
   * topics whose producer is configured with compression.type=gzip. librdkafka before 2.11.1 checks gzip support
   * against Produce v0, so to a broker whose Produce versions start above v0 (Kafka 4.0, evt broker) it still
   * sends them uncompressed (librdkafka #4948, fixed by #5130).
   */
  gzipTopics: string[];
  /** the client library versions, e.g. { confluentKafka: '1.7.0', librdkafka: '2.0.2' } */
  client: { confluentKafka: string; librdkafka: string };
  /** ParcelRegistered -> LabelPrinted -> RouteAssigned -> OutForDelivery -> ParcelDelivered */
  completed: string[];
  /** ... -> OutForDelivery -> DeliveryFailed */
  deliveryFailed: string[];
  /** ParcelRegistered -> LabelPrinted, then copied to topics.deadLetter by the router */
  deadLettered: DeadLetteredParcel[];
  /** ended at RouteAssigned, at or after courier-dispatch's committed offset; the group has no members */
  stuckAtRoute: (StuckParcel & { routeId: string })[];
  /** ended at ParcelRegistered, at or after label-printer's committed offset; the group has no members */
  stuckAtRegistered: StuckParcel[];
  /** acknowledged records per full topic name */
  events: Record<string, number>;
  /** each parcel's W3C trace id (32 hex), shared by all its events */
  traceIds: Record<string, string>;
}

/** confluent-kafka-python is there (a printed skip otherwise; a failure with EVT_REQUIRE_INTEROP=1). */
export function hasParcelSystem(): boolean {
  return hasConfluentKafka();
}

export function parcelSystemArgs(bootstrap: string, opts: ParcelSystemOptions = {}): string[] {
  const args = [PARCEL_SYSTEM_SCRIPT, '--brokers', bootstrap];
  if (opts.parcels !== undefined) args.push('--parcels', String(opts.parcels));
  if (opts.seed !== undefined) args.push('--seed', String(opts.seed));
  if (opts.prefix !== undefined) args.push('--prefix', opts.prefix);
  if (opts.partitions !== undefined) args.push('--partitions', String(opts.partitions));
  if (opts.partitioner !== undefined) args.push('--partitioner', opts.partitioner);
  return args;
}

/** Runs the parcel system to its end against `bootstrap` and returns its summary; throws with its stderr on failure. */
export async function runParcelSystem(bootstrap: string, opts: ParcelSystemOptions = {}): Promise<ParcelSummary> {
  const r = await run(PYTHON, parcelSystemArgs(bootstrap, opts), { timeoutMs: opts.timeoutMs ?? 90_000 });
  if (r.status !== 0) {
    throw new Error(`parcel_system.py exited with ${r.status ?? 'a signal (timed out?)'}:\n${r.stderr.trim()}`);
  }
  try {
    return JSON.parse(r.stdout) as ParcelSummary;
  } catch {
    throw new Error(`parcel_system.py printed no summary:\n${r.stdout}\n${r.stderr.trim()}`);
  }
}
