// What a request handler sees: the broker's state and the request's own details.

import type { Struct } from '../../protocol/schema.js';
import type { BrokerState } from '../state.js';

export interface RequestContext {
  broker: BrokerState;
  apiVersion: number;
  clientId: string;
  clientHost: string;
  /** registers a callback for when the client's connection closes (long polls stop waiting then); returns its remover */
  onConnectionClose: (listener: () => void) => () => void;
}

/** Returns the response body, or null when the request expects no response (Produce with acks=0). */
export type Handler = (ctx: RequestContext, request: Struct) => Struct | null | Promise<Struct | null>;
