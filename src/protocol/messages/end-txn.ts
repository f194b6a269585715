// EndTxn (key 26), from Kafka's EndTxnRequest.json / EndTxnResponse.json. v2 adds the PRODUCER_FENCED error,
// v3 is flexible. Omitted (only in versions above our max): v4 (TRANSACTION_ABORTABLE), v5 (KIP-890 part 2:
// an epoch bump on every transaction, the response's ProducerId / ProducerEpoch).

import type { DecodedRequest, DecodedResponse } from '../message-types.js';
import { defineApi } from '../schema.js';

export const END_TXN = defineApi({
  apiKey: 26,
  name: 'EndTxn',
  minVersion: 0,
  maxVersion: 3,
  flexibleVersions: '3+',
  request: [
    { name: 'transactionalId', type: 'string', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '0+' },
    { name: 'producerEpoch', type: 'int16', versions: '0+' },
    { name: 'committed', type: 'bool', versions: '0+' },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
  ],
});

export type EndTxnRequest = DecodedRequest<typeof END_TXN>;
export type EndTxnResponse = DecodedResponse<typeof END_TXN>;
