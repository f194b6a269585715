// The live text view of `evt demo` until the dashboard takes over: a block of lines redrawn in place on a
// terminal (cursor up, clear, rewrite), or one progress line every few seconds when stderr is not a TTY.

import { ORDER_STATES, WORKER_SERVICES } from '../../workflow/catalogue.js';
import type { ChaosAction } from '../../workflow/sim-options.js';
import type { SimulationProgress } from '../../workflow/runtime/simulation.js';
import { clockTime } from '../../common/clock.js';
import { formatDuration } from '../../common/time.js';
import { progressLine } from './report.js';

export interface LiveHeader {
  where: string;
  rate: number;
  chaos: ChaosAction[];
}

/** The fault under way or next, in words; null when no fault is left. */
export function faultText(chaos: readonly ChaosAction[], elapsedMs: number): string | null {
  const next = chaos.find((a) => a.atMs + a.forMs > elapsedMs);
  if (!next) return null;
  if (next.atMs > elapsedMs)
    return `${next.kind} ${next.service} in ${formatDuration(next.atMs - elapsedMs, 'seconds')} for ${formatDuration(next.forMs, 'seconds')}`;
  return `${next.service} ${next.kind === 'kill' ? 'killed' : 'stopped'}, back in ${formatDuration(next.atMs + next.forMs - elapsedMs, 'seconds')}`;
}

/** The block for one progress report. */
export function liveLines(h: LiveHeader, p: SimulationProgress, width: number): string[] {
  const states = ORDER_STATES.map((s) => `${s.toLowerCase()} ${p.byState[s] ?? 0}`).join('  ');
  const services = WORKER_SERVICES.map((s) => {
    const down = p.down.includes(s);
    const lag = p.lag[s];
    return `${s} ${down ? 'DOWN' : 'up'} lag ${lag ?? '?'}`;
  }).join(' | ');
  const now = faultText(h.chaos, p.elapsedMs);
  const fault = now === null ? 'none left' : p.down.length ? `${now}: its orders wait (lag grows), then drain` : now;
  const lines = [
    `evt demo  ${h.where}  up ${formatDuration(p.elapsedMs, 'narrow')}  Ctrl-C to stop`,
    `orders    sent ${p.sent} at ${h.rate}/s, ${p.rate.toFixed(1)} settled/s`,
    `          ${states}`,
    `latency   request to decision p50 ${Math.round(p.decision.p50) || '-'}ms  p95 ${Math.round(p.decision.p95) || '-'}ms  p99 ${Math.round(p.decision.p99) || '-'}ms`,
    `services  ${services}`,
    `fault     ${fault}`,
    `recent    ${p.recent.length ? '' : '(no order events yet)'}`,
    ...p.recent
      .slice()
      .reverse()
      .map((e) => `  ${clockTime(e.at)}  ${e.orderId}  ${e.eventType}${e.reason ? ` (${e.reason})` : ''}`),
  ];
  return lines.map((l) => (l.length > width ? l.slice(0, width - 1) + '…' : l));
}

/** Draws blocks in place on a terminal; prints a progress line per report elsewhere. */
export class LiveView {
  private drawn = 0;
  constructor(
    private readonly stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number },
    private readonly header: LiveHeader,
  ) {}

  set where(where: string) {
    this.header.where = where;
  }

  /** A message line: above the block on a terminal (the block is redrawn under it at the next update). */
  log(line: string): void {
    if (this.live && this.drawn) {
      this.stream.write(`\x1b[${this.drawn}A\x1b[J`);
      this.drawn = 0;
    }
    this.stream.write(line + '\n');
  }

  get live(): boolean {
    return !!this.stream.isTTY;
  }

  update(p: SimulationProgress): void {
    if (!this.live) {
      this.stream.write(`evt demo: ${progressLine(p)}\n`);
      return;
    }
    const lines = liveLines(this.header, p, this.stream.columns ?? 100);
    let out = this.drawn ? `\x1b[${this.drawn}A` : '';
    for (const line of lines) out += `\x1b[2K${line}\n`;
    // a shorter block than the last one: clear what is left below
    for (let i = lines.length; i < this.drawn; i++) out += '\x1b[2K\n';
    this.stream.write(out);
    this.drawn = Math.max(lines.length, this.drawn);
  }
}
