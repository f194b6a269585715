// SASL authentication of a fresh connection: SaslHandshake names the mechanism, then the mechanism's tokens
// go back and forth, inside SaslAuthenticate requests (handshake v1) or as bare frames (handshake v0).
// PLAIN sends the credentials in one token; SCRAM-SHA-256/512 runs the challenge/response of scram.ts.

import type { SaslSettings } from '../settings.js';
import type { Connection } from './connection.js';
import { AuthenticationError } from './errors.js';
import { SASL_AUTHENTICATE, SASL_HANDSHAKE } from './sasl-messages.js';
import { ScramClient } from './scram.js';

const MECHANISM_NAMES = { plain: 'PLAIN', 'scram-sha-256': 'SCRAM-SHA-256', 'scram-sha-512': 'SCRAM-SHA-512' } as const;

export async function authenticate(conn: Connection, sasl: SaslSettings, timeLeft: () => number): Promise<void> {
  const mechanism = MECHANISM_NAMES[sasl.mechanism];
  if (!mechanism)
    throw new AuthenticationError(
      `unknown SASL mechanism ${String(sasl.mechanism)} (use plain, scram-sha-256 or scram-sha-512)`,
    );
  if (!conn.supports(SASL_HANDSHAKE)) {
    throw new AuthenticationError(
      `broker ${conn.name} does not offer SASL on this listener`,
      'the broker does not offer SASL on this listener',
    );
  }
  const handshakeVersion = conn.versionFor(SASL_HANDSHAKE);
  const hs = await conn.request(SASL_HANDSHAKE, { mechanism }, { timeoutMs: timeLeft() });
  if (hs.errorCode !== 0) {
    const offered = hs.mechanisms.join(', ') || 'none';
    throw new AuthenticationError(
      `broker ${conn.name} does not accept SASL ${mechanism} (it offers: ${offered})`,
      `the broker does not accept ${mechanism} (it offers: ${offered})`,
    );
  }
  const exchange = async (token: Buffer): Promise<Buffer> => {
    if (handshakeVersion === 0) return conn.rawExchange(token, timeLeft());
    const r = await conn.request(SASL_AUTHENTICATE, { authBytes: token }, { timeoutMs: timeLeft() });
    if (r.errorCode !== 0) {
      const reason = r.errorMessage || `error ${r.errorCode}`;
      throw new AuthenticationError(
        `SASL ${mechanism} authentication as ${sasl.username} failed${r.errorMessage ? `: ${r.errorMessage}` : ` (error ${r.errorCode})`}`,
        reason,
      );
    }
    return r.authBytes;
  };
  if (sasl.mechanism === 'plain') {
    await exchange(Buffer.from(`\u0000${sasl.username}\u0000${sasl.password}`, 'utf8'));
    return;
  }
  const scram = new ScramClient(sasl.mechanism === 'scram-sha-256' ? 'sha256' : 'sha512', sasl.username, sasl.password);
  const serverFirst = (await exchange(Buffer.from(scram.first(), 'utf8'))).toString('utf8');
  const serverFinal = (await exchange(Buffer.from(scram.final(serverFirst), 'utf8'))).toString('utf8');
  scram.verify(serverFinal);
}
