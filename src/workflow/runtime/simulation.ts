// A simulation run: create the topics, start the service instances (in this process or as child processes),
// send a seeded load of orders at a fixed rate through the basket, inject the chaos asked for, wait for every
// order to settle, stop the services, then read the topics back and check the workflow's invariants on what
// the log holds. The summary (orders per outcome, latencies, dead letters, compensations, violations) is the
// result; `evt simulate` prints it, the tests and bench/workflow read it. The run's topics and groups are
// the runtime's names (`rt.names`): the driver, the observer and the read-back map through them.

import type { AdminClient } from '../../client/admin.js';
import { describeGroup } from '../../client/group-ops.js';
import { headerText, textHeaders, type RecordHeader } from '../../client/records.js';
import { frame } from '../../codec/wire-format.js';
import {
  HEADERS,
  REJECTION_REASONS,
  SERVICES,
  WORKER_SERVICES,
  TOPIC_NAMES,
  TOPICS,
  type OrderState,
  type RejectionReason,
  type ServiceName,
  type TopicName,
  type WorkerService,
} from '../catalogue.js';
import type { AnyRecord } from '../envelope.js';
import { checkInvariants, type TopicLogs, type Violation } from '../invariants.js';
import { createLoad, orderIdOf, type LoadOptions, type PlannedOrder } from '../load.js';
import { createRandom } from '../random.js';
import { createBasket } from '../services/basket.js';
import type { ChaosAction, LatencyRange } from '../sim-options.js';
import type { LatencySummary } from '../../common/stats.js';
import { Chaos } from './chaos.js';
import type { InstanceSet, WorkerHost } from './hosts.js';
import { OrderObserver, type ObservedEvent } from './observer.js';
import { offsetRanges, partitionKey, partitionsOf, readToEnd, readTopics, type DecodedChunk } from './read-back.js';
import { DLQ_HEADERS, type WorkerRuntime } from './worker.js';
import { sleep } from '../../common/time.js';

export interface SimulationOptions {
  rt: WorkerRuntime;
  admin: AdminClient;
  host: WorkerHost;
  load: LoadOptions;
  /** stop sending after this many orders... */
  orders?: number;
  /** ...or after this long */
  durationMs?: number;
  /** orders per second */
  rate: number;
  instances?: Partial<Record<ServiceName, number>>;
  latency?: Partial<Record<ServiceName, LatencyRange>>;
  chaos?: ChaosAction[];
  /** how long to wait after the last order for everything to settle (default: the order timeout + 30 s) */
  drainMs?: number;
  progressEveryMs?: number;
  onProgress?(progress: SimulationProgress): void;
  /** stop sending (Ctrl-C): the run drains briefly and reports what it has */
  signal?: AbortSignal;
  /** stop draining now (a second q or Ctrl-C): the summary covers what settled (`drainCutShort`) */
  drainSignal?: AbortSignal;
}

export interface SimulationProgress {
  elapsedMs: number;
  sent: number;
  planned: number | null;
  byState: Partial<Record<OrderState, number>>;
  terminal: number;
  /** orders settled per second over the last few seconds */
  rate: number;
  /** per service: its group's lag (null when unknown) */
  lag: Partial<Record<WorkerService, number | null>>;
  /** services down by chaos right now */
  down: WorkerService[];
  phase: 'sending' | 'draining';
  /** while draining: when the drain gives up waiting (epoch ms) */
  drainUntil?: number;
  /** request -> decision so far */
  decision: LatencySummary;
  /** the latest order events */
  recent: ObservedEvent[];
}

export interface SimulationSummary {
  seed: number | string;
  runTag: string | null;
  /** the prefix of the run's topics and groups (names.ts) */
  prefix: string;
  /** the run's topics on the cluster: the workflow's, and each service's dead-letter topic */
  topics: { workflow: string[]; deadLetters: Record<ServiceName, string> };
  orders: {
    requested: number;
    byState: Partial<Record<OrderState, number>>;
    rejected: Partial<Record<string, number>>;
    stuck: number;
  };
  latencyMs: { decision: LatencySummary; completion: LatencySummary };
  durationMs: { sending: number; total: number };
  /** orders requested per second while sending */
  sentPerSecond: number;
  /** orders decided (confirmed or final) per second, from the first request to the last decision */
  decidedPerSecond: number;
  /** records per service's dead-letter topic (`topics.deadLetters`) */
  deadLetters: Partial<Record<ServiceName, number>>;
  /** the first few dead letters' errors, per service */
  deadLetterErrors: Partial<Record<ServiceName, string[]>>;
  poisonSent: number;
  compensations: { stockReleased: number; paymentsVoided: number };
  /** records per `<physical topic>:<event type>` */
  events: Partial<Record<string, number>>;
  /** the faults that happened (those due after the last order are called off) */
  chaos: ChaosAction[];
  /**
   * the drain was stopped before every order settled (drainSignal): the invariants that need settled orders
   * (terminal, compensated) are not checked, and `unsettled` orders were not final yet
   */
  drainCutShort?: { unsettled: number };
  violations: Violation[];
  /** the settled outcome of each order, for tests */
  outcomes: Map<string, { state: OrderState; reason: RejectionReason | null }>;
}

