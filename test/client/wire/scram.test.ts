// The SCRAM client computation against RFC 7677's SCRAM-SHA-256 example (user "user", password "pencil"),
// and SCRAM-SHA-512 against a server computed here from RFC 5802's definitions.

import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AuthenticationError } from '../../../src/client/wire/errors.js';
import { ScramClient, escapeSaslName } from '../../../src/client/wire/scram.js';

describe('SCRAM-SHA-256 (RFC 7677 section 3)', () => {
  const serverFirst = 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096';

  it('produces the example client-first and client-final messages and accepts the server signature', () => {
    const c = new ScramClient('sha256', 'user', 'pencil', 'rOprNGfwEbeRWgbNEkqO');
    expect(c.first()).toBe('n,,n=user,r=rOprNGfwEbeRWgbNEkqO');
    expect(c.final(serverFirst)).toBe(
      'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
    );
    expect(() => c.verify('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=')).not.toThrow();
  });

  it('rejects a server that cannot prove it knows the password, a foreign nonce, and server errors', () => {
    const c = new ScramClient('sha256', 'user', 'pencil', 'rOprNGfwEbeRWgbNEkqO');
    c.final(serverFirst);
    expect(() => c.verify('v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=')).toThrow(AuthenticationError);
    expect(() => new ScramClient('sha256', 'user', 'pencil', 'abc').final('r=xyz,s=AAAA,i=4096')).toThrow(/nonce/);
    expect(() => new ScramClient('sha256', 'user', 'pencil', 'abc').final('e=invalid-proof')).toThrow(/invalid-proof/);
  });
});

describe('SCRAM-SHA-512', () => {
  it('computes the proof and server signature of RFC 5802 with SHA-512', () => {
    const c = new ScramClient('sha512', 'alice,=x', 's3cret', 'clientnonce');
    expect(c.first()).toBe(`n,,n=${escapeSaslName('alice,=x')},r=clientnonce`);
    expect(c.first()).toBe('n,,n=alice=2C=3Dx,r=clientnonce');
    const salt = Buffer.from('saltsaltsalt');
    const serverFirst = `r=clientnonceSERVER,s=${salt.toString('base64')},i=4096`;
    const final = c.final(serverFirst);
    // the server side, from the definitions
    const salted = pbkdf2Sync('s3cret', salt, 4096, 64, 'sha512');
    const hmac = (k: Buffer, d: string) => createHmac('sha512', k).update(d).digest();
    const clientKey = hmac(salted, 'Client Key');
    const storedKey = createHash('sha512').update(clientKey).digest();
    const authMessage = `n=alice=2C=3Dx,r=clientnonce,${serverFirst},c=biws,r=clientnonceSERVER`;
    const proof = Buffer.from(final.split(',p=')[1], 'base64');
    const signature = hmac(storedKey, authMessage);
    const recovered = Buffer.from(proof.map((b, i) => b ^ signature[i]));
    expect(createHash('sha512').update(recovered).digest().equals(storedKey)).toBe(true);
    const serverSignature = hmac(hmac(salted, 'Server Key'), authMessage).toString('base64');
    expect(() => c.verify(`v=${serverSignature}`)).not.toThrow();
  });
});
