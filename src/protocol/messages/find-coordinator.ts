// FindCoordinator (key 10), from Kafka's FindCoordinatorRequest.json / FindCoordinatorResponse.json.
// v4+ ask for several keys at once and answer one coordinator per key (evt's own client stays at v3:
// clientMaxVersion). v5 (transaction coordinator errors) and v6 (share groups) are not served.

import type { DecodedRequest, DecodedResponse } from '../message-types.js';
import { defineApi } from '../schema.js';

export const FIND_COORDINATOR = defineApi({
  apiKey: 10,
  name: 'FindCoordinator',
  minVersion: 0,
  clientMaxVersion: 3,
  maxVersion: 4,
  flexibleVersions: '3+',
  request: [
    { name: 'key', type: 'string', versions: '0-3' },
    { name: 'keyType', type: 'int8', versions: '1+', default: 0 },
    { name: 'coordinatorKeys', type: '[]string', versions: '4+', default: [] },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    { name: 'errorCode', type: 'int16', versions: '0-3' },
    { name: 'errorMessage', type: 'string', versions: '1-3', nullableVersions: '1-3' },
    { name: 'nodeId', type: 'int32', versions: '0-3' },
    { name: 'host', type: 'string', versions: '0-3' },
    { name: 'port', type: 'int32', versions: '0-3' },
    {
      name: 'coordinators',
      type: '[]',
      versions: '4+',
      default: [],
      fields: [
        { name: 'key', type: 'string', versions: '4+' },
        { name: 'nodeId', type: 'int32', versions: '4+' },
        { name: 'host', type: 'string', versions: '4+' },
        { name: 'port', type: 'int32', versions: '4+' },
        { name: 'errorCode', type: 'int16', versions: '4+' },
        { name: 'errorMessage', type: 'string', versions: '4+', nullableVersions: '4+' },
      ],
    },
  ],
});

export type FindCoordinatorRequest = DecodedRequest<typeof FIND_COORDINATOR>;
export type FindCoordinatorResponse = DecodedResponse<typeof FIND_COORDINATOR>;
