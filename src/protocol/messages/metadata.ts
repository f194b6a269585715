// Metadata (key 3), from Kafka's MetadataRequest.json / MetadataResponse.json.
// Request Topics: in v0 an empty array means "all topics"; from v1 a null array means "all topics" and an
// empty one means "none".
// Omitted (only in versions above our max): request Topics[].TopicId (10+), IncludeClusterAuthorizedOperations
// (8-10), IncludeTopicAuthorizedOperations (8+); response Topics[].TopicId (10+), Partitions[].LeaderEpoch (7+),
// Topics[].TopicAuthorizedOperations (8+), ClusterAuthorizedOperations (8-10).

import type { DecodedRequest, DecodedResponse } from '../message-types.js';
import { defineApi } from '../schema.js';

export const METADATA = defineApi({
  apiKey: 3,
  name: 'Metadata',
  minVersion: 0,
  maxVersion: 6,
  flexibleVersions: '9+',
  request: [
    {
      name: 'topics',
      type: '[]',
      versions: '0+',
      nullableVersions: '1+',
      fields: [{ name: 'name', type: 'string', versions: '0+', nullableVersions: '10+' }],
    },
    { name: 'allowAutoTopicCreation', type: 'bool', versions: '4+', default: true },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '3+' },
    {
      name: 'brokers',
      type: '[]',
      versions: '0+',
      fields: [
        { name: 'nodeId', type: 'int32', versions: '0+' },
        { name: 'host', type: 'string', versions: '0+' },
        { name: 'port', type: 'int32', versions: '0+' },
        { name: 'rack', type: 'string', versions: '1+', nullableVersions: '1+', default: null },
      ],
    },
    { name: 'clusterId', type: 'string', versions: '2+', nullableVersions: '2+', default: null },
    { name: 'controllerId', type: 'int32', versions: '1+', default: -1 },
    {
      name: 'topics',
      type: '[]',
      versions: '0+',
      fields: [
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'name', type: 'string', versions: '0+', nullableVersions: '12+' },
        { name: 'isInternal', type: 'bool', versions: '1+', default: false },
        {
          name: 'partitions',
          type: '[]',
          versions: '0+',
          fields: [
            { name: 'errorCode', type: 'int16', versions: '0+' },
            { name: 'partitionIndex', type: 'int32', versions: '0+' },
            { name: 'leaderId', type: 'int32', versions: '0+' },
            { name: 'replicaNodes', type: '[]int32', versions: '0+' },
            { name: 'isrNodes', type: '[]int32', versions: '0+' },
            { name: 'offlineReplicas', type: '[]int32', versions: '5+' },
          ],
        },
      ],
    },
  ],
});

export type MetadataRequest = DecodedRequest<typeof METADATA>;
export type MetadataResponse = DecodedResponse<typeof METADATA>;
