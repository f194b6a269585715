// One connection to one broker: TCP or TLS, ApiVersions negotiation, SASL, and pipelined requests matched to
// their answers by correlation id, each with its own timeout.
//
// Kafka answers a connection's requests in the order they were sent, and a client that gives up on one
// answer can no longer tell which answer is which: a request that times out therefore closes the
// connection, and every other request in flight on it fails with a retriable ConnectionClosedError.

import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import type { SaslSettings, TlsSettings } from '../settings.js';
import { ProtocolError, Reader } from '../../protocol/primitives.js';
import { API_VERSIONS } from '../../protocol/messages/index.js';
import type { DecodedResponse, EncodableRequest } from '../../protocol/message-types.js';
import { decodeMessage, isFlexible, type ApiSpec } from '../../protocol/schema.js';
import { encodeRequestFrame } from '../../protocol/frames.js';
import { ConnectionClosedError, TimeoutError, UnsupportedVersionError, WireError } from './errors.js';
import { authenticate } from './sasl.js';
import { readApiVersionsAnswer, type ApiRange } from './api-versions-answer.js';
import { whyUnreadable } from '../../common/read-failure.js';

export interface Endpoint {
  host: string;
  port: number;
}

export function parseEndpoint(text: string): Endpoint {
  const t = text.trim();
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(t) ?? /^([^:]+):(\d+)$/.exec(t);
  if (!m) throw new WireError(`"${text}" is not a broker address (host:port)`, 'config');
  return { host: m[1], port: Number(m[2]) };
}

