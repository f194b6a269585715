// The parts of the *consumer* embedded protocol (protocol type "consumer", Kafka's
// ConsumerProtocolSubscription.json / ConsumerProtocolAssignment.json) the coordinator itself has to read or
// write. Everything else in member metadata and assignments is opaque to the coordinator, as in Kafka.

export const CONSUMER_PROTOCOL_TYPE = 'consumer';

/**
 * The topics a consumer subscription names: `version int16, topics [string], ...`. Every version (0-3) starts
 * with these two fields and is never flexible, so the rest (user data, owned partitions, rack) can be ignored.
 * Returns null when the bytes are not a subscription (a client speaking some other protocol under "consumer").
 */
export function subscribedTopics(metadata: Buffer): string[] | null {
  try {
    if (metadata.length < 6) return null;
    let pos = 2; // version
    const count = metadata.readInt32BE(pos);
    pos += 4;
    if (count < 0) return count === -1 ? [] : null;
    const topics: string[] = [];
    for (let i = 0; i < count; i++) {
      const len = metadata.readInt16BE(pos);
      pos += 2;
      if (len < 0 || pos + len > metadata.length) return null;
      topics.push(metadata.toString('utf8', pos, pos + len));
      pos += len;
    }
    return topics;
  } catch {
    return null; // read past the end
  }
}

/**
 * A serialized empty ConsumerProtocolAssignment (version 0, no partitions, null user data). Given to a
 * consumer the leader left out of its assignment: a zero-length buffer is not a valid assignment, and some
 * clients (kafka-python) fail to decode one.
 */
export function emptyConsumerAssignment(): Buffer {
  const b = Buffer.alloc(10);
  b.writeInt16BE(0, 0); // version
  b.writeInt32BE(0, 2); // no topics
  b.writeInt32BE(-1, 6); // null user data
  return b;
}
