// OffsetCommit (key 8), from Kafka's OffsetCommitRequest.json / OffsetCommitResponse.json.
// Version quirks: v1 has a per-partition CommitTimestamp (and nothing else has it); v2-v4 have a top-level
// RetentionTimeMs; GenerationIdOrMemberEpoch (called GenerationId before KIP-848) and MemberId exist from v1.
// v8 only adds the flexible encoding. v9 (KIP-848's consumer groups, member epochs) is not served.

import type { DecodedRequest, DecodedResponse } from '../message-types.js';
import { defineApi } from '../schema.js';

export const OFFSET_COMMIT = defineApi({
  apiKey: 8,
  name: 'OffsetCommit',
  minVersion: 0,
  maxVersion: 8,
  flexibleVersions: '8+',
  request: [
    { name: 'groupId', type: 'string', versions: '0+' },
    { name: 'generationIdOrMemberEpoch', type: 'int32', versions: '1+', default: -1 },
    { name: 'memberId', type: 'string', versions: '1+' },
    { name: 'groupInstanceId', type: 'string', versions: '7+', nullableVersions: '7+', default: null },
    { name: 'retentionTimeMs', type: 'int64', versions: '2-4', default: -1 },
    {
      name: 'topics',
      type: '[]',
      versions: '0+',
      fields: [
        { name: 'name', type: 'string', versions: '0+' },
        {
          name: 'partitions',
          type: '[]',
          versions: '0+',
          fields: [
            { name: 'partitionIndex', type: 'int32', versions: '0+' },
            { name: 'committedOffset', type: 'int64', versions: '0+' },
            { name: 'committedLeaderEpoch', type: 'int32', versions: '6+', default: -1 },
            { name: 'commitTimestamp', type: 'int64', versions: '1', default: -1 },
            { name: 'committedMetadata', type: 'string', versions: '0+', nullableVersions: '0+' },
          ],
        },
      ],
    },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '3+' },
    {
      name: 'topics',
      type: '[]',
      versions: '0+',
      fields: [
        { name: 'name', type: 'string', versions: '0+' },
        {
          name: 'partitions',
          type: '[]',
          versions: '0+',
          fields: [
            { name: 'partitionIndex', type: 'int32', versions: '0+' },
            { name: 'errorCode', type: 'int16', versions: '0+' },
          ],
        },
      ],
    },
  ],
});

export type OffsetCommitRequest = DecodedRequest<typeof OFFSET_COMMIT>;
export type OffsetCommitResponse = DecodedResponse<typeof OFFSET_COMMIT>;
