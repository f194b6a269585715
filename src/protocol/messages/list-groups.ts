// ListGroups (key 16), from Kafka's ListGroupsRequest.json / ListGroupsResponse.json.
// The request body is empty in v0-v3.
// Omitted (only in versions above our max): request StatesFilter (4+), TypesFilter (5+); response
// Groups[].GroupState (4+), Groups[].GroupType (5+).

import type { DecodedRequest, DecodedResponse } from '../message-types.js';
import { defineApi } from '../schema.js';

export const LIST_GROUPS = defineApi({
  apiKey: 16,
  name: 'ListGroups',
  minVersion: 0,
  maxVersion: 2,
  flexibleVersions: '3+',
  request: [],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    {
      name: 'groups',
      type: '[]',
      versions: '0+',
      fields: [
        { name: 'groupId', type: 'string', versions: '0+' },
        { name: 'protocolType', type: 'string', versions: '0+' },
      ],
    },
  ],
});

export type ListGroupsRequest = DecodedRequest<typeof LIST_GROUPS>;
export type ListGroupsResponse = DecodedResponse<typeof LIST_GROUPS>;
