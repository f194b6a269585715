// Custom views: a user's view file turned into a ViewDefinition (`evt replay <name> --view-file FILE`).
//
// Two kinds of file:
//   .json               declarative: a table named after the view, one row per key (last value wins, like a
//                       KTable), columns taken from the value by small JSON paths, `where` filters, `deleteOn`
//                       and tombstones delete.
//   .js / .mjs / .cjs   code: the default export (or module.exports) is { name, topics, table?, key, columns,
//                       apply(event, view) }, `view` offering upsert/delete/get on the view's table.
//   .ts / .mts / .cts   code too, but only when Node strips types itself (on by default from Node 22.18;
//                       22.6 with --experimental-strip-types); refused otherwise with a clear message.
//                       TypeScript is a devDependency of evt, so users cannot rely on it to transpile.
//
// Every problem in the file is one Error naming the file and the field (and the line and column of a syntax
// error, the line of an async apply), found when the file is loaded, before any event is read. An event a
// view cannot apply throws an Error naming the file, the line of the view's code that threw, and the view's own
// message; the replay adds the event's position (topic-partition@offset) once and records it in its errors
// table. The README's "Custom views" section documents the format.

import { parseRecordPath, valuesAt, asText, type RecordPath } from '../flow/json-path.js';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Database, Statement } from 'better-sqlite3';
import { quoteIdent, type ViewDefinition, type ViewEvent } from './definition.js';
import { lineOfFunction, syntaxErrorAt, thrownAt } from './code-position.js';

/** A problem with a view file itself (the command layer reports it as a usage error, exit 2). */
export class ViewFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ViewFileError';
  }
}

/** The columns every custom view's table carries: where its row's last event came from. */
export const META_COLUMNS = ['_topic', '_partition', '_offset', '_timestamp'] as const;

const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const IDENT = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const JSON_FIELDS = ['name', 'description', 'topics', 'key', 'columns', 'where', 'deleteOn'] as const;
const CODE_FIELDS = ['name', 'description', 'topics', 'table', 'key', 'columns', 'apply'] as const;
const COLUMN_TYPES = ['TEXT', 'INTEGER', 'REAL', 'JSON'] as const;
type ColumnType = (typeof COLUMN_TYPES)[number];

/** Loads a view file (.json, .js, .mjs, .cjs; .ts where Node strips types) into a view definition. */
export async function loadViewFile(file: string): Promise<ViewDefinition> {
  const ext = path.extname(file).toLowerCase();
  if (!fs.existsSync(file)) throw new ViewFileError(`${file}: view file not found`);
  if (ext === '.json') {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      throw new ViewFileError(`${file}: cannot read the view file: ${(e as Error).message}`);
    }
    let spec: unknown;
    try {
      spec = JSON.parse(text);
    } catch (e) {
      throw new ViewFileError(`${file}: not valid JSON: ${(e as Error).message}`);
    }
    return jsonView(file, spec);
  }
  const typescript = ext === '.ts' || ext === '.mts' || ext === '.cts';
  if (typescript) {
    if (!nodeStripsTypes()) {
      throw new ViewFileError(
        `${file}: TypeScript view files need a Node that strips types (22.18 or later, or 22.6 with --experimental-strip-types); ` +
          `this is Node ${process.versions.node}: write the view as .js (or .mjs) or .json instead`,
      );
    }
  } else if (ext !== '.js' && ext !== '.mjs' && ext !== '.cjs') {
    throw new ViewFileError(`${file}: a view file is .json, .js, .mjs, .cjs or .ts, not "${ext || 'no extension'}"`);
  }
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(path.resolve(file)).href)) as Record<string, unknown>;
  } catch (e) {
    const err = e as Error;
    // node --check does not strip types: a TypeScript file's position comes from the error alone
    const syntax = syntaxErrorAt(file, err, !typescript);
    const message = syntax ? syntax.message : err.message;
    const hint =
      /\b(export|import)\b/.test(message) && ext === '.js'
        ? ' (ES module syntax in a .js file outside a "type": "module" package: rename it .mjs)'
        : '';
    if (syntax) throw new ViewFileError(`${file}:${syntax.line}:${syntax.column}: ${message}${hint}`);
    throw new ViewFileError(`${file}: cannot load the view file: ${message}${hint}`);
  }
  return codeView(file, mod.default ?? mod);
}

/** Whether this Node imports TypeScript itself (type stripping). */
export function nodeStripsTypes(): boolean {
  const features = process.features as { typescript?: string | false };
  if (features.typescript) return true;
  const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  return flags.some((f) => f === '--experimental-strip-types' || f === '--experimental-transform-types');
}

