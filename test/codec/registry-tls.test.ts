// An https schema registry: evt trusts it with the connection's CA (EVT_TLS_CA or a profile's "tls"), and
// refuses one it cannot verify with exit code 3. A TLS-terminating proxy stands in front of the embedded
// registry, which speaks plain HTTP.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker/broker.js';
import { startTestBroker } from '../helpers/broker.js';
import { hasOpenssl, selfSignedCert, startTlsProxy, type TlsProxy } from '../helpers/tls.js';
import { evt } from '../helpers/produce-tail.js';
import { ORDER_V1 } from '../helpers/schemas.js';

let broker: RunningBroker;
let proxy: TlsProxy;
let httpsUrl: string;
let caFile: string;

beforeAll(async () => {
  if (!hasOpenssl) return;
  const files = selfSignedCert();
  caFile = files.cert;
  broker = await startTestBroker({ inMemory: true, registryPort: 0 });
  proxy = await startTlsProxy(files, () => Number(new URL(broker.registryUrl!).port));
  httpsUrl = `https://127.0.0.1:${proxy.port}`;
  const res = await fetch(`${broker.registryUrl}/subjects/orders-value/versions`, {
    method: 'POST',
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify({ schema: JSON.stringify(ORDER_V1) }),
  });
  expect(res.status).toBe(200);
});
afterAll(async () => {
  await proxy?.close();
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
    expect(r.stderr).toMatch(
      new RegExp(
        `^evt: schema registry ${httpsUrl} \\(from --registry\\) is unreachable: (SELF_SIGNED|DEPTH_ZERO_SELF_SIGNED)`,
      ),
    );
  });
});
