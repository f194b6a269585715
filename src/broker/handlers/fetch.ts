// Fetch: whole record batches straight from the segment files, long-polled up to maxWaitMs until minBytes
// are available. No fetch sessions (sessionId 0): every request is a full fetch, which all clients accept.
//
// Limits as KIP-74 sets them (Kafka's ReplicaManager.readFromLocalLog): the partitions are read in the order
// asked, each up to its partitionMaxBytes and to what is left of the request's maxBytes; only the first batch
// of the first partition that has one may exceed either, so that a consumer always progresses. Partitions
// reached once the answer is full carry their offsets and no records. Kafka holds Fetch v0-v2 to their limits
// without that exception (an old consumer then gets a partial message it cannot use and stops); evt grants it
// in every version. Fetch v0-v3 get their batches down-converted to the message format they read.
//
// Isolation (v4+): read_committed fetches stop at the last stable offset (the first offset of the earliest
// open transaction) and list the aborted transactions their records overlap, from the segments'
// aborted-transaction indexes; read_uncommitted ones read up to the high watermark. Both answer the LSO.
// Fetch v13 names topics by id: an id no topic has answers UNKNOWN_TOPIC_ID on each of its partitions. v12's
// epochs (last fetched epoch, diverging epoch) are not kept: evt has no leader epochs, so no log diverges.

import { partitionKey } from '../append-notifier.js';
import { downConvert, fetchMagic } from '../log/down-convert.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import type { EncodableResponse } from '../../protocol/message-types.js';
import { FETCH, type FetchRequest } from '../../protocol/messages/index.js';
import type { LegacyMagic } from '../../protocol/records/legacy.js';
import type { BrokerState } from '../state.js';
import type { Handler } from './context.js';
import { errorCodeOf } from './errors.js';
import { topicNameOf } from './topic-ids.js';
import { BATCH_LENGTH, LOG_OVERHEAD, readInt64, LAST_OFFSET_DELTA } from '../../protocol/records/batch-layout.js';

const READ_COMMITTED = 1;

/** The offset after the last batch of a record set (whole batches). */
function endOffsetOf(records: Buffer): number {
  let pos = 0;
  let last = 0;
  while (pos + LOG_OVERHEAD <= records.length) {
    last = pos;
    pos += records.readInt32BE(pos + BATCH_LENGTH) + LOG_OVERHEAD;
  }
  return readInt64(records, last) + records.readInt32BE(last + LAST_OFFSET_DELTA) + 1;
}

type FetchedTopics = EncodableResponse<typeof FETCH>['responses'];
type FetchedPartition = FetchedTopics[number]['partitions'][number];

interface Collected {
  responses: FetchedTopics;
  bytes: number;
  hasError: boolean;
}

/** The name of each topic asked for (by name, or by id in v13+); undefined for an unknown id. */
function topicNames(state: BrokerState, req: FetchRequest): (string | undefined)[] {
  return req.topics.map((t) => topicNameOf(state, t.topic, t.topicId));
}

function collect(state: BrokerState, req: FetchRequest, names: (string | undefined)[]): Collected {
  // maxBytes is in Fetch v3 on; before, the decoder's default (2^31-1) leaves only the partition limits.
  let budget = Math.max(0, req.maxBytes);
  const committed = req.isolationLevel === READ_COMMITTED;
  let bytes = 0;
  let hasError = false;
  const responses = req.topics.map((t, ti) => ({
    topic: t.topic,
    topicId: t.topicId,
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
      const name = names[ti];
      const log = name === undefined ? undefined : state.logs.partition(name, p.partition);
      if (!log) {
        hasError = true;
        out.errorCode = name === undefined ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        return out;
      }
      out.highWatermark = log.highWatermark;
      out.lastStableOffset = log.lastStableOffset;
      out.logStartOffset = log.logStartOffset;
      try {
        const limit = Math.min(Math.max(0, p.partitionMaxBytes), budget);
        const stable = log.lastStableOffset;
        const read = log.read(p.fetchOffset, limit, bytes === 0, committed ? stable : undefined);
        out.records = read.records;
        out.highWatermark = read.highWatermark;
        out.lastStableOffset = stable;
        out.logStartOffset = read.logStartOffset;
        if (committed && read.records.length > 0) {
          out.abortedTransactions = log
            .abortedTransactions(p.fetchOffset, endOffsetOf(read.records))
            .map((a) => ({ producerId: a.producerId, firstOffset: a.firstOffset }));
        }
        bytes += read.records.length;
        budget = Math.max(0, budget - read.records.length);
      } catch (err) {
        hasError = true;
        out.errorCode = errorCodeOf(err);
      }
      return out;
    }),
  }));
  return { responses, bytes, hasError };
}

/** Rewrites the partitions' batches as the message set v0/v1 an old Fetch version reads. */
async function downConvertAll(responses: FetchedTopics, req: FetchRequest, magic: LegacyMagic): Promise<void> {
  for (const [ti, t] of responses.entries()) {
    for (const [pi, p] of t.partitions.entries()) {
      if (!p.records || p.records.length === 0) continue;
      try {
        p.records = await downConvert(p.records, magic, req.topics[ti].partitions[pi].fetchOffset);
      } catch (err) {
        p.errorCode = errorCodeOf(err);
        p.records = null;
      }
    }
  }
}

export const fetch: Handler<typeof FETCH> = async (ctx, req) => {
  const state = ctx.broker;
  const deadline = Date.now() + Math.max(0, req.maxWaitMs);
  const minBytes = Math.max(1, req.minBytes);
  const names = topicNames(state, req);
  let result = collect(state, req, names);
  while (result.bytes < minBytes && !result.hasError) {
    const wait = deadline - Date.now();
    if (wait <= 0) break;
    // every name is known here: an unknown topic id is an error, which ends the wait
    const keys = req.topics.flatMap((t, ti) => t.partitions.map((p) => partitionKey(names[ti] ?? '', p.partition)));
    await state.appends.wait(keys, wait, ctx.onConnectionClose);
    result = collect(state, req, names);
  }
  const magic = fetchMagic(ctx.apiVersion);
  if (magic !== 2) await downConvertAll(result.responses, req, magic);
  return { throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses: result.responses };
};
