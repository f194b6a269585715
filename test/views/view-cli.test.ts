// `evt view list|show|get|query|serve` as a user runs it (the built CLI, spawned), on a database built by
// hand in a temp dir.

import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import type { Database } from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evt, lines, start } from '../helpers/produce-tail.js';
import { buildThings } from './fixture.js';

let dir: string;
let file: string;
let writer: Database;
const view = (...args: string[]) => evt(['view', ...args, '--db', file]);
const viewJson = (...args: string[]) => evt(['--json', 'view', ...args, '--db', file]);

beforeAll(() => {
  ({ dir, file, db: writer } = buildThings());
});
afterAll(() => {
  writer?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('evt view list', () => {
  it('a table with rows, events, errors, topics and age', async () => {
    const r = await view('list');
    expect(r.code).toBe(0);
    const [header, row] = lines(r.stdout);
    expect(header.split(/\s+/)).toEqual(['VIEW', 'ROWS', 'EVENTS', 'ERRORS', 'TOPICS', 'UPDATED']);
    expect(row).toMatch(/^things\s+3\s+60\s+1\s+thing-events\s+\d+d ago$/);
  });

  it('--json is one document with the counters', async () => {
    const r = await viewJson('list');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.views).toHaveLength(1);
    expect(doc.views[0]).toMatchObject({
      name: 'things',
      rows: 3,
      events: 60,
      errors: 1,
      topics: ['thing-events'],
      table: 'things',
      keyColumn: 'id',
      updatedAt: Date.UTC(2024, 0, 2, 3, 4, 5),
    });
  });

  it('--csv', async () => {
    const r = await view('list', '--csv');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      'name,rows,events,errors,topics,updated\nthings,3,60,1,thing-events,2024-01-02T03:04:05.000Z\n',
    );
  });

  it('--csv with --json is a usage error', async () => {
    const r = await viewJson('list', '--csv');
    expect(r.code).toBe(2);
  });

  it('a missing database: exit 4 and how to build one', async () => {
    const missing = path.join(dir, 'nope.db');
    const r = await evt(['view', 'list', '--db', missing]);
    expect(r.code).toBe(4);
    expect(r.stderr.trim()).toBe(`evt: no views database at ${missing}: build one with evt replay orders`);
    expect(fs.existsSync(missing)).toBe(false);
  });
});

describe('evt view show', () => {
  it('info, columns, positions and the last errors', async () => {
    const r = await view('show', 'things');
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/^view\s+things$/m);
    expect(out).toMatch(/^key\s+id$/m);
    expect(out).toMatch(/^rows\s+3$/m);
    expect(out).toMatch(/^id\s+TEXT\s+yes$/m);
    expect(out).toMatch(/^state\s+TEXT$/m);
    expect(out).toMatch(/^thing-events\s+0\s+42$/m);
    expect(out).toMatch(/^thing-events\s+1\s+17$/m);
    expect(out).toMatch(/thing-events\s+1\s+5\s+2024-01-02T03:04:05.000Z\s+value is not JSON/);
  });

  it('--json', async () => {
    const r = await viewJson('show', 'things');
    const doc = JSON.parse(r.stdout);
    expect(doc.view.name).toBe('things');
    expect(doc.columns.map((c: { name: string }) => c.name)).toEqual(['id', 'state', 'total', 'note', 'headers']);
    expect(doc.positions).toEqual([
      { topic: 'thing-events', partition: 0, nextOffset: 42 },
      { topic: 'thing-events', partition: 1, nextOffset: 17 },
    ]);
    expect(doc.errors).toEqual([
      { topic: 'thing-events', partition: 1, offset: 5, error: 'value is not JSON', at: Date.UTC(2024, 0, 2, 3, 4, 5) },
    ]);
  });

  it('an unknown view: exit 4', async () => {
    const r = await view('show', 'nothing');
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('no view "nothing"');
    expect(r.stderr).toContain('views: things');
  });
});

