// The broker's shared state as the request handlers see it.

import type { GroupCoordinator } from './group/coordinator.js';
import type { LogManager } from './log/log-manager.js';
import type { AppendNotifier } from './append-notifier.js';
import type { ProducerIdAllocator } from './producer-ids.js';
import type { TransactionCoordinator } from './txn/coordinator.js';

export interface BrokerState {
  nodeId: number;
  /** the host and port written into Metadata and FindCoordinator answers */
  advertisedHost: string;
  advertisedPort: number;
  clusterId: string;
  autoCreateTopics: boolean;
  defaultPartitions: number;
  logs: LogManager;
  groups: GroupCoordinator;
  appends: AppendNotifier;
  producerIds: ProducerIdAllocator;
  transactions: TransactionCoordinator;
  log: (message: string) => void;
}
