// An https schema registry: evt trusts it with the connection's CA (EVT_TLS_CA or a profile's "tls"), and
// refuses one it cannot verify with exit code 3. A TLS-terminating proxy stands in front of the embedded
// registry, which speaks plain HTTP.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker/broker.js';
import { startTestBroker, tempDir } from '../helpers/broker.js';
import { evt } from '../produce-tail/helpers.js';
import { ORDER_V1 } from './fixtures.js';

const hasOpenssl = spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0;
if (!hasOpenssl) console.warn('SKIPPED: openssl is not installed: the registry TLS tests need it to make a certificate');

let broker: RunningBroker;
let proxy: tls.Server;
let httpsUrl: string;
let caFile: string;
const sockets = new Set<net.Socket>();

beforeAll(async () => {
  if (!hasOpenssl) return;
  const certs = tempDir('evt-registry-tls-');
  caFile = path.join(certs, 'cert.pem');
  const made = spawnSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', path.join(certs, 'key.pem'), '-out', caFile,
  ], { stdio: 'pipe' });
  if (made.status !== 0) throw new Error(`openssl failed: ${made.stderr}`);
  broker = await startTestBroker({ inMemory: true, registryPort: 0 });
  const registryPort = Number(new URL(broker.registryUrl!).port);
  proxy = tls.createServer({ key: fs.readFileSync(path.join(certs, 'key.pem')), cert: fs.readFileSync(caFile) }, (client) => {
    const upstream = net.connect(registryPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  proxy.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  httpsUrl = `https://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;
  const res = await fetch(`${broker.registryUrl}/subjects/orders-value/versions`, {
    method: 'POST',
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify({ schema: JSON.stringify(ORDER_V1) }),
  });
  expect(res.status).toBe(200);
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  if (proxy) await new Promise((resolve) => proxy.close(resolve));
  await broker?.close();
});

describe.skipIf(!hasOpenssl)('an https registry', () => {
  it('is trusted with the CA from EVT_TLS_CA', async () => {
    const r = await evt(['--registry', httpsUrl, '--json', 'schema', 'list'], { env: { EVT_TLS_CA: caFile } });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.stringify(JSON.parse(r.stdout))).toContain('orders-value');
  });

  it('is refused without that CA: exit 3 with the TLS reason', async () => {
    const r = await evt(['--registry', httpsUrl, 'schema', 'list']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(new RegExp(`^evt: schema registry ${httpsUrl} \\(from --registry\\) is unreachable: (SELF_SIGNED|DEPTH_ZERO_SELF_SIGNED)`));
  });
});
