// A one-time signal that reads in flight are raced against: Ctrl-C, a deadline, a closed output.
//
// Not `Promise.race([p, signal])` with one long-lived signal promise: every race leaves a reaction on the
// signal that holds the raced promise and so its value, until the signal settles, which in a normal run is
// never. A follow or a piped produce would keep every chunk it ever read (a tail -f grew 40 MB a minute).

export class StopSignal {
  stopped = false;
  /** the races in flight: each removes itself when its own promise settles */
  private readonly waiting = new Set<() => void>();

  /** races still waiting: what the signal holds on to */
  get inFlight(): number {
    return this.waiting.size;
  }

  fire(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const wake of this.waiting) wake();
    this.waiting.clear();
  }

  /** `p`'s value, or null when the signal fires first (a later failure of the abandoned `p` is ignored). */
  race<T>(p: Promise<T>): Promise<T | null> {
    p.catch(() => {});
    if (this.stopped) return Promise.resolve(null);
    return new Promise<T | null>((resolve, reject) => {
      const wake = () => resolve(null);
      this.waiting.add(wake);
      p.then(
        (value) => {
          this.waiting.delete(wake);
          resolve(value);
        },
        (err: unknown) => {
          this.waiting.delete(wake);
          reject(err);
        },
      );
    });
  }
}
