// DeleteTopics (key 20), from Kafka's DeleteTopicsRequest.json / DeleteTopicsResponse.json.
// The request's list of names is `TopicNames` (v0-v5); `Topics` is the v6+ struct array (omitted here).
// Omitted (only in versions above our max): request Topics (6+); response Responses[].TopicId (6+),
// Responses[].ErrorMessage (5+).

import type { DecodedRequest, DecodedResponse } from '../message-types.js';
import { defineApi } from '../schema.js';

export const DELETE_TOPICS = defineApi({
  apiKey: 20,
  name: 'DeleteTopics',
  minVersion: 0,
  maxVersion: 3,
  flexibleVersions: '4+',
  request: [
    { name: 'topicNames', type: '[]string', versions: '0-5' },
    { name: 'timeoutMs', type: 'int32', versions: '0+' },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    {
      name: 'responses',
      type: '[]',
      versions: '0+',
      fields: [
        { name: 'name', type: 'string', versions: '0+', nullableVersions: '6+' },
        { name: 'errorCode', type: 'int16', versions: '0+' },
      ],
    },
  ],
});

export type DeleteTopicsRequest = DecodedRequest<typeof DELETE_TOPICS>;
export type DeleteTopicsResponse = DecodedResponse<typeof DELETE_TOPICS>;
