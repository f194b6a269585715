// Connections: a cluster whose every address refuses fails after a short retry, one that stays silent within
// the timeout, each naming the brokers; a broker that starts listening during the retry is reached;
// versions are negotiated (and refused clearly without overlap), requests are pipelined, TLS through a
// proxy with a self-signed certificate (made with openssl), and SASL PLAIN / SCRAM-SHA-256 against a fake
// SASL broker (the embedded broker has no SASL listener).
import { spawnSync } from 'node:child_process';
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../../src/broker/broker.js';
import { Cluster } from '../../../src/client/wire/cluster.js';
import { Connection } from '../../../src/client/wire/connection.js';
import { AuthenticationError, UnreachableError, UnsupportedVersionError } from '../../../src/client/wire/errors.js';
import { WireProducer } from '../../../src/client/wire/producer.js';
import { PartitionReader } from '../../../src/client/wire/reader.js';
import { SASL_AUTHENTICATE, SASL_HANDSHAKE } from '../../../src/client/wire/sasl-messages.js';
import { decodeRequestBody, encodeResponse, readRequestHeader } from '../../../src/protocol/frames.js';
import { API_VERSIONS, FETCH, FIND_COORDINATOR, LIST_OFFSETS, METADATA } from '../../../src/protocol/messages/index.js';
import type { ApiSpec } from '../../../src/protocol/schema.js';
import { startTestBroker, tempDir } from '../../helpers/broker.js';
import { frames } from '../../helpers/proxy.js';
import { settingsFor } from './helpers.js';
import { unusedPort, unusedPorts } from '../../helpers/ports.js';

let broker: RunningBroker;
beforeAll(async () => {
  broker = await startTestBroker({ inMemory: true });
});
afterAll(async () => {
  await broker?.close();
});

describe('reaching the cluster', () => {
  it('every address refusing: gives up after the refusal window, not the timeout, naming each address', async () => {
    const [a, b] = await unusedPorts(2);
    // a minute of timeout: only the refusal window can end this attempt before the test's own limit
    const err = await Cluster.connect(
      settingsFor([`127.0.0.1:${a}`, `127.0.0.1:${b}`], { timeoutMs: 60_000, refusedRetryMs: 400 }),
    ).catch((e: Error) => e);
    expect(err).toBeInstanceOf(UnreachableError);
    expect((err as Error).message).toBe(
      `cannot connect to 127.0.0.1:${a},127.0.0.1:${b}: connection refused (tried for 400ms)`,
    );
    // retried with backoff (100, 200, then what is left of the window) before giving up
    expect((err as UnreachableError).refused?.attempts).toBeGreaterThanOrEqual(3);
  });

  it('the refusal window is the default one and at most the timeout', async () => {
    const port = await unusedPort();
    const byDefault = await Cluster.connect(settingsFor(`127.0.0.1:${port}`, { timeoutMs: 60_000 })).catch(
      (e: Error) => e,
    );
    expect((byDefault as Error).message).toBe(`cannot connect to 127.0.0.1:${port}: connection refused (tried for 2s)`);
    const shorter = await Cluster.connect(settingsFor(`127.0.0.1:${port}`, { timeoutMs: 500 })).catch((e: Error) => e);
    expect((shorter as Error).message).toBe(
      `cannot connect to 127.0.0.1:${port}: connection refused (tried for 500ms)`,
    );
  });

  it('a broker that starts listening within the refusal window is reached', async () => {
    const port = await unusedPort();
    let late: RunningBroker | undefined;
    let starting: Promise<RunningBroker> | undefined;
    try {
      // the broker starts once the first attempt was refused; the window is long enough for it to listen
      const cluster = await Cluster.connect(
        settingsFor(`127.0.0.1:${port}`, { timeoutMs: 60_000, refusedRetryMs: 60_000 }),
        {
          log: (line) => {
            if (line.includes('connection refused')) starting ??= startTestBroker({ inMemory: true, port });
          },
        },
      );
      late = await starting;
      expect(starting).toBeDefined();
      expect([...cluster.brokers.values()]).toEqual([{ host: '127.0.0.1', port }]);
      cluster.close();
    } finally {
      await (late ?? (await starting?.catch(() => undefined)))?.close();
    }
  });

  it('a refusal beside an address that stays silent keeps the whole timeout', async () => {
    const silent = net.createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as net.AddressInfo).port;
    // taken while the silent server listens, so it cannot be the same port
    const refused = await unusedPort();
    try {
      const err = await Cluster.connect(
        settingsFor([`127.0.0.1:${refused}`, `127.0.0.1:${port}`], { timeoutMs: 1500, refusedRetryMs: 100 }),
      ).catch((e: Error) => e);
      expect(err).toBeInstanceOf(UnreachableError);
      expect((err as UnreachableError).refused).toBeUndefined();
      expect((err as Error).message).toMatch(
        new RegExp(
          `^cannot reach the Kafka cluster at 127\\.0\\.0\\.1:${refused},127\\.0\\.0\\.1:${port} within 1\\.5s: `,
        ),
      );
    } finally {
      silent.close();
    }
  });

  it('a server that accepts and never answers fails within the timeout', async () => {
    const silent = net.createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as net.AddressInfo).port;
    const err = await Cluster.connect(settingsFor(`127.0.0.1:${port}`, { timeoutMs: 1000 })).catch((e: Error) => e);
    expect(err).toBeInstanceOf(UnreachableError);
    expect((err as Error).message).toMatch(/within 1s: no answer to ApiVersions/);
    silent.close();
  });

  it('an unknown host fails as unreachable', async () => {
    // the lookup fails at once with a resolver to ask; with one that never answers (CI without network)
    // getaddrinfo gives up after the resolver's timeouts and attempts (5 or 20 s seen here): the limit stays
    // well above that, so that the lookup's own answer is the one seen
    const err = await Cluster.connect(settingsFor('no-such-host.invalid:9092', { timeoutMs: 60_000 })).catch(
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(UnreachableError);
    expect((err as Error).message).toMatch(/no-such-host\.invalid:9092.*host not found/);
  }, 90_000);
});

