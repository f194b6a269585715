// ApiVersions: the ranges come from the same registry that drives the codec, so they cannot drift apart.

import { ErrorCode } from '../../protocol/error-codes.js';
import { API_SPECS, API_VERSIONS } from '../../protocol/messages/index.js';
import type { Handler } from './context.js';

const apiKeys = API_SPECS.map((s) => ({ apiKey: s.apiKey, minVersion: s.minVersion, maxVersion: s.maxVersion }));

/** A request in a version we do not serve gets UNSUPPORTED_VERSION and our ranges (in the v0 layout: see the server). */
export const apiVersions: Handler<typeof API_VERSIONS> = (ctx) => {
  const served = ctx.apiVersion >= API_VERSIONS.minVersion && ctx.apiVersion <= API_VERSIONS.maxVersion;
  return { errorCode: served ? ErrorCode.NONE : ErrorCode.UNSUPPORTED_VERSION, apiKeys, throttleTimeMs: 0 };
};
