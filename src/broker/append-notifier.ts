// Wakes long-polling Fetch requests when records are appended to a partition they wait on.

export function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

export class AppendNotifier {
  private waiters = new Map<string, Set<() => void>>();

  notify(topic: string, partition: number): void {
    const set = this.waiters.get(partitionKey(topic, partition));
    if (!set) return;
    for (const wake of [...set]) wake();
  }

  /**
   * Resolves when one of the partitions gets an append, the timeout passes, or the cancel source fires. The
   * cancel listener is removed again, so that a long-lived connection does not collect one per long poll.
   */
  wait(keys: readonly string[], timeoutMs: number, onCancel: (listener: () => void) => () => void): Promise<void> {
    return new Promise<void>((resolve) => {
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        removeCancel();
        for (const k of keys) {
          const set = this.waiters.get(k);
          if (!set) continue;
          set.delete(finish);
          if (set.size === 0) this.waiters.delete(k);
        }
        resolve();
      };
      const timer = setTimeout(finish, Math.max(0, timeoutMs));
      for (const k of keys) {
        let set = this.waiters.get(k);
        if (!set) this.waiters.set(k, (set = new Set()));
        set.add(finish);
      }
      const removeCancel = onCancel(finish);
    });
  }

  /** Wakes the waiters of a deleted topic, so that they answer UNKNOWN_TOPIC_OR_PARTITION now. */
  wakeTopic(topic: string): void {
    const prefix = partitionKey(topic, 0).slice(0, -1);
    for (const [key, set] of [...this.waiters]) if (key.startsWith(prefix)) for (const wake of [...set]) wake();
  }

  /** Wakes every waiter (broker shutdown). */
  wakeAll(): void {
    for (const set of [...this.waiters.values()]) for (const wake of [...set]) wake();
  }
}
