// InitProducerId (key 22), from Kafka's InitProducerIdRequest.json / InitProducerIdResponse.json.
// v3+ may name the producer id and epoch being re-initialized; v4 answers PRODUCER_FENCED for a stale epoch.
// v5 (transactions v2) is not served.

import type { DecodedRequest, DecodedResponse } from '../message-types.js';
import { defineApi } from '../schema.js';

export const INIT_PRODUCER_ID = defineApi({
  apiKey: 22,
  name: 'InitProducerId',
  minVersion: 0,
  maxVersion: 4,
  flexibleVersions: '2+',
  request: [
    { name: 'transactionalId', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'transactionTimeoutMs', type: 'int32', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '3+', default: -1 },
    { name: 'producerEpoch', type: 'int16', versions: '3+', default: -1 },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '0+', default: -1 },
    { name: 'producerEpoch', type: 'int16', versions: '0+' },
  ],
});

export type InitProducerIdRequest = DecodedRequest<typeof INIT_PRODUCER_ID>;
export type InitProducerIdResponse = DecodedResponse<typeof INIT_PRODUCER_ID>;
