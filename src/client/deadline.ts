// Racing a promise against a timer, so that nothing a command waits for can outlast its time limit.

/** The longest delay setTimeout accepts; longer (and infinite) limits mean "no timer". */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class DeadlineError extends Error {
  constructor(
    readonly what: string,
    readonly ms: number,
  ) {
    super(`${what} did not finish within ${formatMs(ms)}`);
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

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** "10s", "1.5s", "250ms", "2m", "1h": for messages. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return 'no limit';
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${+(ms / 1000).toFixed(1)}s`;
  if (ms < 3_600_000) return `${+(ms / 60_000).toFixed(1)}m`;
  return `${+(ms / 3_600_000).toFixed(1)}h`;
}
