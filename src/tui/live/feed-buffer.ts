// The dashboard's event feed in event-time order. The tail reads partitions side by side, so records come
// in blocks of one partition (a fetch's worth), not in the order they happened; the feed puts each event in
// its place by timestamp (events with the same timestamp keep the order they came in) and keeps the newest
// `capacity`, so memory stays bounded however long it runs.

export class TimeOrderedFeed<T extends { at: number }> {
  /** oldest first, by `at`, then arrival */
  private readonly items: T[] = [];

  constructor(readonly capacity: number) {}

  push(item: T): void {
    const items = this.items;
    // older than everything kept when the feed is full: it would be the first to go
    if (items.length >= this.capacity && item.at < items[0].at) return;
    if (items.length === 0 || items[items.length - 1].at <= item.at) items.push(item);
    else {
      // after every item at or before its time: equal times keep their arrival order
      let lo = 0;
      let hi = items.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (items[mid].at <= item.at) lo = mid + 1;
        else hi = mid;
      }
      items.splice(lo, 0, item);
    }
    if (items.length > this.capacity) items.shift();
  }

  get length(): number {
    return this.items.length;
  }

  /** oldest first (a fresh array) */
  toArray(): T[] {
    return this.items.slice();
  }
}
