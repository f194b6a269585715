// evt/testing: an in-process Kafka-compatible broker for other projects' test suites (the "exports" of
// package.json): `import { startBroker } from 'evt/testing'`. What this file exports is public interface.

export {
  startBroker,
  type SeedRecord,
  type TestBroker,
  type TestBrokerOptions,
  type TopicSeed,
} from './test-broker.js';
export type { ErrorName, Fault, FaultOptions, Held, RequestMatch, SeenRequest } from './hooks.js';
export type { CommittedOffsetInfo, StoredRecord } from './inspect.js';
export type { NamedPartition } from './error-answers.js';
