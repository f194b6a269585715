// What a view is: a fold of some topics' events into SQLite tables. A definition names its topics and its
// main table (one row per key, what `evt view get` reads), creates its tables, and gives an apply function
// that the replay engine calls for each event inside the batch's transaction. Built-in views
// (builtin.ts) and custom ones (custom.ts) are both definitions; nothing else about a view is special.

import type { Database } from 'better-sqlite3';
import type { ConsumedRecord } from '../client/records.js';
import type { DecodedValue } from '../codec/value-codec.js';

/** An event as a view sees it: where it is in the log and its decoded key, headers and value. */
export interface ViewEvent {
  topic: string;
  partition: number;
  offset: number;
  /** epoch ms */
  timestamp: number;
  key: string | null;
  headers: Record<string, string>;
  /** the decoded value (JSON or Avro as plain JSON; a string otherwise); null for a tombstone */
  value: unknown;
  /** the record as read (raw key and header bytes), for built-in views that look at headers by convention */
  readonly raw?: ConsumedRecord;
  /** the value as decoded (with its encoding), for built-in views that keep the record envelope */
  readonly decoded?: DecodedValue;
}

/**
 * Applies one event to the view's tables; throws when the event does not fit (it goes to the errors table).
 * A view that folds events per key may only gather them and write in `flush`, which the replay calls once
 * per batch inside the same transaction: one write per key per batch instead of one per event.
 */
export type ApplyEvent = ((event: ViewEvent) => void) & { flush?: () => void };

export interface ViewDefinition {
  /** the view's name: `evt replay <name>`, `evt view get <name> <key>` */
  readonly name: string;
  readonly description: string;
  readonly topics: readonly string[];
  /** the table `get` and the HTTP API read */
  readonly table: string;
  /** its key column */
  readonly keyColumn: string;
  /** where the definition comes from: "built-in" or the view file */
  readonly source: string;
  /** creates the view's tables (IF NOT EXISTS: called on every replay) */
  create(db: Database): void;
  /** prepares the statements the view needs and returns the function that applies one event */
  prepare(db: Database): ApplyEvent;
  /** the view's own tables (dropped by --rebuild) */
  readonly tables: readonly string[];
}

/** SQLite identifiers are quoted so that any view or topic name is a valid table name. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
