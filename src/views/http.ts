// `evt view serve`: a read-only HTTP API on the views database, with node:http alone.
//   GET /health                         {"status":"ok","views":N}
//   GET /views                          {"views":[...]}
//   GET /views/<view>/<key>             the row (404 when absent)
//   GET /views/<view>?<col>=<v>&limit=N {"view","rows":[...]} (400 for an unknown column or a bad limit)
// Only GET: anything else is 405 with `Allow: GET`, so nothing reachable over HTTP can change a view (and the
// connection is read-only besides). One connection serves every request: in WAL mode each read sees the
// replay's latest committed batch without blocking it.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Database } from 'better-sqlite3';
import { listViews, viewInfo } from './store.js';
import { findRows, getRow, openReadOnly, UnknownColumnError } from './query.js';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 10_000;

export interface ViewServerOptions {
  file: string;
  host?: string;
  /** 0 picks a free port */
  port?: number;
}

export interface ViewServer {
  /** http://host:port */
  url: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body) + '\n';
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new HttpError(400, `"${s}" is not a valid URL path segment`);
  }
}

function parseLimit(text: string | null): number {
  if (text === null) return DEFAULT_LIMIT;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > MAX_LIMIT)
    throw new HttpError(400, `limit: "${text}" is not a whole number from 1 to ${MAX_LIMIT}`);
  return Number(text);
}

function knownView(db: Database, name: string) {
  const view = viewInfo(db, name);
  if (!view) throw new HttpError(404, `no view "${name}"`);
  return view;
}

function route(db: Database, url: URL): unknown {
  // split before decoding, so that a key holding "/" (sent as %2F) stays one segment
  const parts = url.pathname
    .split('/')
    .filter((p) => p !== '')
    .map(decodeSegment);
  if (parts.length === 1 && parts[0] === 'health') return { status: 'ok', views: listViews(db).length };
  if (parts[0] !== 'views' || parts.length > 3) throw new HttpError(404, `no such path: ${url.pathname} (try /views)`);
  if (parts.length === 1) return { views: listViews(db) };
  const view = knownView(db, parts[1]);
  if (parts.length === 3) {
    const row = getRow(db, view, parts[2]);
    if (!row) throw new HttpError(404, `no ${view.keyColumn} "${parts[2]}" in view ${view.name}`);
    return row;
  }
  const where: Record<string, string> = {};
  let limit = DEFAULT_LIMIT;
  for (const [name, value] of url.searchParams) {
    if (name === 'limit') limit = parseLimit(value);
    else if (name in where) throw new HttpError(400, `${name} is given twice`);
    else where[name] = value;
  }
  try {
    const rows = findRows(db, view, where, limit);
    return { view: view.name, rows, count: rows.length };
  } catch (err) {
    if (err instanceof UnknownColumnError) throw new HttpError(400, err.message);
    throw err;
  }
}

/** Starts the API on an already-built views database (a missing file fails here, not on the first request). */
export async function startViewServer(options: ViewServerOptions): Promise<ViewServer> {
  const db = openReadOnly(options.file);
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET') {
      // answer once the body is read: answering first and closing makes the client see a reset mid-upload
      req.resume();
      req.once('end', () =>
        send(res, 405, { error: `method ${req.method} not allowed: the views API is read-only` }, { allow: 'GET' }),
      );
      return;
    }
    try {
      send(res, 200, route(db, new URL(req.url ?? '/', 'http://localhost')));
    } catch (err) {
      if (err instanceof HttpError) send(res, err.status, { error: err.message });
      else send(res, 500, { error: (err as Error)?.message ?? String(err) });
    }
  });
  const host = options.host ?? '127.0.0.1';
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 8080, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    db.close();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}`,
    host,
    port,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => {
          db.close();
          resolve();
        });
        // keep-alive connections would otherwise hold close() open until they time out
        server.closeAllConnections();
      })),
  };
}
