// CreatePartitions: grow a topic to a new partition count (never shrink: Kafka cannot either). Manual
// assignments of the new partitions are checked as Kafka checks them (replica-assignment.ts).

import { CREATE_PARTITIONS } from '../../protocol/messages/index.js';
import { checkNewPartitionAssignments } from '../replica-assignment.js';
import type { Handler } from './context.js';
import { errorCodeOf, errorMessageOf } from './errors.js';

export const createPartitions: Handler<typeof CREATE_PARTITIONS> = (ctx, req) => ({
  throttleTimeMs: 0,
  results: req.topics.map((t) => {
    const { logs, nodeId } = ctx.broker;
    try {
      logs.validatePartitionCount(t.name, t.count);
      if (t.assignments !== null) {
        const existing = logs.topic(t.name)!.partitions;
        // a single broker: every existing partition has one replica
        checkNewPartitionAssignments(t.count - existing, t.assignments, [nodeId], 1);
      }
      if (!req.validateOnly) logs.createPartitions(t.name, t.count);
      return { name: t.name, errorCode: 0, errorMessage: null };
    } catch (err) {
      return { name: t.name, errorCode: errorCodeOf(err), errorMessage: errorMessageOf(err) };
    }
  }),
});
