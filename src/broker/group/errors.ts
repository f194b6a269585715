// The Kafka error codes the group coordinator answers with. The broker-wide table lives in
// protocol/error-codes.ts; this adds the few group-specific codes that table does not carry (yet), so that
// the coordinator has one place to import from.

import { ErrorCode as Shared } from '../protocol/error-codes.js';

export const ErrorCode = {
  ...Shared,
  /** committed metadata longer than offset.metadata.max.bytes */
  OFFSET_METADATA_TOO_LARGE: 12,
} as const;
