// Failures the library layers report, named by what they mean to a user rather than by exit code. The CLI's
// edge turns each kind into the documented exit code (src/cli/errors.ts), so that nothing below the CLI
// decides how a process ends, and a library used in process (the embedded broker, views) throws ordinary,
// typed errors.

/**
 * failure: something went wrong at run time; usage: what the caller asked for is not valid; unreachable: a
 * server (cluster, registry) did not answer; not-found: what was named does not exist; expectation: an
 * expectation the caller set (a compatible schema, invariants) did not hold.
 */
export type FailureKind = 'failure' | 'usage' | 'unreachable' | 'not-found' | 'expectation';

export class EvtError extends Error {
  constructor(
    message: string,
    readonly kind: FailureKind = 'failure',
  ) {
    super(message);
    this.name = 'EvtError';
  }
}