// ---------------------------------------------------------------------------------------------------------
// JSON paths: $ (the value), .field, [n], ['quoted field'] / ["quoted field"]; $key (the record key) and
// $headers.<name> (a header; the rest of the path is the name) or $headers['name'].

/** A place in an event: `$key`, `$headers.<name>` or a value path (the flows' path language, src/flow/json-path.ts). */
type JsonPath = RecordPath;

/** Parses a path; throws a message (without the file/field, which the caller adds) when it is not one. */
export function parsePath(text: unknown): JsonPath {
  return parseRecordPath(text);
}

/** The path's value in the event (the first, for a path with [*]), undefined when absent. */
export function evaluatePath(p: JsonPath, event: ViewEvent): unknown {
  if (p.from === 'key') return event.key ?? undefined;
  if (p.from === 'header')
    return Object.prototype.hasOwnProperty.call(event.headers, p.name) ? event.headers[p.name] : undefined;
  return valuesAt(event.value, p.path)[0];
}

// ---------------------------------------------------------------------------------------------------------
// Declarative JSON views

type Scalar = string | number | boolean | null;
interface Condition {
  path: JsonPath;
  /** any of */
  values: Scalar[];
}

function jsonView(file: string, spec: unknown): ViewDefinition {
  const fail = (msg: string): never => {
    throw new ViewFileError(`${file}: ${msg}`);
  };
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec))
    fail(`a view file holds one JSON object, not ${describe(spec)}`);
  const s = spec as Record<string, unknown>;
  checkFields(s, JSON_FIELDS, fail);
  const name = checkName(s.name, 'name', fail);
  const description = checkDescription(s.description, fail);
  const topics = checkTopics(s.topics, fail);
  if (s.key === undefined) fail('missing "key" (the path of each row\'s key, e.g. "$.orderId" or "$key")');
  const keyPath = pathOf(s.key, 'key', fail);
  if (s.columns === undefined) fail('missing "columns" (column name -> path)');
  if (s.columns === null || typeof s.columns !== 'object' || Array.isArray(s.columns))
    fail(`columns: an object of column name -> path, not ${describe(s.columns)}`);
  const columnSpec = Object.entries(s.columns as Record<string, unknown>);
  if (columnSpec.length === 0) fail('columns: at least one column');
  const columns: { name: string; path: JsonPath }[] = [];
  const taken = new Set(['key', ...META_COLUMNS]);
  for (const [col, p] of columnSpec) {
    const field = `columns.${col}`;
    if (!IDENT.test(col))
      fail(`columns: "${col}" is not a column name (letters, digits, _; not starting with a digit)`);
    if (taken.has(col.toLowerCase()))
      fail(`${field}: the name is taken (key, ${META_COLUMNS.join(', ')} are the view's own columns)`);
    taken.add(col.toLowerCase());
    columns.push({ name: col, path: pathOf(p, field, fail) });
  }
  const where = conditions(s.where, 'where', fail);
  const deleteOn = conditions(s.deleteOn, 'deleteOn', fail);

  const table = name;
  const allColumns = ['key', ...columns.map((c) => c.name), ...META_COLUMNS];
  const display = file;
  return {
    name,
    description: description ?? `custom view from ${path.basename(file)}: ${topics.join(', ')} by ${keyPath.text}`,
    topics,
    table,
    keyColumn: 'key',
    source: path.resolve(file),
    tables: [table],
    create(db) {
      db.exec(
        `CREATE TABLE IF NOT EXISTS ${quoteIdent(table)} ("key" TEXT PRIMARY KEY, ${columns.map((c) => quoteIdent(c.name)).join(', ')}, ` +
          `"_topic" TEXT, "_partition" INTEGER, "_offset" INTEGER, "_timestamp" INTEGER)`,
      );
    },
    prepare(db) {
      checkTableColumns(db, table, allColumns, display);
      const upsert = upsertStatement(db, table, 'key', allColumns);
      const remove = db.prepare(`DELETE FROM ${quoteIdent(table)} WHERE "key" = ?`);
      return (event) => {
        try {
          if (event.value === null) {
            if (event.key === null) throw new Error('a tombstone without a record key');
            remove.run(event.key);
            return;
          }
          if (deleteOn.length > 0 && matches(deleteOn, event)) {
            remove.run(keyOf(keyPath, event));
            return;
          }
          if (!matches(where, event)) return;
          const params: unknown[] = [keyOf(keyPath, event)];
          for (const c of columns) params.push(toSql(evaluatePath(c.path, event)));
          params.push(event.topic, event.partition, event.offset, event.timestamp);
          upsert.run(params);
        } catch (e) {
          throw eventError(display, e);
        }
      };
    },
  };
}

