// The event feed in event-time order: the tail reads partitions side by side, so events arrive in blocks of
// one partition (and topic) at a time; the feed shows them by timestamp (newest last), equal timestamps in
// the order they came, and keeps the newest FEED_CAPACITY only.

import { describe, expect, it } from 'vitest';
import { TailAggregator, type TailEvent } from '../../src/tui/live/aggregator.js';
import { TimeOrderedFeed } from '../../src/tui/live/feed-buffer.js';
import { FEED_CAPACITY } from '../../src/tui/source.js';
import { tailEvent } from './scene.js';

const event = (
  topic: string,
  partition: number,
  offset: number,
  timestamp: number,
  orderId: string,
  eventType: string,
): TailEvent => tailEvent(topic, orderId, eventType, timestamp, { partition, offset });

describe('the event feed', () => {
  it('shows interleaved, out-of-order arrivals in event-time order, equal times as they came', () => {
    const agg = new TailAggregator(null, 0);
    const t0 = 1_000_000;
    // what the tail delivers: a block of partition 0 of orders, then partition 1, then basket's, then payments'
    const blocks: TailEvent[][] = [
      [
        event('orders', 0, 10, t0 + 30, 'o-1', 'OrderPlaced'),
        event('orders', 0, 11, t0 + 90, 'o-3', 'OrderPlaced'),
        event('orders', 0, 12, t0 + 150, 'o-1', 'OrderConfirmed'),
      ],
      [
        event('orders', 1, 20, t0 + 60, 'o-2', 'OrderPlaced'),
        event('orders', 1, 21, t0 + 150, 'o-2', 'OrderConfirmed'),
      ],
      [
        event('basket.order-requests', 0, 5, t0, 'o-1', 'OrderRequested'),
        event('basket.order-requests', 1, 6, t0 + 40, 'o-2', 'OrderRequested'),
        event('basket.order-requests', 0, 7, t0 + 80, 'o-3', 'OrderRequested'),
      ],
      [
        event('payments', 2, 3, t0 + 100, 'o-1', 'PaymentAuthorized'),
        event('payments', 2, 4, t0 + 150, 'o-3', 'PaymentAuthorized'),
      ],
    ];
    for (const block of blocks) for (const e of block) agg.add(e);
    const feed = agg.feedEvents();
    expect(feed.map((f) => f.at - t0)).toEqual([0, 30, 40, 60, 80, 90, 100, 150, 150, 150]);
    // three events at +150: in the order they were read
    expect(feed.slice(-3).map((f) => `${f.topic}-${f.entityId}`)).toEqual(['orders-o-1', 'orders-o-2', 'payments-o-3']);
    expect(feed.map((f) => f.eventType).slice(0, 4)).toEqual([
      'OrderRequested',
      'OrderPlaced',
      'OrderRequested',
      'OrderPlaced',
    ]);
  });

  it('keeps the newest FEED_CAPACITY events by time, however they arrive', () => {
    const agg = new TailAggregator(null, 0);
    const t0 = 2_000_000;
    // three partitions of 300 events each, one event per partition every 30 ms, read a partition at a time
    for (let p = 0; p < 3; p++)
      for (let i = 0; i < 300; i++) agg.add(event('orders', p, i, t0 + i * 30 + p * 10, `o-${p}-${i}`, 'OrderPlaced'));
    const feed = agg.feedEvents();
    expect(feed).toHaveLength(FEED_CAPACITY);
    const times = feed.map((f) => f.at);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    // the newest 200 of the 900: the last 66 or 67 of each partition
    const all = Array.from({ length: 900 }, (_, n) => t0 + Math.floor(n / 3) * 30 + (n % 3) * 10).sort((a, b) => a - b);
    expect(times).toEqual(all.slice(-FEED_CAPACITY));
  });

  it('a late event older than everything in a full feed is left out; one inside the window takes its place', () => {
    const feed = new TimeOrderedFeed<{ at: number; id: string }>(3);
    for (const [at, id] of [
      [10, 'a'],
      [20, 'b'],
      [30, 'c'],
    ] as const)
      feed.push({ at, id });
    feed.push({ at: 5, id: 'late' });
    expect(feed.toArray().map((e) => e.id)).toEqual(['a', 'b', 'c']);
    feed.push({ at: 25, id: 'd' });
    expect(feed.toArray().map((e) => e.id)).toEqual(['b', 'd', 'c']);
    feed.push({ at: 30, id: 'e' });
    expect(feed.toArray().map((e) => e.id)).toEqual(['d', 'c', 'e']);
    expect(feed.length).toBe(3);
  });
});
