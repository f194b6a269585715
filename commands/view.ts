// `evt view list|show|get|query|serve`: read the local SQLite views that `evt replay` builds. Every
// subcommand opens the database read-only, so reading a view (by hand, from CI, over HTTP) never changes it
// and never blocks the replay that keeps it up to date.

import fs from 'node:fs';
import type { Command } from 'commander';
import type { Database } from 'better-sqlite3';
import { renderCsv } from '../src/cli/csv.js';
import { CliError, ExitCode, usageError } from '../src/cli/errors.js';
import { printJson, printLine, type CommandContext, type GlobalOptions } from '../src/cli/io.js';
import { parseDuration, parseInteger } from '../src/common/parse.js';
import { formatDuration, sleep } from '../src/common/time.js';
import { colorOnStdout, writeLines } from '../src/cli/table.js';
import { renderFields, renderTable, type Cell } from '../src/common/text-table.js';
import { asText } from '../src/flow/json-path.js';
import { DEFAULT_DB, type ViewInfo } from '../src/views/store.js';
import { collect } from '../src/cli/repeatable.js';

type Format = 'table' | 'json' | 'csv';

function outputFormat(g: GlobalOptions, flags: { csv?: boolean }): Format {
  if (flags.csv && g.json) throw usageError('give either --json or --csv, not both');
  return g.json ? 'json' : flags.csv ? 'csv' : 'table';
}

function missingDb(file: string): CliError {
  return new CliError(`no views database at ${file}: build one with evt replay orders`, ExitCode.NOT_FOUND);
}

async function openViews(file: string): Promise<Database> {
  if (!fs.existsSync(file)) throw missingDb(file);
  const { openReadOnly } = await import('../src/views/query.js');
  try {
    return openReadOnly(file);
  } catch (err) {
    throw new CliError(`cannot open the views database ${file}: ${(err as Error).message}`);
  }
}

async function withViews<T>(file: string, fn: (db: Database) => T | Promise<T>): Promise<T> {
  const db = await openViews(file);
  try {
    return await fn(db);
  } finally {
    db.close();
  }
}

async function knownView(db: Database, name: string, file: string): Promise<ViewInfo> {
  const { viewInfo, listViews } = await import('../src/views/store.js');
  const view = viewInfo(db, name);
  if (!view) {
    const names = listViews(db).map((v) => v.name);
    throw new CliError(
      `no view "${name}" in ${file} (${names.length ? `views: ${names.join(', ')}` : 'it has none yet: evt replay builds them'})`,
      ExitCode.NOT_FOUND,
    );
  }
  return view;
}

/** Text for a table or CSV cell: JSON for structure, hex for blobs. */
function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (Buffer.isBuffer(v)) return `x'${v.toString('hex')}'`;
  return asText(v);
}

const tableCell = (v: unknown): Cell =>
  v === null || v === undefined ? null : typeof v === 'number' ? v : cellText(v);

/** Rows for JSON output: blobs as base64 (JSON.stringify would turn a Buffer into an array of bytes). */
function jsonSafe(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row))
    out[k] = Buffer.isBuffer(v) ? v.toString('base64') : typeof v === 'bigint' ? v.toString() : v;
  return out;
}

function age(at: number | null, now = Date.now()): string {
  if (at === null) return 'never';
  return `${formatDuration(now - at, 'whole')} ago`;
}

const iso = (at: number | null) => (at === null ? null : new Date(at).toISOString());

interface WaitFor {
  column: string;
  values: string[];
}

function parseWaitFor(text: string): WaitFor {
  const i = text.indexOf('=');
  const column = i > 0 ? text.slice(0, i).trim() : '';
  const values = i > 0 ? text.slice(i + 1).split(',') : [];
  if (!column || values.length === 0 || values.some((v) => v === ''))
    throw usageError(`--wait-for: "${text}" is not column=value[,value...] (e.g. state=CONFIRMED,REJECTED)`);
  return { column, values };
}

/**
 * Polls (read-only, every 100 ms) until the row exists and its column holds one of the values. A missing
 * database, view or row counts as "not yet" (the replay may not have got there), so CI can start it and wait
 * at once; the timeout's message says what was seen last.
 */
