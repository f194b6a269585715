// A small views database built by hand (no broker, no replay): a "things" view keyed by id with a state
// column, a few rows, offsets for two partitions and one error.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import type { ViewDefinition } from '../../src/views/definition.js';
import { ensureView, openDatabase } from '../../src/views/store.js';

export const THINGS: ViewDefinition = {
  name: 'things',
  description: 'things by id',
  topics: ['thing-events'],
  table: 'things',
  keyColumn: 'id',
  source: 'test',
  tables: ['things'],
  create(db) {
    db.exec(
      'CREATE TABLE IF NOT EXISTS things (id TEXT PRIMARY KEY, state TEXT NOT NULL, total INTEGER, note TEXT, headers TEXT)',
    );
  },
  prepare() {
    return () => {};
  },
};

export const UPDATED_AT = Date.UTC(2024, 0, 2, 3, 4, 5);

/** Writes the database into a fresh temp dir and returns its path; the writer connection stays open. */
export function buildThings(): { dir: string; file: string; db: Database } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'evt-views-'));
  const file = path.join(dir, 'views.db');
  const db = openDatabase(file);
  ensureView(db, THINGS);
  const insert = db.prepare('INSERT INTO things (id, state, total, note, headers) VALUES (?, ?, ?, ?, ?)');
  insert.run('t-1', 'CONFIRMED', 12, 'plain', JSON.stringify({ source: 'web' }));
  insert.run('t-2', 'PENDING', 30, 'has, a comma and "quotes"', null);
  insert.run('t-3', 'REJECTED', 7, 'line one\nline two', null);
  db.prepare('INSERT INTO _evt_offsets (view, topic, partition, next_offset) VALUES (?, ?, ?, ?)').run(
    'things',
    'thing-events',
    0,
    42,
  );
  db.prepare('INSERT INTO _evt_offsets (view, topic, partition, next_offset) VALUES (?, ?, ?, ?)').run(
    'things',
    'thing-events',
    1,
    17,
  );
  db.prepare('INSERT INTO _evt_errors (view, topic, partition, offset, error, at) VALUES (?, ?, ?, ?, ?, ?)').run(
    'things',
    'thing-events',
    1,
    5,
    'value is not JSON',
    UPDATED_AT,
  );
  db.prepare('UPDATE _evt_views SET events = 60, errors = 1, updated_at = ? WHERE name = ?').run(UPDATED_AT, 'things');
  return { dir, file, db };
}
