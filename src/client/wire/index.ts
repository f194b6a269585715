// The wire client: a lean Kafka client on evt's protocol layer, for the fast paths (produce, tail) that
// kafkajs is too slow for or cannot do (reading partitions without a group). kafkajs stays the client for
// admin requests and consumer groups.

export { Cluster, EARLIEST, LATEST, type ListedOffset, type OffsetQuery, type PartitionMeta, type TopicMeta } from './cluster.js';
export { Connection, parseEndpoint, formatEndpoint, type ConnectionOptions, type Endpoint } from './connection.js';
export * from './errors.js';
export { murmur2, partitionForKey, toPositive, NullKeyPartitioner, type NullKeyStrategy } from './partitioner.js';
export { WireProducer, type Acks, type Delivery, type DeliveryCallback, type PartitionStats, type ProducerOptions } from './producer.js';
export { PartitionReader, decodeRecordSet, type RawChunk, type ReadChunk, type ReadRange, type ReaderOptions, type SkippedBatch } from './reader.js';
export { RecordColumns, encodeBatch, encodeBatchAsync, type BatchRecord, type CompressionName, type ProducerIdentity } from './batch-encoder.js';
export { ScramClient } from './scram.js';
