// Racing a promise against a timer, so that nothing a command waits for can outlast its time limit.

import { formatDuration } from '../common/time.js';

/** The longest delay setTimeout accepts; longer (and infinite) limits mean "no timer". */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class DeadlineError extends Error {
  constructor(
    readonly what: string,
    readonly ms: number,
  ) {
    super(`${what} did not finish within ${formatDuration(ms)}`);
    this.name = 'DeadlineError';
  }
}

/** Resolves or rejects as `promise` does, or rejects with `onTimeout()` (a DeadlineError by default) after `ms`. */
export function withDeadline<T>(promise: Promise<T>, ms: number, what: string, onTimeout?: () => Error): Promise<T> {
  if (!Number.isFinite(ms) || ms > MAX_TIMER_MS) return promise;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout ? onTimeout() : new DeadlineError(what, ms)), Math.max(0, ms));
  });
  // a late rejection of the raced promise must not become an unhandled rejection
  promise.catch(() => {});
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
