// An API the broker serves: its description paired with its handler. The pair is type-checked where it is made
// (`serve(HEARTBEAT, heartbeat)`), and the server then treats every API alike, never seeing a message's type.

import { decodeRequestBody, encodeResponse } from '../../protocol/frames.js';
import type { Reader } from '../../protocol/primitives.js';
import type { ApiSpec } from '../../protocol/schema.js';
import type { EncodableResponse } from '../../protocol/message-types.js';
import type { Handler, RequestContext } from './context.js';

/** A decoded request waiting for its answer. */
export interface PendingRequest {
  /** the request as decoded, typed by `spec` (for the test hooks of src/testing, which name the spec) */
  readonly body: unknown;
  /** runs the handler and encodes its response (null: none expected) */
  run(ctx: RequestContext, correlationId: number): Promise<Buffer[] | null>;
  /** encodes a response given in place of the handler's (a fault injected by a test), typed by `spec` */
  encode(response: unknown, correlationId: number): Buffer[];
}

export interface ServedApi {
  readonly spec: ApiSpec;
  /**
   * Decodes a request body in `version` (throws ProtocolError when it is malformed). The answer is encoded in
   * the same version.
   */
  decode(version: number, body: Reader): PendingRequest;
}

export function serve<S extends ApiSpec>(spec: S, handler: Handler<S>): ServedApi {
  return {
    spec,
    decode(version, body) {
      const request = decodeRequestBody(spec, version, body);
      return {
        body: request,
        async run(ctx, correlationId) {
          const response = await handler(ctx, request);
          return response === null ? null : encodeResponse(spec, version, correlationId, response);
        },
        encode: (response, correlationId) =>
          encodeResponse(spec, version, correlationId, response as EncodableResponse<S>),
      };
    },
  };
}