describe('Connection', () => {
  it('negotiates the highest common version per API, and refuses clearly when there is none', async () => {
    const conn = await Connection.open(
      { host: '127.0.0.1', port: broker.port },
      { clientId: 't', connectTimeoutMs: 2000, requestTimeoutMs: 2000 },
    );
    try {
      // the broker serves Fetch v13 (topics by id) to other clients; evt's client names topics: v12 at most
      expect(conn.versionFor(FETCH)).toBe(12);
      expect(conn.versionFor(METADATA)).toBe(12);
      // FindCoordinator v4 batches keys; evt's client asks for one key at a time (v3)
      expect(conn.versionFor(FIND_COORDINATOR)).toBe(3);
      // ListOffsets v4+ adds leader epochs evt has no use for (and librdkafka's mock cluster answers them wrongly)
      expect(conn.versionFor(LIST_OFFSETS)).toBe(3);
      const future: ApiSpec = { ...FETCH, minVersion: 20, maxVersion: 22, clientMaxVersion: undefined };
      expect(() => conn.versionFor(future)).toThrow(UnsupportedVersionError);
      expect(() => conn.versionFor(future)).toThrow(/speaks Fetch v0-13, evt speaks v20-22/);
      expect(() => conn.versionFor(SASL_HANDSHAKE)).toThrow(/does not support SaslHandshake/);
      // the broker serves Fetch from v0 to old clients; evt's client reads record batches v2 only (Fetch v4 on)
      const upToV3: ApiSpec = { ...FETCH, maxVersion: 3 };
      expect(() => conn.versionFor(upToV3)).toThrow(/speaks Fetch v0-13, evt speaks v4-3/);
    } finally {
      conn.close();
    }
  });

  it('pipelines many requests on one connection and matches each answer to its request', async () => {
    const conn = await Connection.open(
      { host: '127.0.0.1', port: broker.port },
      { clientId: 't', connectTimeoutMs: 2000, requestTimeoutMs: 2000 },
    );
    try {
      const names = Array.from({ length: 100 }, (_, i) => `pipe-${i}`);
      const answers = await Promise.all(
        names.map((n) => conn.request(METADATA, { topics: [{ name: n }], allowAutoTopicCreation: true })),
      );
      expect(answers.map((a) => a.topics[0].name)).toEqual(names);
    } finally {
      conn.close();
    }
  });
});

