// The codecs of the record batches a topic holds, read raw from the broker (the batches' attributes, not
// their decoded records): what tests check to know that a writer really compressed.

import { Cluster, PartitionReader } from '../../src/client/wire/index.js';
import { topicOffsets } from '../../src/client/wire/topic-admin.js';
import { COMPRESSION_NAMES, batchSizeAt, readBatchHeader } from '../../src/protocol/records/batch-layout.js';

/** The codecs of the batches stored in a topic, sorted; [] for an empty topic. */
export async function storedCodecs(bootstrap: string, topic: string): Promise<string[]> {
  const cluster = await Cluster.connect({
    brokers: [bootstrap],
    clientId: 'stored-codecs',
    timeoutMs: 10_000,
    source: 'test',
  });
  try {
    const ranges = (await topicOffsets(cluster, topic))
      .filter((p) => p.high > p.low)
      .map((p) => ({ topic, partition: p.partition, from: p.low, until: p.high }));
    const reader = new PartitionReader(cluster, ranges);
    const codecs = new Set<string>();
    for (let c = await reader.nextRaw(); c; c = await reader.nextRaw()) {
      for (let pos = 0; c.data && pos < c.data.length; pos += batchSizeAt(c.data, pos))
        codecs.add(COMPRESSION_NAMES[readBatchHeader(c.data, pos).attributes & 7]);
    }
    return [...codecs].sort();
  } finally {
    cluster.close();
  }
}
