// Kafka's embedded "consumer" protocol: what a member of a consumer group puts in JoinGroup (its subscription)
// and what the leader hands out in SyncGroup (assignments), encoded as Kafka's clients encode them, so that
// evt's members, Kafka's own and administrators reading DescribeGroups understand one another.

import type { TopicPartition } from '../group-consumer.js';

export interface Subscription {
  version: number;
  topics: string[];
  userData: Buffer | null;
}

/**
 * Kafka's ConsumerProtocolSubscription, v0 or v1. v1 ends with the partitions the member owns, written as none:
 * evt's assignors are eager. A v1 without that array is one Kafka's and librdkafka's parsers reject, and their
 * leader then leaves the member out of the assignment.
 */
export function encodeSubscription(s: Subscription): Buffer {
  if (s.version > 1) throw new Error(`consumer subscription v${s.version} is not written by evt`);
  const names = s.topics.map((t) => Buffer.from(t));
  const ownedPartitions = s.version >= 1 ? 4 : 0;
  const size = 2 + 4 + names.reduce((n, b) => n + 2 + b.length, 0) + 4 + (s.userData?.length ?? 0) + ownedPartitions;
  const out = Buffer.alloc(size);
  let pos = out.writeInt16BE(s.version, 0);
  pos = out.writeInt32BE(names.length, pos);
  for (const b of names) {
    pos = out.writeInt16BE(b.length, pos);
    pos += b.copy(out, pos);
  }
  pos = out.writeInt32BE(s.userData ? s.userData.length : -1, pos);
  if (s.userData) pos += s.userData.copy(out, pos);
  if (ownedPartitions) out.writeInt32BE(0, pos);
  return out;
}

/** Reads version, topics and user data; what later versions add (owned partitions, rack) is ignored. */
export function decodeSubscription(buf: Buffer): Subscription | null {
  try {
    let pos = 0;
    const version = buf.readInt16BE(pos);
    pos += 2;
    const n = buf.readInt32BE(pos);
    pos += 4;
    const topics: string[] = [];
    for (let i = 0; i < n; i++) {
      const len = buf.readInt16BE(pos);
      pos += 2;
      topics.push(buf.toString('utf8', pos, pos + len));
      pos += len;
    }
    let userData: Buffer | null = null;
    if (pos + 4 <= buf.length) {
      const len = buf.readInt32BE(pos);
      pos += 4;
      if (len >= 0) userData = buf.subarray(pos, pos + len);
    }
    return { version, topics, userData };
  } catch {
    return null;
  }
}

/** Kafka's ConsumerProtocolAssignment: version, [topic, [partition]], user data. */
export function encodeAssignment(
  version: number,
  assignment: Record<string, number[]>,
  userData: Buffer | null = Buffer.alloc(0),
): Buffer {
  const entries = Object.entries(assignment).map(([t, ps]) => [Buffer.from(t), ps] as const);
  const size =
    2 + 4 + entries.reduce((n, [b, ps]) => n + 2 + b.length + 4 + 4 * ps.length, 0) + 4 + (userData?.length ?? 0);
  const out = Buffer.alloc(size);
  let pos = out.writeInt16BE(version, 0);
  pos = out.writeInt32BE(entries.length, pos);
  for (const [b, ps] of entries) {
    pos = out.writeInt16BE(b.length, pos);
    pos += b.copy(out, pos);
    pos = out.writeInt32BE(ps.length, pos);
    for (const p of ps) pos = out.writeInt32BE(p, pos);
  }
  pos = out.writeInt32BE(userData ? userData.length : -1, pos);
  if (userData) userData.copy(out, pos);
  return out;
}

export function decodeAssignment(buf: Buffer): TopicPartition[] {
  if (buf.length < 6) return [];
  let pos = 2;
  const n = buf.readInt32BE(pos);
  pos += 4;
  const out: TopicPartition[] = [];
  for (let i = 0; i < n; i++) {
    const len = buf.readInt16BE(pos);
    pos += 2;
    const topic = buf.toString('utf8', pos, pos + len);
    pos += len;
    const count = buf.readInt32BE(pos);
    pos += 4;
    for (let j = 0; j < count; j++, pos += 4) out.push({ topic, partition: buf.readInt32BE(pos) });
  }
  return out;
}
