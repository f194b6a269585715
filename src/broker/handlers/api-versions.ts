// ApiVersions: the ranges come from the same registry that drives the codec, so they cannot drift apart.

import { API_SPECS } from '../../protocol/messages/index.js';
import type { Handler } from './context.js';

const apiKeys = API_SPECS.map((s) => ({ apiKey: s.apiKey, minVersion: s.minVersion, maxVersion: s.maxVersion }));

export const apiVersions: Handler = () => ({ errorCode: 0, apiKeys, throttleTimeMs: 0 });
