// TCP server: frames requests, processes each connection's requests strictly one at a time and in order (as
// Kafka does: a connection is muted while its request is in flight), and writes responses. Any malformed
// input closes that connection only; nothing a client sends can take the broker down.

import net from 'node:net';
import { readRequestHeader, type RequestHeader } from '../protocol/frames.js';
import { API_VERSIONS } from '../protocol/messages/index.js';
import { ProtocolError, Reader } from '../protocol/primitives.js';
import type { ApiSpec } from '../protocol/schema.js';
import type { RequestContext } from './handlers/context.js';
import type { PendingRequest, ServedApi } from './handlers/served-api.js';

const MAX_QUEUED_FRAMES = 64;
const EMPTY_BODY = Buffer.alloc(0);

export interface ServerOptions {
  host: string;
  port: number;
  /** Kafka's socket.request.max.bytes */
  maxRequestBytes: number;
  /** the APIs served, by API key */
  handlers: ReadonlyMap<number, ServedApi>;
  /** called for per-connection failures worth a log line (verbose mode) */
  log?: (message: string) => void;
  makeContext: (header: RequestHeader, conn: ConnectionInfo) => RequestContext;
  /**
   * Sees every decoded request before its handler (the test hooks of evt/testing: faults, held requests): it
   * calls `proceed` for the handler's answer or answers itself. Absent, the request path does not change.
   */
  intercept?: RequestInterceptor;
}

/** A decoded request as an interceptor sees it. */
export interface InterceptedRequest {
  readonly spec: ApiSpec;
  readonly version: number;
  /** the decoded request, typed by `spec` */
  readonly body: unknown;
  /** encodes a response of `spec` given in place of the handler's */
  answer(response: unknown): Buffer[];
}

export type RequestInterceptor = (
  request: InterceptedRequest,
  proceed: () => Promise<Buffer[] | null>,
) => Promise<Buffer[] | null>;

export interface ConnectionInfo {
  id: number;
  remoteAddress: string;
  remotePort: number;
  /** registers a callback for when the connection is gone (long-polling handlers stop waiting); returns its remover */
  onClose: (listener: () => void) => () => void;
}

export class BrokerServer {
  private server: net.Server;
  private sockets = new Set<net.Socket>();
  private nextConnectionId = 1;

  constructor(private readonly opts: ServerOptions) {
    this.server = net.createServer({ noDelay: true }, (socket) => this.accept(socket));
  }

  listen(): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.server.once('error', onError);
      this.server.listen(this.opts.port, this.opts.host, () => {
        this.server.off('error', onError);
        const addr = this.server.address() as net.AddressInfo;
        resolve({ host: addr.address, port: addr.port });
      });
    });
  }

  get connectionCount(): number {
    return this.sockets.size;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  private accept(socket: net.Socket): void {
    this.sockets.add(socket);
    const closeListeners = new Set<() => void>();
    const info: ConnectionInfo = {
      id: this.nextConnectionId++,
      remoteAddress: socket.remoteAddress ?? '',
      remotePort: socket.remotePort ?? 0,
      onClose: (listener) => {
        closeListeners.add(listener);
        return () => closeListeners.delete(listener);
      },
    };
    const conn = new Connection(socket, info, this.opts);
    socket.on('close', () => {
      this.sockets.delete(socket);
      conn.dead = true;
      for (const listener of [...closeListeners]) listener();
    });
    socket.on('error', () => {
      /* a reset by the peer: 'close' follows */
    });
  }
}

class Connection {
  dead = false;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private frames: Buffer[] = [];
  private busy = false;

  constructor(
    private readonly socket: net.Socket,
    private readonly info: ConnectionInfo,
    private readonly opts: ServerOptions,
  ) {
    socket.on('data', (chunk) => this.onData(chunk));
  }

