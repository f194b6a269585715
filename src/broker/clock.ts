// The broker's time where a test may want to control it: group members' session timers, retention, commit
// timestamps. The request path (produce timestamps, fetch waits) keeps reading the system clock: only what a
// test would otherwise have to sleep for goes through here, and the system clock below costs what it did
// before (one timer per member, refreshed on each heartbeat).

/** A timer that can be pushed back (a heartbeat) or cancelled. */
export interface ClockTimer {
  /** starts the same delay again from now */
  refresh(): void;
  clear(): void;
}

export interface BrokerClock {
  /** epoch milliseconds */
  now(): number;
  /** calls `fire` once, `ms` from now, unless cleared; never keeps the process alive by itself */
  timer(ms: number, fire: () => void): ClockTimer;
}

/** Real time: Date.now and unref'd timers. */
export const SYSTEM_CLOCK: BrokerClock = {
  now: Date.now,
  timer(ms, fire) {
    const t = setTimeout(fire, ms);
    t.unref();
    return { refresh: () => void t.refresh(), clear: () => clearTimeout(t) };
  },
};
