// The schema registry's HTTP server (node:http, no framework): `startRegistry()` loads the store, listens and
// returns its URL and a `close()`. Every answer is JSON with Confluent's content type; every failure is a
// `{"error_code": N, "message": "..."}` body, and no request can crash the process.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { RegistryError } from './errors.js';
import { HttpError, route, type RegistryRequest, type RegistryResponse } from './routes.js';
import { RegistryStore } from './store.js';

export const REGISTRY_CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';
/** Largest request body accepted; larger ones are answered 413. */
export const MAX_REGISTRY_BODY_BYTES = 16 * 1024 * 1024;

export interface RegistryOptions {
  host?: string;
  port?: number;
  /** where `registry.json` lives; null keeps everything in memory */
  dataDir: string | null;
  /** largest request body (default 16 MiB) */
  maxBodyBytes?: number;
  log?: (message: string) => void;
}

export interface RunningRegistry {
  /** `http://host:port`, for clients */
  url: string;
  port: number;
  store: RegistryStore;
  close(): Promise<void>;
}

class BodyTooLarge extends Error {}

function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!done) resolve(Buffer.concat(chunks));
    });
    req.on('error', (err) => {
      if (!done) reject(err);
      done = true;
    });
  });
}

function errorBody(status: number, code: number, message: string): RegistryResponse {
  return { status, body: { error_code: code, message } };
}

function splitPath(pathname: string): string[] | undefined {
  try {
    return pathname
      .split('/')
      .filter((p) => p !== '')
      .map((p) => decodeURIComponent(p));
  } catch {
    return undefined;
  }
}

export async function startRegistry(options: RegistryOptions): Promise<RunningRegistry> {
  const host = options.host ?? '127.0.0.1';
  const limit = options.maxBodyBytes ?? MAX_REGISTRY_BODY_BYTES;
  const log = options.log ?? (() => {});
  const store = RegistryStore.open(options.dataDir);

  const handle = async (req: http.IncomingMessage): Promise<RegistryResponse> => {
    const url = new URL(req.url ?? '/', 'http://registry');
    const segments = splitPath(url.pathname);
    if (!segments) return errorBody(404, 404, 'HTTP 404 Not Found');
    let raw: Buffer;
    try {
      raw = await readBody(req, limit);
    } catch (err) {
      if (err instanceof BodyTooLarge) return errorBody(413, 413, `request body larger than ${limit} bytes`);
      throw err;
    }
    let body: unknown;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch (err) {
        return errorBody(400, 400, `malformed JSON in the request body: ${(err as Error).message}`);
      }
    } else if (req.method === 'POST' || req.method === 'PUT') {
      return errorBody(400, 400, 'the request needs a JSON body');
    }
    const request: RegistryRequest = { method: req.method ?? 'GET', segments, query: url.searchParams, body };
    try {
      return route(store, request);
    } catch (err) {
      if (err instanceof RegistryError) return errorBody(err.httpStatus, err.errorCode, err.message);
      if (err instanceof HttpError) return errorBody(err.status, err.status, err.message);
      throw err;
    }
  };

  const server = http.createServer((req, res) => {
    handle(req)
      .catch((err: unknown): RegistryResponse => {
        log(`schema registry: internal error on ${req.method} ${req.url}: ${(err as Error)?.stack ?? String(err)}`);
        return errorBody(500, 50001, `internal error: ${(err as Error)?.message ?? String(err)}`);
      })
      .then((out) => {
        if (res.headersSent || res.destroyed) return;
        const text = out.raw && typeof out.body === 'string' ? out.body : JSON.stringify(out.body);
        const headers: http.OutgoingHttpHeaders = {
          'content-type': REGISTRY_CONTENT_TYPE,
          'content-length': Buffer.byteLength(text),
        };
        // a body left unread (too large) cannot be skipped: close the connection after answering
        if (out.status === 413) headers.connection = 'close';
        res.writeHead(out.status, headers);
        res.end(text);
      })
      .catch(() => res.destroy());
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8081, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => log(`schema registry: ${err.message}`));
  const port = (server.address() as AddressInfo).port;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    store,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
