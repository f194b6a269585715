// Counts and sizes as evt prints them, and a progress line on stderr for long work.

import type { Io } from './io.js';

/** "1,234,567" */
export function formatCount(n: number): string {
  // 1,234,567 as toLocaleString('en-US') writes it, without loading ICU's number formatting (~40 ms at start)
  const [int, frac] = String(Math.abs(n)).split('.');
  const grouped = int.replace(/\B(?=(\d{3})+$)/g, ',');
  return `${n < 0 ? '-' : ''}${grouped}${frac === undefined ? '' : `.${frac.slice(0, 3)}`}`;
}

export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} kB`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)} MB`;
  return `${(n / 1e9).toFixed(2)} GB`;
}

/** A line on stderr that rewrites itself (progress), only on a terminal. */
export class ProgressLine {
  private shown = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly io: Io,
    private readonly render: () => string,
    private readonly everyMs = 250,
    delayMs = 1000,
  ) {
    if (!io.stderr.isTTY) return;
    this.timer = setTimeout(() => {
      this.draw();
      this.timer = setInterval(() => this.draw(), this.everyMs);
      this.timer.unref();
    }, delayMs);
    this.timer.unref();
  }

  private draw(): void {
    this.io.stderr.write(`\r\x1b[K${this.render()}`);
    this.shown = true;
  }

  /** Stops and erases the line. */
  stop(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      clearInterval(this.timer);
      this.timer = null;
    }
    if (this.shown) this.io.stderr.write('\r\x1b[K');
    this.shown = false;
  }
}