function conditions(value: unknown, field: string, fail: (msg: string) => never): Condition[] {
  if (value === undefined) return [];
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    fail(`${field}: an object of path -> value (or [values]), not ${describe(value)}`);
  const out: Condition[] = [];
  for (const [p, expected] of Object.entries(value as Record<string, unknown>)) {
    const f = `${field}["${p}"]`;
    const values = Array.isArray(expected) ? expected : [expected];
    if (Array.isArray(expected) && expected.length === 0) fail(`${f}: an empty list matches nothing`);
    for (const v of values)
      if (v !== null && typeof v === 'object')
        fail(`${f}: compare with a string, number, boolean or null (or a list of them), not ${describe(v)}`);
    out.push({ path: pathOf(p, field, fail), values: values as Scalar[] });
  }
  if (out.length === 0) fail(`${field}: at least one condition (or leave "${field}" out)`);
  return out;
}

/** All conditions hold (a missing value equals null). */
function matches(conds: readonly Condition[], event: ViewEvent): boolean {
  for (const c of conds) {
    const v = evaluatePath(c.path, event) ?? null;
    if (!c.values.some((x) => x === v)) return false;
  }
  return true;
}

function keyOf(p: JsonPath, event: ViewEvent): string {
  const k = evaluatePath(p, event);
  if (k === undefined || k === null) throw new Error(`the key ${p.text} is missing`);
  if (typeof k === 'string') return k;
  if (typeof k === 'number' || typeof k === 'boolean') return String(k);
  throw new Error(`the key ${p.text} is ${describe(k)}, not a string or number`);
}

/** A JSON value as SQLite stores it: integers as INTEGER, booleans 1/0, objects and arrays as JSON text. */
function toSql(v: unknown): string | number | bigint | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number') return Number.isSafeInteger(v) ? BigInt(v) : v;
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (typeof v === 'string' || typeof v === 'bigint') return v;
  return JSON.stringify(v);
}

// ---------------------------------------------------------------------------------------------------------
// Code views

/** What a code view's apply gets to write its table with. */
export interface ViewTable {
  /** inserts the row or replaces the one with its key (columns it omits are NULL); _topic.. come from the event */
  upsert(row: Record<string, unknown>): void;
  delete(key: unknown): void;
  /** the row with that key (JSON columns parsed), undefined when there is none */
  get(key: unknown): Record<string, unknown> | undefined;
}

/** The default export of a .js view file. */
export interface CodeViewModule {
  name: string;
  description?: string;
  topics: string[];
  table?: string;
  key: string;
  columns: Record<string, ColumnType>;
  apply(event: ViewEvent, view: ViewTable): void;
}

