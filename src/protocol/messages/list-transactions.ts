// ListTransactions (key 66, KIP-664), from Kafka's ListTransactionsRequest.json / ListTransactionsResponse.json.
// Flexible from v0; v1 (KIP-994) adds DurationFilter: only transactions running longer than it.

import type { DecodedRequest, DecodedResponse } from '../message-types.js';
import { defineApi } from '../schema.js';

export const LIST_TRANSACTIONS = defineApi({
  apiKey: 66,
  name: 'ListTransactions',
  minVersion: 0,
  maxVersion: 1,
  flexibleVersions: '0+',
  request: [
    { name: 'stateFilters', type: '[]string', versions: '0+' },
    { name: 'producerIdFilters', type: '[]int64', versions: '0+' },
    { name: 'durationFilter', type: 'int64', versions: '1+', default: -1 },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'unknownStateFilters', type: '[]string', versions: '0+' },
    {
      name: 'transactionStates',
      type: '[]',
      versions: '0+',
      fields: [
        { name: 'transactionalId', type: 'string', versions: '0+' },
        { name: 'producerId', type: 'int64', versions: '0+' },
        { name: 'transactionState', type: 'string', versions: '0+' },
      ],
    },
  ],
});

export type ListTransactionsRequest = DecodedRequest<typeof LIST_TRANSACTIONS>;
export type ListTransactionsResponse = DecodedResponse<typeof LIST_TRANSACTIONS>;
