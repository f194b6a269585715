// DeleteTopics (key 20), from Kafka's DeleteTopicsRequest.json / DeleteTopicsResponse.json.
// The request's list of names is `TopicNames` (v0-v5); v6+ carry `Topics` instead, each named by name or by id
// (name null), and answer each topic's id.

import type { DecodedRequest, DecodedResponse } from '../message-types.js';
import { defineApi, ZERO_UUID } from '../schema.js';

export const DELETE_TOPICS = defineApi({
  apiKey: 20,
  name: 'DeleteTopics',
  minVersion: 0,
  maxVersion: 6,
  flexibleVersions: '4+',
  request: [
    {
      name: 'topics',
      type: '[]',
      versions: '6+',
      default: [],
      fields: [
        { name: 'name', type: 'string', versions: '6+', nullableVersions: '6+', default: null },
        { name: 'topicId', type: 'uuid', versions: '6+', default: ZERO_UUID },
      ],
    },
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
        { name: 'topicId', type: 'uuid', versions: '6+' },
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'errorMessage', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
      ],
    },
  ],
});

export type DeleteTopicsRequest = DecodedRequest<typeof DELETE_TOPICS>;
export type DeleteTopicsResponse = DecodedResponse<typeof DELETE_TOPICS>;
