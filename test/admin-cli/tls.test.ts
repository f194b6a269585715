// TLS settings reach the client: a TLS-terminating proxy in front of the in-process broker (which speaks
// plain TCP) accepts evt with the right CA, rejects it without, and sees the client certificate of mutual TLS.
// SASL and the rest of the mapping are checked on the kafkajs configuration.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker/broker.js';
import { kafkaConfig } from '../../src/client/connect.js';
import { startTestBroker, tempDir } from '../helpers/broker.js';
import { evt, json, sandbox } from './helpers.js';

const hasOpenssl = spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0;
if (!hasOpenssl) console.warn('SKIPPED: openssl is not installed: the TLS tests need it to make a certificate');

let broker: RunningBroker;
let proxy: tls.Server;
let proxyPort: number;
let certs: string;
const clientCerts: string[] = [];
const sockets = new Set<net.Socket>();

beforeAll(async () => {
  if (!hasOpenssl) return;
  certs = tempDir('evt-tls-');
  const made = spawnSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1',
    '-keyout', path.join(certs, 'key.pem'), '-out', path.join(certs, 'cert.pem'),
  ], { stdio: 'pipe' });
  if (made.status !== 0) throw new Error(`openssl failed: ${made.stderr}`);
  proxy = tls.createServer(
    { key: fs.readFileSync(path.join(certs, 'key.pem')), cert: fs.readFileSync(path.join(certs, 'cert.pem')), requestCert: true, rejectUnauthorized: false },
    (client) => {
      const peer = client.getPeerCertificate();
      if (peer && peer.subject) clientCerts.push(String(peer.subject.CN));
      const upstream = net.connect(broker.port, '127.0.0.1');
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
  proxy.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyPort = (proxy.address() as net.AddressInfo).port;
  // the broker tells clients to come back through the proxy
  broker = await startTestBroker({ inMemory: true, advertisedPort: proxyPort });
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  if (proxy) await new Promise((resolve) => proxy.close(resolve));
  await broker?.close();
});

describe.skipIf(!hasOpenssl)('TLS end to end', () => {
  it('connects with the CA of a profile, and with EVT_TLS_CA', async () => {
    const sb = sandbox();
    const set = await evt(['config', 'set', 'secure', '--brokers', `127.0.0.1:${proxyPort}`, '--tls-ca', path.join(certs, 'cert.pem')], { sb });
    expect(set.code).toBe(0);
    const r = await evt(['status', '--json'], { sb });
    expect(r.code, r.stderr).toBe(0);
    expect(json(r).brokers).toEqual([{ nodeId: 1, host: '127.0.0.1', port: proxyPort, controller: true }]);

    const viaEnv = await evt(['--brokers', `127.0.0.1:${proxyPort}`, 'topics', 'list', '--json'], { sb: sandbox(), env: { EVT_TLS_CA: path.join(certs, 'cert.pem') } });
    expect(viaEnv.code, viaEnv.stderr).toBe(0);
  });

  it('refuses a certificate it cannot verify: exit 3 with the TLS reason; --tls-insecure accepts it', async () => {
    const sb = sandbox();
    await evt(['config', 'set', 'strict', '--brokers', `127.0.0.1:${proxyPort}`, '--tls'], { sb });
    const r = await evt(['--timeout', '2s', 'status'], { sb });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^evt: cannot reach the cluster at 127\.0\.0\.1:\d+ \(from profile strict\) within 2s: TLS failed: .*self[- ]signed.*\n$/);

    await evt(['config', 'set', 'strict', '--tls-insecure'], { sb });
    expect((await evt(['status'], { sb })).code).toBe(0);
  });

  it('presents the client certificate for mutual TLS', async () => {
    const sb = sandbox();
    clientCerts.length = 0;
    await evt(
      ['config', 'set', 'mtls', '--brokers', `127.0.0.1:${proxyPort}`, '--tls-ca', path.join(certs, 'cert.pem'), '--tls-cert', path.join(certs, 'cert.pem'), '--tls-key', path.join(certs, 'key.pem')],
      { sb },
    );
    const r = await evt(['status'], { sb });
    expect(r.code, r.stderr).toBe(0);
    expect(clientCerts).toContain('127.0.0.1');
  });

  it('a TLS file that does not exist is a usage error', async () => {
    const sb = sandbox();
    const r = await evt(['--brokers', `127.0.0.1:${proxyPort}`, 'status'], { sb, env: { EVT_TLS_CA: '/nonexistent/ca.pem' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('evt: cannot read the TLS CA file /nonexistent/ca.pem: no such file\n');
  });
});

describe('kafkajs configuration', () => {
  it('maps SASL mechanisms and credentials, and bounds every time limit by the timeout', () => {
    for (const mechanism of ['plain', 'scram-sha-256', 'scram-sha-512'] as const) {
      const c = kafkaConfig({ brokers: ['k:9093'], clientId: 'evt', timeoutMs: 3000, source: 'x', sasl: { mechanism, username: 'u', password: 'p' }, tls: true });
      expect(c.sasl).toEqual({ mechanism, username: 'u', password: 'p' });
      expect(c.ssl).toBe(true);
      expect(c.connectionTimeout).toBeLessThanOrEqual(3000);
      expect(c.requestTimeout).toBeLessThanOrEqual(3000);
      expect(c.authenticationTimeout).toBeLessThanOrEqual(3000);
    }
    const plain = kafkaConfig({ brokers: ['k:9092'], clientId: 'evt', timeoutMs: 10_000, source: 'x' });
    expect(plain.sasl).toBeUndefined();
    expect(plain.ssl).toBeUndefined();
  });
});
