// The producer's batch encoding lives with the record formats (../../protocol/records/batch-encoder.ts), where
// the broker finds it too (it writes v2 batches when it converts old clients' messages).
export * from '../../protocol/records/batch-encoder.js';
