// Durations as evt reads and writes them ("500ms", "30s", "15m", "2h", "7d", "1w"), in each style its output
// uses, and the one sleep. The client needs them first (timeouts in its errors, retry pauses), then flows, the
// workflow, views, trace, the dashboard and the CLI: so they live here, under all of them.

export const DURATION_UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** "500ms", "30s", "5m", "2h", "1d", "1w" (a space before the unit allowed) or plain milliseconds; else null. */
export function parseDurationText(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?$/.exec(text.trim());
  return m ? Math.round(Number(m[1]) * DURATION_UNITS[m[2] ?? 'ms']) : null;
}

/**
 * How a duration is written:
 * - `short`: 250ms, 1.5s, 2m, 1.5h; "no limit" when infinite. Messages: "no answer within 10s".
 * - `exact`: the largest unit that divides it (1500ms, 90s, 5m, 1d); parseDurationText reads it back. Flow files.
 * - `narrow`: 850ms, 4.2s, 45s, 3m05s, 2h10m. Narrow columns and status lines (the dashboard, evt demo).
 * - `whole`: the largest whole unit, rounded down: 45s, 3m, 2h, 1d. Ages ("updated 3m ago").
 * - `seconds`: 12.0s, 75.3s. The elapsed time of a run, comparable line to line (progress, summaries).
 * - `spaced`: 850 ms, 4.20 s, 3 min 5 s, 1.5 h. Trace timelines and verdicts.
 */
export type DurationStyle = 'short' | 'exact' | 'narrow' | 'whole' | 'seconds' | 'spaced';

export function formatDuration(ms: number, style: DurationStyle = 'short'): string {
  switch (style) {
    case 'short':
      if (!Number.isFinite(ms)) return 'no limit';
      if (ms < 1000) return `${Math.round(ms)}ms`;
      if (ms < 60_000) return `${+(ms / 1000).toFixed(1)}s`;
      if (ms < 3_600_000) return `${+(ms / 60_000).toFixed(1)}m`;
      return `${+(ms / 3_600_000).toFixed(1)}h`;
    case 'exact':
      if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
      if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
      if (ms % 60_000 === 0) return `${ms / 60_000}m`;
      if (ms % 1000 === 0) return `${ms / 1000}s`;
      return `${ms}ms`;
    case 'narrow': {
      if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
      if (ms < 10_000) return `${(ms / 1000).toFixed(1)}s`;
      const s = Math.floor(ms / 1000);
      if (s < 60) return `${s}s`;
      if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
      return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
    }
    case 'whole': {
      const s = Math.max(0, Math.round(ms / 1000));
      if (s < 60) return `${s}s`;
      if (s < 3600) return `${Math.floor(s / 60)}m`;
      if (s < 86_400) return `${Math.floor(s / 3600)}h`;
      return `${Math.floor(s / 86_400)}d`;
    }
    case 'seconds':
      return `${(ms / 1000).toFixed(1)}s`;
    case 'spaced':
      if (ms < 1000) return `${Math.round(ms)} ms`;
      if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
      if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
      return `${(ms / 3_600_000).toFixed(1)} h`;
  }
}

/**
 * Milliseconds on a clock that only goes forward, for measuring and pacing. performance.now() is the same
 * clock, but its first use loads perf_hooks: 1.5-2 ms of a one-shot command's start-up.
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Resolves after `ms`, or as soon as `signal` aborts (it never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
