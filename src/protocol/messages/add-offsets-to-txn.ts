// AddOffsetsToTxn (key 25), from Kafka's AddOffsetsToTxnRequest.json / AddOffsetsToTxnResponse.json.
// v2 adds the PRODUCER_FENCED error, v3 is flexible. Omitted: v4 (KIP-890's TRANSACTION_ABORTABLE error only).

import type { DecodedRequest, DecodedResponse } from '../message-types.js';
import { defineApi } from '../schema.js';

export const ADD_OFFSETS_TO_TXN = defineApi({
  apiKey: 25,
  name: 'AddOffsetsToTxn',
  minVersion: 0,
  maxVersion: 3,
  flexibleVersions: '3+',
  request: [
    { name: 'transactionalId', type: 'string', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '0+' },
    { name: 'producerEpoch', type: 'int16', versions: '0+' },
    { name: 'groupId', type: 'string', versions: '0+' },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
  ],
});

export type AddOffsetsToTxnRequest = DecodedRequest<typeof ADD_OFFSETS_TO_TXN>;
export type AddOffsetsToTxnResponse = DecodedResponse<typeof ADD_OFFSETS_TO_TXN>;
