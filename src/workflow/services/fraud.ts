// The fraud service: passes or fails each placed order by a limit on its total, once per order.

import { SUBSCRIPTIONS } from '../catalogue.js';
import { eventIdOf, makeRecord, type WorkflowContext } from '../envelope.js';
import { firstTime, type WorkflowService } from '../service.js';
import { RecentIds } from '../../common/recent-ids.js';

export interface FraudConfig {
  /** An order whose total (minor units) exceeds this fails the check. */
  limit: number;
}

export interface FraudService extends WorkflowService {
  readonly checks: ReadonlyMap<string, 'PASSED' | 'FAILED'>;
}

export function createFraud(ctx: WorkflowContext, config: FraudConfig): FraudService {
  const checks = new Map<string, 'PASSED' | 'FAILED'>();
  const seen = new RecentIds();
  return {
    name: 'fraud',
    topics: SUBSCRIPTIONS.fraud,
    handles: { orders: ['OrderPlaced'] },
    checks,
    handle(record) {
      if (record.topic !== 'orders' || !firstTime(seen, eventIdOf(record))) return [];
      const order = record.value;
      if (order.eventType !== 'OrderPlaced' || checks.has(order.orderId)) return [];
      const failed = order.total > config.limit;
      checks.set(order.orderId, failed ? 'FAILED' : 'PASSED');
      return [
        makeRecord(
          ctx,
          'fraud',
          'fraud.checks',
          {
            eventType: failed ? 'FraudCheckFailed' : 'FraudCheckPassed',
            orderId: order.orderId,
            customerId: order.customerId,
            amount: order.total,
            limit: config.limit,
            reason: failed ? `total ${order.total} over limit ${config.limit}` : null,
            at: ctx.now(),
          },
          record,
        ),
      ];
    },
    tick: () => [],
    recoveryTopics: ['fraud.checks'],
    recover(record) {
      if (record.topic === 'fraud.checks')
        checks.set(record.value.orderId, record.value.eventType === 'FraudCheckPassed' ? 'PASSED' : 'FAILED');
    },
    recovered: () => [],
  };
}
