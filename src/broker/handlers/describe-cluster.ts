// DescribeCluster: the cluster id, the controller and the brokers (one: this broker is also the controller),
// as Kafka's brokers answer it on their client listener. Asking a broker listener for the controllers
// (endpoint type 2) is MISMATCHED_ENDPOINT_TYPE, as in Kafka.

import { ErrorCode } from '../../protocol/error-codes.js';
import { DESCRIBE_CLUSTER } from '../../protocol/messages/index.js';
import type { Handler } from './context.js';
import { brokerEntry } from './metadata.js';

const BROKERS = 1;
const CONTROLLERS = 2;
/** Kafka's "not asked" bit field of authorized operations */
const OPERATIONS_NOT_ASKED = -2147483648;
/**
 * Without an authorizer Kafka grants every operation a cluster supports (AclOperation ids CREATE 5, ALTER 7,
 * DESCRIBE 8, CLUSTER_ACTION 9, DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11, IDEMPOTENT_WRITE 12), one bit each.
 */
const ALL_CLUSTER_OPERATIONS = [5, 7, 8, 9, 10, 11, 12].reduce((bits, op) => bits | (1 << op), 0);

export const describeCluster: Handler<typeof DESCRIBE_CLUSTER> = (ctx, req) => {
  const state = ctx.broker;
  const endpointType = ctx.apiVersion >= 1 ? req.endpointType : BROKERS;
  const answer = {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE as number,
    errorMessage: null as string | null,
    endpointType,
    clusterId: state.clusterId,
    controllerId: state.nodeId,
    brokers: [] as { brokerId: number; host: string; port: number; rack: string | null }[],
    clusterAuthorizedOperations: req.includeClusterAuthorizedOperations ? ALL_CLUSTER_OPERATIONS : OPERATIONS_NOT_ASKED,
  };
  if (endpointType === CONTROLLERS)
    return {
      ...answer,
      errorCode: ErrorCode.MISMATCHED_ENDPOINT_TYPE,
      errorMessage: 'The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER',
    };
  if (endpointType !== BROKERS)
    return {
      ...answer,
      errorCode: ErrorCode.UNSUPPORTED_ENDPOINT_TYPE,
      errorMessage: `Unsupported endpoint type ${endpointType}`,
    };
  const b = brokerEntry(state);
  return { ...answer, brokers: [{ brokerId: b.nodeId, host: b.host, port: b.port, rack: b.rack }] };
};