async function waitForRow(
  file: string,
  name: string,
  key: string,
  wait: WaitFor,
  timeoutText: string,
): Promise<Record<string, unknown>> {
  const timeoutMs = parseDuration(timeoutText, '--timeout');
  const { openReadOnly, getRow, tableColumns } = await import('../src/views/query.js');
  const { viewInfo } = await import('../src/views/store.js');
  const deadline = timeoutMs < 0 ? Infinity : Date.now() + timeoutMs;
  let db: Database | undefined;
  let last = '';
  try {
    for (;;) {
      if (!db) {
        if (!fs.existsSync(file)) last = `no views database at ${file}`;
        else {
          try {
            db = openReadOnly(file);
          } catch (err) {
            last = `cannot open ${file}: ${(err as Error).message}`;
          }
        }
      }
      if (db) {
        const view = viewInfo(db, name);
        if (!view) last = `no view "${name}"`;
        else {
          const columns = tableColumns(db, view.table).map((c) => c.name);
          if (columns.length && !columns.includes(wait.column))
            throw usageError(
              `--wait-for: view ${name} has no column "${wait.column}" (its columns: ${columns.join(', ')})`,
            );
          const row = getRow(db, view, key);
          if (!row) last = `no ${view.keyColumn} "${key}"`;
          else {
            const value = row[wait.column];
            if (value !== null && value !== undefined && wait.values.includes(cellText(value))) return row;
            last = `${wait.column}=${value === null || value === undefined ? 'null' : cellText(value)}`;
          }
        }
      }
      if (Date.now() >= deadline) {
        throw new CliError(
          `timed out after ${timeoutText} waiting for ${name} ${key} to have ${wait.column}=${wait.values.join(',')}; last saw ${last}`,
          ExitCode.EXPECTATION,
        );
      }
      await sleep(Math.min(100, Math.max(0, deadline - Date.now())));
    }
  } finally {
    db?.close();
  }
}

function printRows(
  ctx: CommandContext,
  format: Format,
  columns: string[],
  rows: Record<string, unknown>[],
  color: boolean,
): void {
  const { io } = ctx;
  if (format === 'csv')
    return void io.stdout.write(
      renderCsv(
        columns,
        rows.map((r) => columns.map((c) => cellText(r[c]))),
      ),
    );
  writeLines(
    io.stdout,
    renderTable(
      columns.map((c) => c.toUpperCase()),
      rows.map((r) => columns.map((c) => tableCell(r[c]))),
      { color },
    ),
  );
}

const dbOption = (cmd: Command) => cmd.option('--db <file>', 'the views database', DEFAULT_DB);

