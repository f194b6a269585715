// A clock that moves only when a test says so: group sessions expire and retention deletes exactly at the
// `advance()` that crosses their deadline, never because the machine was slow.

import type { BrokerClock, ClockTimer } from '../broker/clock.js';

interface Pending {
  due: number;
  /** insertion order, so that timers due at the same time fire in the order they were set */
  seq: number;
  fire: () => void;
}

export class ManualClock implements BrokerClock {
  private current: number;
  private seq = 0;
  private readonly pending = new Set<Pending>();

  constructor(start: number) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  timer(ms: number, fire: () => void): ClockTimer {
    const entry: Pending = { due: this.current + ms, seq: this.seq++, fire };
    this.pending.add(entry);
    return {
      refresh: () => {
        entry.due = this.current + ms;
        entry.seq = this.seq++;
        this.pending.add(entry);
      },
      clear: () => void this.pending.delete(entry),
    };
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due on the way, in time order, each with the
   * clock set to its due time (a timer set by one that fires is run too if it falls due within the step).
   */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      let next: Pending | undefined;
      for (const p of this.pending) {
        if (p.due <= target && (!next || p.due < next.due || (p.due === next.due && p.seq < next.seq))) next = p;
      }
      if (!next) break;
      this.pending.delete(next);
      this.current = Math.max(this.current, next.due);
      next.fire();
    }
    this.current = target;
  }
}
