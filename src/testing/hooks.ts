// The request hooks of a test broker: faults (answer the next N matching requests with an error), holds
// (park matching requests until the test releases them) and waits for the next matching request. They are
// one RequestInterceptor, the only place they touch the request path (src/broker/server.ts); a broker
// started without it runs no hook code at all.

import { EvtError } from '../common/errors.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type { InterceptedRequest, RequestInterceptor } from '../broker/server.js';
import type { BrokerState } from '../broker/state.js';
import { ERROR_ANSWERS, type NamedPartition } from './error-answers.js';

/** Kafka's error names (`NOT_LEADER_OR_FOLLOWER`), as in Apache Kafka's `Errors`. */
export type ErrorName = Exclude<keyof typeof ErrorCode, 'NONE'>;

/** Which requests a fault, a hold or a wait applies to. */
export interface RequestMatch {
  /** the API as Kafka names it: `Produce`, `Fetch`, `Metadata`, `JoinGroup`, ... */
  api: string;
  /** only requests naming this topic */
  topic?: string;
  /** only requests naming this partition of `topic` */
  partition?: number;
}

export interface FaultOptions extends RequestMatch {
  /** the error every topic and partition of the request is answered with */
  error: ErrorName | number;
  /** how many matching requests fail (default 1; Infinity: until `clear()`) */
  count?: number;
}

/** A fault in place. */
export interface Fault {
  /** how many requests it has failed so far */
  readonly fired: number;
  /** resolves once it has fired `count` times (never for an unlimited fault) */
  readonly exhausted: Promise<void>;
  /** stops it: the next matching requests are served normally */
  clear(): void;
}

/** Requests held back until `release()`. */
export interface Held {
  /** how many requests it has held so far */
  readonly count: number;
  /** resolves when `n` requests (default 1) have been held */
  arrived(n?: number): Promise<void>;
  /** lets every held request go on (in arrival order) and holds no more */
  release(): void;
}

/** A request as a wait sees it. */
export interface SeenRequest {
  api: string;
  version: number;
  /** the topics and partitions it names (empty for group and cluster APIs) */
  partitions: NamedPartition[];
}

interface FaultRule {
  match: RequestMatch;
  code: number;
  remaining: number;
  fired: number;
  onExhausted: () => void;
}

interface HoldRule {
  match: RequestMatch;
  released: boolean;
  parked: Array<() => void>;
  count: number;
  waiters: Array<{ n: number; resolve: () => void }>;
}

interface Waiter {
  match: RequestMatch;
  resolve: (seen: SeenRequest) => void;
}

export class RequestHooks {
  private faults: FaultRule[] = [];
  private holds: HoldRule[] = [];
  private waiters: Waiter[] = [];
  private state: BrokerState | undefined;

  /** The broker's state, once it is up (faults of Metadata answer with its address). */
  attach(state: BrokerState): void {
    this.state = state;
  }

  readonly intercept: RequestInterceptor = async (request, proceed) => {
    const state = this.state;
    if (!state || (this.faults.length === 0 && this.holds.length === 0 && this.waiters.length === 0)) {
      return proceed();
    }
    const partitions = ERROR_ANSWERS.get(request.spec.name)?.partitions(request.body, state) ?? [];
    const seen: SeenRequest = { api: request.spec.name, version: request.version, partitions };
    this.notifyWaiters(seen);
    await this.holdIfMatched(seen);
    const faulted = this.faultIfMatched(request, seen, state);
    return faulted !== undefined ? faulted : proceed();
  };

  fail(options: FaultOptions): Fault {
    const answers = ERROR_ANSWERS.get(options.api);
    if (!answers) {
      const apis = [...ERROR_ANSWERS.keys()].join(', ');
      throw new EvtError(`fail: cannot inject a fault into ${options.api} (faults cover ${apis})`, 'usage');
    }
    const code = typeof options.error === 'number' ? options.error : ErrorCode[options.error];
    if (code === undefined) throw new EvtError(`fail: unknown error ${String(options.error)}`, 'usage');
    const count = options.count ?? 1;
    if (!(count >= 1)) throw new EvtError(`fail: count must be at least 1, not ${count}`, 'usage');
    let onExhausted = () => {};
    const exhausted = new Promise<void>((resolve) => (onExhausted = resolve));
    const rule: FaultRule = { match: options, code, remaining: count, fired: 0, onExhausted };
    this.faults.push(rule);
    return {
      get fired() {
        return rule.fired;
      },
      exhausted,
      clear: () => {
        this.faults = this.faults.filter((f) => f !== rule);
      },
    };
  }

  hold(match: RequestMatch): Held {
    const rule: HoldRule = { match, released: false, parked: [], count: 0, waiters: [] };
    this.holds.push(rule);
    return {
      get count() {
        return rule.count;
      },
      arrived: (n = 1) =>
        rule.count >= n ? Promise.resolve() : new Promise((resolve) => rule.waiters.push({ n, resolve })),
      release: () => {
        rule.released = true;
        this.holds = this.holds.filter((h) => h !== rule);
        for (const go of rule.parked.splice(0)) go();
      },
    };
  }

  nextRequest(match: RequestMatch): Promise<SeenRequest> {
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  /** Lets everything held go on (the broker is closing: a parked request must not keep it open). */
  releaseAll(): void {
    for (const h of this.holds) {
      h.released = true;
      for (const go of h.parked.splice(0)) go();
    }
    this.holds = [];
  }

  private notifyWaiters(seen: SeenRequest): void {
    const due = this.waiters.filter((w) => matches(w.match, seen));
    if (due.length === 0) return;
    this.waiters = this.waiters.filter((w) => !due.includes(w));
    for (const w of due) w.resolve(seen);
  }

  private async holdIfMatched(seen: SeenRequest): Promise<void> {
    const rule = this.holds.find((h) => matches(h.match, seen));
    if (!rule) return;
    rule.count++;
    const parked = new Promise<void>((resolve) => rule.parked.push(resolve));
    for (const w of rule.waiters.filter((x) => rule.count >= x.n)) w.resolve();
    rule.waiters = rule.waiters.filter((x) => rule.count < x.n);
    await parked;
  }

  /** The fault's answer (null: none expected), or undefined when no fault matches. */
  private faultIfMatched(
    request: InterceptedRequest,
    seen: SeenRequest,
    state: BrokerState,
  ): Buffer[] | null | undefined {
    const rule = this.faults.find((f) => matches(f.match, seen));
    if (!rule) return undefined;
    rule.fired++;
    if (--rule.remaining === 0) {
      this.faults = this.faults.filter((f) => f !== rule);
      rule.onExhausted();
    }
    const answer = ERROR_ANSWERS.get(seen.api)!.answer(request.body, rule.code, state);
    return answer === null ? null : request.answer(answer);
  }
}

function matches(match: RequestMatch, seen: SeenRequest): boolean {
  if (match.api !== seen.api) return false;
  if (match.topic === undefined) return true;
  return seen.partitions.some(
    (p) =>
      p.topic === match.topic &&
      (match.partition === undefined || p.partition === undefined || p.partition === match.partition),
  );
}
