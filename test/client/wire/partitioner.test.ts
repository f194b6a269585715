// The partitioner agrees with Kafka's Java client and kafkajs: murmur2 test vectors from Kafka's UtilsTest
// (and librdkafka's rdmurmur2.c), and kafkajs's own DefaultPartitioner on many keys.

import { createRequire } from 'node:module';
import { Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { NullKeyPartitioner, murmur2, partitionForKey, toPositive } from '../../../src/client/wire/partitioner.js';

const require = createRequire(import.meta.url);

describe('murmur2', () => {
  it("matches Kafka's Utils.murmur2 test vectors", () => {
    const vectors: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [key, hash] of vectors) expect(murmur2(Buffer.from(key)), key).toBe(hash);
  });

  it('handles every tail length (0-3 bytes past a multiple of 4) and the empty key', () => {
    const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (k: Buffer) => number;
    for (const key of ['', 'a', 'ab', 'abc', 'abcd', 'abcde', 'order-1', 'order-12', 'ünïcödé-ключ', '\u0000\u00ff']) {
      expect(murmur2(Buffer.from(key)), JSON.stringify(key)).toBe(kafkajsMurmur2(Buffer.from(key)));
    }
  });

  it('toPositive clears the sign bit like Utils.toPositive (not Math.abs)', () => {
    expect(toPositive(-1)).toBe(0x7fffffff);
    expect(toPositive(-973932308)).toBe(-973932308 & 0x7fffffff);
    expect(toPositive(12)).toBe(12);
  });
});

describe('partitionForKey', () => {
  it("puts 2,000 keys where kafkajs's DefaultPartitioner puts them, for several partition counts", () => {
    const kafkajs = Partitioners.DefaultPartitioner();
    for (const count of [1, 3, 7, 12, 100]) {
      const partitionMetadata = Array.from({ length: count }, (_, i) => ({
        partitionId: i,
        leader: 1,
        replicas: [1],
        isr: [1],
        partitionErrorCode: 0,
      }));
      for (let i = 0; i < 2000; i++) {
        const key = `order-${i}-${(i * 7919) % 1000}`;
        const theirs = kafkajs({ topic: 't', partitionMetadata, message: { key, value: 'v' } });
        expect(partitionForKey(Buffer.from(key), count)).toBe(theirs);
      }
    }
  });
});

describe('NullKeyPartitioner', () => {
  it('sticky: one partition until its batch closes, then a different one', () => {
    const p = new NullKeyPartitioner('sticky', () => 0.5);
    const first = p.partition('t', 4);
    expect(p.partition('t', 4)).toBe(first);
    p.batchClosed('t', first, 4);
    const second = p.partition('t', 4);
    expect(second).not.toBe(first);
    p.batchClosed('t', 3 - second === first ? 0 : first, 4); // another partition's batch: no move
    expect(p.partition('t', 4)).toBe(second);
  });

  it('round-robin: each record the next partition', () => {
    const p = new NullKeyPartitioner('round-robin', () => 0);
    expect([0, 1, 2, 3, 4].map(() => p.partition('t', 3))).toEqual([0, 1, 2, 0, 1]);
  });
});