export async function runSimulation(options: SimulationOptions): Promise<SimulationSummary> {
  const { rt, admin, host } = options;
  const { names } = rt;
  const started = Date.now();

  // Where this run starts in every topic: read-back and the observer look at this run's records only.
  const topics = [...names.topics, ...names.dlqs];
  const ranges = await offsetRanges(rt.cluster, await partitionsOf(rt.cluster, topics));
  const since = new Map(ranges.map((r) => [partitionKey(r.topic, r.partition), r.until!]));
  const requests = names.topic('basket.order-requests');
  const runTag = ranges.some((r) => r.topic === requests && r.until! > 0) ? Date.now().toString(36) : '';
  const loadOptions: LoadOptions = { ...options.load, runTag: runTag || undefined };
  const load = createLoad(loadOptions);
  // every id of this run is the id of order 1 with another sequence number
  const idPrefix = orderIdOf(loadOptions.seed, 1, loadOptions.runTag).replace(/-\d+$/, '-');
  const belongs = (orderId: string) => orderId.startsWith(idPrefix);

  const observer = new OrderObserver(belongs);
  observer.start(
    rt.cluster,
    rt.codec,
    ranges
      .filter((r) => r.topic === names.topic('orders'))
      .map((r) => ({ topic: r.topic, partition: r.partition, from: r.until! })),
  );

  const sets = new Map<WorkerService, InstanceSet>();
  const down = new Set<WorkerService>();
  const chaos = new Chaos({
    sets,
    down,
    host,
    instances: options.instances,
    latency: options.latency,
    log: (line) => rt.log(line),
  });
  const startService = async (service: WorkerService) => {
    sets.set(service, await host.start(service, options.instances?.[service] ?? 1, options.latency?.[service]));
  };

  let progressTimer: NodeJS.Timeout | null = null;
  let sendTimer: NodeJS.Timeout | null = null;
  try {
    // inventory first: its initial stock should be published before orders look for it
    await startService('inventory');
    await Promise.all(WORKER_SERVICES.filter((s) => s !== 'inventory').map(startService));

    const t0 = Date.now();
    chaos.schedule(options.chaos ?? [], t0);

    const basket = createBasket({ now: Date.now, random: createRandom(`${String(options.load.seed)}:basket`) });
    let sent = 0;
    let poisonSent = 0;
    const failures: Error[] = [];
    const planned = options.orders ?? null;
    const sendingEnds = options.durationMs !== undefined ? t0 + options.durationMs : Infinity;

    const write = (
      topic: string,
      record: { key: Buffer | null; value: Buffer | null; headers: RecordHeader[]; timestamp?: number },
    ) =>
      rt.producer.write(topic, record, (err) => {
        if (err) failures.push(err);
      });
    const sendOrder = (order: PlannedOrder) => {
      const now = Date.now();
      if (order.poisonBefore) {
        write(requests, poisonRecord(order, poisonSent, rt.codec.schemaId('basket.order-requests')));
        poisonSent++;
      }
      observer.requested(order.orderId, now);
      write(requests, { ...rt.codec.encode(basket.requestOrder(order)), timestamp: now });
      // right behind its request, on the same partition: orders sees it while the order is PLACED
      if (order.cancel) write(requests, rt.codec.encode(basket.requestCancel(order.orderId, 'changed my mind')!));
      sent++;
    };

    const lag: SimulationProgress['lag'] = {};
    let drainUntil: number | undefined;
    const progress = (phase: SimulationProgress['phase']): SimulationProgress => {
      const now = Date.now();
      const rate = observer.settled.rate(now);
      return {
        elapsedMs: now - t0,
        sent,
        planned,
        byState: Object.fromEntries(observer.byState),
        terminal: observer.terminal,
        rate,
        lag: { ...lag },
        down: [...down],
        phase,
        drainUntil,
        decision: observer.decision.summary(),
        recent: observer.recent.slice(),
      };
    };
    let phase: SimulationProgress['phase'] = 'sending';
    const refreshLag = async () => {
      await Promise.all(
        WORKER_SERVICES.map(async (s) => {
          lag[s] = await describeGroup(admin, names.group(s)).then(
            (g) => g.lag,
            () => null,
          );
        }),
      );
    };
    if (options.onProgress) {
      const every = options.progressEveryMs ?? 1000;
      const report = async () => {
        await refreshLag().catch(() => {});
        options.onProgress!(progress(phase));
        progressTimer = setTimeout(() => void report(), every);
      };
      progressTimer = setTimeout(() => void report(), every);
    }

    // Sending: order i is due at t0 + i / rate; a timer sends whatever is due, so a slow tick catches up.
    await new Promise<void>((resolve) => {
      const tick = () => {
        const now = Date.now();
        const due = Math.floor(((now - t0) * options.rate) / 1000) + 1;
        while (sent < due && (planned === null || sent < planned) && now < sendingEnds && !options.signal?.aborted)
          sendOrder(load.next());
        if ((planned !== null && sent >= planned) || now >= sendingEnds || options.signal?.aborted || failures.length)
          return resolve();
        sendTimer = setTimeout(tick, Math.max(1, Math.min(20, 1000 / options.rate)));
      };
      tick();
    });
    const sendingMs = Date.now() - t0;
    await rt.producer.flush();
    if (failures.length) throw new Error(`sending orders failed: ${failures[0].message}`);

    // Draining: every order settled and every group caught up (compensations are published after the
    // order's terminal event), or the drain time is up; chaos still pending is waited for first.
    phase = 'draining';
    // faults due after the last order are called off; those under way run to their end
    const sendingEnd = Date.now();
    const chaosEnds = Math.max(
      0,
      ...(options.chaos ?? []).filter((a) => t0 + a.atMs <= sendingEnd).map((a) => t0 + a.atMs + a.forMs),
    );
    chaos.callOffAfter(sendingEnd, t0);
    const aborted = !!options.signal?.aborted;
    // interrupted: no waiting for faults to end, they end now
    if (aborted) await chaos.endAll();
    const faultsEnd = aborted ? 0 : chaosEnds;
    drainUntil = Math.max(Date.now(), faultsEnd) + (options.drainMs ?? rt.config.timeoutMs + 30_000);
    let cutShort = false;
    for (;;) {
      if (observer.failure) throw observer.failure;
      const now = Date.now();
      if (now > drainUntil) break;
      if (options.drainSignal?.aborted) {
        cutShort = observer.terminal < sent;
        break;
      }
      if (observer.terminal >= sent && now >= faultsEnd && down.size === 0) {
        await refreshLag();
        if (WORKER_SERVICES.every((s) => lag[s] === 0)) break;
      }
      await sleep(100, options.drainSignal);
    }
    const unsettled = Math.max(0, sent - observer.terminal);
    const totalMs = Date.now() - started;
    chaos.clear();
    if (progressTimer) clearTimeout(progressTimer);
    progressTimer = null;
    await Promise.all([...sets.values()].map((s) => s.stop()));
    sets.clear();
    observer.close();

    return await summarize({
      options,
      since,
      belongs,
      observer,
      sent,
      poisonSent,
      sendingMs,
      totalMs,
      runTag,
      cutShort: cutShort ? { unsettled } : undefined,
    });
  } finally {
    if (sendTimer) clearTimeout(sendTimer);
    if (progressTimer) clearTimeout(progressTimer);
    chaos.clear();
    observer.close();
    await Promise.all([...sets.values()].map((s) => s.stop().catch(() => {})));
  }
}

