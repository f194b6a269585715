// Reading views: a row by key, rows by one column's value, and arbitrary SQL that can never change a view.
// Everything here reads; the replay engine is the only writer of a views database. The CLI (`evt view`) and
// the HTTP API (http.ts) both sit on these functions.

import type { Database, Statement } from 'better-sqlite3';
import { quoteIdent } from './definition.js';
import { hasTable, openDatabase, type StoredError, type ViewInfo } from './store.js';

export type Row = Record<string, unknown>;

/**
 * Columns that views store as JSON text (an event's headers and value, a list of lines): read back as JSON so
 * that `get` and the HTTP API return structure rather than a string holding JSON.
 */
const JSON_COLUMNS = new Set(['lines', 'headers', 'value']);

/** A query the views database refuses (a write) or cannot run (bad SQL); `refused` tells the two apart. */
export class QueryError extends Error {
  constructor(
    message: string,
    readonly refused = false,
  ) {
    super(message);
    this.name = 'QueryError';
  }
}

/** A filter or wait on a column the view's table does not have. */
export class UnknownColumnError extends Error {
  constructor(
    readonly column: string,
    readonly table: string,
    readonly columns: string[],
  ) {
    super(`${table} has no column "${column}" (its columns: ${columns.join(', ')})`);
    this.name = 'UnknownColumnError';
  }
}

export interface ColumnInfo {
  name: string;
  type: string;
  notNull: boolean;
  /** position in the primary key (1-based), 0 when not part of it */
  primaryKey: number;
}

/** The table's real columns, in order ([] when the table does not exist). */
export function tableColumns(db: Database, table: string): ColumnInfo[] {
  const rows = db.prepare(`PRAGMA table_info(${quoteIdent(table)})`).all() as {
    name: string;
    type: string;
    notnull: number;
    pk: number;
  }[];
  return rows.map((r) => ({ name: r.name, type: r.type, notNull: r.notnull === 1, primaryKey: r.pk }));
}

/** A row as stored, with its JSON-text columns parsed (a column that is not valid JSON stays as text). */
export function decodeRow(row: Row): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) {
    if (JSON_COLUMNS.has(k) && typeof v === 'string') {
      try {
        out[k] = JSON.parse(v);
      } catch {
        out[k] = v;
      }
    } else out[k] = v;
  }
  return out;
}

/** The row of the view's main table with that key, or undefined (also when the table is not there yet). */
export function getRow(db: Database, view: Pick<ViewInfo, 'table' | 'keyColumn'>, key: string): Row | undefined {
  let row: Row | undefined;
  try {
    row = lookupStatement(db, view)?.get(key) as Row | undefined;
  } catch {
    // the table was dropped since the statement was prepared (a --rebuild): look again
    lookups.delete(db);
    row = lookupStatement(db, view)?.get(key) as Row | undefined;
  }
  return row && decodeRow(row);
}

// Prepared once per database and table: preparing (and checking the table exists) costs far more than the
// lookup itself, and `evt view serve` answers many.
const lookups = new WeakMap<Database, Map<string, Statement>>();

function lookupStatement(db: Database, view: Pick<ViewInfo, 'table' | 'keyColumn'>): Statement | undefined {
  let byTable = lookups.get(db);
  if (!byTable) lookups.set(db, (byTable = new Map<string, Statement>()));
  const cacheKey = `${view.table}\u0000${view.keyColumn}`;
  let statement = byTable.get(cacheKey);
  if (!statement) {
    if (!hasTable(db, view.table)) return undefined; // not cached: the table may appear later
    statement = db.prepare(`SELECT * FROM ${quoteIdent(view.table)} WHERE ${quoteIdent(view.keyColumn)} = ? LIMIT 1`);
    byTable.set(cacheKey, statement);
  }
  return statement;
}

/**
 * Rows of the view's main table whose columns equal the given values (all of them), ordered by key. Column
 * names are checked against the table's own columns before they reach the SQL text, so a name is never a
 * way to inject SQL; values are always bound parameters.
 */
export function findRows(
  db: Database,
  view: Pick<ViewInfo, 'table' | 'keyColumn'>,
  where: Record<string, string>,
  limit: number,
): Row[] {
  if (!hasTable(db, view.table)) return [];
  const columns = tableColumns(db, view.table).map((c) => c.name);
  const names = Object.keys(where);
  for (const name of names) if (!columns.includes(name)) throw new UnknownColumnError(name, view.table, columns);
  const clause = names.length ? ` WHERE ${names.map((n) => `${quoteIdent(n)} = ?`).join(' AND ')}` : '';
  const sql = `SELECT * FROM ${quoteIdent(view.table)}${clause} ORDER BY ${quoteIdent(view.keyColumn)} LIMIT ?`;
  return (db.prepare(sql).all(...names.map((n) => where[n]), limit) as Row[]).map(decodeRow);
}

