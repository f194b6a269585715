// DeleteTopics: removes the logs and the committed offsets of the topic.

import type { Handler } from './context.js';
import { errorCodeOf } from './errors.js';

export const deleteTopics: Handler = (ctx, req) => ({
  throttleTimeMs: 0,
  responses: (req.topicNames as string[]).map((name) => {
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
