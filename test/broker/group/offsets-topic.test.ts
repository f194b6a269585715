// __consumer_offsets: Kafka's partitioning and record formats, read by a real consumer (confluent-kafka) and
// decoded here by hand from the documented schemas (group-coordinator/src/main/resources/common/message/),
// never with the broker's own encoder; Metadata's is_internal; the start-up reconciliation with groups.log.

import { afterEach, describe, expect, it } from 'vitest';
import { GroupCoordinator } from '../../../src/broker/group/coordinator.js';
import { OFFSETS_TOPIC, OffsetsTopic, offsetsTopicPartition } from '../../../src/broker/group/offsets-topic.js';
import { LogManager } from '../../../src/broker/log/log-manager.js';
import { Cluster } from '../../../src/client/wire/cluster.js';
import { settingsFor } from '../../client/wire/helpers.js';
import { kafkaFor, startTestBroker } from '../../helpers/broker.js';
import { hasConfluentKafka, PYTHON, run } from '../../helpers/interop.js';
import { tempDir } from './helpers.js';

const confluent = hasConfluentKafka();
const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

/** A minimal reader of the documented layouts: int16, int32, int64, string (int16 length), bytes (int32 length). */
function reader(buf: Buffer) {
  let pos = 0;
  return {
    i16: () => ((pos += 2), buf.readInt16BE(pos - 2)),
    i32: () => ((pos += 4), buf.readInt32BE(pos - 4)),
    i64: () => ((pos += 8), Number(buf.readBigInt64BE(pos - 8))),
    str() {
      const n = buf.readInt16BE(pos);
      pos += 2;
      if (n < 0) return null;
      pos += n;
      return buf.toString('utf8', pos - n, pos);
    },
    bytes() {
      const n = buf.readInt32BE(pos);
      pos += 4 + Math.max(n, 0);
      return n < 0 ? null : buf.subarray(pos - n, pos);
    },
    get done() {
      return pos === buf.length;
    },
  };
}

/** Every record of one partition of __consumer_offsets, as confluent-kafka reads it: [key hex, value hex | null]. */
async function readPartition(bootstrap: string, partition: number): Promise<Array<[string, string | null]>> {
  const code = `
import json, sys
from confluent_kafka import Consumer, TopicPartition, OFFSET_BEGINNING
c = Consumer({"bootstrap.servers": sys.argv[1], "group.id": "reader", "enable.auto.commit": False})
lo, hi = c.get_watermark_offsets(TopicPartition("${OFFSETS_TOPIC}", int(sys.argv[2])), timeout=10)
c.assign([TopicPartition("${OFFSETS_TOPIC}", int(sys.argv[2]), OFFSET_BEGINNING)])
out = []
while len(out) < hi - lo:
    m = c.poll(5)
    if m is None: break
    if m.error(): continue
    out.append([m.key().hex(), None if m.value() is None else m.value().hex()])
print(json.dumps(out))
c.close()
`;
  const r = await run(PYTHON, ['-c', code, bootstrap, String(partition)]);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Array<[string, string | null]>;
}

describe('partitioning', () => {
  it("is Utils.abs(groupId.hashCode()) % partitions, Java's String.hashCode", () => {
    // hashCodes from Java: "billing" -109829509, "my-group" -1906497762, "polygenelubricants" Integer.MIN_VALUE
    expect(offsetsTopicPartition('billing', 50)).toBe(9);
    expect(offsetsTopicPartition('my-group', 50)).toBe(12);
    expect(offsetsTopicPartition('console-consumer-12345', 50)).toBe(6);
    expect(offsetsTopicPartition('polygenelubricants', 50)).toBe(0);
    expect(offsetsTopicPartition('', 7)).toBe(0);
  });
});

describe('the topic in Metadata', () => {
  it('is never auto-created by a Metadata request, and is flagged internal once it exists', async () => {
    const broker = await startTestBroker({ inMemory: true, offsetsTopicPartitions: 5 });
    closers.push(() => broker.close());
    const cluster = await Cluster.connect(settingsFor(broker.bootstrap));
    closers.push(() => cluster.close());
    const before = await cluster.refreshMetadata([OFFSETS_TOPIC]);
    expect(before.topics[0]).toMatchObject({ name: OFFSETS_TOPIC, errorCode: 3, isInternal: true });
    expect(broker.state.logs.topic(OFFSETS_TOPIC)).toBeUndefined();

    const admin = kafkaFor(broker).admin();
    await admin.connect();
    closers.push(() => admin.disconnect());
    await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 1 }] });
    await admin.setOffsets({ groupId: 'billing', topic: 'orders', partitions: [{ partition: 0, offset: '0' }] });
    const after = await cluster.refreshMetadata(null);
    const internal = after.topics.find((t) => t.name === OFFSETS_TOPIC)!;
    expect(internal).toMatchObject({ errorCode: 0, isInternal: true });
    expect(internal.partitions).toHaveLength(5);
    expect(after.topics.find((t) => t.name === 'orders')!.isInternal).toBe(false);
  });
});

