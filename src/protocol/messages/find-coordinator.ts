// FindCoordinator (key 10), from Kafka's FindCoordinatorRequest.json / FindCoordinatorResponse.json.
// Omitted (only in versions above our max): request CoordinatorKeys (4+); response Coordinators (4+).

import type { DecodedRequest, DecodedResponse } from '../message-types.js';
import { defineApi } from '../schema.js';

export const FIND_COORDINATOR = defineApi({
  apiKey: 10,
  name: 'FindCoordinator',
  minVersion: 0,
  maxVersion: 2,
  flexibleVersions: '3+',
  request: [
    { name: 'key', type: 'string', versions: '0-3' },
    { name: 'keyType', type: 'int8', versions: '1+', default: 0 },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    { name: 'errorCode', type: 'int16', versions: '0-3' },
    { name: 'errorMessage', type: 'string', versions: '1-3', nullableVersions: '1-3' },
    { name: 'nodeId', type: 'int32', versions: '0-3' },
    { name: 'host', type: 'string', versions: '0-3' },
    { name: 'port', type: 'int32', versions: '0-3' },
  ],
});

export type FindCoordinatorRequest = DecodedRequest<typeof FIND_COORDINATOR>;
export type FindCoordinatorResponse = DecodedResponse<typeof FIND_COORDINATOR>;
