// What a request handler sees: the broker's state and the request's own details; and what a handler is.

import type { DecodedRequest, EncodableResponse } from '../../protocol/message-types.js';
import type { ApiSpec } from '../../protocol/schema.js';
import type { BrokerState } from '../state.js';

export interface RequestContext {
  broker: BrokerState;
  apiVersion: number;
  clientId: string;
  clientHost: string;
  /** registers a callback for when the client's connection closes (long polls stop waiting then); returns its remover */
  onConnectionClose: (listener: () => void) => () => void;
}

/** The response body, or null when the request expects no response (Produce with acks=0). */
export type HandlerAnswer<S extends ApiSpec> = EncodableResponse<S> | null;

/** Serves one API: takes its decoded request, returns its response, both typed by the API's description. */
export type Handler<S extends ApiSpec> = (
  ctx: RequestContext,
  request: DecodedRequest<S>,
) => HandlerAnswer<S> | Promise<HandlerAnswer<S>>;
