// ListGroups (key 16), from Kafka's ListGroupsRequest.json / ListGroupsResponse.json.
// The request body is empty in v0-v3; v4 adds the states filter (KIP-518), v5 the types filter (KIP-848).

import type { DecodedRequest, DecodedResponse } from '../message-types.js';
import { defineApi } from '../schema.js';

export const LIST_GROUPS = defineApi({
  apiKey: 16,
  name: 'ListGroups',
  minVersion: 0,
  maxVersion: 5,
  flexibleVersions: '3+',
  request: [
    { name: 'statesFilter', type: '[]string', versions: '4+', default: [] },
    { name: 'typesFilter', type: '[]string', versions: '5+', default: [] },
  ],
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
        { name: 'groupState', type: 'string', versions: '4+', default: '' },
        { name: 'groupType', type: 'string', versions: '5+', default: '' },
      ],
    },
  ],
});

export type ListGroupsRequest = DecodedRequest<typeof LIST_GROUPS>;
export type ListGroupsResponse = DecodedResponse<typeof LIST_GROUPS>;
