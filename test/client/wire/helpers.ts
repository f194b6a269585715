// Shared bits of the wire client tests: connection settings for an in-process broker.

import type { ConnectionSettings } from '../../../src/client/settings.js';

export function settingsFor(bootstrap: string | string[], extra: Partial<ConnectionSettings> = {}): ConnectionSettings {
  return {
    brokers: Array.isArray(bootstrap) ? bootstrap : [bootstrap],
    clientId: 'evt-wire-test',
    timeoutMs: 5000,
    source: 'test',
    ...extra,
  };
}
