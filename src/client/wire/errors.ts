// The errors of the wire client. Each says what failed in one line; `kind` tells a caller (the CLI) how to
// map it to an exit code without knowing every class: 'unreachable' and 'timeout' are exit code 3,
// 'not-found' is 4, 'config' a usage error, the rest are runtime failures.

import { ErrorCode } from '../../protocol/error-codes.js';
import { formatDuration } from '../../common/time.js';

/** 'refused': the cluster's state forbids what was asked (a group with active members, a rejected config) */
export type WireErrorKind =
  | 'unreachable'
  | 'timeout'
  | 'not-found'
  | 'protocol'
  | 'auth'
  | 'closed'
  | 'kafka'
  | 'unsupported'
  | 'config'
  | 'refused';

export class WireError extends Error {
  constructor(
    message: string,
    readonly kind: WireErrorKind,
    /** worth retrying the same request (on a fresh connection, after a metadata refresh) */
    readonly retriable = false,
  ) {
    super(message);
    this.name = 'WireError';
  }
}

/** No broker of the list could be reached (refused, unresolvable, TLS failed, or nothing answered in time). */
export class UnreachableError extends WireError {
  constructor(
    readonly brokers: string[],
    readonly reason: string,
    readonly timeoutMs?: number,
    /**
     * set when every address refused (or does not exist) and the client gave up after its short retry
     * rather than the timeout: how long it tried, and how many rounds of attempts it made
     */
    readonly refused?: { triedMs: number; attempts: number },
  ) {
    super(
      refused
        ? `cannot connect to ${brokers.join(',')}: ${reason} (tried for ${formatDuration(refused.triedMs)})`
        : `cannot reach the Kafka cluster at ${brokers.join(',')}${timeoutMs !== undefined ? ` within ${formatDuration(timeoutMs)}` : ''}: ${reason}`,
      'unreachable',
      true,
    );
    this.name = 'UnreachableError';
  }
}

/** A request got no answer in time. The connection it was sent on is closed (answers would be out of step). */
export class TimeoutError extends WireError {
  constructor(
    readonly what: string,
    readonly broker: string,
    readonly timeoutMs: number,
  ) {
    super(`${what} to broker ${broker} got no answer within ${formatDuration(timeoutMs)}`, 'timeout', true);
    this.name = 'TimeoutError';
  }
}

/** The connection went away while a request was in flight; the request may or may not have been carried out. */
export class ConnectionClosedError extends WireError {
  constructor(
    readonly broker: string,
    reason: string,
  ) {
    super(`connection to broker ${broker} closed: ${reason}`, 'closed', true);
    this.name = 'ConnectionClosedError';
  }
}

export class AuthenticationError extends WireError {
  constructor(
    message: string,
    /** why, without naming the broker or the mechanism (the CLI says those its own way) */
    readonly reason = message,
  ) {
    super(message, 'auth');
    this.name = 'AuthenticationError';
  }
}

export class UnsupportedVersionError extends WireError {
  constructor(message: string) {
    super(message, 'unsupported');
    this.name = 'UnsupportedVersionError';
  }
}

export class TopicNotFoundError extends WireError {
  constructor(
    readonly topic: string,
    detail = '',
  ) {
    super(`topic ${topic} not found${detail}`, 'not-found');
    this.name = 'TopicNotFoundError';
  }
}

export class PartitionNotFoundError extends WireError {
  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly partitionCount: number,
  ) {
    super(
      `partition ${partition} of ${topic} does not exist (the topic has ${partitionCount} partition${partitionCount === 1 ? '' : 's'}: 0-${partitionCount - 1})`,
      'not-found',
    );
    this.name = 'PartitionNotFoundError';
  }
}

export class OffsetOutOfRangeError extends WireError {
  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly offset: number,
    readonly logStartOffset: number,
    readonly highWatermark: number,
  ) {
    const held =
      logStartOffset >= 0 && highWatermark >= 0
        ? ` (it holds offsets ${logStartOffset} to ${highWatermark - 1}${logStartOffset > 0 ? '; older records were deleted by retention' : ''})`
        : '';
    super(`offset ${offset} is out of range for ${topic}-${partition}${held}`, 'kafka');
    this.name = 'OffsetOutOfRangeError';
  }
}

/** A Kafka error code in an answer. */
export class KafkaResponseError extends WireError {
  constructor(
    readonly code: number,
    readonly context: string,
    /** what the broker said besides the code, if anything */
    readonly serverMessage?: string | null,
  ) {
    super(`${context}: ${errorName(code)}${serverMessage ? ` (${serverMessage})` : ''}`, 'kafka', isRetriable(code));
    this.name = 'KafkaResponseError';
  }
}

const NAMES = new Map<number, string>(Object.entries(ErrorCode).map(([name, code]) => [code, name]));

export function errorName(code: number): string {
  return NAMES.get(code) ?? `Kafka error ${code}`;
}

/** Codes a client retries (after refreshing metadata where the leader may have moved), as Kafka's clients do. */
const RETRIABLE = new Set<number>([
  ErrorCode.CORRUPT_MESSAGE, // a corrupted transfer, the client resends
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.REQUEST_TIMED_OUT,
  ErrorCode.BROKER_NOT_AVAILABLE,
  ErrorCode.REPLICA_NOT_AVAILABLE,
  ErrorCode.NETWORK_EXCEPTION,
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.NOT_COORDINATOR,
  ErrorCode.NOT_ENOUGH_REPLICAS,
  ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND,
  ErrorCode.KAFKA_STORAGE_ERROR,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.UNKNOWN_LEADER_EPOCH,
  ErrorCode.THROTTLING_QUOTA_EXCEEDED,
]);

export function isRetriable(code: number): boolean {
  return RETRIABLE.has(code);
}

/** Codes after which the client should refresh its metadata before retrying. */
export function needsMetadataRefresh(code: number): boolean {
  return (
    code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION ||
    code === ErrorCode.LEADER_NOT_AVAILABLE ||
    code === ErrorCode.NOT_LEADER_OR_FOLLOWER ||
    code === ErrorCode.FENCED_LEADER_EPOCH ||
    code === ErrorCode.UNKNOWN_LEADER_EPOCH
  );
}