  private onData(chunk: Buffer): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    this.extractFrames();
    // A client that pipelines faster than we answer is stopped at the socket (TCP backpressure) instead of
    // queueing without bound here.
    if (this.frames.length >= MAX_QUEUED_FRAMES) this.socket.pause();
    if (this.frames.length > 0 && !this.busy) void this.drain();
  }

  private extractFrames(): void {
    while (this.pendingBytes >= 4) {
      if (this.pending[0].length < 4) this.coalesce();
      const size = this.pending[0].readInt32BE(0);
      if (size < 8 || size > this.opts.maxRequestBytes) {
        this.fail(`invalid frame size ${size} (limit ${this.opts.maxRequestBytes})`);
        return;
      }
      if (this.pendingBytes < size + 4) return;
      if (this.pending[0].length < size + 4) this.coalesce();
      const head = this.pending[0];
      this.frames.push(head.subarray(4, size + 4));
      if (head.length === size + 4) this.pending.shift();
      else this.pending[0] = head.subarray(size + 4);
      this.pendingBytes -= size + 4;
    }
  }

  private coalesce(): void {
    this.pending = [Buffer.concat(this.pending)];
  }

  private async drain(): Promise<void> {
    this.busy = true;
    try {
      while (this.frames.length > 0 && !this.dead) {
        const frame = this.frames.shift()!;
        if (this.socket.isPaused() && this.frames.length < MAX_QUEUED_FRAMES / 2) this.socket.resume();
        const out = await this.process(frame);
        if (this.dead) return;
        if (out) this.write(out);
      }
    } finally {
      this.busy = false;
    }
  }

  private write(chunks: Buffer[]): void {
    if (chunks.length === 1) {
      this.socket.write(chunks[0]);
      return;
    }
    this.socket.cork();
    for (const c of chunks) this.socket.write(c);
    this.socket.uncork();
  }

  private async process(frame: Buffer): Promise<Buffer[] | null> {
    let header: RequestHeader;
    let api: ServedApi | undefined;
    let request: PendingRequest;
    try {
      const parsed = readRequestHeader(frame);
      header = parsed.header;
      api = this.opts.handlers.get(header.apiKey);
      if (!api) {
        this.fail(`unknown API key ${header.apiKey}`);
        return null;
      }
      const { spec } = api;
      if (header.apiVersion >= spec.minVersion && header.apiVersion <= spec.maxVersion) {
        request = api.decode(header.apiVersion, parsed.reader);
      } else if (spec.apiKey === API_VERSIONS.apiKey) {
        // An ApiVersions request in a version we do not know is answered in the v0 layout, which every client
        // can read whatever it asked (the handler sets UNSUPPORTED_VERSION): v0's request body is empty.
        request = api.decode(0, new Reader(EMPTY_BODY));
      } else {
        this.fail(`unsupported ${spec.name} version ${header.apiVersion}`);
        return null;
      }
    } catch (err) {
      this.fail(err instanceof ProtocolError ? err.message : `malformed request: ${String(err)}`);
      return null;
    }
    try {
      const ctx = this.opts.makeContext(header, this.info);
      // null: the request expects no answer (e.g. Produce with acks=0)
      if (this.opts.intercept === undefined) return await request.run(ctx, header.correlationId);
      return await this.opts.intercept(
        {
          spec: api.spec,
          version: header.apiVersion,
          body: request.body,
          answer: (response) => request.encode(response, header.correlationId),
        },
        () => request.run(ctx, header.correlationId),
      );
    } catch (err) {
      // A handler bug must not take the broker down; the client sees a closed connection and retries.
      this.fail(`${api.spec.name} v${header.apiVersion} failed: ${(err as Error)?.stack ?? String(err)}`);
      return null;
    }
  }

  private fail(reason: string): void {
    if (this.dead) return;
    this.dead = true;
    this.opts.log?.(`closing connection ${this.info.remoteAddress}:${this.info.remotePort}: ${reason}`);
    this.frames = [];
    this.pending = [];
    this.socket.destroy();
  }
}
