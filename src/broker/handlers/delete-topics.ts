// DeleteTopics: removes the logs and the committed offsets of the topic. v6 names topics by name or by id; an
// id no topic has answers UNKNOWN_TOPIC_ID.

import { ErrorCode } from '../../protocol/error-codes.js';
import type { EncodableResponse } from '../../protocol/message-types.js';
import { DELETE_TOPICS, type DeleteTopicsRequest } from '../../protocol/messages/index.js';
import { isInternalTopic } from '../group/offsets-topic.js';
import type { RequestContext, Handler } from './context.js';
import { errorCodeOf, errorMessageOf } from './errors.js';
import { topicNameOf, wireTopicId } from './topic-ids.js';

type Deleted = EncodableResponse<typeof DELETE_TOPICS>['responses'][number];

/** The topics a request names: v0-5 by name, v6+ by name or id (undefined name: an unknown id). */
function asked(ctx: RequestContext, req: DeleteTopicsRequest): { name: string | undefined; topicId: Buffer }[] {
  if (ctx.apiVersion < 6) return req.topicNames.map((name) => ({ name, topicId: wireTopicId(ctx.broker, name) }));
  return req.topics.map((t) => ({ name: topicNameOf(ctx.broker, t.name, t.topicId), topicId: t.topicId }));
}

function deleteOne(ctx: RequestContext, name: string, topicId: Buffer): Deleted {
  const answer = (errorCode: number, errorMessage: string | null = null) => ({
    name,
    topicId,
    errorCode,
    errorMessage,
  });
  // __consumer_offsets mirrors the coordinator's offset store (groups.log), which deleting it would not
  // touch: readers such as Burrow would lose every commit until the broker restarts. Kafka's brokers would
  // delete it (and every committed offset with it); evt refuses with the answer Kafka gives when deletion is
  // not allowed (INVALID_REQUEST before DeleteTopics v3, which has no TOPIC_DELETION_DISABLED).
  if (isInternalTopic(name))
    return answer(ctx.apiVersion < 3 ? ErrorCode.INVALID_REQUEST : ErrorCode.TOPIC_DELETION_DISABLED);
  try {
    ctx.broker.logs.deleteTopic(name);
    ctx.broker.groups.topicDeleted(name);
    ctx.broker.appends.wakeTopic(name);
    return answer(0);
  } catch (err) {
    return answer(errorCodeOf(err), errorMessageOf(err));
  }
}

export const deleteTopics: Handler<typeof DELETE_TOPICS> = (ctx, req) => ({
  throttleTimeMs: 0,
  responses: asked(ctx, req).map(({ name, topicId }) =>
    name === undefined
      ? { name: null, topicId, errorCode: ErrorCode.UNKNOWN_TOPIC_ID, errorMessage: null }
      : deleteOne(ctx, name, topicId),
  ),
});
