// The SQLite file that holds the views (default .evt/views.db): each view's tables, plus three of evt's own:
//   _evt_views    one row per view: its definition's source, topics, table, key column, counters
//   _evt_offsets  per view and partition, the next offset to read, written in the same transaction as the
//                 rows the events up to it produced, so that a crash at any moment resumes exactly where
//                 the committed rows end (never a separate checkpoint file)
//   _evt_errors   events a view could not decode or apply (topic, partition, offset, error); the replay goes on
// WAL mode: readers (`evt view get`, the HTTP API) never block the replay, and the replay never blocks them.

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { Database } from 'better-sqlite3';
import { quoteIdent, type ViewDefinition } from './definition.js';

const require = createRequire(import.meta.url);

export const DEFAULT_DB = '.evt/views.db';

export interface ViewInfo {
  name: string;
  source: string;
  topics: string[];
  table: string;
  keyColumn: string;
  /** events applied since the view was (re)built */
  events: number;
  /** events that went to the errors table */
  errors: number;
  /** rows in its main table */
  rows: number;
  /** epoch ms of the last committed batch, or null */
  updatedAt: number | null;
}

export interface PartitionPosition {
  topic: string;
  partition: number;
  nextOffset: number;
}

export interface StoredError {
  topic: string;
  partition: number;
  offset: number;
  error: string;
  at: number;
}

/** Loads the SQLite binding now (a few tens of ms of a cold start), e.g. while the cluster is being reached. */
export function loadSqlite(): void {
  require('better-sqlite3');
}

/** Opens (creating with `readonly` false) the views database. */
export function openDatabase(file: string, options: { readonly?: boolean } = {}): Database {
  const BetterSqlite3 = require('better-sqlite3') as typeof import('better-sqlite3');
  if (!options.readonly) fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new BetterSqlite3(file, { readonly: !!options.readonly, fileMustExist: !!options.readonly });
  if (!options.readonly) {
    db.pragma('journal_mode = WAL');
    // a committed batch survives a process crash in WAL with NORMAL; a power loss may lose the last batches,
    // which is still consistent (their offsets are lost with them, so they are replayed)
    db.pragma('synchronous = NORMAL');
    db.exec(`
      CREATE TABLE IF NOT EXISTS _evt_views (
        name TEXT PRIMARY KEY, source TEXT NOT NULL, topics TEXT NOT NULL, tbl TEXT NOT NULL, key_column TEXT NOT NULL,
        events INTEGER NOT NULL DEFAULT 0, errors INTEGER NOT NULL DEFAULT 0, updated_at INTEGER);
      CREATE TABLE IF NOT EXISTS _evt_offsets (
        view TEXT NOT NULL, topic TEXT NOT NULL, partition INTEGER NOT NULL, next_offset INTEGER NOT NULL,
        PRIMARY KEY (view, topic, partition));
      CREATE TABLE IF NOT EXISTS _evt_errors (
        view TEXT NOT NULL, topic TEXT NOT NULL, partition INTEGER NOT NULL, offset INTEGER NOT NULL, error TEXT NOT NULL, at INTEGER NOT NULL,
        PRIMARY KEY (view, topic, partition, offset));`);
  }
  return db;
}

/** The views a database holds, with their counters. */
export function listViews(db: Database): ViewInfo[] {
  if (!hasTable(db, '_evt_views')) return [];
  const rows = db
    .prepare('SELECT name, source, topics, tbl, key_column, events, errors, updated_at FROM _evt_views ORDER BY name')
    .all() as {
    name: string;
    source: string;
    topics: string;
    tbl: string;
    key_column: string;
    events: number;
    errors: number;
    updated_at: number | null;
  }[];
  return rows.map((r) => ({
    name: r.name,
    source: r.source,
    topics: JSON.parse(r.topics) as string[],
    table: r.tbl,
    keyColumn: r.key_column,
    events: r.events,
    errors: r.errors,
    rows: hasTable(db, r.tbl)
      ? (db.prepare(`SELECT count(*) AS n FROM ${quoteIdent(r.tbl)}`).get() as { n: number }).n
      : 0,
    updatedAt: r.updated_at,
  }));
}

export function viewInfo(db: Database, name: string): ViewInfo | undefined {
  return listViews(db).find((v) => v.name === name);
}

/** The topics a view was registered with, or undefined when the database has no such view. */
export function storedTopics(db: Database, name: string): string[] | undefined {
  if (!hasTable(db, '_evt_views')) return undefined;
  const row = db.prepare('SELECT topics FROM _evt_views WHERE name = ?').get(name) as { topics: string } | undefined;
  return row ? (JSON.parse(row.topics) as string[]) : undefined;
}

/** How a view was registered (its definition's source and topics), without counting its rows; undefined when absent. */
export function registeredView(db: Database, name: string): { source: string; topics: string[] } | undefined {
  if (!hasTable(db, '_evt_views')) return undefined;
  const row = db.prepare('SELECT source, topics FROM _evt_views WHERE name = ?').get(name) as
    { source: string; topics: string } | undefined;
  return row ? { source: row.source, topics: JSON.parse(row.topics) as string[] } : undefined;
}

/** Where each partition of the view resumes. */
export function positions(db: Database, view: string): PartitionPosition[] {
  if (!hasTable(db, '_evt_offsets')) return [];
  return db
    .prepare(
      'SELECT topic, partition, next_offset AS nextOffset FROM _evt_offsets WHERE view = ? ORDER BY topic, partition',
    )
    .all(view) as PartitionPosition[];
}

export function errorsOf(db: Database, view: string, limit = 100): StoredError[] {
  if (!hasTable(db, '_evt_errors')) return [];
  return db
    .prepare(
      'SELECT topic, partition, offset, error, at FROM _evt_errors WHERE view = ? ORDER BY at, topic, partition, offset LIMIT ?',
    )
    .all(view, limit) as StoredError[];
}

/** Registers a view (or refreshes its description), creating its tables. */
export function ensureView(db: Database, def: ViewDefinition): void {
  db.transaction(() => {
    def.create(db);
    db.prepare(
      `INSERT INTO _evt_views (name, source, topics, tbl, key_column) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(name) DO UPDATE SET source = excluded.source, topics = excluded.topics, tbl = excluded.tbl, key_column = excluded.key_column`,
    ).run(def.name, def.source, JSON.stringify(def.topics), def.table, def.keyColumn);
  })();
}

/** Drops a view's tables, offsets, errors and registration (--rebuild, then replayed from the start). */
export function dropView(db: Database, def: Pick<ViewDefinition, 'name' | 'tables'>): void {
  db.transaction(() => {
    for (const t of def.tables) db.exec(`DROP TABLE IF EXISTS ${quoteIdent(t)}`);
    for (const t of ['_evt_offsets', '_evt_errors']) db.prepare(`DELETE FROM ${t} WHERE view = ?`).run(def.name);
    db.prepare('DELETE FROM _evt_views WHERE name = ?').run(def.name);
  })();
}

export function hasTable(db: Database, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?").get(name) !== undefined;
}