describe.skipIf(!confluent)('records, read by confluent-kafka', () => {
  it("a commit is an OffsetCommitKey v1 / OffsetCommitValue v3 in the group's partition; a group delete writes tombstones", async () => {
    const broker = await startTestBroker({ inMemory: true });
    closers.push(() => broker.close());
    const admin = kafkaFor(broker).admin();
    await admin.connect();
    closers.push(() => admin.disconnect());
    await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 2 }] });
    await admin.setOffsets({ groupId: 'billing', topic: 'orders', partitions: [{ partition: 1, offset: '42' }] });
    const before = Date.now();

    // partition of "billing" among 50; kafkajs' setOffsets joins the group first, hence group records too
    const all = await readPartition(broker.bootstrap, 9);
    const records = all.filter(([k]) => k.startsWith('0001'));
    expect(records).toHaveLength(1);
    expect(all.filter(([k]) => !k.startsWith('0001') && !k.startsWith('0002'))).toEqual([]);
    const key = reader(Buffer.from(records[0][0], 'hex'));
    expect([key.i16(), key.str(), key.str(), key.i32(), key.done]).toEqual([1, 'billing', 'orders', 1, true]);
    const value = reader(Buffer.from(records[0][1]!, 'hex'));
    const [version, offset, leaderEpoch, metadata, commitTimestamp] = [
      value.i16(),
      value.i64(),
      value.i32(),
      value.str(),
      value.i64(),
    ];
    expect([version, offset, leaderEpoch, metadata, value.done]).toEqual([3, 42, -1, '', true]);
    expect(commitTimestamp).toBeLessThanOrEqual(before);
    expect(commitTimestamp).toBeGreaterThan(before - 60_000);

    await admin.deleteGroups(['billing']);
    const after = (await readPartition(broker.bootstrap, 9)).slice(all.length);
    expect(after).toHaveLength(2);
    expect(after[0]).toEqual([records[0][0], null]);
    expect(after[1][1]).toBeNull();
    const groupKey = reader(Buffer.from(after[1][0], 'hex'));
    expect([groupKey.i16(), groupKey.str(), groupKey.done]).toEqual([2, 'billing', true]);
  });

  it('a rebalance writes GroupMetadataKey v2 / GroupMetadataValue v3 with the members and their assignments', async () => {
    const broker = await startTestBroker({ inMemory: true });
    closers.push(() => broker.close());
    const kafka = kafkaFor(broker);
    const admin = kafka.admin();
    await admin.connect();
    closers.push(() => admin.disconnect());
    await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 1 }] });
    const consumer = kafka.consumer({ groupId: 'my-group' });
    await consumer.connect();
    closers.push(() => consumer.disconnect());
    await consumer.subscribe({ topic: 'orders' });
    let joined!: () => void;
    const isJoined = new Promise<void>((r) => (joined = r));
    consumer.on(consumer.events.GROUP_JOIN, () => joined());
    await consumer.run({ eachMessage: async () => {} });
    await isJoined;

    const records = await readPartition(broker.bootstrap, 12); // partition of "my-group"
    const stable = records
      .filter(([k, v]) => k.startsWith('0002') && v !== null)
      .map(([, v]) => reader(Buffer.from(v!, 'hex')))
      .map((r) => ({
        version: r.i16(),
        protocolType: r.str(),
        generation: r.i32(),
        protocol: r.str(),
        leader: r.str(),
        timestamp: r.i64(),
        members: Array.from({ length: r.i32() }, () => ({
          memberId: r.str(),
          groupInstanceId: r.str(),
          clientId: r.str(),
          clientHost: r.str(),
          rebalanceTimeout: r.i32(),
          sessionTimeout: r.i32(),
          subscription: r.bytes(),
          assignment: r.bytes(),
        })),
        done: r.done,
      }))
      .find((v) => v.members.some((m) => m.assignment!.length > 0))!;
    expect(stable).toMatchObject({
      version: 3,
      protocolType: 'consumer',
      generation: 1,
      protocol: 'RoundRobinAssigner',
      done: true,
    });
    expect(stable.members).toHaveLength(1);
    expect(stable.members[0]).toMatchObject({ groupInstanceId: null, clientId: 'evt-test', sessionTimeout: 30000 });
    expect(stable.leader).toBe(stable.members[0].memberId);
    expect(stable.members[0].assignment!.includes(Buffer.from('orders'))).toBe(true);
  });
});

describe('start-up reconciliation', () => {
  it('writes what groups.log holds that the topic misses (a crash between the two writes), and nothing twice', () => {
    const dir = tempDir();
    const commit = (c: GroupCoordinator, offset: number) =>
      c.offsetCommit(
        {
          groupId: 'g',
          generationIdOrMemberEpoch: -1,
          memberId: '',
          groupInstanceId: null,
          retentionTimeMs: -1,
          topics: [
            {
              name: 't',
              partitions: [
                {
                  partitionIndex: 0,
                  committedOffset: offset,
                  committedLeaderEpoch: -1,
                  commitTimestamp: -1,
                  committedMetadata: '',
                },
              ],
            },
          ],
        },
        7,
      );
    const open = (withTopic: boolean) => {
      const logs = LogManager.open({ dataDir: dir + '/logs' });
      const c = new GroupCoordinator({
        dataDir: dir,
        fsync: 'never',
        ...(withTopic ? { offsetsTopic: new OffsetsTopic(logs, 3) } : {}),
      });
      return { logs, c, close: () => (c.close(), logs.close()) };
    };
    const count = (logs: LogManager) =>
      logs.partition(OFFSETS_TOPIC, offsetsTopicPartition('g', 3))?.highWatermark ?? 0;

    // 1: the commit reaches groups.log only (as if the broker died before writing the topic)
    const a = open(false);
    commit(a.c, 5);
    a.close();
    // 2: the start-up writes it; a later commit goes straight in
    const b = open(true);
    expect(count(b.logs)).toBe(1);
    commit(b.c, 6);
    expect(count(b.logs)).toBe(2);
    b.close();
    // 3: in agreement: nothing more is written
    const c = open(true);
    expect(count(c.logs)).toBe(2);
    c.close();
  });
});