/** The view's most recent errors, oldest first (store.errorsOf gives the first ones). */
export function lastErrors(db: Database, view: string, limit = 10): StoredError[] {
  if (!hasTable(db, '_evt_errors')) return [];
  const rows = db
    .prepare(
      'SELECT topic, partition, offset, error, at FROM _evt_errors WHERE view = ? ORDER BY at DESC, topic DESC, partition DESC, offset DESC LIMIT ?',
    )
    .all(view, limit) as StoredError[];
  return rows.reverse();
}

/**
 * Opens the views database for reading only: read-only at the file level, and query_only on top, so that
 * neither a write statement nor a PRAGMA can change a view (the replay is the only writer).
 */
export function openReadOnly(file: string): Database {
  const db = openDatabase(file, { readonly: true });
  db.pragma('query_only = ON');
  return db;
}

export interface QueryResult {
  columns: string[];
  rows: Row[];
}

/** Runs one SQL query on an open read-only database. */
export function runQuery(db: Database, sql: string, params: unknown[] | Record<string, unknown> = []): QueryResult {
  let stmt;
  try {
    stmt = db.prepare(sql);
  } catch (err) {
    throw new QueryError((err as Error).message);
  }
  // refused before running: the read-only connection would refuse most of these too, but with SQLite's less
  // helpful words, and some (PRAGMA journal_mode=DELETE) as "database is locked", a failure rather than a refusal
  const refusal = writeRefusal(sql, stmt);
  if (refusal) throw new QueryError(`${refusal} (views are read-only here; evt replay writes them)`, true);
  try {
    const rows = (Array.isArray(params) ? stmt.all(...params) : stmt.all(params)) as Row[];
    return { columns: stmt.columns().map((c) => c.name), rows };
  } catch (err) {
    const e = err as Error & { code?: string };
    if (e.code === 'SQLITE_READONLY')
      throw new QueryError(
        'only queries that read are allowed (views are read-only here; evt replay writes them)',
        true,
      );
    throw new QueryError(e.message);
  }
}

/**
 * PRAGMAs whose argument names what to read (a table, an index, how many problems to list), not a new value.
 * Any other PRAGMA given a value, `PRAGMA x = v` or `PRAGMA x(v)`, sets something.
 */
const READING_PRAGMAS = new Set([
  'table_info',
  'table_xinfo',
  'table_list',
  'index_info',
  'index_xinfo',
  'index_list',
  'foreign_key_list',
  'foreign_key_check',
  'integrity_check',
  'quick_check',
]);

/** PRAGMAs that act even without a value (ANALYZE, a checkpoint): refused like a write. */
const ACTING_PRAGMAS = new Set(['optimize', 'wal_checkpoint', 'incremental_vacuum', 'shrink_memory']);

// leading blanks and comments, then PRAGMA [schema.]name and what follows the name
const IDENT = String.raw`(?:"(?:[^"]|"")*"|\[[^\]]*\]|` + '`[^`]*`' + String.raw`|[A-Za-z_][A-Za-z0-9_$]*)`;
const PRAGMA = new RegExp(
  String.raw`^(?:\s+|--[^\n]*(?:\n|$)|/\*[\s\S]*?\*/)*PRAGMA\s+(?:${IDENT}\s*\.\s*)?(${IDENT})\s*([=(]?)`,
  'i',
);

/**
 * Why a statement is refused on a read-only views database, or null when it only reads. SQLite's own flags
 * decide first (a statement must return rows, and must not be able to write: sqlite3_stmt_readonly), then
 * PRAGMAs, which SQLite counts as read-only when they change only the connection (locking_mode, mmap_size):
 * one given a value is refused unless its argument names what to read (table_info(t)).
 */
export function writeRefusal(sql: string, stmt: Pick<Statement, 'reader' | 'readonly'>): string | null {
  if (!stmt.reader) return 'only queries that return rows are allowed';
  const pragma = PRAGMA.exec(sql);
  if (pragma) {
    const name = pragma[1].replace(/^["[`]|["\]`]$/g, '').toLowerCase();
    if (ACTING_PRAGMAS.has(name)) return `PRAGMA ${name} can change the database; only PRAGMAs that read are allowed`;
    if (pragma[2] && !READING_PRAGMAS.has(name))
      return `PRAGMA ${name} with a value sets something; only PRAGMAs that read are allowed`;
  }
  if (!stmt.readonly) return 'the statement can change the database; only queries that read are allowed';
  return null;
}

/** Opens the database read-only, runs one query and closes it. */
export function queryRows(file: string, sql: string, params: unknown[] | Record<string, unknown> = []): QueryResult {
  const db = openReadOnly(file);
  try {
    return runQuery(db, sql, params);
  } finally {
    db.close();
  }
}
