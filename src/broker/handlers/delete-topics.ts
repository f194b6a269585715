// DeleteTopics: removes the logs and the committed offsets of the topic.

import { DELETE_TOPICS } from '../../protocol/messages/index.js';
import type { Handler } from './context.js';
import { errorCodeOf } from './errors.js';

export const deleteTopics: Handler<typeof DELETE_TOPICS> = (ctx, req) => ({
  throttleTimeMs: 0,
  responses: req.topicNames.map((name) => {
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