describe('evt view get', () => {
  it('the row as fields', async () => {
    const r = await view('get', 'things', 't-1');
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toEqual([
      'id       t-1',
      'state    CONFIRMED',
      'total    12',
      'note     plain',
      'headers  {"source":"web"}',
    ]);
  });

  it('--json: the row, with JSON-text columns parsed', async () => {
    const r = await viewJson('get', 'things', 't-1');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      id: 't-1',
      state: 'CONFIRMED',
      total: 12,
      note: 'plain',
      headers: { source: 'web' },
    });
  });

  it('--csv quotes commas, quotes and newlines (RFC 4180)', async () => {
    const a = await view('get', 'things', 't-2', '--csv');
    expect(a.stdout).toBe('id,state,total,note,headers\nt-2,PENDING,30,"has, a comma and ""quotes""",\n');
    const b = await view('get', 'things', 't-3', '--csv');
    expect(b.stdout).toBe('id,state,total,note,headers\nt-3,REJECTED,7,"line one\nline two",\n');
  });

  it('an absent key or view: exit 4', async () => {
    const a = await view('get', 'things', 't-404');
    expect(a.code).toBe(4);
    expect(a.stderr.trim()).toBe('evt: no id "t-404" in view things');
    const b = await view('get', 'nothing', 't-1');
    expect(b.code).toBe(4);
  });
});

describe('evt view query', () => {
  it('a SELECT, as a table, JSON and CSV', async () => {
    const sql = 'SELECT id, total FROM things WHERE total > ? ORDER BY id';
    const t = await view('query', sql, '-p', '10');
    expect(t.code).toBe(0);
    expect(lines(t.stdout)).toEqual(['ID   TOTAL', 't-1     12', 't-2     30']);
    const j = await viewJson('query', sql, '-p', '10');
    expect(JSON.parse(j.stdout)).toEqual({
      columns: ['id', 'total'],
      rows: [
        { id: 't-1', total: 12 },
        { id: 't-2', total: 30 },
      ],
    });
    const c = await view('query', 'SELECT state, count(*) AS n FROM things GROUP BY state ORDER BY state', '--csv');
    expect(c.stdout).toBe('state,n\nCONFIRMED,1\nPENDING,1\nREJECTED,1\n');
  });

  it('reads evt tables too', async () => {
    const r = await viewJson('query', 'SELECT partition, next_offset FROM _evt_offsets ORDER BY partition');
    expect(JSON.parse(r.stdout).rows).toEqual([
      { partition: 0, next_offset: 42 },
      { partition: 1, next_offset: 17 },
    ]);
  });

  it('writes are refused and change nothing', async () => {
    for (const sql of [
      'DELETE FROM things',
      'DELETE FROM things RETURNING id',
      "UPDATE things SET state = 'X'",
      'DROP TABLE things',
      "INSERT INTO things (id, state) VALUES ('x', 'y')",
      'PRAGMA query_only = OFF',
      // PRAGMAs that set something, and whatever else could touch the file, are refused before they run
      'PRAGMA journal_mode=DELETE',
      "/* the mode */ pragma Journal_Mode ( 'delete' )",
      'PRAGMA main.user_version = 7',
      'PRAGMA locking_mode = EXCLUSIVE',
      'PRAGMA wal_checkpoint(TRUNCATE)',
      'PRAGMA wal_checkpoint',
      'PRAGMA optimize',
      "ATTACH 'other.db' AS other",
      'VACUUM',
      `VACUUM INTO '${path.join(dir, 'copy.db')}'`,
      'ANALYZE',
      'BEGIN',
    ]) {
      const r = await view('query', sql);
      expect(r.code, sql).toBe(2);
      expect(lines(r.stderr), sql).toHaveLength(1);
      expect(r.stderr, sql).toContain('evt: query refused:');
    }
    expect(writer.prepare('SELECT id, state FROM things ORDER BY id').all()).toEqual([
      { id: 't-1', state: 'CONFIRMED' },
      { id: 't-2', state: 'PENDING' },
      { id: 't-3', state: 'REJECTED' },
    ]);
  });

  it('PRAGMA journal_mode=DELETE: exit 2 and one line saying why, the file still in WAL mode', async () => {
    const r = await view('query', 'PRAGMA journal_mode=DELETE');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'evt: query refused: PRAGMA journal_mode with a value sets something; only PRAGMAs that read are allowed (views are read-only here; evt replay writes them)\n',
    );
    expect(writer.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(fs.existsSync(path.join(dir, 'copy.db'))).toBe(false);
  });

  it('PRAGMAs that read still work', async () => {
    const info = await viewJson('query', 'PRAGMA table_info(things)');
    expect(info.code).toBe(0);
    expect(JSON.parse(info.stdout).rows.map((r: { name: string }) => r.name)).toEqual([
      'id',
      'state',
      'total',
      'note',
      'headers',
    ]);
    for (const [sql, column] of [
      ['PRAGMA user_version', 'user_version'],
      ["PRAGMA main.index_list('things')", 'name'],
      ['PRAGMA integrity_check', 'integrity_check'],
      ["SELECT name FROM pragma_table_info('things') WHERE pk = 1", 'name'],
    ]) {
      const r = await viewJson('query', sql);
      expect(r.code, `${sql}: ${r.stderr}`).toBe(0);
      expect(JSON.parse(r.stdout).columns, sql).toContain(column);
    }
  });

  it('an SQL error is one line, exit 1', async () => {
    const a = await view('query', 'SELEC nothing');
    expect(a.code).toBe(1);
    expect(lines(a.stderr)).toEqual(['evt: query failed: near "SELEC": syntax error']);
    const b = await view('query', 'SELECT * FROM nope');
    expect(b.code).toBe(1);
    expect(b.stderr.trim()).toBe('evt: query failed: no such table: nope');
  });
});

