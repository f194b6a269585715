// What a request answered with an injected error looks like, per API: every topic and partition the request
// names carries the error (and so does the top-level error code where the API has one), nothing else is
// done (a failed Produce stores nothing). Each builder is typed by its API's description, so a field added to
// a response is a compile error here until it is filled in.

import type { DecodedRequest, EncodableResponse } from '../protocol/message-types.js';
import {
  FETCH,
  FIND_COORDINATOR,
  HEARTBEAT,
  INIT_PRODUCER_ID,
  JOIN_GROUP,
  LEAVE_GROUP,
  LIST_OFFSETS,
  METADATA,
  OFFSET_COMMIT,
  OFFSET_FETCH,
  PRODUCE,
  SYNC_GROUP,
} from '../protocol/messages/index.js';
import type { ApiSpec } from '../protocol/schema.js';
import { joinError, syncResponse } from '../broker/group/responses.js';
import { brokerEntry } from '../broker/handlers/metadata.js';
import { topicNameOf, wireTopicId } from '../broker/handlers/topic-ids.js';
import type { BrokerState } from '../broker/state.js';

/** A partition a request names; `partition` absent when it names the whole topic (Metadata). */
export interface NamedPartition {
  topic: string;
  partition?: number;
}

/** How to fail one API: which partitions a request names, and the answer carrying the error. */
export interface ErrorAnswer {
  readonly spec: ApiSpec;
  partitions(body: unknown, broker: BrokerState): NamedPartition[];
  /** the answer, or null when the request expects none (Produce with acks=0: the records are just lost) */
  answer(body: unknown, code: number, broker: BrokerState): unknown;
}

function errorAnswer<S extends ApiSpec>(
  spec: S,
  partitions: (req: DecodedRequest<S>, broker: BrokerState) => NamedPartition[],
  answer: (req: DecodedRequest<S>, code: number, broker: BrokerState) => EncodableResponse<S> | null,
): ErrorAnswer {
  // The body is the decoded request of `spec`: the server decoded it with the same description.
  return {
    spec,
    partitions: (body, broker) => partitions(body as DecodedRequest<S>, broker),
    answer: (body, code, broker) => answer(body as DecodedRequest<S>, code, broker),
  };
}

const NO_PARTITIONS = (): NamedPartition[] => [];

function each<T>(topics: T[], name: (t: T) => string, indexes: (t: T) => number[]): NamedPartition[] {
  return topics.flatMap((t) => indexes(t).map((partition) => ({ topic: name(t), partition })));
}

const ANSWERS: ErrorAnswer[] = [
  errorAnswer(
    PRODUCE,
    (req) =>
      each(
        req.topicData,
        (t) => t.name,
        (t) => t.partitionData.map((p) => p.index),
      ),
    (req, code) =>
      req.acks === 0
        ? null
        : {
            responses: req.topicData.map((t) => ({
              name: t.name,
              partitionResponses: t.partitionData.map((p) => ({ index: p.index, errorCode: code, baseOffset: -1 })),
            })),
          },
  ),
  errorAnswer(
    FETCH,
    (req, broker) =>
      each(
        req.topics,
        (t) => topicNameOf(broker, t.topic, t.topicId) ?? '',
        (t) => t.partitions.map((p) => p.partition),
      ),
    (req, code) => ({
      throttleTimeMs: 0,
      errorCode: 0,
      responses: req.topics.map((t) => ({
        topic: t.topic,
        topicId: t.topicId,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partition,
          errorCode: code,
          highWatermark: -1,
          abortedTransactions: [],
          records: null,
        })),
      })),
    }),
  ),
  errorAnswer(
    LIST_OFFSETS,
    (req) =>
      each(
        req.topics,
        (t) => t.name,
        (t) => t.partitions.map((p) => p.partitionIndex),
      ),
    (req, code) => ({
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          errorCode: code,
          oldStyleOffsets: [],
        })),
      })),
    }),
  ),
  errorAnswer(
    METADATA,
    (req, broker) => metadataTopics(req, broker).map((topic) => ({ topic })),
    (req, code, broker) => ({
      throttleTimeMs: 0,
      brokers: [brokerEntry(broker)],
      clusterId: broker.clusterId,
      controllerId: broker.nodeId,
      topics: metadataTopics(req, broker).map((name) => ({
        errorCode: code,
        name,
        topicId: wireTopicId(broker, name),
        isInternal: false,
        partitions: [],
      })),
    }),
  ),
  errorAnswer(
    OFFSET_COMMIT,
    (req) =>
      each(
        req.topics,
        (t) => t.name,
        (t) => t.partitions.map((p) => p.partitionIndex),
      ),
    (req, code) => ({
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: code })),
      })),
    }),
  ),
  errorAnswer(
    OFFSET_FETCH,
    (req) =>
      each(
        req.topics ?? [],
        (t) => t.name,
        (t) => t.partitionIndexes,
      ),
    (req, code) => ({
      throttleTimeMs: 0,
      errorCode: code,
      topics: (req.topics ?? []).map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((partitionIndex) => ({
          partitionIndex,
          committedOffset: -1,
          metadata: null,
          errorCode: code,
        })),
      })),
    }),
  ),
  errorAnswer(FIND_COORDINATOR, NO_PARTITIONS, (req, code) => ({
    throttleTimeMs: 0,
    errorCode: code,
    errorMessage: null,
    nodeId: -1,
    host: '',
    port: -1,
    // v4+: one answer per key asked for
    coordinators: req.coordinatorKeys.map((key) => ({
      key,
      nodeId: -1,
      host: '',
      port: -1,
      errorCode: code,
      errorMessage: null,
    })),
  })),
  errorAnswer(JOIN_GROUP, NO_PARTITIONS, (req, code) => joinError(code, req.memberId)),
  errorAnswer(SYNC_GROUP, NO_PARTITIONS, (_req, code) => syncResponse(code)),
  errorAnswer(HEARTBEAT, NO_PARTITIONS, (_req, code) => ({ throttleTimeMs: 0, errorCode: code })),
  errorAnswer(LEAVE_GROUP, NO_PARTITIONS, (req, code) => ({
    throttleTimeMs: 0,
    errorCode: code,
    members: req.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode: code })),
  })),
  errorAnswer(INIT_PRODUCER_ID, NO_PARTITIONS, (_req, code) => ({
    throttleTimeMs: 0,
    errorCode: code,
    producerId: -1,
    producerEpoch: -1,
  })),
];

/** Metadata names the topics it asks for, or (null) every topic the broker has. */
function metadataTopics(req: DecodedRequest<typeof METADATA>, broker: BrokerState): string[] {
  if (req.topics === null) return broker.logs.topics().map((t) => t.name);
  return req.topics.map((t) => topicNameOf(broker, t.name, t.topicId) ?? '').filter((name) => name !== '');
}

/** The APIs a fault can be injected into, by name (as Kafka names them: "Produce", "FindCoordinator"). */
export const ERROR_ANSWERS: ReadonlyMap<string, ErrorAnswer> = new Map(ANSWERS.map((a) => [a.spec.name, a]));
