// TLS for tests: a self-signed certificate for 127.0.0.1 made with openssl, and a TLS-terminating proxy that
// forwards to a plain TCP port of ours (the embedded broker and registry speak no TLS themselves).

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { tempDir } from './broker.js';

export const hasOpenssl = spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0;
if (!hasOpenssl) console.warn('SKIPPED: openssl is not installed: the TLS tests need it to make a certificate');

/** A fresh self-signed certificate for 127.0.0.1: `cert` doubles as the CA file. */
export function selfSignedCert(): { dir: string; cert: string; key: string } {
  const dir = tempDir('evt-tls-');
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  const made = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'pipe' },
  );
  if (made.status !== 0) throw new Error(`openssl failed: ${made.stderr.toString()}`);
  return { dir, cert, key };
}

export interface TlsProxy {
  port: number;
  /** the CN of every client certificate presented (mutual TLS) */
  clientCerts: string[];
  close(): Promise<void>;
}

/** A TLS server on a free port piping each connection to 127.0.0.1:`targetPort()`. */
export async function startTlsProxy(files: { cert: string; key: string }, targetPort: () => number): Promise<TlsProxy> {
  const sockets = new Set<net.Socket>();
  const clientCerts: string[] = [];
  const server = tls.createServer(
    {
      key: fs.readFileSync(files.key),
      cert: fs.readFileSync(files.cert),
      requestCert: true,
      rejectUnauthorized: false,
    },
    (client) => {
      const peer = client.getPeerCertificate();
      if (peer && peer.subject) clientCerts.push(String(peer.subject.CN));
      const upstream = net.connect(targetPort(), '127.0.0.1');
      sockets.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
      const close = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', close).on('close', close);
      upstream.on('error', close).on('close', close);
    },
  );
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    clientCerts,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
