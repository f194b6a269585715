// DescribeCluster (key 60), from Kafka's DescribeClusterRequest.json / DescribeClusterResponse.json (KIP-700):
// the cluster id, the controller and the brokers, without Metadata's topics. Flexible from v0; v1 adds
// EndpointType (1 brokers, 2 controllers: KIP-919).

import type { DecodedRequest, DecodedResponse } from '../message-types.js';
import { defineApi } from '../schema.js';

export const DESCRIBE_CLUSTER = defineApi({
  apiKey: 60,
  name: 'DescribeCluster',
  minVersion: 0,
  maxVersion: 1,
  flexibleVersions: '0+',
  request: [
    { name: 'includeClusterAuthorizedOperations', type: 'bool', versions: '0+' },
    { name: 'endpointType', type: 'int8', versions: '1+', default: 1 },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
    { name: 'endpointType', type: 'int8', versions: '1+', default: 1 },
    { name: 'clusterId', type: 'string', versions: '0+' },
    { name: 'controllerId', type: 'int32', versions: '0+', default: -1 },
    {
      name: 'brokers',
      type: '[]',
      versions: '0+',
      fields: [
        { name: 'brokerId', type: 'int32', versions: '0+' },
        { name: 'host', type: 'string', versions: '0+' },
        { name: 'port', type: 'int32', versions: '0+' },
        { name: 'rack', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
      ],
    },
    { name: 'clusterAuthorizedOperations', type: 'int32', versions: '0+', default: -2147483648 },
  ],
});

export type DescribeClusterRequest = DecodedRequest<typeof DESCRIBE_CLUSTER>;
export type DescribeClusterResponse = DecodedResponse<typeof DESCRIBE_CLUSTER>;
