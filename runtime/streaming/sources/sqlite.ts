/**
 * Rows of a SQLite query as a source, through better-sqlite3 on a resource handle.
 *
 * Without `keyColumn`, one `iterate()` runs for the whole source, `batchSize` rows read at a
 * time: the connection is busy until the source ends or is closed (better-sqlite3 refuses other
 * statements on it meanwhile). With `keyColumn`, each batch is its own query
 * (`… where key > <last key> order by key limit <batchSize>`), read whole, so the connection is
 * free between batches and a resume continues after the last key.
 */
import type { Statement } from "better-sqlite3";
import type { SqlParams, SqliteHandle } from "../../resources/handles.js";
import { statementPreview } from "../../resources/providers/sql.js";
import { toSqliteValue } from "../../resources/providers/sqlite.js";
import type { Source, SourceItem } from "../types.js";
import { SourceOptionsError, SourceReadError } from "./errors.js";
import { keyedQuery, keyOf, querySettings, type QuerySettings, type QuerySourceOptions } from "./query.js";
import { GeneratedSource, recordItem, rowPosition } from "./source.js";

const WHAT = "sqlite query";

/**
 * The rows of `sql` (with `params`, positional or named) as records. The statement is prepared
 * now, so a SQL error throws here; rows are read as the source is iterated.
 */
export function sqliteQuerySource(handle: SqliteHandle, sql: string, params?: SqlParams, options: QuerySourceOptions = {}): Source {
  const settings = querySettings(options, WHAT);
  let items: AsyncGenerator<SourceItem, void, undefined>;
  if (settings.keyColumn === undefined) {
    const query = keyedQuery(sql, settings);
    items = streamedRows({ sql: query, statement: prepare(handle, query) }, params, settings);
  } else {
    const page = ` limit ${settings.batchSize}`;
    const first = keyedQuery(sql, settings, settings.after === undefined ? undefined : "@fsmc_after") + page;
    const next = keyedQuery(sql, settings, "@fsmc_after") + page;
    items = pagedRows({ sql: first, statement: prepare(handle, first) }, { sql: next, statement: prepare(handle, next) }, params, settings);
  }
  return new GeneratedSource({ description: WHAT, totalBytes: null, items, bytesRead: () => 0 });
}

/** A prepared statement and its text (for messages). */
interface Prepared {
  readonly sql: string;
  readonly statement: Statement<unknown[], unknown>;
}

/** Every row from one `iterate()`, `batchSize` read at a time. */
async function* streamedRows(query: Prepared, params: SqlParams | undefined, settings: QuerySettings): AsyncGenerator<SourceItem, void, undefined> {
  const rows = guard(query.sql, () => query.statement.iterate(...bindings(params, {})) as IterableIterator<unknown>);
  try {
    let index = settings.firstIndex;
    for (let skipped = 0; skipped < settings.skip; skipped++) if (guard(query.sql, () => rows.next()).done === true) return;
    for (;;) {
      const batch: unknown[] = [];
      while (batch.length < settings.batchSize) {
        const next = guard(query.sql, () => rows.next());
        if (next.done === true) break;
        batch.push(next.value);
      }
      for (const row of batch) {
        yield recordItem(row, rowPosition(index, keyOf(row, settings, WHAT)));
        index++;
      }
      if (batch.length < settings.batchSize) return;
    }
  } finally {
    rows.return?.(); // frees the connection when the source stops early
  }
}

/** Rows in key order, one query per batch, each after the last key of the one before. */
async function* pagedRows(first: Prepared, next: Prepared, params: SqlParams | undefined, settings: QuerySettings): AsyncGenerator<SourceItem, void, undefined> {
  let after = settings.after?.key;
  let query = first;
  let index = settings.firstIndex;
  let skip = settings.skip;
  for (;;) {
    const named = after === undefined ? {} : { fsmc_after: toSqliteValue(after) };
    const rows = guard(query.sql, () => query.statement.all(...bindings(params, named)));
    for (const row of rows) {
      after = keyOf(row, settings, WHAT);
      if (skip > 0) {
        skip--;
        continue;
      }
      yield recordItem(row, rowPosition(index, after));
      index++;
    }
    if (rows.length < settings.batchSize) return;
    query = next;
  }
}

function prepare(handle: SqliteHandle, sql: string): Statement<unknown[], unknown> {
  const statement = guard(sql, () => handle.db.prepare<unknown[], unknown>(sql));
  if (!statement.reader) throw new SourceOptionsError(`${WHAT}: the statement returns no rows: \`${statementPreview(sql)}\``);
  return statement;
}

/** better-sqlite3's arguments: the user's parameters (positional array or named object) and our named ones. */
function bindings(params: SqlParams | undefined, named: Record<string, unknown>): unknown[] {
  const ours = Object.keys(named).length > 0;
  if (params === undefined) return ours ? [named] : [];
  if (Array.isArray(params)) return ours ? [params.map(toSqliteValue), named] : [params.map(toSqliteValue)];
  const user = Object.fromEntries(Object.entries(params).map(([key, value]) => [key, toSqliteValue(value)]));
  return [{ ...user, ...named }];
}

/** Runs a better-sqlite3 call; its error leaves as a `SourceReadError` naming the statement. */
function guard<T>(sql: string, call: () => T): T {
  try {
    return call();
  } catch (error) {
    if (error instanceof SourceReadError || error instanceof SourceOptionsError) throw error;
    throw new SourceReadError(`${WHAT} failed: ${(error as Error).message} in \`${statementPreview(sql)}\``, error);
  }
}
