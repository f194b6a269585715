// SaslHandshake (key 17) and SaslAuthenticate (key 36), from Kafka's SaslHandshakeRequest.json /
// SaslHandshakeResponse.json and SaslAuthenticateRequest.json / SaslAuthenticateResponse.json, in the same data
// form as ../../protocol/messages. They live here and not in that registry: the registry is what the embedded
// broker serves and advertises, and it has no SASL listener. The ranges are what this client speaks.
//
// Handshake v0: after it, the SASL tokens travel as bare size-prefixed frames (no Kafka header); v1: they
// travel inside SaslAuthenticate requests. SaslAuthenticate v1 adds SessionLifetimeMs; v2 (flexible) is not
// needed and not spoken.

import { defineApi } from '../../protocol/schema.js';

export const SASL_HANDSHAKE = defineApi({
  apiKey: 17,
  name: 'SaslHandshake',
  minVersion: 0,
  maxVersion: 1,
  flexibleVersions: 'none',
  request: [{ name: 'mechanism', type: 'string', versions: '0+' }],
  response: [
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'mechanisms', type: '[]string', versions: '0+' },
  ],
});

export const SASL_AUTHENTICATE = defineApi({
  apiKey: 36,
  name: 'SaslAuthenticate',
  minVersion: 0,
  maxVersion: 1,
  flexibleVersions: '2+',
  request: [{ name: 'authBytes', type: 'bytes', versions: '0+' }],
  response: [
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'authBytes', type: 'bytes', versions: '0+' },
    { name: 'sessionLifetimeMs', type: 'int64', versions: '1+', default: 0 },
  ],
});
