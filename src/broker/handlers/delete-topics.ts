// DeleteTopics: removes the logs and the committed offsets of the topic.

import { ErrorCode } from '../../protocol/error-codes.js';
import { DELETE_TOPICS } from '../../protocol/messages/index.js';
import { isInternalTopic } from '../group/offsets-topic.js';
import type { Handler } from './context.js';
import { errorCodeOf } from './errors.js';

export const deleteTopics: Handler<typeof DELETE_TOPICS> = (ctx, req) => ({
  throttleTimeMs: 0,
  responses: req.topicNames.map((name) => {
    // __consumer_offsets mirrors the coordinator's offset store (groups.log), which deleting it would not
    // touch: readers such as Burrow would lose every commit until the broker restarts. Kafka's brokers would
    // delete it (and every committed offset with it); evt refuses with the answer Kafka gives when deletion is
    // not allowed (INVALID_REQUEST before DeleteTopics v3, which has no TOPIC_DELETION_DISABLED).
    if (isInternalTopic(name))
      return { name, errorCode: ctx.apiVersion < 3 ? ErrorCode.INVALID_REQUEST : ErrorCode.TOPIC_DELETION_DISABLED };
    try {
      ctx.broker.logs.deleteTopic(name);
      ctx.broker.groups.topicDeleted(name);
      ctx.broker.appends.wakeTopic(name);
      return { name, errorCode: 0 };
    } catch (err) {
      return { name, errorCode: errorCodeOf(err) };
    }
  }),
});
