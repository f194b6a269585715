// ListOffsets (key 2), from Kafka's ListOffsetsRequest.json / ListOffsetsResponse.json.
// Omitted (only in versions above our max): request TimeoutMs (10+). v7+ (max timestamp, tiered storage
// offsets) are not served.
// evt's own client stays at v3 (clientMaxVersion): it has no use for leader epochs, and librdkafka 2.0.2's mock
// cluster, which it is tested against, writes v4+'s LeaderEpoch as an int64.

import type { DecodedRequest, DecodedResponse } from '../message-types.js';
import { defineApi } from '../schema.js';

export const LIST_OFFSETS = defineApi({
  apiKey: 2,
  name: 'ListOffsets',
  minVersion: 0,
  clientMaxVersion: 3,
  maxVersion: 6,
  flexibleVersions: '6+',
  request: [
    { name: 'replicaId', type: 'int32', versions: '0+' },
    { name: 'isolationLevel', type: 'int8', versions: '2+' },
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
            { name: 'currentLeaderEpoch', type: 'int32', versions: '4+', default: -1 },
            { name: 'timestamp', type: 'int64', versions: '0+' },
            { name: 'maxNumOffsets', type: 'int32', versions: '0', default: 1 },
          ],
        },
      ],
    },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '2+' },
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
            { name: 'oldStyleOffsets', type: '[]int64', versions: '0' },
            { name: 'timestamp', type: 'int64', versions: '1+', default: -1 },
            { name: 'offset', type: 'int64', versions: '1+', default: -1 },
            { name: 'leaderEpoch', type: 'int32', versions: '4+', default: -1 },
          ],
        },
      ],
    },
  ],
});

export type ListOffsetsRequest = DecodedRequest<typeof LIST_OFFSETS>;
export type ListOffsetsResponse = DecodedResponse<typeof LIST_OFFSETS>;
