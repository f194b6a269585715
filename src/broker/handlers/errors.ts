// Mapping thrown errors to Kafka error codes in responses.

import { ErrorCode } from '../../protocol/error-codes.js';

/** The Kafka error code an error carries (storage and coordinator errors carry one), else UNKNOWN_SERVER_ERROR. */
export function errorCodeOf(err: unknown): number {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : ErrorCode.UNKNOWN_SERVER_ERROR;
}

export function errorMessageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