describe('evt view get --wait-for', () => {
  let w: ReturnType<typeof buildThings>;
  beforeAll(() => {
    w = buildThings();
  });
  afterAll(() => {
    w.db.close();
    fs.rmSync(w.dir, { recursive: true, force: true });
  });

  it('exits 0 once the row reaches one of the states', async () => {
    const s = start([
      '--json',
      '--timeout',
      '20s',
      'view',
      'get',
      'things',
      't-2',
      '--wait-for',
      'state=CONFIRMED,REJECTED',
      '--db',
      w.file,
    ]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    w.db.prepare("UPDATE things SET state = 'REJECTED' WHERE id = 't-2'").run();
    const r = await s.done;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ id: 't-2', state: 'REJECTED' });
  });

  it('exits 5 on timeout, saying what it saw last', async () => {
    const a = await evt([
      '--timeout',
      '500ms',
      'view',
      'get',
      'things',
      't-1',
      '--wait-for',
      'state=SHIPPED',
      '--db',
      w.file,
    ]);
    expect(a.code).toBe(5);
    expect(lines(a.stderr)).toEqual([
      'evt: timed out after 500ms waiting for things t-1 to have state=SHIPPED; last saw state=CONFIRMED',
    ]);
    expect(a.stdout).toBe('');
    const b = await evt([
      '--timeout',
      '300ms',
      'view',
      'get',
      'things',
      't-9',
      '--wait-for',
      'state=CONFIRMED',
      '--db',
      w.file,
    ]);
    expect(b.code).toBe(5);
    expect(b.stderr).toContain('last saw no id "t-9"');
    const c = await evt([
      '--timeout',
      '300ms',
      'view',
      'get',
      'things',
      't-1',
      '--wait-for',
      'state=CONFIRMED',
      '--db',
      path.join(w.dir, 'later.db'),
    ]);
    expect(c.code).toBe(5);
    expect(c.stderr).toContain('last saw no views database at');
  });

  it('an unknown column or a malformed condition is a usage error', async () => {
    const a = await evt(['view', 'get', 'things', 't-1', '--wait-for', 'colour=red', '--db', w.file]);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain('no column "colour"');
    const b = await evt(['view', 'get', 'things', 't-1', '--wait-for', 'state', '--db', w.file]);
    expect(b.code).toBe(2);
  });
});

describe('evt view serve', () => {
  it('announces its address on stderr, answers, and stops on SIGTERM', async () => {
    const s = start(['view', 'serve', '--port', '0', '--db', file]);
    const line = await new Promise<string>((resolve, reject) => {
      readline.createInterface({ input: s.proc.stderr! }).once('line', resolve);
      void s.done.then((r) => reject(new Error(`serve exited with ${r.code}: ${r.stderr}`)));
    });
    const m = /^evt view serve: (http:\/\/127\.0\.0\.1:(\d+))$/.exec(line);
    expect(m, line).not.toBeNull();
    expect(Number(m![2])).toBeGreaterThan(0);
    const health = await fetch(`${m![1]}/health`);
    expect(await health.json()).toEqual({ status: 'ok', views: 1 });
    const row = await fetch(`${m![1]}/views/things/t-1`);
    expect((await row.json()).state).toBe('CONFIRMED');
    s.proc.kill('SIGTERM');
    const r = await s.done;
    expect(r.code).toBe(0);
  });

  it('a missing database: exit 4', async () => {
    const r = await evt(['view', 'serve', '--port', '0', '--db', path.join(dir, 'nope.db')]);
    expect(r.code).toBe(4);
  });
});

describe('evt view --help', () => {
  it('every subcommand has examples', async () => {
    for (const sub of [[], ['list'], ['show'], ['get'], ['query'], ['serve']]) {
      const r = await evt(['view', ...sub, '--help']);
      expect(r.code, sub.join(' ')).toBe(0);
      expect(r.stdout, sub.join(' ')).toContain('Examples:');
    }
  });
});
