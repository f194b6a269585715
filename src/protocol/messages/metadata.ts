// Metadata (key 3), from Kafka's MetadataRequest.json / MetadataResponse.json.
// Request Topics: in v0 an empty array means "all topics"; from v1 a null array means "all topics" and an
// empty one means "none".
// v10+ name topics by id as well (a request may give the id alone: name null, v12 answers it by id).
// Authorized operations (8+) are described and answered with Kafka's "not asked for" value: evt has no ACLs.

import type { DecodedRequest, DecodedResponse } from '../message-types.js';
import { defineApi, ZERO_UUID } from '../schema.js';

/** Kafka's INT32_MIN: the authorized operations were not asked for (or, for evt, are not known). */
const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;

export const METADATA = defineApi({
  apiKey: 3,
  name: 'Metadata',
  minVersion: 0,
  maxVersion: 12,
  flexibleVersions: '9+',
  request: [
    {
      name: 'topics',
      type: '[]',
      versions: '0+',
      nullableVersions: '1+',
      fields: [
        { name: 'topicId', type: 'uuid', versions: '10+', default: ZERO_UUID },
        { name: 'name', type: 'string', versions: '0+', nullableVersions: '10+' },
      ],
    },
    { name: 'allowAutoTopicCreation', type: 'bool', versions: '4+', default: true },
    { name: 'includeClusterAuthorizedOperations', type: 'bool', versions: '8-10', default: false },
    { name: 'includeTopicAuthorizedOperations', type: 'bool', versions: '8+', default: false },
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
        { name: 'topicId', type: 'uuid', versions: '10+' },
        { name: 'isInternal', type: 'bool', versions: '1+', default: false },
        {
          name: 'partitions',
          type: '[]',
          versions: '0+',
          fields: [
            { name: 'errorCode', type: 'int16', versions: '0+' },
            { name: 'partitionIndex', type: 'int32', versions: '0+' },
            { name: 'leaderId', type: 'int32', versions: '0+' },
            { name: 'leaderEpoch', type: 'int32', versions: '7+', default: -1 },
            { name: 'replicaNodes', type: '[]int32', versions: '0+' },
            { name: 'isrNodes', type: '[]int32', versions: '0+' },
            { name: 'offlineReplicas', type: '[]int32', versions: '5+' },
          ],
        },
        { name: 'topicAuthorizedOperations', type: 'int32', versions: '8+', default: AUTHORIZED_OPERATIONS_OMITTED },
      ],
    },
    {
      name: 'clusterAuthorizedOperations',
      type: 'int32',
      versions: '8-10',
      default: AUTHORIZED_OPERATIONS_OMITTED,
    },
  ],
});

export type MetadataRequest = DecodedRequest<typeof METADATA>;
export type MetadataResponse = DecodedResponse<typeof METADATA>;
