// IncrementalAlterConfigs (key 44), from Kafka's IncrementalAlterConfigsRequest.json / ...Response.json
// (KIP-339): each config names its operation, ConfigOperation 0 SET, 1 DELETE, 2 APPEND, 3 SUBTRACT.
// v1 is v0, flexible.

import type { DecodedRequest, DecodedResponse } from '../message-types.js';
import { defineApi } from '../schema.js';

export const INCREMENTAL_ALTER_CONFIGS = defineApi({
  apiKey: 44,
  name: 'IncrementalAlterConfigs',
  minVersion: 0,
  maxVersion: 1,
  flexibleVersions: '1+',
  request: [
    {
      name: 'resources',
      type: '[]',
      versions: '0+',
      fields: [
        { name: 'resourceType', type: 'int8', versions: '0+' },
        { name: 'resourceName', type: 'string', versions: '0+' },
        {
          name: 'configs',
          type: '[]',
          versions: '0+',
          fields: [
            { name: 'name', type: 'string', versions: '0+' },
            { name: 'configOperation', type: 'int8', versions: '0+' },
            { name: 'value', type: 'string', versions: '0+', nullableVersions: '0+' },
          ],
        },
      ],
    },
    { name: 'validateOnly', type: 'bool', versions: '0+' },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'responses',
      type: '[]',
      versions: '0+',
      fields: [
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
        { name: 'resourceType', type: 'int8', versions: '0+' },
        { name: 'resourceName', type: 'string', versions: '0+' },
      ],
    },
  ],
});

export type IncrementalAlterConfigsRequest = DecodedRequest<typeof INCREMENTAL_ALTER_CONFIGS>;
export type IncrementalAlterConfigsResponse = DecodedResponse<typeof INCREMENTAL_ALTER_CONFIGS>;
