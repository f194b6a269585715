// The client side of SCRAM (RFC 5802) for SCRAM-SHA-256 (RFC 7677) and SCRAM-SHA-512, as Kafka uses it:
// no channel binding ("n,,"), and the server's final message checked so that a server that does not know
// the password is detected. Pure computation: the exchange itself is in sasl.ts.
//
// Not done: SASLprep normalisation of the password (Kafka does not apply it either; ASCII passwords are
// unaffected).

import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { AuthenticationError } from './errors.js';

export type ScramAlgorithm = 'sha256' | 'sha512';

const KEY_LENGTH: Record<ScramAlgorithm, number> = { sha256: 32, sha512: 64 };

/** RFC 5802 5.1: "=" and "," in a user name are escaped as =3D and =2C. */
export function escapeSaslName(name: string): string {
  return name.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

function parseAttributes(message: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of message.split(',')) {
    const eq = part.indexOf('=');
    if (eq !== 1) continue;
    out.set(part[0], part.slice(2));
  }
  return out;
}

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.allocUnsafe(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] ^ b[i];
  return out;
}

export class ScramClient {
  private readonly clientFirstBare: string;
  private serverSignature: Buffer | null = null;

  constructor(
    private readonly algorithm: ScramAlgorithm,
    username: string,
    private readonly password: string,
    private readonly nonce: string = randomBytes(24).toString('base64'),
  ) {
    this.clientFirstBare = `n=${escapeSaslName(username)},r=${nonce}`;
  }

  /** client-first-message */
  first(): string {
    return `n,,${this.clientFirstBare}`;
  }

  /** client-final-message for the server-first-message; remembers the signature the server must send back. */
  final(serverFirst: string): string {
    const attrs = parseAttributes(serverFirst);
    if (attrs.has('e')) throw new AuthenticationError(`SCRAM authentication failed: ${attrs.get('e')}`);
    const serverNonce = attrs.get('r');
    const salt = attrs.get('s');
    const iterations = Number(attrs.get('i'));
    if (!serverNonce || salt === undefined || !Number.isInteger(iterations) || iterations < 1) {
      throw new AuthenticationError(`SCRAM: malformed server-first-message "${serverFirst}"`);
    }
    if (!serverNonce.startsWith(this.nonce))
      throw new AuthenticationError('SCRAM: the server nonce does not extend the client nonce');
    const saltedPassword = pbkdf2Sync(
      this.password,
      Buffer.from(salt, 'base64'),
      iterations,
      KEY_LENGTH[this.algorithm],
      this.algorithm,
    );
    const clientKey = this.hmac(saltedPassword, 'Client Key');
    const storedKey = createHash(this.algorithm).update(clientKey).digest();
    const withoutProof = `c=biws,r=${serverNonce}`;
    const authMessage = `${this.clientFirstBare},${serverFirst},${withoutProof}`;
    const clientSignature = this.hmac(storedKey, authMessage);
    const proof = xor(clientKey, clientSignature);
    this.serverSignature = this.hmac(this.hmac(saltedPassword, 'Server Key'), authMessage);
    return `${withoutProof},p=${proof.toString('base64')}`;
  }

  /** Checks the server-final-message; throws when the server could not prove it knows the password. */
  verify(serverFinal: string): void {
    const attrs = parseAttributes(serverFinal);
    if (attrs.has('e')) throw new AuthenticationError(`SCRAM authentication failed: ${attrs.get('e')}`);
    const v = attrs.get('v');
    if (!this.serverSignature || v === undefined)
      throw new AuthenticationError(`SCRAM: malformed server-final-message "${serverFinal}"`);
    const got = Buffer.from(v, 'base64');
    if (got.length !== this.serverSignature.length || !timingSafeEqual(got, this.serverSignature)) {
      throw new AuthenticationError('SCRAM: the server signature does not match (is this the right cluster?)');
    }
  }

  private hmac(key: Buffer, data: string): Buffer {
    return createHmac(this.algorithm, key).update(data).digest();
  }
}
