// AddPartitionsToTxn (key 24), from Kafka's AddPartitionsToTxnRequest.json / AddPartitionsToTxnResponse.json.
// v2 adds the PRODUCER_FENCED error, v3 is flexible. Omitted (only in versions above our max): v4+, the
// broker-to-broker batched form (Transactions[], VerifyOnly, the response's top-level ErrorCode and
// ResultsByTransaction), which clients never send (they use v3 and below, as Kafka's own notes say).

import type { DecodedRequest, DecodedResponse } from '../message-types.js';
import { defineApi } from '../schema.js';

export const ADD_PARTITIONS_TO_TXN = defineApi({
  apiKey: 24,
  name: 'AddPartitionsToTxn',
  minVersion: 0,
  maxVersion: 3,
  flexibleVersions: '3+',
  request: [
    { name: 'v3AndBelowTransactionalId', type: 'string', versions: '0-3' },
    { name: 'v3AndBelowProducerId', type: 'int64', versions: '0-3' },
    { name: 'v3AndBelowProducerEpoch', type: 'int16', versions: '0-3' },
    {
      name: 'v3AndBelowTopics',
      type: '[]',
      versions: '0-3',
      fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'partitions', type: '[]int32', versions: '0+' },
      ],
    },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'resultsByTopicV3AndBelow',
      type: '[]',
      versions: '0-3',
      fields: [
        { name: 'name', type: 'string', versions: '0+' },
        {
          name: 'resultsByPartition',
          type: '[]',
          versions: '0+',
          fields: [
            { name: 'partitionIndex', type: 'int32', versions: '0+' },
            { name: 'partitionErrorCode', type: 'int16', versions: '0+' },
          ],
        },
      ],
    },
  ],
});

export type AddPartitionsToTxnRequest = DecodedRequest<typeof ADD_PARTITIONS_TO_TXN>;
export type AddPartitionsToTxnResponse = DecodedResponse<typeof ADD_PARTITIONS_TO_TXN>;