function codeView(file: string, exported: unknown): ViewDefinition {
  const fail = (msg: string): never => {
    throw new ViewFileError(`${file}: ${msg}`);
  };
  if (exported === null || typeof exported !== 'object' || Array.isArray(exported))
    fail(`the default export is the view, an object { name, topics, key, columns, apply }, not ${describe(exported)}`);
  const s = exported as Record<string, unknown>;
  checkFields(s, CODE_FIELDS, fail);
  const name = checkName(s.name, 'name', fail);
  const description = checkDescription(s.description, fail);
  const topics = checkTopics(s.topics, fail);
  const table = s.table === undefined ? name : checkName(s.table, 'table', fail);
  if (s.key === undefined) fail('missing "key" (the name of the key column)');
  if (typeof s.key !== 'string' || !IDENT.test(s.key))
    fail(`key: the key column's name (letters, digits, _), not ${describe(s.key)}`);
  const keyColumn = s.key as string;
  if (s.columns === undefined) fail(`missing "columns" (column name -> ${COLUMN_TYPES.join('|')})`);
  if (s.columns === null || typeof s.columns !== 'object' || Array.isArray(s.columns))
    fail(`columns: an object of column name -> ${COLUMN_TYPES.join('|')}, not ${describe(s.columns)}`);
  const types = new Map<string, ColumnType>();
  const lower = new Set<string>(META_COLUMNS);
  for (const [col, t] of Object.entries(s.columns as Record<string, unknown>)) {
    if (!IDENT.test(col))
      fail(`columns: "${col}" is not a column name (letters, digits, _; not starting with a digit)`);
    if (lower.has(col.toLowerCase()))
      fail(
        `columns.${col}: the name is taken (${META_COLUMNS.join(', ')} are the view's own columns; names are case-insensitive)`,
      );
    lower.add(col.toLowerCase());
    if (typeof t !== 'string' || !(COLUMN_TYPES as readonly string[]).includes(t))
      fail(`columns.${col}: a type, one of ${COLUMN_TYPES.join(', ')}, not ${describe(t)}`);
    types.set(col, t as ColumnType);
  }
  if (!types.has(keyColumn)) {
    if (lower.has(keyColumn.toLowerCase())) fail(`key: "${keyColumn}" differs only in case from another column`);
    types.set(keyColumn, 'TEXT');
  }
  if (types.size < 2) fail('columns: at least one column besides the key');
  if (typeof s.apply !== 'function') fail(`apply: a function (event, view) => void, not ${describe(s.apply)}`);
  const userApply = s.apply as (event: ViewEvent, view: ViewTable) => unknown;
  checkSynchronous(file, userApply);

  // the key column first, then the others in the file's order
  const userColumns = [keyColumn, ...[...types.keys()].filter((c) => c !== keyColumn)];
  const allColumns = [...userColumns, ...META_COLUMNS];
  const sqlType = (t: ColumnType) => (t === 'JSON' ? 'TEXT' : t);
  const display = file;
  return {
    name,
    description: description ?? `custom view from ${path.basename(file)}`,
    topics,
    table,
    keyColumn,
    source: path.resolve(file),
    tables: [table],
    create(db) {
      const defs = userColumns.map(
        (c) => `${quoteIdent(c)} ${sqlType(types.get(c)!)}${c === keyColumn ? ' PRIMARY KEY' : ''}`,
      );
      db.exec(
        `CREATE TABLE IF NOT EXISTS ${quoteIdent(table)} (${defs.join(', ')}, "_topic" TEXT, "_partition" INTEGER, "_offset" INTEGER, "_timestamp" INTEGER)`,
      );
    },
    prepare(db) {
      checkTableColumns(db, table, allColumns, display);
      const upsert = upsertStatement(db, table, keyColumn, allColumns);
      const remove = db.prepare(`DELETE FROM ${quoteIdent(table)} WHERE ${quoteIdent(keyColumn)} = ?`);
      const select = db.prepare(`SELECT * FROM ${quoteIdent(table)} WHERE ${quoteIdent(keyColumn)} = ?`);
      let current: ViewEvent | undefined;
      const keyParam = (key: unknown) => {
        const k = toColumn(keyColumn, types.get(keyColumn)!, key);
        if (k === null) throw new Error(`the key (${keyColumn}) is ${describe(key)}`);
        return k;
      };
      const view: ViewTable = {
        upsert(row) {
          if (row === null || typeof row !== 'object' || Array.isArray(row))
            throw new Error(`upsert takes a row object, not ${describe(row)}`);
          for (const col of Object.keys(row))
            if (!types.has(col) && !isMeta(col))
              throw new Error(`upsert: no column "${col}" (columns: ${userColumns.join(', ')})`);
          const params: unknown[] = [keyParam(row[keyColumn])];
          for (const col of userColumns.slice(1)) params.push(toColumn(col, types.get(col)!, row[col]));
          params.push(
            current?.topic ?? null,
            current?.partition ?? null,
            current?.offset ?? null,
            current?.timestamp ?? null,
          );
          upsert.run(params);
        },
        delete(key) {
          remove.run(keyParam(key));
        },
        get(key) {
          const row = select.get(keyParam(key)) as Record<string, unknown> | undefined;
          if (!row) return undefined;
          for (const [col, t] of types)
            if (t === 'JSON' && typeof row[col] === 'string') row[col] = JSON.parse(row[col]);
          return row;
        },
      };
      // each event in a savepoint: an apply that throws half-way leaves nothing behind
      const applyOne = db.transaction((event: ViewEvent) => {
        const result = userApply(event, view);
        if (
          result !== null &&
          typeof result === 'object' &&
          typeof (result as { then?: unknown }).then === 'function'
        ) {
          throw new Error('apply returned a promise: it must be synchronous (it runs inside a SQLite transaction)');
        }
      });
      return (event) => {
        current = event;
        try {
          applyOne(event);
        } catch (e) {
          throw eventError(display, e);
        } finally {
          current = undefined;
        }
      };
    },
  };
}

const isMeta = (col: string): boolean => (META_COLUMNS as readonly string[]).includes(col);