describe('ApiVersions from brokers that are not quite Kafka', () => {
  /**
   * A broker that answers ApiVersions as `answer` says for each version asked (a body, after the header), and
   * closes on anything else; it records the versions asked.
   */
  async function oddBroker(
    answer: (version: number) => Buffer,
  ): Promise<{ port: number; asked: number[]; close: () => void }> {
    const asked: number[] = [];
    const server = net.createServer((socket) => {
      socket.on('error', () => {});
      socket.on(
        'data',
        frames((frame) => {
          const { header } = readRequestHeader(frame.subarray(4));
          if (header.apiKey !== API_VERSIONS.apiKey) return socket.destroy();
          asked.push(header.apiVersion);
          const body = answer(header.apiVersion);
          const head = Buffer.alloc(8);
          head.writeInt32BE(4 + body.length, 0);
          head.writeInt32BE(header.correlationId, 4);
          socket.write(Buffer.concat([head, body]));
        }),
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return { port: (server.address() as net.AddressInfo).port, asked, close: () => server.close() };
  }

  // the v0 list of such a broker: ApiVersions 0-2, Metadata 0-2
  const v0List = Buffer.from('0000' + '00000002' + '001200000002' + '000300000002', 'hex');

  it("librdkafka's mock answer to v3 (its own layout) makes evt ask v0, and the v0 list is used", async () => {
    // error 35, a one-byte count, ApiVersions 0-2, throttle time: the bytes librdkafka 2.0.2's mock sends
    const mock = await oddBroker((v) => (v === 0 ? v0List : Buffer.from('0023010012000000020000000000', 'hex')));
    const conn = await Connection.open(
      { host: '127.0.0.1', port: mock.port },
      { clientId: 't', connectTimeoutMs: 2000, requestTimeoutMs: 2000 },
    );
    try {
      expect(mock.asked).toEqual([3, 0]);
      expect(conn.versionFor(METADATA)).toBe(2);
      expect(() => conn.versionFor(FETCH)).toThrow(/does not support Fetch/);
    } finally {
      conn.close();
      mock.close();
    }
  });

  it('an answer that no version reads fails with one line naming the broker', async () => {
    const garbage = await oddBroker(() => Buffer.from('0000ffff', 'hex'));
    const err = await Connection.open(
      { host: '127.0.0.1', port: garbage.port },
      { clientId: 't', connectTimeoutMs: 2000, requestTimeoutMs: 2000 },
    ).catch((e: Error) => e);
    garbage.close();
    expect(garbage.asked).toEqual([3, 0]);
    expect((err as Error).message).toMatch(
      /^broker 127\.0\.0\.1:\d+ sent a malformed ApiVersions v0 answer: truncated message/,
    );
  });
});

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
if (!hasOpenssl)
  console.warn('SKIPPED: openssl is not installed: the TLS test needs it to make a self-signed certificate');

describe.skipIf(!hasOpenssl)('TLS', () => {
  let proxy: tls.Server;
  let behind: RunningBroker;
  let dir: string;

  beforeAll(async () => {
    dir = tempDir('evt-tls-');
    const r = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ],
      { stdio: 'pipe' },
    );
    if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr.toString()}`);
    // a TLS terminator in front of a plain broker that advertises the proxy's port
    proxy = tls.createServer(
      { key: fs.readFileSync(path.join(dir, 'key.pem')), cert: fs.readFileSync(path.join(dir, 'cert.pem')) },
      (client) => {
        const upstream = net.connect(behind.port, '127.0.0.1');
        client.pipe(upstream).pipe(client);
        const end = () => {
          client.destroy();
          upstream.destroy();
        };
        client.on('error', end).on('close', end);
        upstream.on('error', end).on('close', end);
      },
    );
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    behind = await startTestBroker({ inMemory: true, advertisedPort: (proxy.address() as net.AddressInfo).port });
  });
  afterAll(async () => {
    proxy?.close();
    await behind?.close();
  });

  it('produces and reads over TLS with the CA from a file', async () => {
    const port = (proxy.address() as net.AddressInfo).port;
    const cluster = await Cluster.connect(
      settingsFor(`127.0.0.1:${port}`, { tls: { ca: path.join(dir, 'cert.pem') } }),
    );
    try {
      const producer = await WireProducer.create(cluster);
      const d = await producer.send('secure', { key: Buffer.from('k'), value: Buffer.from('over tls'), headers: [] });
      const reader = new PartitionReader(cluster, [
        { topic: 'secure', partition: d.partition, from: d.offset, until: d.offset + 1 },
      ]);
      const values: string[] = [];
      for await (const c of reader) values.push(...c.records.map((r) => r.value!.toString()));
      expect(values).toEqual(['over tls']);
    } finally {
      cluster.close();
    }
  });

  it('an untrusted certificate fails at once (no retrying), saying why', async () => {
    const port = (proxy.address() as net.AddressInfo).port;
    // every attempt is a TCP connection to the proxy: one connection means no retry
    let connections = 0;
    const count = () => connections++;
    proxy.on('connection', count);
    const err = await Cluster.connect(settingsFor(`127.0.0.1:${port}`, { tls: true, timeoutMs: 5000 }))
      .catch((e: Error) => e)
      .finally(() => proxy.off('connection', count));
    expect(connections).toBe(1);
    expect(err).toBeInstanceOf(UnreachableError);
    expect((err as Error).message).toMatch(/TLS handshake failed: .*self.signed/i);
  });

  it('a missing CA file is a clear configuration error', async () => {
    const port = (proxy.address() as net.AddressInfo).port;
    await expect(
      Cluster.connect(settingsFor(`127.0.0.1:${port}`, { tls: { ca: path.join(dir, 'nope.pem') } })),
    ).rejects.toThrow(/cannot read the TLS CA file .*nope\.pem: no such file$/);
  });
});

/**
 * A fake broker that speaks just enough for SASL: ApiVersions, SaslHandshake, SaslAuthenticate (PLAIN and
 * SCRAM-SHA-256, server side written here from RFC 5802), and Metadata once authenticated.
 */
async function startSaslServer(
  users: Record<string, string>,
): Promise<{ port: number; close: () => void; authenticated: string[] }> {
  const authenticated: string[] = [];
  const specs = new Map<number, ApiSpec>([
    [18, API_VERSIONS],
    [17, SASL_HANDSHAKE],
    [36, SASL_AUTHENTICATE],
    [3, METADATA],
  ]);
  const server = net.createServer((socket) => {
    let pending = Buffer.alloc(0);
    let mechanism = '';
    let authed = false;
    let scram: { user: string; clientFirstBare: string; serverFirst: string; salted: Buffer } | null = null;
    const reply = (spec: ApiSpec, version: number, correlationId: number, body: Record<string, unknown>) => {
      for (const c of encodeResponse(spec, version, correlationId, body)) socket.write(c);
    };
    const authenticate = (token: Buffer): { errorCode: number; errorMessage: string | null; authBytes: Buffer } => {
      const fail = (m: string) => ({ errorCode: 58, errorMessage: m, authBytes: Buffer.alloc(0) });
      if (mechanism === 'PLAIN') {
        const [, user, pass] = token.toString().split('\u0000');
        if (users[user] !== pass) return fail('Invalid username or password');
        authed = true;
        authenticated.push(user);
        return { errorCode: 0, errorMessage: null, authBytes: Buffer.alloc(0) };
      }
      const msg = token.toString();
      const hmac = (k: Buffer, d: string) => createHmac('sha256', k).update(d).digest();
      if (!scram) {
        const bare = msg.slice(3);
        const user = /n=([^,]*)/.exec(bare)![1];
        const nonce = /r=([^,]*)/.exec(bare)![1] + randomBytes(8).toString('hex');
        const salt = randomBytes(16);
        const serverFirst = `r=${nonce},s=${salt.toString('base64')},i=4096`;
        scram = {
          user,
          clientFirstBare: bare,
          serverFirst,
          salted: pbkdf2Sync(users[user] ?? randomBytes(8).toString('hex'), salt, 4096, 32, 'sha256'),
        };
        return { errorCode: 0, errorMessage: null, authBytes: Buffer.from(serverFirst) };
      }
      const withoutProof = msg.slice(0, msg.indexOf(',p='));
      const proof = Buffer.from(msg.slice(msg.indexOf(',p=') + 3), 'base64');
      const authMessage = `${scram.clientFirstBare},${scram.serverFirst},${withoutProof}`;
      const storedKey = createHash('sha256').update(hmac(scram.salted, 'Client Key')).digest();
      const sig = hmac(storedKey, authMessage);
      const clientKey = Buffer.from(proof.map((b, i) => b ^ sig[i]));
      if (!createHash('sha256').update(clientKey).digest().equals(storedKey))
        return fail(
          'Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256',
        );
      authed = true;
      authenticated.push(scram.user);
      return {
        errorCode: 0,
        errorMessage: null,
        authBytes: Buffer.from(`v=${hmac(hmac(scram.salted, 'Server Key'), authMessage).toString('base64')}`),
      };
    };
    socket.on('data', (d) => {
      pending = Buffer.concat([pending, d]);
      while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
        const frame = pending.subarray(4, 4 + pending.readInt32BE(0));
        pending = pending.subarray(4 + frame.length);
        const { header, reader } = readRequestHeader(frame);
        const spec = specs.get(header.apiKey)!;
        const body = decodeRequestBody(spec, header.apiVersion, reader);
        if (header.apiKey === 18) {
          reply(spec, header.apiVersion, header.correlationId, {
            errorCode: 0,
            throttleTimeMs: 0,
            apiKeys: [...specs.values()].map((s) => ({
              apiKey: s.apiKey,
              minVersion: s.minVersion,
              maxVersion: s.maxVersion,
            })),
          });
        } else if (header.apiKey === 17) {
          const offered = ['PLAIN', 'SCRAM-SHA-256'];
          mechanism = body.mechanism;
          reply(spec, header.apiVersion, header.correlationId, {
            errorCode: offered.includes(mechanism) ? 0 : 33,
            mechanisms: offered,
          });
        } else if (header.apiKey === 36) {
          reply(spec, header.apiVersion, header.correlationId, {
            ...authenticate(body.authBytes),
            sessionLifetimeMs: 0,
          });
        } else if (authed) {
          const port = (server.address() as net.AddressInfo).port;
          reply(spec, header.apiVersion, header.correlationId, {
            throttleTimeMs: 0,
            brokers: [{ nodeId: 1, host: '127.0.0.1', port, rack: null }],
            clusterId: 'fake',
            controllerId: 1,
            topics: [],
          });
        } else socket.destroy();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as net.AddressInfo).port, close: () => server.close(), authenticated };
}

describe('SASL', () => {
  const users = { alice: 'wonderland', bob: 'p@ss,w=rd' };
  let fake: Awaited<ReturnType<typeof startSaslServer>>;
  beforeAll(async () => {
    fake = await startSaslServer(users);
  });
  afterAll(() => fake?.close());

  it('PLAIN and SCRAM-SHA-256 authenticate, then the connection is usable', async () => {
    for (const [mechanism, username] of [
      ['plain', 'alice'],
      ['scram-sha-256', 'bob'],
    ] as const) {
      const cluster = await Cluster.connect(
        settingsFor(`127.0.0.1:${fake.port}`, { sasl: { mechanism, username, password: users[username] } }),
      );
      expect(cluster.clusterId).toBe('fake');
      cluster.close();
    }
    expect(fake.authenticated).toEqual(['alice', 'bob']);
  });

  it('a wrong password, or a mechanism the broker does not offer, fails at once with an AuthenticationError', async () => {
    const wrong = await Cluster.connect(
      settingsFor(`127.0.0.1:${fake.port}`, {
        sasl: { mechanism: 'scram-sha-256', username: 'alice', password: 'nope' },
      }),
    ).catch((e: Error) => e);
    expect(wrong).toBeInstanceOf(AuthenticationError);
    expect((wrong as Error).message).toMatch(
      /SASL SCRAM-SHA-256 authentication as alice failed: .*invalid credentials/,
    );
    const plainWrong = await Cluster.connect(
      settingsFor(`127.0.0.1:${fake.port}`, { sasl: { mechanism: 'plain', username: 'alice', password: 'nope' } }),
    ).catch((e: Error) => e);
    expect((plainWrong as Error).message).toBe(
      'SASL PLAIN authentication as alice failed: Invalid username or password',
    );
    const unoffered = await Cluster.connect(
      settingsFor(`127.0.0.1:${fake.port}`, { sasl: { mechanism: 'scram-sha-512', username: 'alice', password: 'x' } }),
    ).catch((e: Error) => e);
    expect((unoffered as Error).message).toBe(
      `broker 127.0.0.1:${fake.port} does not accept SASL SCRAM-SHA-512 (it offers: PLAIN, SCRAM-SHA-256)`,
    );
  });
});
