// The wire client: evt's own Kafka client on its protocol layer, the only one evt runs: produce, partition
// reads without a group, consumer groups (group-consumer.ts) and admin requests (admin.ts).

export {
  Cluster,
  EARLIEST,
  LATEST,
  type ListedOffset,
  type OffsetQuery,
  type PartitionMeta,
  type TopicMeta,
} from './cluster.js';
export { Connection, parseEndpoint, formatEndpoint, type ConnectionOptions, type Endpoint } from './connection.js';
export * from './errors.js';
export { murmur2, partitionForKey, toPositive, NullKeyPartitioner, type NullKeyStrategy } from './partitioner.js';
export {
  WireProducer,
  type Acks,
  type Delivery,
  type DeliveryCallback,
  type PartitionStats,
  type ProducerOptions,
} from './producer.js';
export {
  PartitionReader,
  decodeRecordSet,
  type RawChunk,
  type ReadChunk,
  type ReadRange,
  type ReaderOptions,
  type SkippedBatch,
} from './reader.js';
export {
  BatchBuilder,
  encodeBatch,
  encodeBatchAsync,
  type BatchRecord,
  type CompressionName,
  type ProducerIdentity,
} from './batch-encoder.js';
export { ScramClient } from './scram.js';
