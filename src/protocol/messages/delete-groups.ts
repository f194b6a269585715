// DeleteGroups (key 42), from Kafka's DeleteGroupsRequest.json / DeleteGroupsResponse.json.
// Note Kafka's spelling of the request field: `GroupsNames`.

import type { DecodedRequest, DecodedResponse } from '../message-types.js';
import { defineApi } from '../schema.js';

export const DELETE_GROUPS = defineApi({
  apiKey: 42,
  name: 'DeleteGroups',
  minVersion: 0,
  maxVersion: 2,
  flexibleVersions: '2+',
  request: [{ name: 'groupsNames', type: '[]string', versions: '0+' }],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'results',
      type: '[]',
      versions: '0+',
      fields: [
        { name: 'groupId', type: 'string', versions: '0+' },
        { name: 'errorCode', type: 'int16', versions: '0+' },
      ],
    },
  ],
});

export type DeleteGroupsRequest = DecodedRequest<typeof DELETE_GROUPS>;
export type DeleteGroupsResponse = DecodedResponse<typeof DELETE_GROUPS>;