export function formatEndpoint(e: Endpoint): string {
  return e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`;
}

export interface ConnectionOptions {
  clientId: string;
  tls?: TlsSettings | true;
  sasl?: SaslSettings;
  /** TCP (+TLS) connect, ApiVersions and SASL together */
  connectTimeoutMs: number;
  /** default timeout of a request; long polls add their wait to it */
  requestTimeoutMs: number;
}

/** A connection attempt that failed: refused, unresolvable, TLS rejected, or no answer in time. */
export class ConnectFailure extends WireError {
  constructor(
    readonly endpoint: string,
    readonly reason: string,
    /** false when trying again cannot help (a TLS certificate problem, bad credentials) */
    retriable: boolean,
    /**
     * the address answered at once that nothing is there (refused, no such host, no route): unlike a
     * silence, the answer is known, so bootstrapping gives up after a short retry instead of the timeout
     */
    readonly definite = false,
  ) {
    super(`${endpoint}: ${reason}`, 'unreachable', retriable);
    this.name = 'ConnectFailure';
  }
}

interface Pending {
  spec: ApiSpec;
  version: number;
  /** reads the answer's body (a ProtocolError makes it a malformed answer) and resolves the request */
  answer: (body: Reader) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout | null;
}

export interface RequestOptions {
  /** overrides the negotiated version */
  version?: number;
  /** ms; default the connection's requestTimeoutMs */
  timeoutMs?: number;
}

const EVT_VERSION = '0.1.0';

/** setTimeout takes at most 2^31-1 ms (a longer or infinite time would fire at once) */
export function timerMs(ms: number): number {
  return Math.min(Math.max(1, ms), 0x7fffffff);
}

function describeSocketError(err: NodeJS.ErrnoException): { reason: string; retriable: boolean; definite?: true } {
  switch (err.code) {
    case 'ECONNREFUSED':
      return { reason: 'connection refused', retriable: true, definite: true };
    case 'ENOTFOUND':
      return { reason: 'host not found', retriable: true, definite: true };
    case 'EAI_AGAIN':
      // the resolver could not answer (yet): a temporary failure, not a verdict on the name
      return { reason: 'host not found', retriable: true };
    case 'ECONNRESET':
      return { reason: 'connection reset', retriable: true };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return { reason: 'host unreachable', retriable: true, definite: true };
    case 'ETIMEDOUT':
      return { reason: 'connect timed out', retriable: true };
  }
  // TLS verification failures carry codes like DEPTH_ZERO_SELF_SIGNED_CERT or ERR_TLS_CERT_ALTNAME_INVALID
  if (err.code && /CERT|SELF_SIGNED|TLS|SSL/.test(err.code))
    return { reason: `TLS handshake failed: ${err.message}`, retriable: false };
  return { reason: err.message || String(err), retriable: true };
}

function readPem(file: string, what: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new WireError(`cannot read the TLS ${what} file ${file}: ${whyUnreadable(err)}`, 'config');
  }
}

/** node:tls options from evt's TLS settings (PEM files read here). */
export function tlsOptions(settings: TlsSettings | true, host: string): tls.ConnectionOptions {
  const o: tls.ConnectionOptions = { servername: net.isIP(host) ? undefined : host };
  if (settings === true) return o;
  if (settings.ca) o.ca = readPem(settings.ca, 'CA');
  if (settings.cert) o.cert = readPem(settings.cert, 'certificate');
  if (settings.key) o.key = readPem(settings.key, 'key');
  if (settings.rejectUnauthorized === false) o.rejectUnauthorized = false;
  return o;
}

function openSocket(endpoint: Endpoint, opts: ConnectionOptions, timeoutMs: number): Promise<net.Socket> {
  const name = formatEndpoint(endpoint);
  return new Promise((resolve, reject) => {
    let socket: net.Socket;
    const secure = opts.tls !== undefined;
    try {
      socket = secure
        ? tls.connect({ host: endpoint.host, port: endpoint.port, ...tlsOptions(opts.tls!, endpoint.host) })
        : net.connect({ host: endpoint.host, port: endpoint.port });
    } catch (err) {
      reject(err instanceof WireError ? err : new ConnectFailure(name, (err as Error).message, false));
      return;
    }
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new ConnectFailure(name, 'connection timed out', true));
    }, timerMs(timeoutMs));
    const onError = (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      const d = describeSocketError(err);
      reject(new ConnectFailure(name, d.reason, d.retriable, d.definite));
    };
    socket.once('error', onError);
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      socket.setNoDelay(true);
      resolve(socket);
    });
  });
}

export class Connection {
  readonly name: string;
  private pending = new Map<number, Pending>();
  private nextCorrelationId = 1;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private frameSize = -1;
  private closedBy: Error | null = null;
  private closeListeners = new Set<(err: Error) => void>();
  private apiVersions = new Map<number, ApiRange>();
  private negotiated = new Map<ApiSpec, number>();
  /** SASL handshake v0: the next frame is a bare SASL token, not a Kafka response */
  private rawWaiter: ((frame: Buffer) => void) | null = null;

  private constructor(
    private readonly socket: net.Socket,
    readonly endpoint: Endpoint,
    private readonly opts: ConnectionOptions,
  ) {
    this.name = formatEndpoint(endpoint);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err: NodeJS.ErrnoException) =>
      this.fail(new ConnectionClosedError(this.name, describeSocketError(err).reason)),
    );
    socket.on('close', () => this.fail(new ConnectionClosedError(this.name, 'closed by the broker')));
  }

  /** Connects, negotiates API versions and authenticates, all within `opts.connectTimeoutMs`. */
  static async open(endpoint: Endpoint, opts: ConnectionOptions): Promise<Connection> {
    const deadline = Date.now() + opts.connectTimeoutMs;
    const socket = await openSocket(endpoint, opts, opts.connectTimeoutMs);
    const conn = new Connection(socket, endpoint, opts);
    try {
      const left = () => Math.max(1, deadline - Date.now());
      await conn.negotiate(left());
      if (opts.sasl) await authenticate(conn, opts.sasl, left);
      return conn;
    } catch (err) {
      conn.close();
      if (err instanceof TimeoutError || err instanceof ConnectionClosedError) {
        // the caller says within how long (it retries until its own deadline)
        throw new ConnectFailure(
          conn.name,
          err instanceof TimeoutError ? 'no answer to ApiVersions (is it a Kafka broker? TLS mismatch?)' : err.message,
          true,
        );
      }
      throw err;
    }
  }

  get isClosed(): boolean {
    return this.closedBy !== null;
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /** Called once when the connection closes, with the reason. */
  onClose(listener: (err: Error) => void): () => void {
    if (this.closedBy) {
      listener(this.closedBy);
      return () => {};
    }
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /** The version to speak for an API: the highest both sides know. */
  versionFor(spec: ApiSpec): number {
    const cached = this.negotiated.get(spec);
    if (cached !== undefined) return cached;
    const broker = this.apiVersions.get(spec.apiKey);
    if (!broker)
      throw new UnsupportedVersionError(`broker ${this.name} does not support ${spec.name} (API key ${spec.apiKey})`);
    const max = Math.min(spec.maxVersion, spec.clientMaxVersion ?? spec.maxVersion);
    const version = Math.min(max, broker.max);
    const min = Math.max(spec.minVersion, spec.clientMinVersion ?? 0);
    if (version < Math.max(min, broker.min)) {
      throw new UnsupportedVersionError(
        `broker ${this.name} speaks ${spec.name} v${broker.min}-${broker.max}, evt speaks v${min}-${max}: no version in common`,
      );
    }
    this.negotiated.set(spec, version);
    return version;
  }

  supports(spec: ApiSpec): boolean {
    try {
      this.versionFor(spec);
      return true;
    } catch {
      return false;
    }
  }

  /** Sends a request and resolves with the decoded answer, both typed by the API's description. */
  request<S extends ApiSpec>(
    spec: S,
    body: EncodableRequest<S>,
    options: RequestOptions = {},
  ): Promise<DecodedResponse<S>> {
    let version: number;
    try {
      version = options.version ?? this.versionFor(spec);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.exchange(spec, version, body, options.timeoutMs, (r) => decodeMessage(r, spec, 'response', version));
  }

  /** Sends one request in `version` and resolves with what `read` makes of the answer's body. */
  private exchange<S extends ApiSpec, T>(
    spec: S,
    version: number,
    body: EncodableRequest<S>,
    timeoutMs = this.opts.requestTimeoutMs,
    read: (r: Reader) => T,
  ): Promise<T> {
    if (this.closedBy) return Promise.reject(this.closedBy);
    const correlationId = this.nextCorrelationId++;
    if (this.nextCorrelationId > 0x7fffffff) this.nextCorrelationId = 1;
    return new Promise<T>((resolve, reject) => {
      const answer = (r: Reader) => resolve(read(r));
      const p: Pending = { spec, version, answer, reject, timer: null };
      p.timer = setTimeout(() => {
        if (!this.pending.delete(correlationId)) return;
        reject(new TimeoutError(`${spec.name} request`, this.name, timeoutMs));
        this.fail(new ConnectionClosedError(this.name, `closed after a ${spec.name} request timed out`));
      }, timerMs(timeoutMs));
      this.pending.set(correlationId, p);
      this.write(this.frame(spec, version, correlationId, body));
    });
  }

  /**
   * Sends a request that gets no answer (Produce with acks=0); resolves once the bytes are handed to the
   * kernel.
   */
  send<S extends ApiSpec>(spec: S, body: EncodableRequest<S>): Promise<void> {
    if (this.closedBy) return Promise.reject(this.closedBy);
    const version = this.versionFor(spec);
    const correlationId = this.nextCorrelationId++;
    return new Promise((resolve, reject) => {
      this.write(this.frame(spec, version, correlationId, body), (err) =>
        err ? reject(this.closedBy ?? err) : resolve(),
      );
    });
  }

  private frame<S extends ApiSpec>(
    spec: S,
    version: number,
    correlationId: number,
    body: EncodableRequest<S>,
  ): Buffer[] {
    return encodeRequestFrame(
      spec,
      version,
      { apiKey: spec.apiKey, apiVersion: version, correlationId, clientId: this.opts.clientId },
      body,
    );
  }

  /** SASL handshake v0: sends a bare size-prefixed token and resolves with the bare answer. */
  rawExchange(token: Buffer, timeoutMs: number): Promise<Buffer> {
    if (this.closedBy) return Promise.reject(this.closedBy);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.rawWaiter = null;
        reject(new TimeoutError('SASL exchange', this.name, timeoutMs));
        this.fail(new ConnectionClosedError(this.name, 'closed after a SASL exchange timed out'));
      }, timerMs(timeoutMs));
      this.rawWaiter = (frame) => {
        clearTimeout(timer);
        resolve(frame);
      };
      const size = Buffer.allocUnsafe(4);
      size.writeInt32BE(token.length, 0);
      this.write([size, token]);
    });
  }

  close(): void {
    this.fail(new ConnectionClosedError(this.name, 'closed by the client'));
  }

  private write(chunks: Buffer[], cb?: (err?: Error | null) => void): void {
    if (chunks.length === 1) {
      this.socket.write(chunks[0], cb);
      return;
    }
    this.socket.cork();
    for (let i = 0; i < chunks.length; i++) this.socket.write(chunks[i], i === chunks.length - 1 ? cb : undefined);
    this.socket.uncork();
  }

  private async negotiate(timeoutMs: number): Promise<void> {
    // the highest version first; odd answers make readApiVersionsAnswer fall back to a lower one (a retry
    // always asks a lower version, so this ends)
    let version: number = API_VERSIONS.maxVersion;
    for (;;) {
      const body = await this.exchange(
        API_VERSIONS,
        version,
        { clientSoftwareName: 'evt', clientSoftwareVersion: EVT_VERSION },
        timeoutMs,
        (r) => r.buf.subarray(r.offset, r.end),
      );
      const outcome = readApiVersionsAnswer(body, version);
      if (outcome.kind === 'ranges') {
        this.apiVersions = outcome.ranges;
        return;
      }
      if (outcome.kind === 'failed') throw new WireError(`broker ${this.name} ${outcome.reason}`, 'protocol');
      version = outcome.version;
    }
  }

  private onData(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (!this.closedBy) {
      if (this.frameSize < 0) {
        if (this.buffered < 4) return;
        this.frameSize = this.take(4).readInt32BE(0);
        if (this.frameSize < 0) {
          this.fail(new ConnectionClosedError(this.name, `invalid frame size ${this.frameSize}`));
          return;
        }
      }
      if (this.buffered < this.frameSize) return;
      const frame = this.take(this.frameSize);
      this.frameSize = -1;
      this.onFrame(frame);
    }
  }

  /** The next n buffered bytes: a slice when they sit in one chunk, else one copy. */
  private take(n: number): Buffer {
    this.buffered -= n;
    const first = this.chunks[0];
    if (first.length >= n) {
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    while (at < n) {
      const c = this.chunks[0];
      const need = n - at;
      if (c.length <= need) {
        c.copy(out, at);
        at += c.length;
        this.chunks.shift();
      } else {
        c.copy(out, at, 0, need);
        this.chunks[0] = c.subarray(need);
        at += need;
      }
    }
    return out;
  }

  private onFrame(frame: Buffer): void {
    if (this.rawWaiter) {
      const w = this.rawWaiter;
      this.rawWaiter = null;
      w(frame);
      return;
    }
    if (frame.length < 4) {
      this.fail(new ConnectionClosedError(this.name, 'answer shorter than its header'));
      return;
    }
    const correlationId = frame.readInt32BE(0);
    const p = this.pending.get(correlationId);
    if (!p) {
      // an answer to a request we gave up on can only be met once the connection is closed; anything else is
      // a broker answering out of turn
      this.fail(new ConnectionClosedError(this.name, `answer with unknown correlation id ${correlationId}`));
      return;
    }
    this.pending.delete(correlationId);
    if (p.timer) clearTimeout(p.timer);
    try {
      const r = new Reader(frame, 4);
      // ApiVersions answers have no header tags (their body is read by readApiVersionsAnswer)
      if (p.spec.apiKey !== API_VERSIONS.apiKey && isFlexible(p.spec, p.version)) {
        const tags = r.uvarint();
        for (let i = 0; i < tags; i++) {
          r.uvarint();
          r.bytes(r.uvarint());
        }
      }
      p.answer(r);
    } catch (err) {
      const message = err instanceof ProtocolError ? err.message : String(err);
      p.reject(
        new WireError(
          `broker ${this.name} sent a malformed ${p.spec.name} v${p.version} answer: ${message}`,
          'protocol',
        ),
      );
      this.fail(new ConnectionClosedError(this.name, 'closed after a malformed answer'));
    }
  }

  private fail(err: Error): void {
    if (this.closedBy) return;
    this.closedBy = err;
    this.socket.destroy();
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) {
      if (p.timer) clearTimeout(p.timer);
      p.reject(err);
    }
    if (this.rawWaiter) this.rawWaiter = null;
    for (const l of [...this.closeListeners]) l(err);
    this.closeListeners.clear();
  }
}
