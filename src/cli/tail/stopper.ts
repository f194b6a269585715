// How a tail stops early (Ctrl-C, --expect's deadline, --until's time, a closed stdout), and the exit code
// how it ended gives.

import { formatDuration } from '../../common/time.js';
import { CliError, ExitCode } from '../errors.js';
import { StopSignal } from '../stop-signal.js';
import type { TailOptions } from './options.js';
import type { RecordOutput } from './output.js';

export type StopReason = 'interrupted' | 'deadline' | 'closed' | 'until-time';

/** Stops the reads in flight when reading must stop early, for whatever reason came first. */
export class Stopper {
  reason: StopReason | null = null;
  private readonly signal = new StopSignal();
  private timers: NodeJS.Timeout[] = [];
  stop(reason: StopReason): void {
    if (this.reason) return;
    this.reason = reason;
    this.signal.fire();
  }
  at(ms: number, reason: StopReason): void {
    this.timers.push(setTimeout(() => this.stop(reason), Math.max(0, ms - Date.now())));
  }
  dispose(): void {
    for (const t of this.timers) clearTimeout(t);
  }
  /** a promise's value, or null when stopped first (a later failure of the abandoned promise is ignored) */
  race<T>(p: Promise<T>): Promise<T | null> {
    return this.signal.race(p);
  }
}

/** Flushes, then turns how reading ended into the exit: 0, 5 (expectation), 130 (interrupted). */
export async function finish(o: TailOptions, out: RecordOutput, stopper: Stopper, matched: number): Promise<void> {
  await out.flush();
  if (out.closed) return;
  if (o.expect !== undefined && matched < o.expect) {
    if (stopper.reason === 'interrupted')
      throw new CliError(`interrupted: saw ${matched} of the ${o.expect} records expected`, ExitCode.INTERRUPTED);
    const why =
      stopper.reason === 'deadline'
        ? `within ${formatDuration(o.expectTimeoutMs)}`
        : 'before the end of the range (--until)';
    throw new CliError(
      `expected ${o.expect} matching record${o.expect === 1 ? '' : 's'} ${why}, saw ${matched}`,
      ExitCode.EXPECTATION,
    );
  }
  if (stopper.reason === 'interrupted') throw new CliError('interrupted', ExitCode.INTERRUPTED);
}
