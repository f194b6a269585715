// TLS settings reach the client: a TLS-terminating proxy in front of the in-process broker (which speaks
// plain TCP) accepts evt with the right CA, rejects it without, and sees the client certificate of mutual TLS.
// (SASL is checked against a fake SASL broker in test/client/wire/connection.test.ts.)

import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker/broker.js';
import { startTestBroker } from '../helpers/broker.js';
import { hasOpenssl, selfSignedCert, startTlsProxy, type TlsProxy } from '../helpers/tls.js';
import { evt, json, sandbox } from '../helpers/admin.js';

let broker: RunningBroker;
let proxy: TlsProxy;
let proxyPort: number;
let certs: string;
let clientCerts: string[] = [];

beforeAll(async () => {
  if (!hasOpenssl) return;
  const files = selfSignedCert();
  certs = files.dir;
  proxy = await startTlsProxy(files, () => broker.port);
  proxyPort = proxy.port;
  clientCerts = proxy.clientCerts;
  // the broker tells clients to come back through the proxy
  broker = await startTestBroker({ inMemory: true, advertisedPort: proxyPort });
});
afterAll(async () => {
  await proxy?.close();
  await broker?.close();
});

describe.skipIf(!hasOpenssl)('TLS end to end', () => {
  it('connects with the CA of a profile, and with EVT_TLS_CA', async () => {
    const sb = sandbox();
    const set = await evt(
      ['config', 'set', 'secure', '--brokers', `127.0.0.1:${proxyPort}`, '--tls-ca', path.join(certs, 'cert.pem')],
      { sb },
    );
    expect(set.code).toBe(0);
    const r = await evt(['status', '--json'], { sb });
    expect(r.code, r.stderr).toBe(0);
    expect(json(r).brokers).toEqual([{ nodeId: 1, host: '127.0.0.1', port: proxyPort, controller: true }]);

    const viaEnv = await evt(['--brokers', `127.0.0.1:${proxyPort}`, 'topics', 'list', '--json'], {
      sb: sandbox(),
      env: { EVT_TLS_CA: path.join(certs, 'cert.pem') },
    });
    expect(viaEnv.code, viaEnv.stderr).toBe(0);
  });

  it('refuses a certificate it cannot verify: exit 3 with the TLS reason; --tls-insecure accepts it', async () => {
    const sb = sandbox();
    await evt(['config', 'set', 'strict', '--brokers', `127.0.0.1:${proxyPort}`, '--tls'], { sb });
    const r = await evt(['--timeout', '2s', 'status'], { sb });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(
      /^evt: cannot reach the cluster at 127\.0\.0\.1:\d+ \(from profile strict\): TLS handshake failed: .*self[- ]signed.*\n$/,
    );

    await evt(['config', 'set', 'strict', '--tls-insecure'], { sb });
    expect((await evt(['status'], { sb })).code).toBe(0);
  });

  it('presents the client certificate for mutual TLS', async () => {
    const sb = sandbox();
    clientCerts.length = 0;
    await evt(
      [
        'config',
        'set',
        'mtls',
        '--brokers',
        `127.0.0.1:${proxyPort}`,
        '--tls-ca',
        path.join(certs, 'cert.pem'),
        '--tls-cert',
        path.join(certs, 'cert.pem'),
        '--tls-key',
        path.join(certs, 'key.pem'),
      ],
      { sb },
    );
    const r = await evt(['status'], { sb });
    expect(r.code, r.stderr).toBe(0);
    expect(clientCerts).toContain('127.0.0.1');
  });

  it('a TLS file that does not exist is a usage error', async () => {
    const sb = sandbox();
    const r = await evt(['--brokers', `127.0.0.1:${proxyPort}`, 'status'], {
      sb,
      env: { EVT_TLS_CA: '/nonexistent/ca.pem' },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('evt: cannot read the TLS CA file /nonexistent/ca.pem: no such file\n');
  });
});
