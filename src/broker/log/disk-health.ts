// Whether the data dir takes writes, as the broker's writers find out: partition logs, topics.json and the
// group coordinator's groups.log report each failed and each successful write here.
//
// A full disk (or a read-only remount, a quota, an I/O error) fails every write for a while, and each failure
// is one produce or commit refused: logging each would bury the cause in thousands of lines. So failures come
// in episodes: the first failure opens one and is reported, with the path and the cause, on the `alert`
// channel (printed even without --verbose); the episode closes, with one more line, once every writer that
// failed has written again. A writer that failed and is never written to again must not hold the episode open
// forever, so a success also vouches for the writers whose last failure came before this writer's last one:
// the disk took a write after all of them failed. Small writes that still fit (a commit into the last
// partly filled page of groups.log) cannot close an episode while larger writes keep failing, because those
// keep failing after the small writer's last failure.

export interface WriteHealth {
  /** `unit` (a partition, "topics.json", "groups.log") failed to write */
  failed(unit: string, err: unknown): void;
  /** `unit` wrote successfully */
  succeeded(unit: string): void;
}

/** For logs that cannot fail (in memory) or whose owner does not care. */
export const IGNORE_HEALTH: WriteHealth = { failed() {}, succeeded() {} };

/** "no space left on device (ENOSPC)" from a Node fs error, else its message. */
export function describeIoError(err: unknown): string {
  const e = err as NodeJS.ErrnoException | null;
  const message = e instanceof Error ? e.message : String(err);
  if (typeof e?.code !== 'string' || !/^E[A-Z0-9]+$/.test(e.code)) return message;
  // Node writes "ENOSPC: no space left on device, write" or "EROFS: read-only file system, open '/x'"
  const m = /^E[A-Z0-9]+: (.*?)(?:, \w+(?: '.*')?)?$/.exec(message);
  return `${m ? m[1] : message} (${e.code})`;
}

/** the file an fs error names, when it names one */
export function ioErrorPath(err: unknown): string | undefined {
  const p = (err as NodeJS.ErrnoException | null)?.path;
  return typeof p === 'string' ? p : undefined;
}

export class DiskHealth implements WriteHealth {
  /** the failing units, each with the sequence number of its last failure */
  private readonly failing = new Map<string, number>();
  private seq = 0;
  private refused = 0;
  private since = 0;

  constructor(
    private readonly dataDir: string,
    private readonly alert: (message: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** true while an episode is open */
  get degraded(): boolean {
    return this.failing.size > 0;
  }

  failed(unit: string, err: unknown): void {
    const opening = this.failing.size === 0;
    this.failing.set(unit, ++this.seq);
    this.refused++;
    if (!opening) return;
    this.since = this.now();
    const file = ioErrorPath(err);
    this.alert(
      `data dir ${this.dataDir}: cannot write ${file ?? unit}: ${describeIoError(err)}; produce requests get ` +
        `KAFKA_STORAGE_ERROR and commits NOT_COORDINATOR until writes work again (reads go on, nothing ` +
        `refused is stored)`,
    );
  }

  succeeded(unit: string): void {
    const last = this.failing.get(unit);
    if (last === undefined) return;
    for (const [other, at] of this.failing) if (at <= last) this.failing.delete(other);
    if (this.failing.size > 0) return;
    const seconds = ((this.now() - this.since) / 1000).toFixed(1);
    this.alert(`data dir ${this.dataDir}: writes succeed again (${this.refused} refused in ${seconds} s)`);
    this.refused = 0;
  }
}