export function registerView(program: Command, ctx: CommandContext): void {
  const { io, globals } = ctx;

  const view = program
    .command('view')
    .description(
      'read the local SQLite views that evt replay builds: list, show, get a row, query with SQL, serve over HTTP',
    )
    .addHelpText(
      'after',
      `
Every subcommand reads ${DEFAULT_DB} (or --db <file>) read-only: nothing here changes a view.

Examples:
  $ evt replay orders --follow &                       build and keep up the "orders" view
  $ evt view list                                      views, rows, events, errors, last update
  $ evt view get orders o-1                            one row by key (exit 4 when absent)
  $ evt view get orders o-1 --wait-for state=CONFIRMED --timeout 30s
  $ evt view query "SELECT state, count(*) AS n FROM orders GROUP BY state"
  $ evt view serve --port 8080                         GET /views/orders/o-1`,
    );

  dbOption(view.command('list').alias('ls'))
    .description('list the views: rows, events applied, errors, topics, last update')
    .option('--csv', 'CSV output (name,rows,events,errors,topics,updated)')
    .addHelpText(
      'after',
      `
Examples:
  $ evt view list
  $ evt view list --db /tmp/views.db
  $ evt view list --json | jq -r '.views[].name'       {"views":[{"name","rows","events","errors","topics","updatedAt",...}]}
  $ evt view list --csv > views.csv`,
    )
    .action(async (flags: { db: string; csv?: boolean }) => {
      const g = globals();
      const format = outputFormat(g, flags);
      const { listViews } = await import('../src/views/store.js');
      const views = await withViews(flags.db, (db) => listViews(db));
      if (format === 'json') return printJson(io, { views });
      if (format === 'csv') {
        return void io.stdout.write(
          renderCsv(
            ['name', 'rows', 'events', 'errors', 'topics', 'updated'],
            views.map((v) => [
              v.name,
              String(v.rows),
              String(v.events),
              String(v.errors),
              v.topics.join(','),
              iso(v.updatedAt) ?? '',
            ]),
          ),
        );
      }
      if (views.length === 0)
        return printLine(io.stderr, `no views in ${flags.db} yet: build one with evt replay orders`);
      writeLines(
        io.stdout,
        renderTable(
          ['VIEW', 'ROWS', 'EVENTS', 'ERRORS', 'TOPICS', 'UPDATED'],
          views.map((v) => [v.name, v.rows, v.events, v.errors, v.topics.join(','), age(v.updatedAt)]),
          { color: colorOnStdout(io, g) },
        ),
      );
    });

  dbOption(view.command('show <view>'))
    .description("a view's definition, columns, position in each partition (next offset) and last errors")
    .option('--errors <n>', 'how many of the last errors to show', '10')
    .addHelpText(
      'after',
      `
Examples:
  $ evt view show orders
  $ evt view show orders --errors 50
  $ evt view show orders --json | jq '.positions'        {"view":{...},"columns","positions","errors"}`,
    )
    .action(async (name: string, flags: { db: string; errors: string }) => {
      const g = globals();
      const errorCount = parseInteger(flags.errors, '--errors', { min: 0, max: 10_000 });
      const { tableColumns, lastErrors } = await import('../src/views/query.js');
      const { positions } = await import('../src/views/store.js');
      const shown = await withViews(flags.db, async (db) => {
        const v = await knownView(db, name, flags.db);
        return {
          view: v,
          columns: tableColumns(db, v.table),
          positions: positions(db, v.name),
          errors: lastErrors(db, v.name, errorCount),
        };
      });
      if (g.json) return printJson(io, shown);
      const color = colorOnStdout(io, g);
      const v = shown.view;
      const lines = renderFields(
        [
          ['view', v.name],
          ['source', v.source],
          ['topics', v.topics.join(', ')],
          ['table', v.table],
          ['key', v.keyColumn],
          ['rows', v.rows],
          ['events', v.events],
          ['errors', v.errors],
          ['updated', v.updatedAt === null ? 'never' : `${iso(v.updatedAt)} (${age(v.updatedAt)})`],
        ],
        { color },
      );
      lines.push(
        '',
        ...renderTable(
          ['COLUMN', 'TYPE', 'KEY'],
          shown.columns.map((c) => [c.name, c.type || '-', c.primaryKey ? 'yes' : '']),
          { color },
        ),
      );
      lines.push('');
      if (shown.positions.length)
        lines.push(
          ...renderTable(
            ['TOPIC', 'PARTITION', 'NEXT OFFSET'],
            shown.positions.map((p) => [p.topic, p.partition, p.nextOffset]),
            { color },
          ),
        );
      else lines.push('positions: none yet (nothing replayed)');
      if (shown.errors.length) {
        lines.push('', `last ${shown.errors.length} error${shown.errors.length === 1 ? '' : 's'} of ${v.errors}:`);
        lines.push(
          ...renderTable(
            ['TOPIC', 'PARTITION', 'OFFSET', 'AT', 'ERROR'],
            shown.errors.map((e) => [e.topic, e.partition, e.offset, iso(e.at), e.error]),
            { color },
          ),
        );
      }
      writeLines(io.stdout, lines);
    });

  dbOption(view.command('get <view> <key>'))
    .description("one row of the view's table by key (exit 4 when absent)")
    .option('--csv', 'CSV output (a header line and the row)')
    .option(
      '--wait-for <column=values>',
      'wait until the row exists and the column holds one of the comma-separated values (exit 5 after --timeout)',
    )
    .addHelpText(
      'after',
      `
Exit code 4 when the view or the key is absent. With --wait-for, polls (read-only, every 100 ms) until the
row exists with one of the values, or exit 5 after --timeout (default 10s; -1 waits for ever) with one line
saying what it saw last: read-your-writes for CI, after producing an event that the replay folds in.

Examples:
  $ evt view get orders o-1
  $ evt view get orders o-1 --json | jq -r .state
  $ evt view get orders o-1 --wait-for state=CONFIRMED,REJECTED --timeout 30s`,
    )
    .action(async (name: string, key: string, flags: { db: string; csv?: boolean; waitFor?: string }) => {
      const g = globals();
      const format = outputFormat(g, flags);
      let row: Record<string, unknown>;
      if (flags.waitFor !== undefined) {
        row = await waitForRow(flags.db, name, key, parseWaitFor(flags.waitFor), g.timeout);
      } else {
        const { getRow } = await import('../src/views/query.js');
        const found = await withViews(flags.db, async (db) => {
          const v = await knownView(db, name, flags.db);
          return { v, row: getRow(db, v, key) };
        });
        if (!found.row) throw new CliError(`no ${found.v.keyColumn} "${key}" in view ${name}`, ExitCode.NOT_FOUND);
        row = found.row;
      }
      if (format === 'json') return printJson(io, jsonSafe(row));
      const columns = Object.keys(row);
      if (format === 'csv') return printRows(ctx, 'csv', columns, [row], false);
      writeLines(
        io.stdout,
        renderFields(
          columns.map((c) => [c, tableCell(row[c])]),
          { color: colorOnStdout(io, g) },
        ),
      );
    });

  dbOption(view.command('query <sql>'))
    .description('run one read-only SQL query on the views database (writes are refused)')
    .option('--csv', 'CSV output')
    .option('-p, --param <value>', 'a value for the next ? in the query, repeatable', collect)
    .addHelpText(
      'after',
      `
The database is opened read-only: INSERT, UPDATE, DELETE, DROP, ATTACH, VACUUM, and PRAGMAs that set
something (journal_mode=DELETE, user_version=3, locking_mode=EXCLUSIVE) are refused before they run (exit 2)
and change nothing; PRAGMAs that read work (table_info(orders), index_list(orders), user_version). An SQL
error is one line, exit 1. The tables: each view's own (evt view show <view>), and _evt_views,
_evt_offsets, _evt_errors.

Examples:
  $ evt view query "SELECT state, count(*) AS n FROM orders GROUP BY state"
  $ evt view query "SELECT * FROM orders WHERE total > ?" -p 100 --csv > big.csv
  $ evt view query "SELECT * FROM _evt_errors" --json | jq '.rows[]'     {"columns":[...],"rows":[{...}]}`,
    )
    .action(async (sql: string, flags: { db: string; csv?: boolean; param?: string[] }) => {
      const g = globals();
      const format = outputFormat(g, flags);
      const { runQuery, QueryError } = await import('../src/views/query.js');
      const result = await withViews(flags.db, (db) => {
        try {
          return runQuery(db, sql, flags.param ?? []);
        } catch (err) {
          if (!(err instanceof QueryError)) throw err;
          const oneLine = err.message.replace(/\s+/g, ' ').trim();
          throw err.refused
            ? new CliError(`query refused: ${oneLine}`, ExitCode.USAGE)
            : new CliError(`query failed: ${oneLine}`);
        }
      });
      if (format === 'json') return printJson(io, { columns: result.columns, rows: result.rows.map(jsonSafe) });
      if (format === 'table' && result.rows.length === 0) return printLine(io.stderr, 'no rows');
      printRows(ctx, format, result.columns, result.rows, colorOnStdout(io, g));
    });

  dbOption(view.command('serve'))
    .description(
      'a read-only HTTP API on the views (JSON): GET /views, /views/<view>/<key>, /views/<view>?col=value, /health',
    )
    .option('--port <port>', 'port to listen on (0 picks a free one)', '8080')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .addHelpText(
      'after',
      `
Routes (GET only; anything else is 405):
  GET /health                              {"status":"ok","views":N}
  GET /views                               {"views":[...]}, as evt view list --json
  GET /views/<view>/<key>                  the row, or 404 {"error"}
  GET /views/<view>?<column>=<value>&limit=N   {"view","rows":[...],"count"}; unknown column 400; limit 1-10000, default 100
Prints "evt view serve: http://host:port" on stderr once listening; stops on Ctrl-C / SIGTERM.

Examples:
  $ evt view serve
  $ evt view serve --port 0 --host 0.0.0.0
  $ curl -s localhost:8080/views/orders/o-1
  $ curl -s 'localhost:8080/views/orders?state=REJECTED&limit=10'`,
    )
    .action(async (flags: { db: string; port: string; host: string }) => {
      const g = globals();
      const port = parseInteger(flags.port, '--port', { min: 0, max: 65535 });
      if (!fs.existsSync(flags.db)) throw missingDb(flags.db);
      const { startViewServer } = await import('../src/views/http.js');
      let server;
      try {
        server = await startViewServer({ file: flags.db, host: flags.host, port });
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        if (e?.code === 'EADDRINUSE')
          throw new CliError(
            `port ${port} on ${flags.host} is already in use: choose another with --port (0 picks a free one)`,
          );
        if (e?.code === 'EADDRNOTAVAIL')
          throw new CliError(`cannot listen on ${flags.host}: no such local address (see --host)`);
        throw new CliError(`cannot serve ${flags.db}: ${e?.message ?? String(err)}`);
      }
      // catch signals before announcing the address: whoever reads it may stop us right away
      const stopped = io.interrupted();
      printLine(io.stderr, `evt view serve: ${server.url}`);
      if (g.json)
        printJson(io, { url: server.url, host: server.host, port: server.port, db: flags.db, pid: process.pid });
      const signal = await stopped;
      if (g.verbose) printLine(io.stderr, `evt view serve: ${signal}, shutting down`);
      await server.close();
    });
}
