// Fetch: whole record batches straight from the segment files, long-polled up to maxWaitMs until minBytes
// are available. No fetch sessions (sessionId 0): every request is a full fetch, which all clients accept.

import { partitionKey } from '../append-notifier.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import type { EncodableResponse } from '../../protocol/message-types.js';
import { FETCH, type FetchRequest } from '../../protocol/messages/index.js';
import type { BrokerState } from '../state.js';
import type { Handler } from './context.js';
import { errorCodeOf } from './errors.js';

type FetchedTopics = EncodableResponse<typeof FETCH>['responses'];
type FetchedPartition = FetchedTopics[number]['partitions'][number];

interface Collected {
  responses: FetchedTopics;
  bytes: number;
  hasError: boolean;
}

function collect(state: BrokerState, req: FetchRequest): Collected {
  let budget = req.maxBytes > 0 ? req.maxBytes : 0x7fffffff;
  let bytes = 0;
  let hasError = false;
  const responses = req.topics.map((t) => ({
    topic: t.topic,
    partitions: t.partitions.map((p) => {
      const out: FetchedPartition = {
        partitionIndex: p.partition,
        errorCode: 0,
        highWatermark: -1,
        lastStableOffset: -1,
        logStartOffset: -1,
        abortedTransactions: [],
        preferredReadReplica: -1,
        records: null,
      };
      const log = state.logs.partition(t.topic, p.partition);
      if (!log) {
        hasError = true;
        out.errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        return out;
      }
      out.highWatermark = out.lastStableOffset = log.highWatermark;
      out.logStartOffset = log.logStartOffset;
      // Once the response is full, later partitions only report their offsets (as Kafka does).
      if (bytes > 0 && budget <= 0) return out;
      try {
        const limit = Math.min(p.partitionMaxBytes > 0 ? p.partitionMaxBytes : budget, budget);
        const read = log.read(p.fetchOffset, Math.max(limit, 1));
        out.records = read.records;
        out.highWatermark = out.lastStableOffset = read.highWatermark;
        out.logStartOffset = read.logStartOffset;
        bytes += read.records.length;
        budget -= read.records.length;
      } catch (err) {
        hasError = true;
        out.errorCode = errorCodeOf(err);
      }
      return out;
    }),
  }));
  return { responses, bytes, hasError };
}

export const fetch: Handler<typeof FETCH> = async (ctx, req) => {
  const state = ctx.broker;
  const deadline = Date.now() + Math.max(0, req.maxWaitMs);
  const minBytes = Math.max(1, req.minBytes);
  let result = collect(state, req);
  while (result.bytes < minBytes && !result.hasError) {
    const wait = deadline - Date.now();
    if (wait <= 0) break;
    const keys = req.topics.flatMap((t) => t.partitions.map((p) => partitionKey(t.topic, p.partition)));
    await state.appends.wait(keys, wait, ctx.onConnectionClose);
    result = collect(state, req);
  }
  return { throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses: result.responses };
};