function toColumn(col: string, type: ColumnType, v: unknown): string | number | bigint | null {
  if (v === undefined || v === null) return null;
  if (type === 'JSON') return JSON.stringify(v);
  if (typeof v === 'number') return type !== 'REAL' && Number.isSafeInteger(v) ? BigInt(v) : v;
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (typeof v === 'string' || typeof v === 'bigint') return v;
  throw new Error(`column ${col} is ${type}, not for ${describe(v)} (declare it JSON)`);
}

// ---------------------------------------------------------------------------------------------------------
// Shared

function upsertStatement(db: Database, table: string, keyColumn: string, columns: readonly string[]): Statement {
  const set = columns.filter((c) => c !== keyColumn).map((c) => `${quoteIdent(c)} = excluded.${quoteIdent(c)}`);
  return db.prepare(
    `INSERT INTO ${quoteIdent(table)} (${columns.map(quoteIdent).join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) ` +
      `ON CONFLICT(${quoteIdent(keyColumn)}) DO UPDATE SET ${set.join(', ')}`,
  );
}

/** A table left by an earlier version of the view file cannot take this one's rows: say so, not "no such column". */
function checkTableColumns(db: Database, table: string, columns: readonly string[], file: string): void {
  const existing = (db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as { name: string }[]).map(
    (r) => r.name,
  );
  if (existing.length === 0) return;
  const same =
    existing.length === columns.length &&
    columns.every((c) => existing.some((e) => e.toLowerCase() === c.toLowerCase()));
  if (!same) {
    throw new ViewFileError(
      `${file}: the table ${table} has the columns (${existing.join(', ')}) but the view file defines (${columns.join(', ')}): replay with --rebuild`,
    );
  }
}

/**
 * An async (or generator) apply would return before its writes, outside the transaction that commits them
 * with the offsets: refused when the file is loaded, at the line where apply is written. A plain function
 * that returns a promise cannot be told apart until it runs (the run-time check in prepare).
 */
function checkSynchronous(file: string, apply: (...args: never[]) => unknown): void {
  const kind = apply.constructor.name;
  const problem =
    kind === 'AsyncFunction' || kind === 'AsyncGeneratorFunction'
      ? 'apply is async; it must be synchronous (it runs inside a SQLite transaction)'
      : kind === 'GeneratorFunction'
        ? 'apply is a generator function; it must be a plain function (event, view) => void'
        : null;
  if (!problem) return;
  let line: number | null = null;
  try {
    line = lineOfFunction(fs.readFileSync(file, 'utf8'), apply, 'apply');
  } catch {
    // unreadable now: the message goes without a line
  }
  throw new ViewFileError(`${file}${line ? `:${line}` : ''}: ${problem}`);
}

/**
 * What an event's failure says: the view file, the line of its code that threw (when it did), and the error
 * (its kind too when it is not a plain Error: a TypeError says the view has a bug). No position: the replay
 * adds the event's once.
 */
function eventError(file: string, e: unknown): Error {
  const line = thrownAt(e, file);
  const msg = e instanceof Error ? (e.name === 'Error' ? e.message : `${e.name}: ${e.message}`) : String(e);
  return new Error(`${path.basename(file)}${line ? `:${line}` : ''}: ${msg}`, { cause: e });
}

function checkFields(s: Record<string, unknown>, allowed: readonly string[], fail: (msg: string) => never): void {
  for (const k of Object.keys(s))
    if (!allowed.includes(k)) fail(`unknown field "${k}" (the fields are ${allowed.join(', ')})`);
}

function checkName(v: unknown, field: string, fail: (msg: string) => never): string {
  if (v === undefined) fail(`missing "${field}"`);
  if (typeof v !== 'string' || !NAME.test(v) || v.toLowerCase().startsWith('sqlite_')) {
    fail(`${field}: letters, digits, - and _, starting with a letter (at most 64), not ${describe(v)}`);
  }
  return v;
}

function checkDescription(v: unknown, fail: (msg: string) => never): string | undefined {
  if (v !== undefined && typeof v !== 'string') fail(`description: a string, not ${describe(v)}`);
  return v;
}

function checkTopics(v: unknown, fail: (msg: string) => never): string[] {
  if (v === undefined) fail('missing "topics"');
  if (!Array.isArray(v) || v.length === 0 || !v.every((t) => typeof t === 'string' && t.length > 0))
    fail(`topics: a non-empty list of topic names, not ${describe(v)}`);
  return [...new Set(v as string[])];
}

function pathOf(p: unknown, field: string, fail: (msg: string) => never): JsonPath {
  try {
    return parsePath(p);
  } catch (e) {
    return fail(`${field}: ${(e as Error).message}`);
  }
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'function') return 'a function';
  const text = JSON.stringify(v) ?? asText(v);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
