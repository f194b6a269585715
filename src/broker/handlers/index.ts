// The handler of each API key. ApiVersions advertises what the message registry holds, so every API listed
// there needs an entry here (a test checks both agree).

import { alterConfigs, describeConfigs } from './configs.js';
import type { Handler } from './context.js';
import { apiVersions } from './api-versions.js';
import { createPartitions } from './create-partitions.js';
import { createTopics } from './create-topics.js';
import { deleteRecords } from './delete-records.js';
import { deleteTopics } from './delete-topics.js';
import { fetch } from './fetch.js';
import { findCoordinator } from './find-coordinator.js';
import * as groups from './groups.js';
import { initProducerId } from './init-producer-id.js';
import { listOffsets } from './list-offsets.js';
import { metadata } from './metadata.js';
import { produce } from './produce.js';

export const HANDLERS: ReadonlyMap<number, Handler> = new Map<number, Handler>([
  [0, produce],
  [1, fetch],
  [2, listOffsets],
  [3, metadata],
  [8, groups.offsetCommit],
  [9, groups.offsetFetch],
  [10, findCoordinator],
  [11, groups.joinGroup],
  [12, groups.heartbeat],
  [13, groups.leaveGroup],
  [14, groups.syncGroup],
  [15, groups.describeGroups],
  [16, groups.listGroups],
  [18, apiVersions],
  [19, createTopics],
  [20, deleteTopics],
  [21, deleteRecords],
  [22, initProducerId],
  [32, describeConfigs],
  [33, alterConfigs],
  [37, createPartitions],
  [42, groups.deleteGroups],
  [47, groups.offsetDelete],
]);
