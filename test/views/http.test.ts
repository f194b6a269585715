// The views HTTP API (startViewServer), in-process, on a database built by hand.

import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startViewServer, type ViewServer } from '../../src/views/http.js';
import { buildThings } from './fixture.js';

let dir: string;
let file: string;
let writer: Database;
let server: ViewServer;

beforeAll(async () => {
  ({ dir, file, db: writer } = buildThings());
  server = await startViewServer({ file, host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await server?.close();
  writer?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function get(pathname: string): Promise<{ status: number; type: string | null; body: any }> {
  const res = await fetch(server.url + pathname);
  return { status: res.status, type: res.headers.get('content-type'), body: await res.json() };
}

/** A raw request (fetch refuses some methods, and a body on others). */
function request(
  method: string,
  pathname: string,
  body?: string,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    // an explicit length: node sends DELETE bodies without one (nor chunking), which no server can parse
    const headers =
      body === undefined
        ? {}
        : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) };
    const req = http.request(server.url + pathname, { method, headers }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('views HTTP API', () => {
  it('listens on the port it was given (0: a free one) and says where', () => {
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
  });

  it('GET /health', async () => {
    const r = await get('/health');
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^application\/json/);
    expect(r.body).toEqual({ status: 'ok', views: 1 });
  });

  it('GET /views', async () => {
    const r = await get('/views');
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^application\/json/);
    expect(r.body.views.map((v: { name: string }) => v.name)).toEqual(['things']);
    expect(r.body.views[0]).toMatchObject({ rows: 3, events: 60, errors: 1, keyColumn: 'id' });
  });

  it('GET /views/<view>/<key>: the row, JSON columns parsed; 404 when absent', async () => {
    const r = await get('/views/things/t-1');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ id: 't-1', state: 'CONFIRMED', total: 12, note: 'plain', headers: { source: 'web' } });
    const absent = await get('/views/things/t-404');
    expect(absent.status).toBe(404);
    expect(absent.type).toMatch(/^application\/json/);
    expect(absent.body.error).toContain('t-404');
    const noView = await get('/views/nothing/t-1');
    expect(noView.status).toBe(404);
    expect(noView.body.error).toContain('nothing');
  });

  it('a key holding "/" or spaces, percent-encoded', async () => {
    writer.prepare("INSERT INTO things (id, state) VALUES ('a/b c', 'NEW')").run();
    try {
      const r = await get('/views/things/' + encodeURIComponent('a/b c'));
      expect(r.status).toBe(200);
      expect(r.body.state).toBe('NEW');
    } finally {
      writer.prepare("DELETE FROM things WHERE id = 'a/b c'").run();
    }
  });

  it('GET /views/<view>?<column>=<value>&limit=N', async () => {
    const all = await get('/views/things');
    expect(all.status).toBe(200);
    expect(all.body.rows.map((r: { id: string }) => r.id)).toEqual(['t-1', 't-2', 't-3']);
    const rejected = await get('/views/things?state=REJECTED');
    expect(rejected.body).toMatchObject({ view: 'things', count: 1 });
    expect(rejected.body.rows[0].id).toBe('t-3');
    const two = await get('/views/things?limit=2');
    expect(two.body.rows.map((r: { id: string }) => r.id)).toEqual(['t-1', 't-2']);
    const both = await get('/views/things?state=PENDING&total=30');
    expect(both.body.rows.map((r: { id: string }) => r.id)).toEqual(['t-2']);
    const none = await get('/views/things?state=NOPE');
    expect(none.body).toEqual({ view: 'things', rows: [], count: 0 });
  });

  it('an unknown column or a bad limit: 400, and no SQL from the column name', async () => {
    const unknown = await get('/views/things?colour=red');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toContain('no column "colour"');
    const injection = await get(`/views/things?${new URLSearchParams({ 'id" = id OR 1=1; --': 'x' }).toString()}`);
    expect(injection.status).toBe(400);
    for (const limit of ['0', '10001', 'abc', '-1']) {
      const r = await get(`/views/things?limit=${limit}`);
      expect(r.status, limit).toBe(400);
      expect(r.body.error, limit).toContain('limit');
    }
    expect((await get('/views/things?limit=10000')).status).toBe(200);
  });

  it('unknown paths: 404 JSON', async () => {
    for (const p of ['/', '/nope', '/views/things/t-1/more', '/health/x']) {
      const r = await get(p);
      expect(r.status, p).toBe(404);
      expect(r.type, p).toMatch(/^application\/json/);
      expect(typeof r.body.error, p).toBe('string');
    }
  });

  it('any method but GET: 405 with Allow: GET, and nothing changes', async () => {
    const before = writer.prepare('SELECT * FROM things ORDER BY id').all();
    for (const [method, p] of [
      ['POST', '/views/things'],
      ['PUT', '/views/things/t-1'],
      ['DELETE', '/views/things/t-1'],
      ['PATCH', '/views/things/t-2'],
      ['POST', '/health'],
    ]) {
      const r = await request(method, p, JSON.stringify({ id: 't-9', state: 'X' }));
      expect(r.status, `${method} ${p}`).toBe(405);
      expect(r.headers.allow, `${method} ${p}`).toBe('GET');
      expect(r.headers['content-type']).toMatch(/^application\/json/);
    }
    expect(writer.prepare('SELECT * FROM things ORDER BY id').all()).toEqual(before);
  });

  it('sees rows the writer commits after it started', async () => {
    writer.prepare("INSERT INTO things (id, state) VALUES ('t-new', 'NEW')").run();
    try {
      expect((await get('/views/things/t-new')).body.state).toBe('NEW');
    } finally {
      writer.prepare("DELETE FROM things WHERE id = 't-new'").run();
    }
  });

  it('refuses to start on a missing database (and does not create it)', async () => {
    const missing = path.join(dir, 'nope.db');
    await expect(startViewServer({ file: missing, port: 0 })).rejects.toThrow();
    expect(fs.existsSync(missing)).toBe(false);
  });
});