/** A record the basket's consumers cannot read: every third not in the wire format, then an unknown schema id, then a truncated body. */
function poisonRecord(
  order: PlannedOrder,
  n: number,
  schemaId: number,
): { key: Buffer; value: Buffer; headers: RecordHeader[] } {
  const variants = [
    () => Buffer.from(`{"orderId":"${order.orderId}","note":"not Avro"}`, 'utf8'),
    () => frame(0x7fff_fff0, Buffer.from([2, 4, 6])),
    () => frame(schemaId, Buffer.from([0x02])),
  ];
  const headers = textHeaders({
    [HEADERS.eventId]: `poison-${order.orderId}`,
    [HEADERS.eventType]: 'OrderRequested',
    [HEADERS.producer]: 'basket',
    [HEADERS.correlationId]: order.orderId,
  });
  return { key: Buffer.from(order.orderId, 'utf8'), value: variants[n % variants.length](), headers };
}

async function summarize(run: {
  options: SimulationOptions;
  since: Map<string, number>;
  belongs: (orderId: string) => boolean;
  observer: OrderObserver;
  sent: number;
  poisonSent: number;
  sendingMs: number;
  totalMs: number;
  runTag: string;
  cutShort?: { unsettled: number };
}): Promise<SimulationSummary> {
  const { options, observer } = run;
  const { rt } = options;
  const { names } = rt;
  const { logs } = await readTopics(rt.cluster, rt.codec, TOPIC_NAMES, run.since);

  // this run's records: order-keyed ones by id, stock levels all (they belong to no order)
  const own: TopicLogs = {};
  const events: Partial<Record<string, number>> = {};
  for (const topic of TOPIC_NAMES) {
    const records = (logs.get(topic) ?? []).filter(
      (r) => TOPICS[topic].key !== 'orderId' || run.belongs((r.value as { orderId: string }).orderId),
    );
    (own as Record<TopicName, AnyRecord[]>)[topic] = records;
    for (const r of records) {
      const k = `${names.topic(topic)}:${r.value.eventType}`;
      events[k] = (events[k] ?? 0) + 1;
    }
  }
  // a drain cut short leaves orders on their way: not final, or final with compensations still to come
  const violations = checkInvariants(own, names.topic).filter(
    (v) => !run.cutShort || (v.invariant !== 'terminal' && v.invariant !== 'compensated'),
  );

  const deadLetters: Partial<Record<ServiceName, number>> = {};
  const deadLetterErrors: Partial<Record<ServiceName, string[]>> = {};
  const dlqRead = await readDeadLetters(rt, names.dlqs, run.since);
  for (const service of SERVICES) {
    const records = dlqRead.get(names.dlq(service)) ?? [];
    if (records.length) {
      deadLetters[service] = records.length;
      deadLetterErrors[service] = records.slice(0, 5);
    }
  }

  const outcomes = new Map<string, { state: OrderState; reason: RejectionReason | null }>();
  for (const r of own.orders ?? []) outcomes.set(r.value.orderId, { state: r.value.state, reason: r.value.reason });
  const byState: Partial<Record<OrderState, number>> = {};
  const rejected: Partial<Record<string, number>> = {};
  for (const o of outcomes.values()) {
    byState[o.state] = (byState[o.state] ?? 0) + 1;
    if (o.state === 'REJECTED' && o.reason) rejected[o.reason] = (rejected[o.reason] ?? 0) + 1;
  }
  for (const reason of REJECTION_REASONS) if (rejected[reason] === undefined && byState.REJECTED) rejected[reason] = 0;
  const stuck = violations.filter((v) => v.invariant === 'terminal').length;
  return {
    seed: options.load.seed,
    runTag: run.runTag || null,
    prefix: names.prefix,
    topics: {
      workflow: [...names.topics],
      deadLetters: Object.fromEntries(SERVICES.map((s) => [s, names.dlq(s)])) as Record<ServiceName, string>,
    },
    orders: { requested: run.sent, byState, rejected, stuck },
    latencyMs: { decision: observer.decision.summary(), completion: observer.completion.summary() },
    durationMs: { sending: run.sendingMs, total: run.totalMs },
    sentPerSecond: run.sendingMs > 0 ? (run.sent * 1000) / run.sendingMs : 0,
    decidedPerSecond:
      observer.lastDecidedAt > observer.firstRequestedAt
        ? (observer.decision.count * 1000) / (observer.lastDecidedAt - observer.firstRequestedAt)
        : 0,
    deadLetters,
    deadLetterErrors,
    poisonSent: run.poisonSent,
    compensations: {
      stockReleased: countOf(own, 'inventory.reservations', 'StockReleased'),
      paymentsVoided: countOf(own, 'payments', 'PaymentVoided'),
    },
    events,
    chaos: (options.chaos ?? []).filter((a) => a.atMs <= run.sendingMs), // the faults that happened
    ...(run.cutShort ? { drainCutShort: run.cutShort } : {}),
    violations,
    outcomes,
  };
}

/** Events of one type on one topic, among this run's records. */
function countOf(own: TopicLogs, topic: TopicName, eventType: string): number {
  return (own[topic] ?? []).filter((r) => r.value.eventType === eventType).length;
}

/** The dead-letter topics' records (this run's), as their error headers. */
async function readDeadLetters(
  rt: WorkerRuntime,
  topics: readonly string[],
  since: Map<string, number>,
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const undecodable: DecodedChunk['undecodable'] = [];
  // dead letters never decode as workflow records (their topics are not workflow topics): all land here
  await readToEnd(
    rt.cluster,
    rt.codec,
    await partitionsOf(rt.cluster, topics),
    (chunk) => undecodable.push(...chunk.undecodable),
    since,
  );
  for (const { record } of undecodable) {
    const error = headerText(record.headers, DLQ_HEADERS.error) ?? '(no error header)';
    const list = out.get(record.topic) ?? [];
    list.push(error);
    out.set(record.topic, list);
  }
  return out;
}
